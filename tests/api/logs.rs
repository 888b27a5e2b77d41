//! What the service logs: a whole run of the real binary at `debug`, with
//! mail and webhooks failing (their errors logged), searched for every
//! secret that passed through it.

use std::process::Stdio;
use std::time::Duration;

use ombud::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestDb, TestUser, backends, ombud_command, test_settings};

/// A port nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn no_secret_reaches_the_logs_of_a_whole_run() {
    for backend in backends() {
        let db = TestDb::create(backend);
        let dir =
            std::env::temp_dir().join(format!("ombud-logs-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let admin_password = "admin passphrase Kx7-log";
        // Some receivers take their secret in the path (chat services do).
        let hook_path = "path-secret-Hq2-log";
        let smtp_password = "smtp-secret-Zq81-log";
        let dead = closed_port();
        let env = |cmd: &mut std::process::Command| {
            cmd.env("DATABASE_URL", &db.url)
                .env("RUST_LOG", "trace")
                .env("OMBUD_MAIL_DIR", dir.join("mail"))
                .env("OMBUD_EVIDENCE_DIR", dir.join("evidence"))
                .env(
                    "OMBUD_SMTP_URL",
                    format!("smtp://mailer:{smtp_password}@127.0.0.1:{dead}"),
                )
                .env("OMBUD_MAIL_RETRY_SECONDS", "1")
                .env("OMBUD_DELIVERY_INTERVAL_MS", "50")
                .env("OMBUD_WEBHOOK_ALLOW_HTTP", "true")
                .env("OMBUD_WEBHOOK_ALLOW_PRIVATE", "true")
                .env("OMBUD_WEBHOOK_RETRY_SECONDS", "1");
        };
        let mut create = ombud_command();
        env(&mut create);
        let out = create
            .args([
                "users",
                "create",
                "--role",
                "admin",
                "--email",
                "boss@example.org",
                "--name",
                "Boss",
            ])
            .env("OMBUD_PASSWORD", admin_password)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut logs = String::from_utf8_lossy(&out.stderr).into_owned();
        let admin_token = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap()
            .trim()
            .to_string();

        let port = closed_port();
        let mut serve = ombud_command();
        env(&mut serve);
        let log_file = dir.join("serve.log");
        let sink = std::fs::File::create(&log_file).unwrap();
        let mut server = serve
            .arg("serve")
            .env("OMBUD_BIND", format!("127.0.0.1:{port}"))
            .stdout(Stdio::from(sink.try_clone().unwrap()))
            .stderr(Stdio::from(sink))
            .spawn()
            .unwrap();
        let app = TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: {
                ombud::webhooks::sender::install_tls_provider();
                reqwest::Client::new()
            },
            backend,
            settings: test_settings(&db),
            db,
            admin: TestUser {
                id: String::new(),
                email: "boss@example.org".into(),
                token: admin_token.clone(),
                role: Role::Admin,
            },
            clock: ombud::clock::Clock::system(),
        };
        let mut ready = false;
        for _ in 0..300 {
            if let Ok(r) = app
                .client
                .get(format!("{}/ready", app.address))
                .send()
                .await
            {
                ready = r.status() == StatusCode::OK;
                if ready {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "the server came up");

        // Every kind of secret passes through: passwords (right and wrong),
        // personal and service tokens, a webhook's signing secret, the SMTP
        // password (in use: every mail fails to reach the closed port).
        let boss_token = app.sign_in("boss@example.org", admin_password).await;
        let wrong_password = "wrong passphrase Jm3-log";
        let res = app
            .client
            .post(app.url("/auth/tokens"))
            .json(&json!({"email": "boss@example.org", "password": wrong_password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let ann = app.user(Role::Member).await;
        let bob = app.user(Role::Member).await;
        let category = app.category().await;
        let case = app.file_case(&ann, &bob, &category).await;
        let res = app
            .post(
                "/service-tokens",
                &app.admin,
                json!({"name": "crm", "user_id": bob.id, "scopes": ["cases:read"]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let service: Value = res.json().await.unwrap();
        let service_token = service["token"].as_str().unwrap().to_string();
        let service_user = TestUser {
            token: service_token.clone(),
            ..bob.clone()
        };
        assert_eq!(app.get("/me", &service_user).await.status(), StatusCode::OK);
        let res = app
            .post("/webhooks", &app.admin, json!({"url": format!("http://127.0.0.1:{dead}/hook/{hook_path}"), "events": ["case_filed", "message_posted"]}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let hook: Value = res.json().await.unwrap();
        let webhook_secret = hook["secret"].as_str().unwrap().to_string();
        let id = hook["id"].as_str().unwrap();
        let res = app
            .post(&format!("/webhooks/{id}/ping"), &app.admin, json!({}))
            .await;
        assert!(res.status().is_success(), "{}", res.status());
        app.message(&ann, case["id"].as_str().unwrap(), "hello", "all_parties")
            .await;
        let forged = "omb_forgedTokenValue0000000000000000000000";
        let res = app
            .get(
                "/me",
                &TestUser {
                    token: forged.into(),
                    ..bob.clone()
                },
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // Wait for the failures the jobs log: a mail attempt and a webhook
        // attempt (conditions, not a fixed sleep).
        let mut tried = false;
        for _ in 0..600 {
            let outbox: Value = app
                .get("/outbox?limit=100", &app.admin)
                .await
                .json()
                .await
                .unwrap();
            let deliveries: Value = app
                .get(&format!("/webhooks/{id}/deliveries"), &app.admin)
                .await
                .json()
                .await
                .unwrap();
            let mailed = outbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["attempts"].as_i64() > Some(0));
            let posted = deliveries["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["attempts"].as_i64() > Some(0));
            if mailed && posted {
                tried = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(tried, "mail and a webhook were attempted");
        server.kill().unwrap();
        server.wait().unwrap();
        logs.push_str(&std::fs::read_to_string(&log_file).unwrap());
        std::fs::remove_dir_all(&dir).ok();

        // The logs are there and say what happened…
        assert!(logs.contains("handled"), "request lines are logged");
        assert!(
            logs.to_lowercase().contains("mail"),
            "mail failures are logged"
        );
        // …without any secret, whole or the part after its prefix.
        let secrets = [
            ("admin password", admin_password.to_string()),
            ("member password", PASSWORD.to_string()),
            ("wrong password", wrong_password.to_string()),
            ("SMTP password", smtp_password.to_string()),
            ("admin token", admin_token),
            ("signed-in token", boss_token),
            ("member token", ann.token.clone()),
            ("service token", service_token),
            ("forged token", forged.to_string()),
            ("webhook secret", webhook_secret),
            ("webhook URL's secret path", hook_path.to_string()),
            // Not secrets, but personal data: the logs name ids, not people.
            ("complainant's email", ann.email.clone()),
            ("respondent's email", bob.email.clone()),
        ];
        for (what, secret) in secrets {
            let tail = secret.split_once('_').map_or(secret.as_str(), |(_, t)| t);
            assert!(
                !logs.contains(&secret) && !logs.contains(tail),
                "the {what} is in the logs ({backend:?})"
            );
        }
    }
}
