//! Delivery that keeps up: new mail wakes an idle worker, a worker does not
//! wait between full batches, and several mails are in flight at once.
//! Each test sets the idle look (`delivery_interval_ms`) to ten minutes, so
//! mail that arrives within the test's wait was sent by the behaviour tested.

use std::time::Duration;

use ombud::clock::Clock;

use super::{assert_each_once, mail_cast, one_round, outbox, own_worker, settled};
use crate::helpers::backends;
use crate::smtp::SmtpSink;

const TEN_MINUTES: u64 = 600_000;

#[tokio::test]
async fn new_mail_wakes_an_idle_worker_at_once() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let (app, cast) = mail_cast(backend, &sink, |s| {
            s.delivery_interval_ms = TEN_MINUTES;
        })
        .await;
        // The first case's mail may be found by the worker's first look or
        // by the wake-up; either way the worker is idle afterwards.
        app.file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        sink.wait_for(2).await;
        // Only the wake-up can send the second case's mail within the wait.
        app.file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        sink.wait_for(4).await;
        settled(&app).await;
        assert_each_once(&sink, 4, backend);
    }
}

#[tokio::test]
async fn a_worker_goes_on_while_full_batches_are_due() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let (app, cast) = mail_cast(backend, &sink, |s| {
            s.run_jobs = false;
        })
        .await;
        for _ in 0..10 {
            app.file_case(&cast.complainant, &cast.respondent, &cast.category)
                .await;
        }
        assert_eq!(outbox(&app).await.len(), 20);
        // A worker with its own connection to the database (so no wake-up
        // from these filings reaches it) claiming 3 mails at a time: only
        // going on straight after each full batch sends all 20 in the wait.
        let mut settings = app.settings.clone();
        settings.mail_batch = 3;
        settings.delivery_interval_ms = TEN_MINUTES;
        let settings = std::sync::Arc::new(settings);
        let (db, mailer) = own_worker(&settings, 2);
        let jobs = ombud::jobs::spawn_all(db, settings, mailer, Clock::system());
        sink.wait_for(20).await;
        settled(&app).await;
        jobs.shutdown(Duration::from_secs(5)).await;
        assert_each_once(&sink, 20, backend);
    }
}

#[tokio::test]
async fn several_mails_are_in_flight_at_once() {
    for backend in backends() {
        // The server holds each mail until three are being sent at once; a
        // worker sending one at a time would time out on each.
        let sink = SmtpSink::start_meeting(3);
        let (app, cast) = mail_cast(backend, &sink, |s| {
            s.run_jobs = false;
            s.mail_concurrency = 4;
        })
        .await;
        for _ in 0..3 {
            app.file_case(&cast.complainant, &cast.respondent, &cast.category)
                .await;
        }
        let settings = std::sync::Arc::new(app.settings.clone());
        let round = one_round(&settings, &Clock::system(), "w").await;
        assert_eq!((round.claimed, round.sent), (6, 6), "on {backend:?}");
        assert!(sink.peak() >= 3, "at most {} in flight", sink.peak());
        assert_each_once(&sink, 6, backend);
    }
}
