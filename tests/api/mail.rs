//! Email notifications through a real SMTP server on loopback: who gets
//! what, in which language; nothing lost when the server or the process is
//! down; nothing sent twice by two workers.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use ombud::clock::Clock;
use ombud::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, Cast, TestApp, TestDb, TestUser, backends, case_in, problem, spawn_app_on,
    spawn_app_with,
};
use crate::smtp::{SmtpSink, free_port};

async fn mail_app(backend: Backend, smtp: &str) -> TestApp {
    let smtp = smtp.to_string();
    spawn_app_with(backend, move |s| mail_settings(s, &smtp)).await
}

fn mail_settings(s: &mut ombud::config::Settings, smtp: &str) {
    s.run_jobs = true;
    s.smtp_url = smtp.to_string();
    s.delivery_interval_ms = 50;
    s.mail_retry_seconds = 1;
    s.scan_interval_seconds = 3600;
    s.public_base_url = "https://ombud.test".into();
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

#[tokio::test]
async fn every_event_reaches_the_right_people_in_their_language() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let app = mail_app(backend, &sink.url()).await;
        let mut cast = Cast::new(&app).await;
        cast.complainant = user_in(&app, Role::Member, "pl").await;
        cast.respondent = user_in(&app, Role::Member, "ru").await;
        cast.mediator = user_in(&app, Role::Mediator, "zh-Hans").await;
        let id = case_in(&app, &cast, "investigation").await;
        let deadline = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
        app.act_ok(
            &cast.mediator,
            &id,
            "request_info",
            json!({"party": "respondent", "question": "Numer przesyłki?", "deadline": deadline}),
        )
        .await;
        let path = format!("/cases/{id}/messages");
        let body = json!({"body": "Tracking 0034", "visibility": "all_parties"});
        assert_eq!(
            app.post(&path, &cast.respondent, body).await.status(),
            StatusCode::CREATED
        );
        let path = format!("/cases/{id}/messages");
        let body = json!({"body": "Staff only: looks like fraud", "visibility": "internal"});
        assert_eq!(
            app.post(&path, &cast.lead, body).await.status(),
            StatusCode::CREATED
        );
        let path = format!("/cases/{id}/messages");
        let body = json!({"body": "Just for you", "visibility": "complainant"});
        assert_eq!(
            app.post(&path, &cast.mediator, body).await.status(),
            StatusCode::CREATED
        );
        app.act_ok(&cast.mediator, &id, "issue_ruling", json!({"outcome": "upheld", "rationale": "Paid and not delivered.",
            "sanctions": [{"kind": "suspension", "duration_days": 7}],
            "remedies": [{"kind": "refund", "description": "Refund order 1234", "due_at": "2030-01-01T00:00:00Z"}]})).await;
        let other = case_in(&app, &cast, "intake").await;
        app.act_ok(
            &cast.lead,
            &other,
            "dismiss",
            json!({"reason": "duplicate", "detail": "Same as the first."}),
        )
        .await;

        let rows = settled(&app).await;
        let (c, r, m) = (
            &cast.complainant.email,
            &cast.respondent.email,
            &cast.mediator.email,
        );
        let expected: BTreeMap<String, usize> = [
            (c, "acknowledgement", 2),
            (r, "respondent_notice", 2),
            (m, "assigned", 1),
            (c, "investigation_started", 1),
            (r, "investigation_started", 1),
            (r, "info_requested", 1),
            (c, "new_message", 2),
            (m, "new_message", 2),
            (m, "info_provided", 1),
            (c, "ruling_issued", 1),
            (r, "ruling_issued", 1),
            (c, "dismissed", 1),
            (r, "dismissed", 1),
        ]
        .into_iter()
        .map(|(who, t, n)| (format!("{who} {t}"), n))
        .collect();
        assert_eq!(delivered(&sink, &rows), expected, "on {backend:?}");
        assert_eq!(sink.mails().len(), rows.len(), "every mail once");

        // Each in the recipient's language.
        for row in &rows {
            let want = match row["recipient_email"].as_str().unwrap() {
                e if e == c => "pl",
                e if e == r => "ru",
                e if e == m => "zh",
                _ => "en",
            };
            assert_eq!(row["language"], want, "{row}");
        }
        // The internal note reached the mediator and no party.
        let quoting: Vec<Vec<String>> = sink
            .mails()
            .into_iter()
            .filter(|mail| mail.text().contains("looks like fraud"))
            .map(|mail| mail.to)
            .collect();
        assert_eq!(quoting, vec![vec![m.clone()]]);
        let ruling = sink
            .mails()
            .into_iter()
            .find(|mail| {
                mail.to[0] == *r && mail.header("Subject").unwrap().contains("Вынесено решение")
            })
            .expect("Russian ruling mail");
        let text = ruling.text();
        assert!(
            text.contains("Paid and not delivered.")
                && text.contains("приостановка на 7 дн.")
                && text.contains("Refund order 1234"),
            "{text}"
        );
        assert!(
            text.contains("https://ombud.test/api/v1/cases/"),
            "links use the public base URL"
        );
        let ack = sink
            .mails()
            .into_iter()
            .find(|mail| {
                mail.to[0] == *c && mail.header("Subject").unwrap().contains("Otrzymaliśmy")
            })
            .expect("Polish acknowledgement");
        assert!(
            ack.text().contains("8 godz."),
            "the first-response time of a high-priority case: {}",
            ack.text()
        );
    }
}

#[tokio::test]
async fn a_respondent_without_an_account_is_told_how_to_get_access() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let app = mail_app(backend, &sink.url()).await;
        let cast = Cast::new(&app).await;
        let res = app
            .post("/cases", &cast.complainant, json!({"title": "Broken chair", "description": "It broke.", "category": cast.category,
                  "respondent": {"name": "Chair Shop", "email": "chairs@shop.test"}}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let mails = sink.wait_for(2).await;
        let notice = mails
            .iter()
            .find(|m| m.to[0] == "chairs@shop.test")
            .expect("the respondent is told");
        let text = notice.text();
        assert!(
            text.contains("Hello Chair Shop")
                && text.contains("chairs@shop.test")
                && text.contains("account"),
            "{text}"
        );
        // Until they have an account, the address gets nothing that quotes the case.
        let list: Value = app.get("/cases", &cast.lead).await.json().await.unwrap();
        let case_id = list["items"][0]["id"].as_str().unwrap().to_string();
        app.act_ok(
            &cast.lead,
            &case_id,
            "assign",
            json!({"mediator_id": cast.mediator.id}),
        )
        .await;
        app.act_ok(&cast.mediator, &case_id, "start_investigation", json!({}))
            .await;
        app.act_ok(
            &cast.mediator,
            &case_id,
            "issue_ruling",
            json!({"outcome": "upheld", "rationale": "Secret reasons."}),
        )
        .await;
        let rows = settled(&app).await;
        let guest: Vec<&str> = rows
            .iter()
            .filter(|m| m["recipient_email"] == "chairs@shop.test")
            .map(|m| m["template"].as_str().unwrap())
            .collect();
        assert_eq!(guest, ["respondent_notice", "investigation_started"]);
        assert!(
            sink.mails()
                .iter()
                .filter(|m| m.to[0] == "chairs@shop.test")
                .all(|m| !m.text().contains("Secret reasons."))
        );
    }
}

#[tokio::test]
async fn muted_mail_is_not_sent_but_essential_mail_always_is() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let app = mail_app(backend, &sink.url()).await;
        let cast = Cast::new(&app).await;
        let res = app
            .call(
                Method::PATCH,
                &format!("/users/{}", cast.complainant.id),
                Some(&cast.complainant),
                Some(json!({"notifications": {"messages": false, "updates": false}})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.json::<Value>().await.unwrap()["notifications"],
            json!({"messages": false, "updates": false})
        );
        let id = case_in(&app, &cast, "investigation").await;
        app.post(
            &format!("/cases/{id}/messages"),
            &cast.mediator,
            json!({"body": "Hello both"}),
        )
        .await;
        app.act_ok(
            &cast.mediator,
            &id,
            "issue_ruling",
            json!({"outcome": "not_upheld", "rationale": "No evidence."}),
        )
        .await;
        let rows = settled(&app).await;
        let to_complainant: BTreeSet<&str> = rows
            .iter()
            .filter(|m| m["recipient_email"] == cast.complainant.email.as_str())
            .map(|m| m["template"].as_str().unwrap())
            .collect();
        assert_eq!(
            to_complainant,
            ["acknowledgement", "ruling_issued"].into_iter().collect()
        );
        let to_respondent = rows
            .iter()
            .filter(|m| m["recipient_email"] == cast.respondent.email.as_str())
            .count();
        assert_eq!(to_respondent, 4, "notice, investigation, message, ruling");
    }
}

#[tokio::test]
async fn with_the_smtp_server_down_actions_succeed_and_mail_follows_later() {
    for backend in backends() {
        let port = free_port();
        let app = mail_app(backend, &format!("smtp://127.0.0.1:{port}")).await;
        let cast = Cast::new(&app).await;
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
        let detail: Value = app
            .get(
                &format!("/outbox/{}", failing[0]["id"].as_str().unwrap()),
                &app.admin,
            )
            .await
            .json()
            .await
            .unwrap();
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

/// A child process that is killed when dropped, so a failing test leaves none behind.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ombud_process(db_url: &str, args: &[&str], env: &[(&str, String)]) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ombud"));
    cmd.args(args)
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Proc(cmd.spawn().expect("ombud starts"))
}

async fn wait_ready(port: u16) {
    let started = Instant::now();
    while reqwest::get(format!("http://127.0.0.1:{port}/ready"))
        .await
        .ok()
        .map(|r| r.status())
        != Some(StatusCode::OK)
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn mail_committed_before_a_crash_is_delivered_exactly_once_after_restart() {
    for backend in backends() {
        let db = TestDb::create(backend);
        let url = db.url.clone();
        let sink_port = free_port();
        let mail_dir =
            std::env::temp_dir().join(format!("ombud-crash-{}", uuid::Uuid::new_v4().simple()));
        let port = free_port();
        let env = |smtp: u16| {
            vec![
                ("OMBUD_BIND", format!("127.0.0.1:{port}")),
                ("SMTP_URL", format!("smtp://127.0.0.1:{smtp}")),
                ("OMBUD_DELIVERY_INTERVAL_MS", "50".to_string()),
                ("OMBUD_MAIL_RETRY_SECONDS", "1".to_string()),
                ("OMBUD_MAIL_DIR", mail_dir.display().to_string()),
            ]
        };
        // First life: the SMTP server is not there yet, so mail waits.
        let first = ombud_process(&url, &["serve"], &env(sink_port));
        wait_ready(port).await;
        // Reuse the test helpers against the running process.
        let app = spawn_app_on(db, |s| s.run_jobs = false).await;
        let cast = Cast::new(&app).await;
        let direct = |path: &str| format!("http://127.0.0.1:{port}/api/v1{path}");
        let res = app
            .client
            .post(direct("/cases"))
            .bearer_auth(&cast.complainant.token)
            .json(&json!({"title": "t", "description": "d", "category": cast.category, "respondent": {"user_id": cast.respondent.id}}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        drop(first);

        // Second life, with the SMTP server up.
        let sink = SmtpSink::start_on(sink_port);
        let second = ombud_process(&url, &["worker"], &env(sink_port));
        let mails = sink.wait_for(2).await;
        let rows = settled(&app).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        drop(second);
        assert_eq!(sink.mails().len(), 2, "each mail exactly once: {mails:#?}");
        assert!(rows.iter().all(|m| m["status"] == "sent"));
        let _ = std::fs::remove_dir_all(&mail_dir);
    }
}

#[tokio::test]
async fn a_worker_that_dies_holding_mail_loses_it_to_another_after_the_lease() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let smtp = sink.url();
        let app = spawn_app_with(backend, |s| {
            mail_settings(s, &smtp);
            s.run_jobs = false;
        })
        .await;
        let cast = Cast::new(&app).await;
        app.file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        // The workers' clock: the test moves it instead of waiting for the lease.
        let clock = Clock::system();
        // A worker claims both mails and dies before sending them.
        let (settings, dead_clock) = (app.settings.clone(), clock.clone());
        let claimed = tokio::task::spawn_blocking(move || {
            let db =
                ombud::db::Db::connect(&settings.database_url, 1, Duration::from_secs(5)).unwrap();
            db.write_blocking(|conn| {
                ombud::jobs::delivery::claim(conn, "dead-worker", &settings, &dead_clock)
            })
            .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(claimed.len(), 2);
        // A live worker leaves them alone until the lease runs out, then sends each once.
        let db =
            ombud::db::Db::connect(&app.settings.database_url, 2, Duration::from_secs(5)).unwrap();
        let mailer = ombud::notify::mailer::Mailer::from_settings(&app.settings).unwrap();
        let settings = std::sync::Arc::new(app.settings.clone());
        let (_keep, never) = tokio::sync::watch::channel(false);
        let sent = ombud::jobs::delivery::run_once(&db, &mailer, &settings, &clock, "live", &never)
            .await
            .unwrap();
        assert_eq!(sent, 0, "still leased to the dead worker");
        // The lease runs out: the clock moves past it, no one sleeps.
        clock.advance(chrono::Duration::seconds(settings.mail_lease_seconds + 1));
        let sent = ombud::jobs::delivery::run_once(&db, &mailer, &settings, &clock, "live", &never)
            .await
            .unwrap();
        assert_eq!(sent, 2);
        assert_eq!(sink.mails().len(), 2);
    }
}

/// Several workers at once: on PostgreSQL two `ombud worker` processes, on
/// SQLite (one process by design) two delivery jobs in one process.
#[tokio::test]
async fn two_workers_deliver_each_mail_once() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let smtp = sink.url();
        let app = spawn_app_with(backend, |s| {
            mail_settings(s, &smtp);
            s.run_jobs = false;
            s.delivery_interval_ms = 20;
        })
        .await;
        let cast = Cast::new(&app).await;
        for _ in 0..15 {
            app.file_case(&cast.complainant, &cast.respondent, &cast.category)
                .await;
        }
        assert_eq!(outbox(&app).await.len(), 30);
        let mut processes: Vec<Proc> = Vec::new();
        let mut jobs = Vec::new();
        match backend {
            Backend::Postgres => {
                let env = vec![
                    ("SMTP_URL", sink.url()),
                    ("OMBUD_DELIVERY_INTERVAL_MS", "20".to_string()),
                ];
                processes = (0..2)
                    .map(|_| ombud_process(&app.db.url, &["worker"], &env))
                    .collect();
            }
            Backend::Sqlite => {
                let db =
                    ombud::db::Db::connect(&app.settings.database_url, 4, Duration::from_secs(5))
                        .unwrap();
                let settings = std::sync::Arc::new(app.settings.clone());
                for _ in 0..2 {
                    let mailer = ombud::notify::mailer::Mailer::from_settings(&settings).unwrap();
                    jobs.push(ombud::jobs::spawn_all(
                        db.clone(),
                        settings.clone(),
                        mailer,
                        Clock::system(),
                    ));
                }
            }
        }
        sink.wait_for(30).await;
        settled(&app).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        drop(processes);
        for j in jobs {
            j.shutdown(Duration::from_secs(5)).await;
        }
        assert_each_once(&sink, 30, backend);
    }
}

#[tokio::test]
async fn settlement_appeal_follow_up_closing_reopening_and_withdrawal_are_announced() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let app = mail_app(backend, &sink.url()).await;
        let cast = Cast::new(&app).await;
        // A settlement, rejected once, then accepted by both.
        let s = case_in(&app, &cast, "investigation").await;
        app.act_ok(
            &cast.mediator,
            &s,
            "propose_settlement",
            json!({"terms": "Half refund."}),
        )
        .await;
        app.act_ok(&cast.complainant, &s, "reject_settlement", json!({}))
            .await;
        app.act_ok(
            &cast.mediator,
            &s,
            "propose_settlement",
            json!({"terms": "Full refund."}),
        )
        .await;
        for who in [&cast.complainant, &cast.respondent] {
            app.act_as_read(who, &s, "accept_settlement", json!({}))
                .await;
        }
        // An appeal decided by another mediator, then closing and reopening.
        let a = case_in(&app, &cast, "ruling").await;
        app.act_ok(
            &cast.respondent,
            &a,
            "appeal",
            json!({"grounds": "Delivered."}),
        )
        .await;
        app.act_ok(
            &cast.lead,
            &a,
            "assign",
            json!({"mediator_id": cast.other_mediator.id}),
        )
        .await;
        app.act_ok(&cast.other_mediator, &a, "decide_appeal", json!({"decision": "overturn", "rationale": "It was delivered.", "outcome": "not_upheld"})).await;
        app.act_ok(&cast.other_mediator, &a, "close", json!({}))
            .await;
        app.act_ok(&cast.lead, &a, "reopen", json!({"reason": "New evidence."}))
            .await;
        // Follow-up started by the system when the appeal window closes.
        let f = case_in(&app, &cast, "ruling").await;
        app.sql(&format!(
            "UPDATE cases SET appeal_deadline = '2000-01-01 00:00:00' WHERE id = '{f}'"
        ));
        let db =
            ombud::db::Db::connect(&app.settings.database_url, 1, Duration::from_secs(5)).unwrap();
        let moved =
            ombud::jobs::follow_up::run_once(&db, &std::sync::Arc::new(app.settings.clone()))
                .await
                .unwrap();
        assert_eq!(moved, 1);
        // Both parties accepting a ruling starts follow-up too.
        case_in(&app, &cast, "follow_up").await;
        // A withdrawal.
        let w = case_in(&app, &cast, "intake").await;
        app.act_ok(
            &cast.complainant,
            &w,
            "withdraw",
            json!({"note": "Sorted it out."}),
        )
        .await;

        let rows = settled(&app).await;
        let (c, r, m, o) = (
            &cast.complainant.email,
            &cast.respondent.email,
            &cast.mediator.email,
            &cast.other_mediator.email,
        );
        let got = delivered(&sink, &rows);
        let count = |who: &String, t: &str| got.get(&format!("{who} {t}")).copied().unwrap_or(0);
        assert_eq!(count(c, "settlement_proposed"), 2);
        assert_eq!(count(r, "settlement_proposed"), 2);
        assert_eq!(count(m, "settlement_rejected"), 1);
        assert_eq!(
            (
                count(c, "settled"),
                count(r, "settled"),
                count(m, "settled")
            ),
            (1, 1, 1)
        );
        assert_eq!(
            (
                count(c, "appeal_filed"),
                count(r, "appeal_filed"),
                count(m, "appeal_filed")
            ),
            (1, 1, 1)
        );
        assert_eq!(count(o, "assigned"), 1);
        assert_eq!(
            (count(c, "appeal_decided"), count(r, "appeal_decided")),
            (1, 1)
        );
        assert_eq!((count(c, "closed"), count(r, "closed")), (1, 1));
        assert_eq!(
            (
                count(c, "reopened"),
                count(r, "reopened"),
                count(o, "reopened")
            ),
            (1, 1, 1)
        );
        assert_eq!((count(c, "follow_up"), count(r, "follow_up")), (2, 2));
        assert_eq!((count(c, "withdrawn"), count(r, "withdrawn")), (1, 1));
        assert_eq!(sink.mails().len(), rows.len(), "every mail once");
        let decided = sink
            .mails()
            .into_iter()
            .find(|mail| {
                mail.to[0] == *c
                    && mail
                        .header("Subject")
                        .unwrap()
                        .contains("appeal has been decided")
            })
            .unwrap();
        assert!(
            decided.text().contains("the ruling is overturned")
                && decided.text().contains("not upheld"),
            "{}",
            decided.text()
        );
    }
}

/// A slow mail server and short leases: claims run out while a batch is
/// being sent, another worker takes them over, and still no mail goes out twice.
#[tokio::test]
async fn slow_sends_and_expiring_leases_still_deliver_each_mail_once() {
    for backend in backends() {
        let sink = SmtpSink::start_with(0, Duration::from_millis(700));
        let smtp = sink.url();
        let app = spawn_app_with(backend, |s| {
            mail_settings(s, &smtp);
            s.run_jobs = false;
            s.smtp_timeout_seconds = 1;
            s.mail_lease_seconds = 6;
            s.delivery_interval_ms = 50;
        })
        .await;
        let cast = Cast::new(&app).await;
        for _ in 0..6 {
            app.file_case(&cast.complainant, &cast.respondent, &cast.category)
                .await;
        }
        let settings = std::sync::Arc::new(app.settings.clone());
        let mut jobs = Vec::new();
        for _ in 0..2 {
            let db =
                ombud::db::Db::connect(&settings.database_url, 4, Duration::from_secs(5)).unwrap();
            let mailer = ombud::notify::mailer::Mailer::from_settings(&settings).unwrap();
            jobs.push(ombud::jobs::spawn_all(
                db,
                settings.clone(),
                mailer,
                Clock::system(),
            ));
        }
        sink.wait_for(12).await;
        let rows = settled(&app).await;
        // Stopping the jobs lets any send in flight finish and be recorded.
        for j in jobs {
            j.shutdown(Duration::from_secs(5)).await;
        }
        // Rather than wait a while for a late duplicate, look once more with
        // the clock past every lease and retry delay: nothing is left to send.
        let later = Clock::system();
        later.advance(chrono::Duration::hours(2));
        let db = ombud::db::Db::connect(&settings.database_url, 1, Duration::from_secs(5)).unwrap();
        let mailer = ombud::notify::mailer::Mailer::from_settings(&settings).unwrap();
        let (_keep, never) = tokio::sync::watch::channel(false);
        let again =
            ombud::jobs::delivery::run_once(&db, &mailer, &settings, &later, "last-look", &never)
                .await
                .unwrap();
        assert_eq!(again, 0, "nothing left to send on {backend:?}");
        assert_each_once(&sink, 12, backend);
        assert!(rows.iter().all(|m| m["status"] == "sent"));
        // The test did make leases run out: some mail changed hands.
        let mut lost = 0;
        for row in &rows {
            let detail: Value = app
                .get(
                    &format!("/outbox/{}", row["id"].as_str().unwrap()),
                    &app.admin,
                )
                .await
                .json()
                .await
                .unwrap();
            lost += detail["attempts"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["outcome"] == "lost")
                .count();
        }
        assert!(lost > 0, "no lease ran out on {backend:?}");
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
