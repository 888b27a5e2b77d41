//! The command line: help, `users create`, `openapi`, and `demo` seeding a
//! case in every state.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestDb, TestUser, backends, spawn_app_on};

fn ombud(db_url: &str, args: &[&str]) -> (bool, String, String) {
    let (status, out, err) = ombud_status(db_url, args);
    (status.success(), out, format!("{err}\n(exit: {status})"))
}

fn ombud_status(db_url: &str, args: &[&str]) -> (std::process::ExitStatus, String, String) {
    let out = crate::helpers::ombud_command()
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("ombud runs");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_documents_every_subcommand() {
    let (ok, stdout, _) = ombud("sqlite://unused.db", &["--help"]);
    assert!(ok);
    for sub in [
        "serve", "migrate", "openapi", "users", "demo", "worker", "verify",
    ] {
        assert!(stdout.contains(sub), "--help mentions {sub}:\n{stdout}");
    }
    let (ok, stdout, _) = ombud("sqlite://unused.db", &["users", "create", "--help"]);
    assert!(ok && stdout.contains("--role") && stdout.contains("--password"));
    let (ok, stdout, _) = ombud("sqlite://unused.db", &["openapi"]);
    assert!(ok);
    let spec: Value = serde_json::from_str(&stdout).expect("openapi prints JSON");
    assert_eq!(spec["info"]["title"], "Ombud API");
    let (ok, _, stderr) = ombud("mysql://nope", &["migrate"]);
    assert!(
        !ok && stderr.contains("DATABASE_URL"),
        "a bad URL is explained: {stderr}"
    );
}

#[tokio::test]
async fn users_create_and_demo_give_a_newcomer_something_to_explore() {
    for backend in backends() {
        let db = TestDb::create(backend);
        let url = db.url.clone();
        let (ok, stdout, stderr) = ombud(
            &url,
            &[
                "users",
                "create",
                "--role",
                "admin",
                "--email",
                "first@example.org",
                "--name",
                "First",
                "--password",
                "first admin passphrase",
            ],
        );
        assert!(ok, "{stderr}");
        let token = stdout.lines().last().unwrap().trim().to_string();
        assert!(token.starts_with("omb_"));
        let (ok, _, stderr) = ombud(&url, &["users", "create", "--email", "bad", "--name", ""]);
        assert!(!ok && stderr.contains("email"), "{stderr}");

        let (ok, stdout, stderr) = ombud(&url, &["demo"]);
        assert!(ok, "{stderr}");
        assert!(stdout.contains("admin@demo.ombud.test"));
        let (ok, stdout, stderr) = ombud(&url, &["demo"]);
        assert!(
            ok && stdout.contains("already present"),
            "{stdout}\n{stderr}"
        );

        let app = spawn_app_on(db, |_| {}).await;
        let first = TestUser {
            id: String::new(),
            email: "first@example.org".into(),
            token,
            role: ombud::domain::Role::Admin,
        };
        assert_eq!(app.get("/me", &first).await.status(), StatusCode::OK);
        let lead_token = app
            .sign_in("lead@demo.ombud.test", ombud::demo::PASSWORD)
            .await;
        let lead = TestUser {
            token: lead_token,
            ..first.clone()
        };
        let cases: Value = app
            .get("/cases?limit=100", &lead)
            .await
            .json()
            .await
            .unwrap();
        let states: BTreeSet<String> = cases["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["state"].as_str().unwrap().to_string())
            .collect();
        let all: BTreeSet<String> = ombud::domain::CaseState::ALL
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        assert_eq!(states, all, "a case in every state on {backend:?}");
    }
}

/// `ombud demo` on a database someone has already used (the README's
/// walk-through creates a `delivery` category) adds only what is missing.
#[tokio::test]
async fn demo_adds_only_what_is_missing() {
    for backend in backends() {
        let app = spawn_app_on(TestDb::create(backend), |_| {}).await;
        let res = app
            .post(
                "/categories",
                &app.admin,
                serde_json::json!({"slug": "delivery", "name": "Our deliveries"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let (ok, stdout, stderr) = ombud(&app.db.url, &["demo"]);
        assert!(ok, "{stdout}\n{stderr}");
        assert!(stdout.contains("admin token"), "{stdout}");
        let categories: Value = app
            .get("/categories", &app.admin)
            .await
            .json()
            .await
            .unwrap();
        let slugs: Vec<&str> = categories["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["slug"].as_str().unwrap())
            .collect();
        assert_eq!(
            slugs.iter().filter(|s| **s == "delivery").count(),
            1,
            "{slugs:?}"
        );
        assert!(slugs.contains(&"billing") && slugs.contains(&"conduct"));
        let cases: Value = app
            .get("/cases?limit=100", &app.admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            cases["items"].as_array().unwrap().len(),
            9,
            "on {backend:?}"
        );
        let (ok, stdout, _) = ombud(&app.db.url, &["demo"]);
        assert!(ok && stdout.contains("already present"), "{stdout}");
    }
}

/// `ombud openapi | head` is not an error: the document (far larger than a
/// pipe's buffer) stops quietly when its reader goes away.
#[test]
fn openapi_into_a_closed_pipe_exits_cleanly() {
    use std::io::Read;
    let mut child = crate::helpers::ombud_command()
        .arg("openapi")
        .env("DATABASE_URL", "sqlite://unused.db")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ombud runs");
    let mut first = [0u8; 16];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("the document starts");
    // The read end is dropped here, with most of the document unwritten.
    let out = child.wait_with_output().expect("ombud ends");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
