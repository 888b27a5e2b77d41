//! Follow-up that checks, on both databases: each remedy and sanction of
//! the final ruling gets a status; staff record them done or waived; the
//! scan marks them overdue once, telling the mediator (and, for a remedy,
//! the respondent); the case closes by itself when none is left open, or
//! by the mediator with a reason that waives what is still open.

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Days;
use ombud::db::Db;
use ombud::domain::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, on_each_backend, problem, spawn_app_with};

/// A case in follow-up whose ruling (accepted by both parties) has a refund
/// due in two days, an apology due in five, a suspension of seven days and
/// a warning; returns its id.
async fn ruled(app: &TestApp, cast: &Cast) -> String {
    let case = app
        .file_case(&cast.complainant, &cast.respondent, &cast.category)
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    app.investigate(cast, &id).await;
    let due = |days| (app.clock.now() + Days::days(days)).to_rfc3339();
    app.act_ok(
        &cast.mediator,
        &id,
        "issue_ruling",
        json!({
            "outcome": "upheld", "rationale": "Paid and not delivered.",
            "remedies": [
                {"kind": "refund", "description": "Refund order 1234", "due_at": due(2)},
                {"kind": "apology", "description": "Apologise in writing", "due_at": due(5)}
            ],
            "sanctions": [
                {"kind": "suspension", "duration_days": 7, "note": "No selling for a week"},
                {"kind": "warning"}
            ]
        }),
    )
    .await;
    id
}

async fn obligations(app: &TestApp, who: &TestUser, case: &str) -> Value {
    let res = app.get(&format!("/cases/{case}/obligations"), who).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The obligation of `kind` on `case`.
async fn item(app: &TestApp, who: &TestUser, case: &str, kind: &str) -> Value {
    obligations(app, who, case).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
        .clone()
}

async fn record(
    app: &TestApp,
    who: &TestUser,
    case: &str,
    obligation: &Value,
    body: Value,
) -> reqwest::Response {
    let oid = obligation["id"].as_str().unwrap();
    app.post(&format!("/cases/{case}/obligations/{oid}"), who, body)
        .await
}

fn scan_with(app: &TestApp) -> (Db, Arc<ombud::config::Settings>) {
    let db = Db::connect(&app.db.url, 2, Duration::from_secs(5)).unwrap();
    (db, Arc::new(app.settings.clone()))
}

#[tokio::test]
async fn each_remedy_and_sanction_is_followed_up_until_the_case_closes_by_itself() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        // The bootstrap admin's token lasts an hour; this one outlives the jumps.
        let admin = app.user(Role::Admin).await;
        let case = ruled(&app, &cast).await;
        // Not final yet: nothing to follow up.
        assert_eq!(
            obligations(&app, &cast.complainant, &case).await["items"],
            json!([])
        );
        for party in [&cast.complainant, &cast.respondent] {
            app.act_ok(party, &case, "accept_ruling", json!({})).await;
        }
        let list = obligations(&app, &cast.complainant, &case).await;
        let kinds: Vec<(&str, &str, &str)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["part"].as_str().unwrap(),
                    o["kind"].as_str().unwrap(),
                    o["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("remedy", "refund", "pending"),
                ("remedy", "apology", "pending"),
                ("sanction", "suspension", "pending"),
                ("sanction", "warning", "pending"),
            ]
        );
        assert_eq!(list["open"], 4);
        let suspension = item(&app, &cast.mediator, &case, "suspension").await;
        assert_eq!(suspension["duration_days"], 7);
        assert_eq!(suspension["description"], "No selling for a week");

        // Answered, never obeyed: parties, strangers and bad bodies change nothing.
        let refund = item(&app, &cast.mediator, &case, "refund").await;
        let done = json!({"status": "done", "note": "Refund seen on the statement."});
        for who in [&cast.respondent, &cast.complainant] {
            let res = record(&app, who, &case, &refund, done.clone()).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", who.email);
            problem(res).await;
        }
        for who in [&cast.member, &cast.other_mediator] {
            let res = record(&app, who, &case, &refund, done.clone()).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "a stranger sees no case");
        }
        let future = (app.clock.now() + Days::days(1)).to_rfc3339();
        let elsewhere = app
            .file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        let foreign = upload(&app, &cast.complainant, elsewhere["id"].as_str().unwrap()).await;
        for bad in [
            json!({"status": "done", "note": " "}),
            json!({"status": "done"}),
            json!({"status": "finished", "note": "x"}),
            json!({"status": "done", "note": "x", "started_at": future}),
            json!({"status": "waived", "note": "x", "started_at": app.clock.now().to_rfc3339()}),
            json!({"status": "done", "note": "x", "started_at": app.clock.now().to_rfc3339()}),
            json!({"status": "done", "note": "x", "evidence_id": foreign["id"]}),
            json!({"status": "done", "note": "x\u{0}"}),
        ] {
            let res = record(&app, &cast.mediator, &case, &refund, bad.clone()).await;
            assert!(
                [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&res.status()),
                "{bad}: {}",
                res.status()
            );
            problem(res).await;
        }
        let nowhere = json!({"id": uuid::Uuid::new_v4()});
        let res = record(&app, &cast.mediator, &case, &nowhere, done.clone()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        problem(res).await;
        assert_eq!(
            obligations(&app, &cast.mediator, &case).await["open"],
            4,
            "nothing changed"
        );

        // The refund is done, with the respondent's proof.
        let proof = upload(&app, &cast.respondent, &case).await;
        let res = record(
            &app,
            &cast.mediator,
            &case,
            &refund,
            json!({"status": "done", "note": "Refund seen on the statement.", "evidence_id": proof["id"]}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let refund: Value = res.json().await.unwrap();
        assert_eq!(
            (&refund["status"], &refund["evidence_id"]),
            (&json!("done"), &proof["id"])
        );
        let res = record(&app, &cast.mediator, &case, &refund, done.clone()).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "already done");
        problem(res).await;

        // The suspension took effect yesterday, for seven days.
        let started = app.clock.now() - Days::days(1);
        let res = record(
            &app,
            &cast.lead,
            &case,
            &suspension,
            json!({"status": "done", "note": "Account suspended.", "started_at": started.to_rfc3339()}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let suspension: Value = res.json().await.unwrap();
        let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
        assert_eq!(at(&suspension["starts_at"]), started);
        assert_eq!(at(&suspension["ends_at"]), started + Days::days(7));

        // Three days on, the warning (due within 72 hours of follow-up) is
        // overdue; two scans at once record it once, and only the mediator
        // hears (a sanction is staff's to put in place).
        let (db, settings) = scan_with(&app);
        let scan = || ombud::jobs::obligations::run_once(&db, &settings, &app.clock);
        app.clock.advance(Days::hours(71));
        assert_eq!(scan().await.unwrap(), 0, "nothing due yet");
        app.clock.advance(Days::hours(2));
        let (a, b) = tokio::join!(scan(), scan());
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        assert_eq!(scan().await.unwrap(), 0, "once");
        assert_eq!(
            item(&app, &cast.complainant, &case, "warning").await["status"],
            "overdue"
        );
        let overdue: Vec<String> = app.mails_about(&admin, &case)
            .await
            .into_iter()
            .filter(|(t, _)| t == "obligation_overdue")
            .map(|(_, to)| to)
            .collect();
        assert_eq!(overdue, std::slice::from_ref(&cast.mediator.email));

        // Two days more and the apology is overdue too: the respondent who
        // owes it hears as well.
        app.clock.advance(Days::days(2));
        assert_eq!(scan().await.unwrap(), 1);
        let mut overdue: Vec<String> = app.mails_about(&admin, &case)
            .await
            .into_iter()
            .filter(|(t, _)| t == "obligation_overdue")
            .map(|(_, to)| to)
            .collect();
        overdue.sort();
        let mut expected = vec![
            cast.mediator.email.clone(),
            cast.mediator.email.clone(),
            cast.respondent.email.clone(),
        ];
        expected.sort();
        assert_eq!(overdue, expected);

        // An overdue item can still be waived or done; the last one closes the case.
        let warning = item(&app, &cast.mediator, &case, "warning").await;
        let res = record(
            &app,
            &cast.mediator,
            &case,
            &warning,
            json!({"status": "waived", "note": "The suspension covers it."}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.case(&cast.mediator, &case).await["state"], "follow_up");
        let apology = item(&app, &cast.mediator, &case, "apology").await;
        let res = record(
            &app,
            &cast.mediator,
            &case,
            &apology,
            json!({"status": "done", "note": "Apology posted on the case."}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.case(&cast.complainant, &case).await["state"], "closed");
        let list = obligations(&app, &cast.respondent, &case).await;
        assert_eq!(list["open"], 0);

        // Both parties saw each step on their timeline, and the system closed it.
        let timeline = app.timeline(&cast.complainant, &case).await;
        let kinds: Vec<&str> = timeline
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .filter(|k| k.starts_with("obligation") || *k == "close")
            .collect();
        assert_eq!(
            kinds,
            [
                "obligation_resolved",
                "obligation_resolved",
                "obligation_overdue",
                "obligation_overdue",
                "obligation_resolved",
                "obligation_resolved",
                "close"
            ]
        );
        let close = timeline.iter().find(|e| e["kind"] == "close").unwrap();
        assert!(close["actor"].is_null(), "{close}");
        let sent = app.mails_about(&admin, &case).await;
        let count = |t: &str| sent.iter().filter(|(x, _)| x == t).count();
        assert_eq!(count("obligation_done"), 6, "three items done, each to both parties");
        assert_eq!(count("obligation_waived"), 2);
        assert_eq!(count("closed"), 2, "the closing mail asks both for feedback");
    })
    .await;
}

#[tokio::test]
async fn closing_with_items_open_needs_a_reason_and_waives_them() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let case = ruled(&app, &cast).await;
        for party in [&cast.complainant, &cast.respondent] {
            app.act_ok(party, &case, "accept_ruling", json!({})).await;
        }
        let res = app.act(&cast.mediator, &case, "close", json!({})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let p = problem(res).await;
        assert!(p.to_string().contains("4 remedies or sanctions"), "{p}");
        assert_eq!(obligations(&app, &cast.mediator, &case).await["open"], 4);

        let closed = app
            .act_ok(
                &cast.mediator,
                &case,
                "close",
                json!({"note": "The respondent left the platform."}),
            )
            .await;
        assert_eq!(closed["state"], "closed");
        let list = obligations(&app, &cast.complainant, &case).await;
        assert_eq!(list["open"], 0);
        for o in list["items"].as_array().unwrap() {
            assert_eq!(o["status"], "waived");
            assert_eq!(o["note"], "The respondent left the platform.");
        }
        let timeline = app.timeline(&cast.respondent, &case).await;
        let close = timeline.iter().find(|e| e["kind"] == "close").unwrap();
        assert_eq!(close["data"]["waived"].as_array().unwrap().len(), 4);

        // Outside follow-up nothing can be recorded.
        let any = &list["items"][0];
        let res = record(
            &app,
            &cast.mediator,
            &case,
            any,
            json!({"status": "done", "note": "Late."}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;
    })
    .await;
}

#[tokio::test]
async fn the_last_two_items_recorded_at_once_close_the_case_once() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let waive = json!({"status": "waived", "note": "Settled between them."});
        // Several cases, each with two items left, all recorded at once: on
        // PostgreSQL, without the case row held, both of a pair can miss
        // the other and leave the case open. (The window is narrow: with
        // the hold removed this passed three runs of three; with a 50 ms
        // pause added after the record, a case stayed in follow-up.)
        let mut last = Vec::new();
        for _ in 0..6 {
            let case = ruled(&app, &cast).await;
            for party in [&cast.complainant, &cast.respondent] {
                app.act_ok(party, &case, "accept_ruling", json!({})).await;
            }
            let list = obligations(&app, &cast.mediator, &case).await;
            let items = list["items"].as_array().unwrap().clone();
            for o in &items[..2] {
                let res = record(&app, &cast.mediator, &case, o, waive.clone()).await;
                assert_eq!(res.status(), StatusCode::OK);
            }
            last.push((case.clone(), &cast.mediator, items[2].clone()));
            last.push((case, &cast.lead, items[3].clone()));
        }
        let answers = futures_util::future::join_all(
            last.iter()
                .map(|(case, who, o)| record(&app, who, case, o, waive.clone())),
        )
        .await;
        assert!(answers.iter().all(|r| r.status() == StatusCode::OK));
        for (case, _, _) in last.iter().step_by(2) {
            assert_eq!(app.case(&cast.mediator, case).await["state"], "closed");
            let closes = app
                .timeline(&cast.mediator, case)
                .await
                .iter()
                .filter(|e| e["kind"] == "close")
                .count();
            assert_eq!(closes, 1);
        }
    })
    .await;
}

#[tokio::test]
async fn with_auto_close_off_the_mediator_closes_when_all_is_done() {
    for backend in crate::helpers::backends() {
        let app = spawn_app_with(backend, |s| s.follow_up_auto_close = false).await;
        let cast = Cast::new(&app).await;
        let case = ruled(&app, &cast).await;
        for party in [&cast.complainant, &cast.respondent] {
            app.act_ok(party, &case, "accept_ruling", json!({})).await;
        }
        let list = obligations(&app, &cast.mediator, &case).await;
        for o in list["items"].as_array().unwrap() {
            let res = record(
                &app,
                &cast.mediator,
                &case,
                o,
                json!({"status": "done", "note": "Done."}),
            )
            .await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        assert_eq!(app.case(&cast.mediator, &case).await["state"], "follow_up");
        let closed = app.act_ok(&cast.mediator, &case, "close", json!({})).await;
        assert_eq!(
            closed["state"], "closed",
            "no reason needed: nothing is open"
        );
    }
}

/// Uploads a small text file to `case` as `who`; returns its record.
async fn upload(app: &TestApp, who: &TestUser, case: &str) -> Value {
    let part = Part::bytes(b"Bank statement: refund of order 1234.\n".to_vec())
        .file_name("statement.txt")
        .mime_str("text/plain")
        .unwrap();
    let res = app
        .client
        .post(app.url(&format!("/cases/{case}/evidence")))
        .bearer_auth(&who.token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}
