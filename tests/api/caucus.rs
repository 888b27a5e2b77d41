//! The caucus on both databases: each thread of a case apart (the joint
//! one, each party's with the mediator, staff's notes), and a request for
//! information that lapses when its deadline passes unanswered.

use std::sync::Arc;
use std::time::Duration;

use ombud::db::Db;
use ombud::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, case_in, on_each_backend};

async fn threads(app: &TestApp, who: &TestUser, case: &str) -> Vec<(String, i64)> {
    let res = app.get(&format!("/cases/{case}/threads"), who).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["thread"].as_str().unwrap().to_string(),
                t["messages"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_thread_of_the_caucus_reads_apart_and_only_by_those_in_it() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let case = case_in(&app, &cast, "investigation").await;
        app.message(
            &cast.mediator,
            &case,
            "Both of you: what happened?",
            "all_parties",
        )
        .await;
        app.message(
            &cast.complainant,
            &case,
            "Privately: I paid twice.",
            "complainant",
        )
        .await;
        app.message(
            &cast.mediator,
            &case,
            "Could you send the receipts?",
            "complainant",
        )
        .await;
        app.message(
            &cast.respondent,
            &case,
            "Privately: stock ran out.",
            "respondent",
        )
        .await;
        app.message(
            &cast.mediator,
            &case,
            "Note: check the refund log.",
            "internal",
        )
        .await;

        assert_eq!(
            app.bodies(&cast.mediator, &case, "thread=complainant")
                .await,
            ["Privately: I paid twice.", "Could you send the receipts?"]
        );
        assert_eq!(
            app.bodies(&cast.mediator, &case, "thread=all_parties")
                .await,
            ["Both of you: what happened?"]
        );
        assert_eq!(
            app.bodies(&cast.lead, &case, "thread=internal").await.len(),
            1
        );
        // A party's own thread; the other side's reads as empty, not as an error.
        assert_eq!(
            app.bodies(&cast.respondent, &case, "thread=respondent")
                .await,
            ["Privately: stock ran out."]
        );
        assert!(
            app.bodies(&cast.respondent, &case, "thread=complainant")
                .await
                .is_empty()
        );
        assert!(
            app.bodies(&cast.respondent, &case, "thread=internal")
                .await
                .is_empty()
        );
        let res = app
            .get(
                &format!("/cases/{case}/messages?thread=everyone"),
                &cast.mediator,
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        crate::helpers::problem(res).await;

        // The working view: every thread with its count, for staff; a party's two.
        assert_eq!(
            threads(&app, &cast.mediator, &case).await,
            [
                ("all_parties".to_string(), 1),
                ("complainant".to_string(), 2),
                ("respondent".to_string(), 1),
                ("internal".to_string(), 1)
            ]
        );
        assert_eq!(
            threads(&app, &cast.respondent, &case).await,
            [
                ("all_parties".to_string(), 1),
                ("respondent".to_string(), 1)
            ]
        );
        let res = app
            .get(&format!("/cases/{case}/threads"), &cast.mediator)
            .await;
        let list: Value = res.json().await.unwrap();
        assert_eq!(
            list["items"][1]["last_author"]["id"],
            cast.mediator.id.as_str()
        );
    })
    .await;
}

#[tokio::test]
async fn an_unanswered_request_lapses_once_and_the_mediator_goes_on() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        // The bootstrap admin's token lasts an hour; this one outlives the jump.
        let admin = app.user(Role::Admin).await;
        let case = case_in(&app, &cast, "investigation").await;
        let deadline = (app.clock.now() + chrono::Duration::days(2)).to_rfc3339();
        app.act_ok(
            &cast.mediator,
            &case,
            "request_info",
            json!({"party": "respondent", "question": "Tracking number?", "deadline": deadline}),
        )
        .await;
        let db = Db::connect(&app.db.url, 2, Duration::from_secs(5)).unwrap();
        let settings = Arc::new(app.settings.clone());
        let scan = || ombud::jobs::info_requests::run_once(&db, &settings, &app.clock);

        // Before the deadline nothing happens.
        app.clock.advance(chrono::Duration::days(1));
        assert_eq!(scan().await.unwrap(), 0);
        assert_eq!(
            app.case(&cast.mediator, &case).await["waiting_on"]["who"],
            "respondent"
        );

        // After it, two scans at once record it once.
        app.clock.advance(chrono::Duration::days(2));
        let (a, b) = tokio::join!(scan(), scan());
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        assert_eq!(scan().await.unwrap(), 0);
        let now = app.case(&cast.mediator, &case).await;
        assert_eq!(now["waiting_on"]["who"], "mediator");
        assert_eq!(now["info_request"], Value::Null);

        // On the record for the party asked and staff, not the other side.
        let entries = |who: &TestUser| {
            let (app, who, case) = (&app, who.clone(), case.clone());
            async move {
                app.timeline(&who, &case)
                    .await
                    .into_iter()
                    .filter(|e| e["kind"] == "info_request_lapsed")
                    .collect::<Vec<_>>()
            }
        };
        let lapsed = entries(&cast.mediator).await;
        assert_eq!(lapsed.len(), 1);
        assert_eq!(lapsed[0]["data"]["party"], "respondent");
        assert_eq!(lapsed[0]["actor"], Value::Null);
        assert_eq!(entries(&cast.respondent).await.len(), 1);
        assert!(entries(&cast.complainant).await.is_empty());

        // The mediator is told, once.
        let mail: Value = app
            .get(&format!("/outbox?case_id={case}&limit=100"), &admin)
            .await
            .json()
            .await
            .unwrap();
        let told: Vec<&str> = mail["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["template"] == "info_overdue")
            .map(|m| m["recipient_email"].as_str().unwrap())
            .collect();
        assert_eq!(told, [cast.mediator.email.as_str()]);

        // The mediator goes on without the answer.
        app.act_ok(
            &cast.mediator,
            &case,
            "issue_ruling",
            json!({"outcome": "not_upheld", "rationale": "No evidence of loss was given."}),
        )
        .await;
    })
    .await;
}
