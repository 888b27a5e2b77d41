//! Email notifications through a real SMTP server on loopback: who gets
//! what, in which language; nothing lost when the server or the process is
//! down; nothing sent twice by two workers.
//!
//! This file holds what the mail tests share; the tests are by topic:
//! [`recipients`] (who gets which mail, in which language),
//! [`later_stages`] (settlement, appeal, follow-up, closing, reopening,
//! withdrawal), [`outage_and_retry`] (a server down, permanent failures,
//! the mail folder), [`workers_and_crashes`] (leases, several workers,
//! a process killed mid-way) and [`throughput`] (waking, batches, mails in
//! flight).

mod later_stages;
mod outage_and_retry;
mod recipients;
mod throughput;
mod workers_and_crashes;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ombud::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, TestUser, spawn_app_with};
use crate::smtp::SmtpSink;

async fn mail_app(backend: Backend, smtp: &str) -> TestApp {
    let smtp = smtp.to_string();
    spawn_app_with(backend, move |s| mail_settings(s, &smtp)).await
}

/// An app that mails `sink` (its settings as [`mail_settings`], then
/// `tweak`) and the people of a case on it.
async fn mail_cast(
    backend: Backend,
    sink: &SmtpSink,
    tweak: impl FnOnce(&mut ombud::config::Settings),
) -> (TestApp, crate::helpers::Cast) {
    let smtp = sink.url();
    let app = spawn_app_with(backend, |s| {
        mail_settings(s, &smtp);
        tweak(s);
    })
    .await;
    let cast = crate::helpers::Cast::new(&app).await;
    cast.quiet_desk(&app).await;
    (app, cast)
}

fn mail_settings(s: &mut ombud::config::Settings, smtp: &str) {
    s.run_jobs = true;
    s.smtp_url = smtp.to_string();
    s.delivery_interval_ms = 50;
    s.mail_retry_seconds = 1;
    s.scan_interval_seconds = 3600;
    s.public_base_url = "https://ombud.test".into();
}

/// A delivery worker of the test's own: a pool of `pool` connections to
/// the app's database (so no wake-up from the app's writes reaches it) and
/// a mailer.
fn own_worker(
    settings: &ombud::config::Settings,
    pool: u32,
) -> (ombud::db::Db, ombud::notify::mailer::Mailer) {
    let db = ombud::db::Db::connect(&settings.database_url, pool, Duration::from_secs(5)).unwrap();
    let mailer = ombud::notify::mailer::Mailer::from_settings(settings).unwrap();
    (db, mailer)
}

/// One delivery round by `worker` on a worker of the test's own, with `clock`.
async fn one_round(
    settings: &std::sync::Arc<ombud::config::Settings>,
    clock: &ombud::clock::Clock,
    worker: &str,
) -> ombud::jobs::delivery::Round {
    let (db, mailer) = own_worker(settings, 2);
    let (_keep, never) = tokio::sync::watch::channel(false);
    ombud::jobs::delivery::run_once(&db, &mailer, settings, clock, worker, &never)
        .await
        .unwrap()
}

/// Every mail in the outbox (admin API), oldest first.
async fn outbox(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    let mut path = "/outbox?limit=100".to_string();
    loop {
        let page: Value = app.get(&path, &app.admin).await.json().await.unwrap();
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/outbox?limit=100&cursor={c}"),
            None => break,
        }
    }
    all.reverse();
    all
}

/// Asserts the server got exactly `n` mails, no Message-ID twice.
fn assert_each_once(sink: &SmtpSink, n: usize, backend: Backend) {
    let mut ids: Vec<String> = sink
        .mails()
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(
        (total, ids.len()),
        (n, n),
        "{n} mails, none twice, on {backend:?}"
    );
}

/// Waits until nothing is pending or being sent.
async fn settled(app: &TestApp) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let rows = outbox(app).await;
        if rows
            .iter()
            .all(|m| m["status"] == "sent" || m["status"] == "failed")
        {
            return rows;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "mail still pending: {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn user_in(app: &TestApp, role: Role, language: &str) -> TestUser {
    let u = app.user(role).await;
    let res = app
        .call(
            Method::PATCH,
            &format!("/users/{}", u.id),
            Some(&app.admin),
            Some(json!({"language": language})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    u
}

/// (recipient, template) of every mail the server received, matched to the
/// outbox by Message-ID.
fn delivered(sink: &SmtpSink, rows: &[Value]) -> BTreeMap<String, usize> {
    let by_id: BTreeMap<String, &Value> = rows
        .iter()
        .map(|m| (m["message_id"].as_str().unwrap().to_string(), m))
        .collect();
    let mut seen = BTreeMap::new();
    for mail in sink.mails() {
        let id = mail.header("Message-ID").expect("a Message-ID");
        let row = by_id
            .get(&id)
            .unwrap_or_else(|| panic!("unknown Message-ID {id}"));
        assert_eq!(
            mail.to,
            vec![row["recipient_email"].as_str().unwrap().to_string()]
        );
        *seen
            .entry(format!(
                "{} {}",
                row["recipient_email"].as_str().unwrap(),
                row["template"].as_str().unwrap()
            ))
            .or_insert(0) += 1;
    }
    seen
}
