//! When mail cannot go out: the SMTP server down (mail follows later), a
//! permanent refusal (failed, retried by an admin), no SMTP server at all
//! (mail lands in the mail folder).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{mail_app, mail_settings, outbox, settled};
use crate::helpers::{Cast, backends, problem, spawn_app_with};
use crate::smtp::{SmtpSink, free_port};

#[tokio::test]
async fn with_the_smtp_server_down_actions_succeed_and_mail_follows_later() {
    for backend in backends() {
        let port = free_port();
        let app = mail_app(backend, &format!("smtp://127.0.0.1:{port}")).await;
        let cast = Cast::new(&app).await;
        cast.quiet_desk(&app).await;
        let case = app
            .file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        // Attempts fail and are recorded; nothing is lost.
        let started = Instant::now();
        let failing = loop {
            let rows = outbox(&app).await;
            if rows.len() == 2 && rows.iter().all(|m| m["attempts"].as_i64().unwrap() >= 1) {
                break rows;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{rows:#?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        for row in &failing {
            assert_ne!(row["status"], "sent");
            assert_ne!(row["status"], "failed", "a refused connection is temporary");
        }
        // The claim counts the attempt; its outcome is recorded once the
        // send has failed, a moment later.
        let detail = loop {
            let detail: Value = app
                .get(
                    &format!("/outbox/{}", failing[0]["id"].as_str().unwrap()),
                    &app.admin,
                )
                .await
                .json()
                .await
                .unwrap();
            if detail["attempts"][0].is_object() {
                break detail;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{detail:#?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(detail["attempts"][0]["outcome"], "temporary");
        assert_eq!(
            app.case(&cast.complainant, case["id"].as_str().unwrap())
                .await["state"],
            "intake"
        );

        let sink = SmtpSink::start_on(port);
        let mails = sink.wait_for(2).await;
        let rows = settled(&app).await;
        assert!(rows.iter().all(|m| m["status"] == "sent"), "{rows:#?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(sink.mails().len(), mails.len(), "and each exactly once");
        assert_eq!(mails.len(), 2);
    }
}

#[tokio::test]
async fn a_permanent_failure_is_marked_failed_and_an_admin_can_retry_it() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let app = mail_app(backend, &sink.url()).await;
        let cast = Cast::new(&app).await;
        cast.quiet_desk(&app).await;
        app.post(
            "/cases",
            &cast.complainant,
            json!({"title": "t", "description": "d", "category": cast.category,
                 "respondent": {"name": "Gone", "email": "reject-me@shop.test"}}),
        )
        .await;
        let rows = settled(&app).await;
        let failed = rows
            .iter()
            .find(|m| m["recipient_email"] == "reject-me@shop.test")
            .unwrap()
            .clone();
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["attempts"], 1, "a 5xx is not retried");
        assert!(failed["last_error"].as_str().unwrap().contains("550"));
        let list: Value = app
            .get("/outbox?status=failed", &app.admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert_eq!(
            app.get("/outbox", &cast.lead).await.status(),
            StatusCode::FORBIDDEN,
            "admins only"
        );

        let path = format!("/outbox/{}/retry", failed["id"].as_str().unwrap());
        let res = app.post(&path, &app.admin, json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["status"], "pending");
        settled(&app).await;
        let detail: Value = app
            .get(
                &format!("/outbox/{}", failed["id"].as_str().unwrap()),
                &app.admin,
            )
            .await
            .json()
            .await
            .unwrap();
        let outcomes: Vec<&str> = detail["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(
            outcomes,
            ["permanent", "permanent"],
            "every attempt is recorded"
        );

        let sent = rows.iter().find(|m| m["status"] == "sent").unwrap();
        let res = app
            .post(
                &format!("/outbox/{}/retry", sent["id"].as_str().unwrap()),
                &app.admin,
                json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;
    }
}

#[tokio::test]
async fn without_smtp_mail_is_written_to_the_mail_folder() {
    for backend in backends() {
        let dir = std::env::temp_dir().join(format!("ombud-eml-{}", uuid::Uuid::new_v4().simple()));
        let mail_dir = dir.display().to_string();
        let app = spawn_app_with(backend, move |s| {
            mail_settings(s, "");
            s.mail_dir = mail_dir;
        })
        .await;
        let cast = Cast::new(&app).await;
        cast.quiet_desk(&app).await;
        app.file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        let rows = settled(&app).await;
        assert!(rows.iter().all(|m| m["status"] == "sent"), "{rows:#?}");
        let files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        assert_eq!(files.len(), 2, "one .eml file per mail");
        for row in &rows {
            let id = row["message_id"].as_str().unwrap();
            assert!(files.iter().any(|f| f.contains(id)), "{id} written");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
