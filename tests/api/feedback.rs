//! Feedback on both databases: once a case is closed each party rates its
//! handling once; staff read both ratings, a party their own; the closing
//! mail links to it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, case_in, on_each_backend, problem};

async fn rate(app: &TestApp, who: &TestUser, case: &str, body: Value) -> reqwest::Response {
    app.post(&format!("/cases/{case}/feedback"), who, body)
        .await
}

async fn ratings(app: &TestApp, who: &TestUser, case: &str) -> Vec<(String, i64)> {
    let res = app.get(&format!("/cases/{case}/feedback"), who).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["party"].as_str().unwrap().to_string(),
                f["rating"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_party_rates_a_closed_case_once_and_staff_read_the_ratings() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let open = case_in(&app, &cast, "investigation").await;
        let res = rate(&app, &cast.complainant, &open, json!({"rating": 5})).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "not closed yet");
        problem(res).await;

        let case = case_in(&app, &cast, "closed").await;
        for bad in [
            json!({"rating": 0}),
            json!({"rating": 6}),
            json!({"rating": 3, "comment": "x\u{0}"}),
            json!({"rating": "5"}),
        ] {
            let res = rate(&app, &cast.complainant, &case, bad.clone()).await;
            assert!(
                [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&res.status()),
                "{bad}: {}",
                res.status()
            );
            problem(res).await;
        }
        let res = rate(&app, &cast.mediator, &case, json!({"rating": 5})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        problem(res).await;

        let res = rate(
            &app,
            &cast.complainant,
            &case,
            json!({"rating": 4, "comment": "Quick and fair."}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let given: Value = res.json().await.unwrap();
        assert_eq!(
            (given["party"].clone(), given["rating"].clone()),
            (json!("complainant"), json!(4))
        );
        let res = rate(&app, &cast.complainant, &case, json!({"rating": 1})).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "once");
        problem(res).await;
        assert_eq!(
            rate(&app, &cast.respondent, &case, json!({"rating": 2}))
                .await
                .status(),
            StatusCode::CREATED
        );

        assert_eq!(
            ratings(&app, &cast.lead, &case).await,
            [
                ("complainant".to_string(), 4),
                ("respondent".to_string(), 2)
            ]
        );
        assert_eq!(
            ratings(&app, &cast.respondent, &case).await,
            [("respondent".to_string(), 2)]
        );
        // On the timeline for staff, not for the parties.
        let staff: Value = app
            .get(&format!("/cases/{case}/timeline?limit=100"), &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        let given: Vec<&Value> = staff["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "feedback_given")
            .collect();
        assert_eq!(given.len(), 2);
        assert_eq!(given[0]["data"]["comment"], "Quick and fair.");
        let party: Value = app
            .get(
                &format!("/cases/{case}/timeline?limit=100"),
                &cast.complainant,
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(!party.to_string().contains("feedback_given"));

        // The closing mail asks each party, with the link.
        let mail: Value = app
            .get(&format!("/outbox?case_id={case}&limit=100"), &app.admin)
            .await
            .json()
            .await
            .unwrap();
        let closed: Vec<&Value> = mail["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["template"] == "closed")
            .collect();
        assert_eq!(closed.len(), 2);
        for m in closed {
            let id = m["id"].as_str().unwrap();
            let full: Value = app
                .get(&format!("/outbox/{id}"), &app.admin)
                .await
                .json()
                .await
                .unwrap();
            assert!(
                full["body_text"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("/api/v1/cases/{case}/feedback")),
                "{full}"
            );
        }
    })
    .await;
}
