//! Building and running the HTTP application.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::accounts::password::PasswordChecks;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::notify::mailer::Mailer;
use crate::routes::{self, errors::RouteTable};
use crate::state::AppState;

/// A bound, not yet running, server plus the jobs started beside it.
pub struct Application {
    server: Server,
    port: u16,
    jobs: Option<crate::jobs::Jobs>,
    mail: String,
}

impl Application {
    /// Connects to the database (applying migrations), binds the listener and
    /// starts background jobs if the settings say so. Must run inside a Tokio runtime.
    pub fn build(settings: Settings) -> anyhow::Result<Application> {
        Application::build_with_clock(settings, Clock::system())
    }

    /// [`Application::build`] with a clock of the caller's (tests move it).
    pub fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Application> {
        crate::webhooks::sender::install_tls_provider();
        let db = Db::connect(
            &settings.database_url,
            settings.db_pool_size,
            Duration::from_secs(settings.db_timeout_seconds),
        )?;
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let listener_addr = listener.local_addr()?;
        let port = listener_addr.port();
        let settings = Arc::new(settings);
        let mailer = Mailer::from_settings(&settings)?;
        let (mail, jobs) = if settings.run_jobs {
            let mail = format!("{}, delivered by this process", mailer.describe());
            (
                mail,
                Some(crate::jobs::spawn_all(
                    db.clone(),
                    settings.clone(),
                    mailer,
                    clock.clone(),
                )),
            )
        } else {
            let mail = format!(
                "{}; delivered by `ombud worker` (run_jobs is off here)",
                mailer.describe()
            );
            (mail, None)
        };
        let passwords = PasswordChecks::new(
            settings.password_checks_at_once,
            Duration::from_millis(settings.password_check_wait_ms),
        );
        let evidence = crate::files::store_for(&settings);
        let server = server(
            listener,
            crate::routes::client::Loopback::new(listener_addr),
            AppState {
                db,
                settings,
                clock,
                passwords,
                setup: Default::default(),
                evidence,
            },
        )?;
        Ok(Application {
            server,
            port,
            jobs,
            mail,
        })
    }

    /// Where mail goes, for the start-up banner.
    pub fn mail(&self) -> &str {
        &self.mail
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server is stopped (Ctrl-C or SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        if let Some(jobs) = self.jobs {
            jobs.shutdown(Duration::from_secs(30)).await;
        }
        result
    }
}

fn server(
    listener: TcpListener,
    loopback: crate::routes::client::Loopback,
    state: AppState,
) -> anyhow::Result<Server> {
    let spec = crate::openapi::build();
    let routes = web::Data::new(RouteTable::from_spec(&spec));
    let spec_json = web::Data::new(routes::spec::SpecJson(crate::openapi::to_json(&spec)?));
    let workers = state.settings.http_workers;
    let edge = web::Data::new(routes::security::Edge::from_settings(&state.settings));
    let state = web::Data::new(state);
    let loopback = web::Data::new(loopback);
    let console = web::Data::new(crate::console::Console::new()?);
    let mut http = HttpServer::new(move || {
        let limit = state.settings.max_body_bytes;
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(crate::openapi::ApiDoc::build())
            .app_data(state.clone())
            .app_data(routes::errors::json_config(limit))
            .app_data(routes::errors::path_config())
            .app_data(routes::errors::query_config())
            .app_data(web::PayloadConfig::new(limit))
            .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
            .split_for_parts();
        app.app_data(routes.clone())
            .app_data(loopback.clone())
            .app_data(console.clone())
            .configure(|cfg| crate::console::configure(cfg, limit))
            .app_data(edge.clone())
            .app_data(spec_json.clone())
            .route("/health", web::get().to(routes::health::live))
            .route("/ready", web::get().to(routes::health::ready))
            .service(SwaggerUi::new("/docs/{_:.*}").config(Config::new(["/api/v1/openapi.json"])))
            .route("/docs", web::get().to(routes::health::docs_redirect))
            .default_service(web::to(routes::errors::fallback))
            .wrap(ErrorHandlers::new().default_handler(routes::errors::as_problem))
            .wrap(from_fn(routes::security::edge))
            .wrap(from_fn(crate::telemetry::request_id))
    })
    .listen(listener)?;
    if workers > 0 {
        http = http.workers(workers);
    }
    Ok(http.run())
}
