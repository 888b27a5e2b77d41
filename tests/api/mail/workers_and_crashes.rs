//! Exactly once, whatever happens to the workers: a process killed with mail
//! committed, a worker dying with mail claimed, two workers at once, and
//! leases running out during slow sends.

use std::process::Child;
use std::time::{Duration, Instant};

use ombud::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{assert_each_once, mail_cast, one_round, outbox, own_worker, settled};
use crate::helpers::{Backend, Cast, TestApp, TestDb, backends, spawn_app_on};
use crate::smtp::{SmtpSink, free_port};

/// A child process that is killed when dropped, so a failing test leaves none behind.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ombud_process(db_url: &str, args: &[&str], env: &[(&str, String)]) -> Proc {
    let mut cmd = crate::helpers::ombud_command();
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
            started.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Moves `locked_until` of the mail still `sending` (claimed by a worker,
/// see `ombud::jobs::delivery::claim`) into the past, so the next claim takes
/// it over as a dead worker's: time passing, without waiting for it.
/// Returns how many claims there were.
fn expire_leases(app: &TestApp) -> usize {
    use diesel::prelude::*;
    use ombud::db::schema::outbox;
    let manager = ombud::db::Manager::new(&app.db.url, Duration::from_secs(5)).unwrap();
    let mut conn = manager.open().unwrap();
    let past = ombud::db::models::to_db_time(chrono::Utc::now() - chrono::Duration::seconds(1));
    diesel::update(outbox::table.filter(outbox::status.eq(ombud::domain::MailStatus::Sending)))
        .set(outbox::locked_until.eq(Some(past)))
        .execute(&mut conn)
        .unwrap()
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
        cast.quiet_desk(&app).await;
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
        // The first process may have died holding a claim on the mail, leased
        // for `mail_lease_seconds` (120 s). Rather than wait that out, the test
        // stands in for the passing of time: it makes every lease the dead
        // process held run out now, before the second life starts.
        let expired = expire_leases(&app);

        // Second life, with the SMTP server up.
        let sink = SmtpSink::start_on(sink_port);
        let second = ombud_process(&url, &["worker"], &env(sink_port));
        let mails = sink.wait_for(2).await;
        let rows = settled(&app).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        drop(second);
        assert_eq!(
            sink.mails().len(),
            2,
            "each mail exactly once ({expired} leases made to run out): {mails:#?}"
        );
        assert!(rows.iter().all(|m| m["status"] == "sent"));
        let _ = std::fs::remove_dir_all(&mail_dir);
    }
}

#[tokio::test]
async fn a_worker_that_dies_holding_mail_loses_it_to_another_after_the_lease() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let (app, cast) = mail_cast(backend, &sink, |s| {
            s.run_jobs = false;
        })
        .await;
        app.file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        // The workers' clock: the test moves it instead of waiting for the lease.
        let clock = Clock::system();
        // A worker claims both mails and dies before sending them.
        let (settings, dead_clock) = (app.settings.clone(), clock.clone());
        let claimed = tokio::task::spawn_blocking(move || {
            let db =
                ombud::db::Db::connect(&settings.database_url, 1, Duration::from_secs(5)).unwrap();
            db.write_blocking(move |conn| {
                ombud::jobs::delivery::claim(conn, "dead-worker", &settings, &dead_clock)
            })
            .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(claimed.len(), 2);
        // A live worker leaves them alone until the lease runs out, then sends each once.
        let settings = std::sync::Arc::new(app.settings.clone());
        let sent = one_round(&settings, &clock, "live").await.sent;
        assert_eq!(sent, 0, "still leased to the dead worker");
        // The lease runs out: the clock moves past it, no one sleeps.
        clock.advance(chrono::Duration::seconds(settings.mail_lease_seconds + 1));
        let sent = one_round(&settings, &clock, "live").await.sent;
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
        let (app, cast) = mail_cast(backend, &sink, |s| {
            s.run_jobs = false;
            s.delivery_interval_ms = 20;
        })
        .await;
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

/// A slow mail server and short leases: claims run out while a batch is
/// being sent, another worker takes them over, and still no mail goes out twice.
#[tokio::test]
async fn slow_sends_and_expiring_leases_still_deliver_each_mail_once() {
    for backend in backends() {
        let sink = SmtpSink::start_with(0, Duration::from_millis(700));
        let (app, cast) = mail_cast(backend, &sink, |s| {
            s.run_jobs = false;
            s.smtp_timeout_seconds = 1;
            s.mail_lease_seconds = 6;
            s.delivery_interval_ms = 50;
            // One mail at a time, so that a batch takes longer than its
            // lease (12 mails x 0.7 s) and the unsent claims run out.
            s.mail_concurrency = 1;
        })
        .await;
        for _ in 0..6 {
            app.file_case(&cast.complainant, &cast.respondent, &cast.category)
                .await;
        }
        let settings = std::sync::Arc::new(app.settings.clone());
        let mut jobs = Vec::new();
        for _ in 0..2 {
            let (db, mailer) = own_worker(&settings, 4);
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
        let again = one_round(&settings, &later, "last-look").await.claimed;
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
