//! Response templates through the API on both databases: leads write them,
//! a mediator drafts from one in the recipient's language and posts it,
//! and triage and categories suggest them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, case_in, on_each_backend, problem};

async fn put(app: &TestApp, user: &TestUser, code: &str, body: Value) -> reqwest::Response {
    app.call(
        Method::PUT,
        &format!("/templates/{code}"),
        Some(user),
        Some(body),
    )
    .await
}

fn ask_tracking(category: &str) -> Value {
    json!({"name": "Ask for the tracking number",
           "bodies": {"en": "Dear {{ recipient_name }}, please send the tracking number for {{ reference }} by {{ deadline }}.",
                      "pl": "Dzień dobry {{ recipient_name }}, prosimy o numer przesyłki w sprawie {{ reference }}."},
           "categories": [category]})
}

#[tokio::test]
async fn a_mediator_drafts_from_a_template_in_the_recipients_language_and_posts_it() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let res = put(
            &app,
            &cast.lead,
            "ask-tracking",
            ask_tracking(&cast.category),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = put(
            &app,
            &cast.lead,
            "ask-tracking",
            ask_tracking(&cast.category),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "a second PUT replaces");
        let id = case_in(&app, &cast, "investigation").await;
        // The respondent reads Polish.
        let res = app
            .call(
                Method::PATCH,
                &format!("/users/{}", cast.respondent.id),
                Some(&cast.respondent),
                Some(json!({"language": "pl"})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let case = app.case(&cast.lead, &id).await;
        let reference = case["reference"].as_str().unwrap();

        let draft = |visibility: &'static str, user: TestUser| {
            let (app, id) = (&app, id.clone());
            async move {
                app.post(
                    &format!("/cases/{id}/drafts"),
                    &user,
                    json!({"template": "ask-tracking", "visibility": visibility}),
                )
                .await
            }
        };
        let res = draft("respondent", cast.mediator.clone()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let d: Value = res.json().await.unwrap();
        assert_eq!(d["language"], "pl");
        let body = d["body"].as_str().unwrap();
        assert!(
            body.starts_with("Dzień dobry A member, prosimy o numer przesyłki w sprawie"),
            "{body}"
        );
        assert!(body.contains(reference));
        let res = draft("complainant", cast.mediator.clone()).await;
        let d: Value = res.json().await.unwrap();
        assert_eq!(d["language"], "en");
        // The mediator edits the draft and posts it: an ordinary message.
        let edited = format!("{} Thank you.", d["body"].as_str().unwrap());
        let res = app
            .post(
                &format!("/cases/{id}/messages"),
                &cast.mediator,
                json!({"body": edited, "visibility": "complainant"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);

        // Parties and other mediators draft nothing.
        for user in [cast.complainant.clone(), cast.other_mediator.clone()] {
            let res = draft("complainant", user).await;
            assert!(res.status() == StatusCode::FORBIDDEN || res.status() == StatusCode::NOT_FOUND);
            problem(res).await;
        }
        // The category suggests it.
        let suggested: Value = app
            .get(&format!("/cases/{id}/templates"), &cast.mediator)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(suggested[0]["code"], "ask-tracking");
        let res = app
            .get(&format!("/cases/{id}/templates"), &cast.complainant)
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // No text in the recipient's language and no fallback: 422; with one, the fallback.
        let res = app
            .call(
                Method::PATCH,
                &format!("/users/{}", cast.respondent.id),
                Some(&cast.respondent),
                Some(json!({"language": "ru"})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = draft("respondent", cast.mediator.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "template");
        let mut with_fallback = ask_tracking(&cast.category);
        with_fallback["fallback_language"] = json!("en");
        assert_eq!(
            put(&app, &cast.lead, "ask-tracking", with_fallback)
                .await
                .status(),
            StatusCode::OK
        );
        let d: Value = draft("respondent", cast.mediator.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(d["language"], "en");
    })
    .await;
}

#[tokio::test]
async fn a_template_that_cannot_render_is_refused_by_field_and_only_leads_write() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        for (body, field) in [
            (
                json!({"name": "x", "bodies": {"en": "Hi {{ nobody }}"}}),
                "bodies.en",
            ),
            (
                json!({"name": "x", "bodies": {"en": "Hi {{ reference "}}),
                "bodies.en",
            ),
            (json!({"name": "x", "bodies": {}}), "bodies"),
            (
                json!({"name": "x", "bodies": {"en": "Hi"}, "fallback_language": "pl"}),
                "fallback_language",
            ),
            (
                json!({"name": "x", "bodies": {"en": "Hi"}, "categories": ["no-such"]}),
                "categories[0]",
            ),
        ] {
            let res = put(&app, &cast.lead, "t1", body.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(problem(res).await["errors"][0]["field"], field, "{body}");
        }
        let res = put(
            &app,
            &cast.lead,
            "Not a code",
            json!({"name": "x", "bodies": {"en": "Hi"}}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "code");
        for user in [&cast.mediator, &cast.member] {
            let res = put(
                &app,
                user,
                "t1",
                json!({"name": "x", "bodies": {"en": "Hi"}}),
            )
            .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            problem(res).await;
        }
        let listed: Value = app
            .get("/templates", &cast.mediator)
            .await
            .json()
            .await
            .unwrap();
        assert!(
            listed["items"].as_array().unwrap().is_empty(),
            "nothing was stored"
        );
        assert_eq!(
            app.get("/templates", &cast.member).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            put(
                &app,
                &cast.lead,
                "t1",
                json!({"name": "x", "bodies": {"en": "Hi"}})
            )
            .await
            .status(),
            StatusCode::CREATED
        );
        let res = app
            .call(Method::DELETE, "/templates/t1", Some(&cast.lead), None)
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = app
            .call(Method::DELETE, "/templates/t1", Some(&cast.lead), None)
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn triage_suggests_templates_for_the_cases_it_matches() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let other = app.category().await;
        assert_eq!(put(&app, &cast.lead, "ask-tracking", ask_tracking(&other)).await.status(), StatusCode::CREATED);
        let res = app
            .post("/triage_rules", &app.admin,
                  json!({"name": "parcels", "conditions": {"keywords": ["parcel"]},
                         "actions": {"suggest_templates": ["ask-tracking"]}}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = app
            .post("/triage_rules", &app.admin,
                  json!({"name": "bad", "actions": {"suggest_templates": ["no-such"]}}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "actions.suggest_templates[0]");
        let res = app
            .post("/cases", &cast.complainant,
                  json!({"title": "Lost parcel", "description": "It never came.", "category": cast.category,
                         "respondent": {"user_id": cast.respondent.id}}))
            .await;
        let case: Value = res.json().await.unwrap();
        let id = case["id"].as_str().unwrap();
        let suggested: Value = app.get(&format!("/cases/{id}/templates"), &cast.lead).await.json().await.unwrap();
        assert_eq!(suggested.as_array().unwrap().len(), 1);
        assert_eq!(suggested[0]["code"], "ask-tracking");
    })
    .await;
}
