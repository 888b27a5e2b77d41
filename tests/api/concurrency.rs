//! Optimistic concurrency and races: exactly one of two racing actions wins;
//! references stay unique (not necessarily gapless) when many cases are
//! filed at once.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, case_in, on_each_backend, problem};

#[tokio::test]
async fn a_stale_if_match_gets_412_and_changes_nothing() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "assigned").await;
        let res = app.get(&format!("/cases/{id}"), &cast.mediator).await;
        let etag = res
            .headers()
            .get("etag")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let version = res.json::<Value>().await.unwrap()["version"].clone();
        assert_eq!(etag, format!("\"v{version}\""));
        let start = "start_investigation";
        let res = app.act_if_match(&cast.mediator, &id, start, "\"v1\"").await;
        assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(
            res.headers().get("etag").unwrap().to_str().unwrap(),
            etag,
            "the 412 names the current version"
        );
        problem(res).await;
        assert_eq!(app.case(&cast.lead, &id).await["state"], "assigned");
        let res = app.act_if_match(&cast.mediator, &id, start, &etag).await;
        assert_eq!(res.status(), StatusCode::OK);
        let new_etag = res
            .headers()
            .get("etag")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert_ne!(new_etag, etag);
    })
    .await;
}

#[tokio::test]
async fn a_weak_if_match_never_matches() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "assigned").await;
        let version = app.case(&cast.lead, &id).await["version"].clone();
        let start = "start_investigation";
        // RFC 9110: If-Match compares strongly, so W/"v2" is not "v2".
        for header in [
            format!("W/\"v{version}\""),
            format!("W/\"v{version}\", \"v0\""),
        ] {
            let res = app.act_if_match(&cast.mediator, &id, start, &header).await;
            assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED, "{header}");
            problem(res).await;
        }
        assert_eq!(app.case(&cast.lead, &id).await["state"], "assigned");
        let both = format!("W/\"v0\", \"v{version}\"");
        let res = app.act_if_match(&cast.mediator, &id, start, &both).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "a strong tag in the list matches"
        );
    })
    .await;
}

#[tokio::test]
async fn of_two_racing_actions_exactly_one_wins() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        for round in 0..4 {
            // With the same If-Match: one 200, one 412.
            let id = case_in(&app, &cast, "intake").await;
            let send = |mediator: &str| {
                app.client
                    .post(app.url(&format!("/cases/{id}/actions/assign")))
                    .bearer_auth(&cast.lead.token)
                    .header("If-Match", "\"v1\"")
                    .json(&json!({"mediator_id": mediator}))
                    .send()
            };
            let (a, b) = tokio::join!(send(&cast.mediator.id), send(&cast.other_mediator.id));
            let mut statuses = vec![a.unwrap().status(), b.unwrap().status()];
            statuses.sort();
            assert_eq!(
                statuses,
                [StatusCode::OK, StatusCode::PRECONDITION_FAILED],
                "round {round} on {:?}",
                app.backend
            );
            let case = app.case(&cast.lead, &id).await;
            assert_eq!(case["version"], 2);

            // Without If-Match: one 200, and the loser sees the new state (409).
            let id = case_in(&app, &cast, "assigned").await;
            let go = || app.act(&cast.mediator, &id, "start_investigation", json!({}));
            let (a, b) = tokio::join!(go(), go());
            let mut statuses = vec![a.status(), b.status()];
            statuses.sort();
            assert_eq!(
                statuses,
                [StatusCode::OK, StatusCode::CONFLICT],
                "round {round} on {:?}",
                app.backend
            );
            let timeline: Value = app
                .get(&format!("/cases/{id}/timeline"), &cast.lead)
                .await
                .json()
                .await
                .unwrap();
            let starts = timeline["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "start_investigation")
                .count();
            assert_eq!(starts, 1, "one timeline entry for one change");
        }
    })
    .await;
}

#[tokio::test]
async fn many_cases_filed_at_once_get_unique_references() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let n = 40;
        let body = json!({"title": "t", "description": "d", "category": cast.category, "respondent": {"user_id": cast.respondent.id}});
        let mut sends = tokio::task::JoinSet::new();
        for _ in 0..n {
            let req = app.client.post(app.url("/cases")).bearer_auth(&cast.complainant.token).json(&body);
            sends.spawn(async move { req.send().await.unwrap() });
        }
        let mut refs = HashSet::new();
        while let Some(res) = sends.join_next().await {
            let res = res.unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            let case: Value = res.json().await.unwrap();
            refs.insert(case["reference"].as_str().unwrap().to_string());
        }
        assert_eq!(refs.len(), n, "every reference unique");
        let year = chrono::Utc::now().format("OMB-%Y-").to_string();
        for r in &refs {
            let number = r.strip_prefix(&year).unwrap_or_else(|| panic!("{r}"));
            assert!(number.len() >= 6 && number.parse::<u64>().is_ok(), "{r}");
        }
    })
    .await;
}
