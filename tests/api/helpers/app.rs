//! Spawning the app on a fresh database, with an admin, and talking HTTP
//! (or SQL) to it.

use std::future::Future;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use ombud::config::Settings;
use ombud::db::Db;
use ombud::domain::{Role, Scope};
use reqwest::{Method, Response};
use serde_json::Value;

use super::databases::{Backend, TestDb, backends};

/// A running app and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub db: TestDb,
    pub admin: TestUser,
    pub settings: Settings,
    /// The app's clock: a test moves it forward instead of sleeping.
    pub clock: ombud::clock::Clock,
}

/// A user with a token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub token: String,
    pub role: Role,
}

/// Default settings for tests: port 0, no background jobs.
pub fn test_settings(db: &TestDb) -> Settings {
    Settings {
        database_url: db.url.clone(),
        bind: "127.0.0.1:0".into(),
        db_pool_size: 4,
        db_timeout_seconds: 5,
        http_workers: 2,
        run_jobs: false,
        mail_dir: std::env::temp_dir()
            .join(format!("{}-mail", db.name))
            .display()
            .to_string(),
        evidence_dir: std::env::temp_dir()
            .join(format!("{}-evidence", db.name))
            .display()
            .to_string(),
        ..Settings::default()
    }
}

/// Spawns the app on `backend` with default test settings.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Spawns the app on a fresh database, with settings adjusted by `tweak`,
/// and an admin made the way `ombud users create` makes one.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(TestDb::create(backend), tweak).await
}

/// Spawns the app on a database a test has prepared.
pub async fn spawn_app_on(db: TestDb, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let backend = db.backend;
    let mut settings = test_settings(&db);
    tweak(&mut settings);
    let clock = ombud::clock::Clock::system();
    let app = ombud::startup::Application::build_with_clock(settings.clone(), clock.clone())
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let admin = bootstrap_admin(&settings).await;
    TestApp {
        address,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client"),
        backend,
        db,
        admin,
        settings,
        clock,
    }
}

async fn bootstrap_admin(settings: &Settings) -> TestUser {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || {
        let db = Db::connect(&settings.database_url, 1, Duration::from_secs(30)).expect("db");
        db.write_blocking(|conn| -> ombud::error::ApiResult<TestUser> {
            let email = ombud::domain::parse::Email::parse("root@example.org").expect("email");
            let row = ombud::accounts::users::insert(
                conn,
                ombud::accounts::users::UserInput {
                    email,
                    name: "Root Admin".into(),
                    role: Role::Admin,
                    language: "en".into(),
                    password_hash: None,
                },
                chrono::Utc::now(),
            )?;
            let id = row.id;
            let token = ombud::accounts::tokens::issue(
                conn,
                ombud::accounts::tokens::Grant {
                    user: id,
                    created_by: id,
                    name: "test".into(),
                    kind: ombud::accounts::tokens::TokenKind::Personal,
                    scopes: &Scope::ALL,
                    lifetime: chrono::Duration::hours(1),
                },
                chrono::Utc::now(),
            )?;
            Ok(TestUser {
                id: row.id.to_db(),
                email: row.email,
                token: token.token,
                role: Role::Admin,
            })
        })
        .expect("bootstrap admin")
    })
    .await
    .expect("join")
}

/// Runs `test` once per backend, each on its own fresh app.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in backends() {
        test(spawn_app(backend).await).await;
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    /// Sends a request as `user` (or anonymously) with an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        user: Option<&TestUser>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(u) = user {
            req = req.bearer_auth(&u.token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, user: &TestUser) -> Response {
        self.call(Method::GET, path, Some(user), None).await
    }

    pub async fn post(&self, path: &str, user: &TestUser, body: Value) -> Response {
        self.call(Method::POST, path, Some(user), Some(body)).await
    }

    /// The ids of every item of the list at `path` (which may carry its
    /// own query) as `user` pages through it `limit` at a time.
    pub async fn every_page(&self, user: &TestUser, path: &str, limit: usize) -> Vec<String> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
                None => format!("{path}{sep}limit={limit}"),
            };
            let res = self.get(&url, user).await;
            assert_eq!(res.status(), reqwest::StatusCode::OK, "{url}");
            let page: Value = res.json().await.expect("json");
            let items = page["items"].as_array().expect("items");
            assert!(items.len() <= limit, "{url}");
            ids.extend(
                items
                    .iter()
                    .map(|i| i["id"].as_str().expect("id").to_string()),
            );
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return ids,
            }
        }
    }

    /// The number `sql` counts (as `n`), read from the app's database
    /// directly.
    pub fn count(&self, sql: &str) -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let manager =
            ombud::db::Manager::new(&self.db.url, Duration::from_secs(5)).expect("manager");
        let mut conn = manager.open().expect("open");
        let count: Count = diesel::sql_query(sql).get_result(&mut conn).expect("count");
        count.n
    }

    /// Runs SQL on the app's database directly (to set up what the API
    /// cannot, such as time having passed).
    pub fn sql(&self, sql: &str) {
        let url = self.db.url.clone();
        let conn = ombud::db::Manager::new(&url, Duration::from_secs(5)).expect("manager");
        let mut c = conn.open().expect("open");
        c.batch_execute(sql).expect("sql");
    }
}
