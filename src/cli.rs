//! The command line: `serve` (default), `migrate`, `openapi`, `users create`
//! and `demo`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::accounts::tokens::{Grant, TokenKind, issue};
use crate::accounts::users::{CreateUser, insert};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::{Role, Scope};
use crate::startup::Application;

/// Ombud: dispute-mediation case management over a REST API.
///
/// Settings come from defaults, then a TOML file (`--config`, or
/// `ombud.toml` if present), then `OMBUD_*` environment variables,
/// `DATABASE_URL` and `SMTP_URL`. See the README for the table of settings.
#[derive(Debug, Parser)]
#[command(name = "ombud", version, about, long_about)]
pub struct Cli {
    /// A TOML settings file.
    #[arg(long, env = "OMBUD_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default): apply migrations, start background jobs, listen.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (the same one `/api/v1/openapi.json` serves).
    Openapi,
    /// Manage users.
    Users {
        /// What to do with users.
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Seed demo data: users in every role and cases in every state.
    Demo,
    /// Run only the background jobs (mail delivery, follow-up), no HTTP.
    Worker,
    /// Check that case timelines are intact (every entry matches its seal
    /// and follows the one before it); name the first broken entry of each
    /// case that is not, and exit with status 1 if any.
    Verify {
        /// Check only this case (its id or its reference).
        #[arg(long)]
        case: Option<String>,
    },
}

/// User management.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user and print a new token for them (shown once).
    Create {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// member, mediator, lead or admin.
        #[arg(long, default_value = "member", value_parser = parse_role)]
        role: Role,
        /// Password to sign in with (10 or more characters); or set OMBUD_PASSWORD.
        #[arg(long, env = "OMBUD_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Preferred language (BCP 47).
        #[arg(long, default_value = "en")]
        language: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            connect(&settings)?;
            println!("migrations applied");
            Ok(())
        }
        Command::Openapi => {
            let json = crate::openapi::to_json(&crate::openapi::build())?;
            // A reader that stops early (`ombud openapi | head`) is not an error.
            match std::io::Write::write_all(&mut std::io::stdout().lock(), json.as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => Ok(other?),
            }
        }
        Command::Users { command } => users(settings, command).await,
        Command::Worker => worker(settings).await,
        Command::Verify { case } => verify(settings, case).await,
        Command::Demo => {
            let db = connect(&settings)?;
            let settings = std::sync::Arc::new(settings);
            tokio::task::spawn_blocking(move || crate::demo::seed(&db, &settings)).await??;
            Ok(())
        }
    }
}

fn connect(settings: &Settings) -> anyhow::Result<Db> {
    Db::connect(
        &settings.database_url,
        settings.db_pool_size,
        Duration::from_secs(settings.db_timeout_seconds),
    )
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let backend = crate::db::Backend::from_url(&settings.database_url)?.0;
    let base = settings.base_url();
    let app = Application::build(settings.clone())?;
    tracing::info!(bind = %settings.bind, port = app.port(), ?backend, "ombud is listening");
    println!("Ombud is serving on {} ({backend:?})", settings.bind);
    println!("  API:       {base}/api/v1");
    println!("  API docs:  {base}/docs/");
    println!("  Console:   {base}/console");
    println!("  OpenAPI:   {base}/api/v1/openapi.json");
    println!("  Mail:      {}", app.mail());
    app.run_until_stopped().await?;
    Ok(())
}

async fn verify(settings: Settings, case: Option<String>) -> anyhow::Result<()> {
    use crate::db::schema::cases;
    use diesel::prelude::*;
    let db = connect(&settings)?;
    let (mut checked, mut entries, mut broken, mut awaiting) = (0_u64, 0_i64, 0_u64, 0_i64);
    let mut after = String::new();
    loop {
        let (one, from) = (case.clone(), after.clone());
        let ids: Vec<String> = db
            .read(move |conn| {
                let q = cases::table.select(cases::id).into_boxed();
                let q = match one {
                    Some(c) => q.filter(cases::id.eq(c.clone()).or(cases::reference.eq(c))),
                    None => q
                        .filter(cases::id.gt(from))
                        .order(cases::id.asc())
                        .limit(500),
                };
                q.load(conn).map_err(crate::db::StoreError::from)
            })
            .await?;
        if let Some(c) = &case {
            anyhow::ensure!(!ids.is_empty(), "no case {c}");
        }
        let Some(last) = ids.last().cloned() else {
            break;
        };
        for id in ids {
            let id = crate::domain::CaseId(id.parse()?);
            let verdict = db
                .read(move |conn| crate::cases::seal::check(conn, id))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            checked += 1;
            entries += verdict.entries;
            awaiting += verdict.awaiting_seal;
            if let Some(b) = &verdict.first_broken {
                broken += 1;
                println!(
                    "{} ({}): entry {} is {}",
                    verdict.reference,
                    verdict.case_id,
                    b.id,
                    match b.problem {
                        crate::cases::seal::Break::Altered =>
                            "altered (its content no longer matches its seal)",
                        crate::cases::seal::Break::OutOfChain =>
                            "out of the chain (an entry before it was removed, inserted or altered)",
                        crate::cases::seal::Break::Unsealed => "unsealed (its seal was removed)",
                        crate::cases::seal::Break::RedactedWithoutRecord =>
                            "rewritten with no erasure recorded after it",
                    }
                );
            } else if case.is_some() {
                println!(
                    "{} ({}): intact, head {}",
                    verdict.reference,
                    verdict.case_id,
                    verdict.head.as_deref().unwrap_or("(none)")
                );
            }
        }
        if case.is_some() {
            break;
        }
        after = last;
    }
    println!("checked {checked} cases, {entries} entries: {broken} broken");
    if awaiting > 0 {
        println!(
            "{awaiting} entries recorded before sealing began await the background job (`ombud serve` or `ombud worker`)"
        );
    }
    anyhow::ensure!(broken == 0, "{broken} case(s) with a broken timeline");
    Ok(())
}

async fn worker(settings: Settings) -> anyhow::Result<()> {
    let db = connect(&settings)?;
    let mailer = crate::notify::mailer::Mailer::from_settings(&settings)?;
    println!("Ombud worker: mail {}", mailer.describe());
    let jobs = crate::jobs::spawn_all(db, std::sync::Arc::new(settings), mailer, Clock::system());
    shutdown_signal().await;
    jobs.shutdown(std::time::Duration::from_secs(30)).await;
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn users(settings: Settings, command: UsersCommand) -> anyhow::Result<()> {
    let UsersCommand::Create {
        email,
        name,
        role,
        password,
        language,
    } = command;
    let body = CreateUser {
        email,
        name,
        role: Some(role),
        language: Some(language),
        password,
    };
    let input = body.parse().map_err(|e| anyhow::anyhow!(describe(&e)))?;
    let db = connect(&settings)?;
    let ttl = chrono::Duration::hours(settings.token_ttl_hours);
    let now = Clock::system().now();
    let (user, token) = tokio::task::spawn_blocking(move || {
        db.write_blocking(move |conn| {
            let user = insert(conn, input, now)?;
            let id = user.id;
            let token = issue(
                conn,
                Grant {
                    user: id,
                    created_by: id,
                    name: "cli".into(),
                    kind: TokenKind::Personal,
                    scopes: &Scope::ALL,
                    lifetime: ttl,
                },
                now,
            )?;
            Ok((user, token))
        })
    })
    .await?
    .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    println!(
        "created {} <{}> as {}, id {}",
        user.name, user.email, user.role, user.id
    );
    println!(
        "token (shown once, valid until {}):",
        token.details.expires_at
    );
    println!("{}", token.token);
    Ok(())
}

fn describe(e: &crate::error::ApiError) -> String {
    match e {
        crate::error::ApiError::Validation(errs) => errs
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
