//! What each role sees of messages and of the timeline.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, case_in, on_each_backend, problem};

async fn bodies(app: &TestApp, who: &TestUser, id: &str) -> HashSet<String> {
    let page: Value = app
        .get(&format!("/cases/{id}/messages"), who)
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_string())
        .collect()
}

async fn post(
    app: &TestApp,
    id: &str,
    who: &TestUser,
    body: &str,
    visibility: &str,
) -> reqwest::Response {
    app.post(
        &format!("/cases/{id}/messages"),
        who,
        json!({"body": body, "visibility": visibility}),
    )
    .await
}

async fn kinds(app: &TestApp, id: &str, who: &TestUser) -> Vec<String> {
    let page: Value = app
        .get(&format!("/cases/{id}/timeline?limit=100"), who)
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["visibility"].as_str().unwrap().to_string())
        .collect()
}

fn set(items: &[&str]) -> HashSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn each_party_sees_only_what_is_meant_for_them() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "investigation").await;
        for (who, body, vis) in [
            (&cast.mediator, "to both", "all_parties"),
            (&cast.mediator, "to complainant", "complainant"),
            (&cast.mediator, "to respondent", "respondent"),
            (&cast.mediator, "staff note", "internal"),
            (&cast.complainant, "complainant private", "complainant"),
            (&cast.respondent, "respondent public", "all_parties"),
        ] {
            let res = post(&app, &id, who, body, vis).await;
            assert_eq!(res.status(), StatusCode::CREATED, "{body}");
        }
        let everything = set(&[
            "to both",
            "to complainant",
            "to respondent",
            "staff note",
            "complainant private",
            "respondent public",
        ]);
        assert_eq!(bodies(&app, &cast.mediator, &id).await, everything);
        assert_eq!(bodies(&app, &cast.lead, &id).await, everything);
        assert_eq!(
            bodies(&app, &cast.complainant, &id).await,
            set(&[
                "to both",
                "to complainant",
                "complainant private",
                "respondent public"
            ])
        );
        assert_eq!(
            bodies(&app, &cast.respondent, &id).await,
            set(&["to both", "to respondent", "respondent public"])
        );

        // Parties may not post internal notes or to the other side alone.
        for vis in ["internal", "respondent"] {
            let res = post(&app, &id, &cast.complainant, "sneaky", vis).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{vis}");
            assert_eq!(problem(res).await["errors"][0]["field"], "visibility");
        }
        // An unrelated member cannot post at all.
        assert_eq!(
            post(&app, &id, &cast.member, "hello", "all_parties")
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // The timeline is filtered the same way.
        let staff = kinds(&app, &id, &cast.mediator).await;
        assert!(staff.contains(&"internal".to_string()));
        let complainant = kinds(&app, &id, &cast.complainant).await;
        assert!(
            complainant
                .iter()
                .all(|v| v == "all_parties" || v == "complainant"),
            "{complainant:?}"
        );
        let respondent = kinds(&app, &id, &cast.respondent).await;
        assert!(
            respondent
                .iter()
                .all(|v| v == "all_parties" || v == "respondent"),
            "{respondent:?}"
        );
        assert_eq!(
            staff.len(),
            complainant.len() + 3,
            "staff also see the entry for the respondent alone, the internal note and the desk's routing entry"
        );
    })
    .await;
}

#[tokio::test]
async fn answering_a_request_for_information_stops_the_wait() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "investigation").await;
        let deadline = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
        let case = app
            .act_ok(&cast.mediator, &id, "request_info", json!({"party": "respondent", "question": "Tracking number?", "deadline": deadline}))
            .await;
        assert_eq!(case["waiting_on"]["who"], "respondent");
        assert_eq!(case["info_request"]["party"], "respondent");
        let seen = app.case(&cast.respondent, &id).await;
        assert_eq!(seen["waiting_on"]["on_you"], true);
        // The question is for the respondent (and staff), not the complainant.
        let timeline: Value = app.get(&format!("/cases/{id}/timeline"), &cast.complainant).await.json().await.unwrap();
        assert!(!timeline.to_string().contains("Tracking number?"));

        let res = app.post(&format!("/cases/{id}/messages"), &cast.respondent, json!({"body": "It is 0034."})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let case = app.case(&cast.mediator, &id).await;
        assert_eq!(case["info_request"], Value::Null);
        assert_eq!(case["waiting_on"]["who"], "mediator");
        let timeline: Value = app.get(&format!("/cases/{id}/timeline"), &cast.mediator).await.json().await.unwrap();
        assert!(timeline["items"].as_array().unwrap().iter().any(|e| e["kind"] == "info_provided"));
        let theirs: Value = app.get(&format!("/cases/{id}/timeline"), &cast.complainant).await.json().await.unwrap();
        assert!(
            !theirs["items"].as_array().unwrap().iter().any(|e| e["kind"] == "info_provided"),
            "the other party does not see the private exchange"
        );

        // A deadline in the past is refused.
        let res = app
            .act(&cast.mediator, &id, "request_info", json!({"party": "respondent", "question": "?", "deadline": "2000-01-01T00:00:00Z"}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn no_messages_on_finished_cases() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "withdrawn").await;
        let res = app
            .post(
                &format!("/cases/{id}/messages"),
                &cast.complainant,
                json!({"body": "hello?"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;
    })
    .await;
}

#[tokio::test]
async fn only_the_assigned_mediator_leads_and_admins_speak_for_the_service() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "intake").await;
        let path = format!("/cases/{id}/messages");
        let body = json!({"body": "I will take this one", "visibility": "all_parties"});
        // A mediator may read a case in intake, but not speak on it.
        assert_eq!(
            app.get(&format!("/cases/{id}"), &cast.other_mediator)
                .await
                .status(),
            StatusCode::OK
        );
        let res = app.post(&path, &cast.other_mediator, body.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        problem(res).await;
        let res = app.post(&path, &cast.mediator, body.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "not assigned yet");
        problem(res).await;
        assert!(
            bodies(&app, &cast.lead, &id).await.is_empty(),
            "nothing was posted"
        );
        assert_eq!(
            app.post(&path, &cast.lead, body.clone()).await.status(),
            StatusCode::CREATED
        );
        assert_eq!(
            app.post(&path, &cast.admin, body.clone()).await.status(),
            StatusCode::CREATED
        );
        let assigned = case_in(&app, &cast, "assigned").await;
        let path = format!("/cases/{assigned}/messages");
        assert_eq!(
            app.post(&path, &cast.mediator, body).await.status(),
            StatusCode::CREATED
        );
    })
    .await;
}
