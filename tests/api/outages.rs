//! A database that stops answering, is locked by another process, or
//! refuses to write: every request answers in time with 503 and
//! `Retry-After`, `/ready` says so, and service resumes when it ends.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::helpers::{
    Backend, Cast, Freezer, TestApp, TestDb, backends, problem, spawn_app, spawn_app_on,
    spawn_app_with, test_settings,
};

/// Asserts a 503 `unavailable` problem with `Retry-After`.
async fn unavailable(res: Response, what: &str) {
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{what}");
    assert_eq!(res.headers().get("retry-after").unwrap(), "5", "{what}");
    assert_eq!(problem(res).await["type"], "urn:ombud:problem:unavailable");
}

async fn ready(app: &TestApp) -> Response {
    app.client
        .get(format!("{}/ready", app.address))
        .send()
        .await
        .unwrap()
}

async fn file(app: &TestApp, cast: &Cast) -> Response {
    let body = json!({
        "title": "Order never arrived",
        "description": "I paid and nothing came.",
        "category": cast.category,
        "respondent": {"user_id": cast.respondent.id},
    });
    app.post("/cases", &cast.complainant, body).await
}

/// Another process holds SQLite's write lock: filings queued in this
/// process and waiting on SQLite share one budget and answer 503; reads go
/// on; the filing succeeds once the lock is released.
#[tokio::test]
async fn a_held_sqlite_write_lock_is_one_budget_then_503() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.db_timeout_seconds = 1).await;
    let cast = Cast::new(&app).await;
    let manager = ombud::db::Manager::new(&app.db.url, Duration::from_secs(1)).unwrap();
    let mut holder = manager.open().unwrap();
    holder.batch_execute("BEGIN IMMEDIATE").unwrap();
    let (a, b) = tokio::join!(file(&app, &cast), file(&app, &cast));
    unavailable(a, "first filing").await;
    unavailable(b, "second filing, queued behind the first").await;
    assert_eq!(ready(&app).await.status(), StatusCode::OK, "reads go on");
    assert_eq!(app.get("/cases", &cast.lead).await.status(), StatusCode::OK);
    holder.batch_execute("ROLLBACK").unwrap();
    assert_eq!(file(&app, &cast).await.status(), StatusCode::CREATED);
}

/// PostgreSQL stops answering with its connections open (as when its
/// processes are stopped): requests and `/ready` answer 503 within the
/// timeout, and everything works again once it answers.
#[tokio::test]
async fn a_frozen_postgres_is_a_503_in_time_and_not_ready() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let db = TestDb::create(Backend::Postgres);
    let rest = db.url.split_once("://").unwrap().1;
    let (credentials, rest) = rest.split_once('@').unwrap();
    let (host, name) = rest.split_once('/').unwrap();
    let freezer = Freezer::start(host.to_string());
    let relayed = format!("postgres://{credentials}@127.0.0.1:{}/{name}", freezer.port);
    let app = spawn_app_on(db, |s| {
        s.database_url = relayed;
        s.db_timeout_seconds = 2;
    })
    .await;
    assert_eq!(app.get("/me", &app.admin).await.status(), StatusCode::OK);
    freezer.freeze();
    unavailable(app.get("/me", &app.admin).await, "a read").await;
    let res = app
        .post("/categories", &app.admin, json!({"slug": "x", "name": "X"}))
        .await;
    unavailable(res, "a write").await;
    unavailable(ready(&app).await, "/ready").await;
    freezer.thaw();
    assert_eq!(app.get("/me", &app.admin).await.status(), StatusCode::OK);
    assert_eq!(ready(&app).await.status(), StatusCode::OK);
}

/// Reads until one succeeds: after PostgreSQL ends the app's sessions,
/// each pooled connection fails one request and is replaced.
async fn until_read_works(app: &TestApp) {
    for _ in 0..=app.settings.db_pool_size {
        let res = app.get("/me", &app.admin).await;
        if res.status() == StatusCode::OK {
            return;
        }
        unavailable(res, "a read on a lost connection").await;
    }
    panic!("lost connections were handed out again");
}

/// A database that refuses writes (SQLite opened read-only; PostgreSQL in
/// read-only mode, as while an operator frees disk space) is unavailable
/// for writes, not a bug; reads go on; `/ready` fails until writes work.
#[tokio::test]
async fn a_database_refusing_writes_is_unavailable_and_not_ready() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let category = json!({"slug": "refused", "name": "Refused"});
        let (refusing, sql_name) = match backend {
            Backend::Sqlite => {
                let path = app.db.url.trim_start_matches("sqlite://");
                let mut settings = test_settings(&app.db);
                settings.database_url = format!("sqlite://file:{path}?mode=ro");
                let ro = ombud::startup::Application::build(settings).unwrap();
                let address = format!("http://127.0.0.1:{}", ro.port());
                tokio::spawn(ro.run_until_stopped());
                (address, None)
            }
            Backend::Postgres => {
                let name = app.db.url.rsplit('/').next().unwrap();
                let name = name.split('?').next().unwrap().to_string();
                app.sql(&format!(
                    "ALTER DATABASE {name} SET default_transaction_read_only = on; \
                     SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{name}' AND pid <> pg_backend_pid();"
                ));
                until_read_works(&app).await;
                (app.address.clone(), Some(name))
            }
        };
        let client = &app.client;
        let res = client
            .post(format!("{refusing}/api/v1/categories"))
            .bearer_auth(&app.admin.token)
            .json(&category)
            .send()
            .await
            .unwrap();
        unavailable(res, "a refused write").await;
        let res = client
            .get(format!("{refusing}/ready"))
            .send()
            .await
            .unwrap();
        unavailable(res, "/ready while writes are refused").await;
        let res = client
            .get(format!("{refusing}/api/v1/me"))
            .bearer_auth(&app.admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "reads go on");
        if let Some(name) = sql_name {
            app.sql(&format!(
                "BEGIN READ WRITE; \
                 ALTER DATABASE {name} SET default_transaction_read_only = off; COMMIT; \
                 SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{name}' AND pid <> pg_backend_pid();"
            ));
            until_read_works(&app).await;
        }
        let res = app.post("/categories", &app.admin, category).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{backend:?}");
        assert_eq!(ready(&app).await.status(), StatusCode::OK, "{backend:?}");
    }
}
