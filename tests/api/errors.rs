//! Every malformed, oversized or misdirected request gets problem+json with
//! the right status, and a failing database is a 503, not a hang.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, Cast, case_in, on_each_backend, problem, spawn_app_with};

#[tokio::test]
async fn actix_own_errors_are_problems_too() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let token = &cast.complainant.token;
        let raw = |method: Method, path: &str| {
            app.client.request(method, app.url(path)).bearer_auth(token)
        };

        let res = raw(Method::POST, "/cases")
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(problem(res).await["type"], "urn:ombud:problem:bad-request");

        let res = raw(Method::POST, "/cases")
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        problem(res).await;

        let res = raw(Method::GET, "/cases/not-a-uuid").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        problem(res).await;

        let res = raw(Method::GET, "/cases?limit=many").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        problem(res).await;

        let res = raw(Method::GET, "/no/such/route").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            problem(res).await["type"],
            "urn:ombud:problem:route-not-found"
        );
        let res = app
            .client
            .get(format!("{}/elsewhere", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        problem(res).await;

        let res = raw(Method::PUT, "/cases").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.headers().get("allow").unwrap(), "GET, POST");
        problem(res).await;
        let id = case_in(&app, &cast, "intake").await;
        let res = raw(Method::DELETE, &format!("/cases/{id}/actions/withdraw"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        problem(res).await;

        // Bodies beyond the limit: 413 on JSON bodies and on optional action bodies.
        let huge = "x".repeat(app.settings.max_body_bytes + 10);
        let res = raw(Method::POST, "/cases")
            .json(&json!({"title": huge}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        problem(res).await;
        let res = raw(Method::POST, &format!("/cases/{id}/actions/withdraw"))
            .json(&json!({"note": huge}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        problem(res).await;

        // Shape errors are 422 naming the field.
        let res = raw(Method::POST, "/cases")
            .json(&json!({"description": "d"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "title");
        let res = raw(Method::POST, "/cases")
            .json(&json!({"title": 5}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        problem(res).await;
        let res = raw(Method::POST, &format!("/cases/{id}/actions/withdraw"))
            .json(&json!({"surprise": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "surprise");
        let res = raw(Method::POST, &format!("/cases/{id}/actions/withdraw"))
            .header("content-type", "text/plain")
            .body("please")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        problem(res).await;
        let res = raw(Method::POST, &format!("/cases/{id}/actions/withdraw"))
            .json(&json!({"note": "x".repeat(4001)}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        problem(res).await;
        assert_eq!(
            app.case(&cast.complainant, &id).await["state"],
            "intake",
            "refused requests change nothing"
        );

        // Every response carries a request id; a sane one from the caller is kept.
        let res = raw(Method::GET, "/me")
            .header("x-request-id", "trace-42")
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers().get("x-request-id").unwrap(), "trace-42");
        let res = raw(Method::GET, "/nowhere").send().await.unwrap();
        assert!(res.headers().contains_key("x-request-id"));
    })
    .await;
}

#[tokio::test]
async fn a_failing_database_is_a_503_not_a_hang() {
    for backend in crate::helpers::backends() {
        let app = spawn_app_with(backend, |s| s.db_timeout_seconds = 1).await;
        let started = Instant::now();
        // Hold the database in a way that blocks the app: an exclusive SQLite
        // lock, or PostgreSQL dropping the database under it.
        let _holder = match backend {
            Backend::Sqlite => {
                let manager = ombud::db::Manager::new(&app.db.url, Duration::from_secs(1)).unwrap();
                let mut conn = manager.open().unwrap();
                conn.batch_execute("BEGIN EXCLUSIVE").unwrap();
                Some(conn)
            }
            Backend::Postgres => {
                app.db.destroy();
                None
            }
        };
        let res = app
            .post("/categories", &app.admin, json!({"slug": "x", "name": "X"}))
            .await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{backend:?}");
        assert!(res.headers().contains_key("retry-after"));
        let p = problem(res).await;
        assert_eq!(p["type"], "urn:ombud:problem:unavailable");
        assert!(
            !p["detail"].as_str().unwrap().contains("locked"),
            "no internals leak"
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "answered in {:?}",
            started.elapsed()
        );
    }
}

/// Ids and enums are read into domain types at the storage boundary: a
/// damaged stored value is one internal error there, logged, and the answer
/// says nothing about it.
#[tokio::test]
async fn a_damaged_stored_value_is_a_500_that_tells_nothing() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "intake").await;
        app.sql(&format!(
            "UPDATE cases SET state = 'limbo' WHERE id = '{id}'"
        ));
        let res = app.get(&format!("/cases/{id}"), &cast.lead).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let p = problem(res).await;
        assert_eq!(p["type"], "urn:ombud:problem:internal");
        assert!(!p["detail"].as_str().unwrap().contains("limbo"), "{p}");
        let res = app.get("/cases", &cast.lead).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        problem(res).await;
    })
    .await;
}
