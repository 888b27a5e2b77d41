//! What Ombud holds about a person, handed over: the export.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, on_each_backend};

async fn upload(app: &TestApp, who: &TestUser, case: &str, visibility: &str) -> Value {
    let part = Part::bytes(b"Receipt for order 1234.\n".to_vec())
        .file_name("receipt.txt")
        .mime_str("text/plain")
        .unwrap();
    let form = Form::new()
        .part("file", part)
        .text("visibility", visibility.to_string());
    let res = app
        .client
        .post(app.url(&format!("/cases/{case}/evidence")))
        .bearer_auth(&who.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_user_exports_what_ombud_holds_about_them_as_they_may_see_it() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let (ann, bob) = (&cast.complainant, &cast.respondent);
        let case = app.file_case(ann, bob, &cast.category).await;
        let id = case["id"].as_str().unwrap();
        app.investigate(&cast, id).await;
        app.message(ann, id, "Ann to everyone", "all_parties").await;
        app.message(ann, id, "Ann to the mediator only", "complainant")
            .await;
        app.message(bob, id, "Bob to the mediator only", "respondent")
            .await;
        app.message(&cast.mediator, id, "Staff note about Ann", "internal")
            .await;
        let receipt = upload(&app, ann, id, "all_parties").await;
        upload(&app, bob, id, "respondent").await;
        // Another case Ann has nothing to do with.
        app.file_case(bob, &cast.member, &cast.category).await;

        let path = format!("/users/{}/export", ann.id);
        let res = app.get(&path, ann).await;
        assert_eq!(res.status(), StatusCode::OK);
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(disposition.starts_with("attachment;") && disposition.contains(&ann.id));
        let text = res.text().await.unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["format"], "ombud-user-export/1");
        assert_eq!(doc["account"]["id"], ann.id.as_str());
        assert_eq!(doc["account"]["email"], ann.email.as_str());
        assert!(!doc["tokens"].as_array().unwrap().is_empty());
        assert!(!text.contains(&ann.token), "never a token's secret");

        // Her one case, as she sees it.
        let cases = doc["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 1, "only the case she is party to");
        let mine = &cases[0];
        assert_eq!(mine["case"]["id"], id);
        let seen: Value = app
            .get(&format!("/cases/{id}/messages?limit=100"), ann)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(ids(&mine["messages"]), ids(&seen["items"]));
        let bodies: Vec<&str> = mine["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect();
        assert!(
            bodies.contains(&"Ann to everyone") && bodies.contains(&"Ann to the mediator only")
        );
        let timeline = app.timeline(ann, id).await;
        assert_eq!(mine["timeline"].as_array().unwrap().len(), timeline.len());
        assert_eq!(
            ids(&mine["evidence"]),
            vec![receipt["id"].as_str().unwrap().to_string()]
        );
        // Nothing from the other side's caucus or staff's notes, anywhere.
        for hidden in ["Bob to the mediator only", "Staff note about Ann"] {
            assert!(!text.contains(hidden), "{hidden} leaked into the export");
        }
        assert!(
            mine["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["visibility"] != "internal")
        );

        // What she wrote and uploaded, and the mail sent to her.
        let written: Vec<&str> = doc["messages_written"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect();
        assert_eq!(written, vec!["Ann to everyone", "Ann to the mediator only"]);
        assert_eq!(
            ids(&doc["evidence_added"]),
            vec![receipt["id"].as_str().unwrap().to_string()]
        );
        let mail = doc["mail"].as_array().unwrap();
        assert!(!mail.is_empty(), "the acknowledgement at least");
        for m in mail {
            assert_eq!(m["mail"]["recipient_email"], ann.email.as_str());
            assert!(!m["body_text"].as_str().unwrap().is_empty());
        }

        // An admin exports it for her and gets what she sees, no more.
        let res = app.get(&path, &cast.admin).await;
        assert_eq!(res.status(), StatusCode::OK);
        let by_admin: Value = res.json().await.unwrap();
        assert_eq!(
            ids(&by_admin["cases"][0]["messages"]),
            ids(&mine["messages"])
        );
        assert_eq!(by_admin["mail"].as_array().unwrap().len(), mail.len());

        // No one else may.
        for other in [bob, &cast.mediator, &cast.lead] {
            let res = app.get(&path, other).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{:?}", other.role);
        }
        let res = app
            .get(
                &format!("/users/{}/export", uuid::Uuid::now_v7()),
                &cast.admin,
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // A service token exports its own account with `cases:read` only.
        for (scopes, status) in [
            (json!(["cases:read"]), StatusCode::OK),
            (json!(["directory:read"]), StatusCode::FORBIDDEN),
        ] {
            let res = app
                .post(
                    "/service-tokens",
                    &cast.admin,
                    json!({"name": "bot", "user_id": ann.id, "scopes": scopes}),
                )
                .await;
            let token: Value = res.json().await.unwrap();
            let bot = TestUser {
                token: token["token"].as_str().unwrap().into(),
                ..ann.clone()
            };
            assert_eq!(app.get(&path, &bot).await.status(), status, "{scopes}");
        }
    })
    .await;
}
