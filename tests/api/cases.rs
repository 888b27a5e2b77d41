//! Filing, reading and listing cases; who sees what; idempotent filing.

use std::collections::HashSet;

use ombud::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, case_in, on_each_backend, problem};

#[tokio::test]
async fn filing_starts_in_intake_with_a_reference_and_a_timeline() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let res = app
            .post(
                "/cases",
                &cast.complainant,
                json!({
                    "title": "  Parcel never came ",
                    "description": "Paid on 2 November.",
                    "category": cast.category,
                    "tags": ["Order-1", "order-1"],
                    "respondent": {"name": "Shop Ltd", "email": "Support@Shop.example"},
                }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let etag = res.headers().get("etag").map(|v| v.to_str().unwrap().to_string());
        let location = res.headers().get("location").unwrap().to_str().unwrap().to_string();
        let case: Value = res.json().await.unwrap();
        assert_eq!(case["state"], "intake");
        assert_eq!(case["title"], "Parcel never came");
        assert_eq!(case["priority"], "high", "the category's default");
        assert_eq!(case["tags"], json!(["order-1"]));
        assert_eq!(case["respondent"]["has_account"], Value::Null, "the complainant learns nothing about accounts");
        assert_eq!(case["respondent"]["email"], Value::Null, "the complainant does not see the respondent's address");
        assert_eq!(case["allowed_actions"], json!(["withdraw"]));
        assert_eq!(case["waiting_on"]["who"], "lead");
        let reference = case["reference"].as_str().unwrap();
        let year = chrono::Utc::now().format("%Y").to_string();
        assert!(reference.starts_with(&format!("OMB-{year}-")) && reference.len() == 15, "{reference}");
        assert_eq!(location, format!("/api/v1/cases/{}", case["id"].as_str().unwrap()));
        assert_eq!(etag.as_deref(), Some("\"v1\""));

        let id = case["id"].as_str().unwrap();
        let timeline: Value = app.get(&format!("/cases/{id}/timeline"), &cast.complainant).await.json().await.unwrap();
        let items = timeline["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["kind"], "case_filed");
        assert_eq!(items[0]["actor"]["id"], cast.complainant.id.as_str());

        // The respondent named by email gets access once they have an account.
        let res = app
            .post("/users", &app.admin, json!({"email": "support@shop.example", "name": "Shop Ltd", "password": "shop password 1"}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let token = app.sign_in("support@shop.example", "shop password 1").await;
        let shop = crate::helpers::TestUser { id: String::new(), email: "support@shop.example".into(), token, role: Role::Member };
        let seen: Value = app.case(&shop, id).await;
        assert_eq!(seen["your_party"], "respondent");
        assert_eq!(seen["respondent"]["has_account"], true);
        let staff = app.case(&app.admin, id).await;
        assert_eq!(staff["respondent"]["has_account"], true);
        let mine = app.case(&cast.complainant, id).await;
        assert_eq!(mine["respondent"]["id"], Value::Null);
        assert_eq!(seen["respondent"]["email"], "support@shop.example");
    })
    .await;
}

#[tokio::test]
async fn filing_is_validated_field_by_field() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let res = app
            .post(
                "/cases",
                &cast.complainant,
                json!({
                    "title": "",
                    "description": "x".repeat(20_001),
                    "category": "no-such-category",
                    "tags": ["has space"],
                    "respondent": {"name": "Shop"},
                }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let p = problem(res).await;
        let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["title", "description", "tags[0]", "respondent"]);

        let res = app
            .post(
                "/cases",
                &cast.complainant,
                json!({"title": "t", "description": "d", "category": cast.category, "respondent": {"user_id": cast.complainant.id}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "no complaints against yourself");
        let res = app
            .post(
                "/cases",
                &cast.complainant,
                json!({"title": "t", "description": "d", "category": "missing", "respondent": {"user_id": cast.respondent.id}}),
            )
            .await;
        assert_eq!(problem(res).await["errors"][0]["field"], "category");
        let list: Value = app.get("/cases", &cast.lead).await.json().await.unwrap();
        assert!(list["items"].as_array().unwrap().is_empty(), "nothing was filed");
    })
    .await;
}

#[tokio::test]
async fn each_role_sees_exactly_its_cases() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let intake = case_in(&app, &cast, "intake").await;
        let assigned = case_in(&app, &cast, "assigned").await;
        let ids = |v: Value| -> HashSet<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect()
        };
        let all: HashSet<String> = [intake.clone(), assigned.clone()].into();
        for who in [
            &cast.complainant,
            &cast.respondent,
            &cast.lead,
            &cast.admin,
            &cast.mediator,
        ] {
            assert_eq!(
                ids(app.get("/cases", who).await.json().await.unwrap()),
                all,
                "{:?}",
                who.role
            );
        }
        assert_eq!(
            ids(app
                .get("/cases", &cast.other_mediator)
                .await
                .json()
                .await
                .unwrap()),
            [intake.clone()].into()
        );
        assert!(ids(app.get("/cases", &cast.member).await.json().await.unwrap()).is_empty());
        // Invisible is indistinguishable from missing.
        let res = app.get(&format!("/cases/{assigned}"), &cast.member).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let hidden = problem(res).await;
        let missing = problem(
            app.get(&format!("/cases/{}", uuid::Uuid::now_v7()), &cast.member)
                .await,
        )
        .await;
        assert_eq!(hidden["detail"], missing["detail"]);
        assert_eq!(
            app.get(&format!("/cases/{assigned}/timeline"), &cast.member)
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/cases/{assigned}/messages"), &cast.other_mediator)
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn lists_filter_and_paginate() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let mut filed = Vec::new();
        for _ in 0..5 {
            filed.push(case_in(&app, &cast, "intake").await);
        }
        let assigned = case_in(&app, &cast, "assigned").await;
        // Pages of two, newest first, every case exactly once.
        let mut expected = filed.clone();
        expected.push(assigned.clone());
        expected.reverse();
        assert_eq!(app.every_page(&cast.lead, "/cases", 2).await, expected);

        let only: Value = app
            .get("/cases?state=assigned", &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(only["items"].as_array().unwrap().len(), 1);
        assert_eq!(only["items"][0]["id"], assigned.as_str());
        let by_mediator: Value = app
            .get(
                &format!("/cases?mediator_id={}", cast.mediator.id),
                &cast.lead,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(by_mediator["items"].as_array().unwrap().len(), 1);
        let by_party: Value = app
            .get(
                &format!("/cases?party_id={}", cast.respondent.id),
                &cast.lead,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(by_party["items"].as_array().unwrap().len(), 6);
        let by_category: Value = app
            .get(
                &format!("/cases?category={}&priority=high", cast.category),
                &cast.lead,
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(by_category["items"].as_array().unwrap().len(), 6);
        assert_eq!(by_category["items"][0]["category"], cast.category.as_str());
        let future: Value = app
            .get("/cases?created_after=2999-01-01T00:00:00Z", &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        assert!(future["items"].as_array().unwrap().is_empty());
        let past: Value = app
            .get("/cases?created_before=2000-01-01T00:00:00Z", &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        assert!(past["items"].as_array().unwrap().is_empty());

        for bad in [
            "/cases?limit=0",
            "/cases?limit=101",
            "/cases?cursor=%%%",
            "/cases?state=nonsense",
            "/cases?created_after=yesterday",
        ] {
            let res = app.get(bad, &cast.lead).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
            problem(res).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_mediators_pages_merge_what_each_role_shows_them_once() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        // Theirs as assigned and as ruling mediator (two ways to one case),
        // intake, and a case of another mediator's that they do not see.
        let ruled = case_in(&app, &cast, "ruling").await;
        let intake = case_in(&app, &cast, "intake").await;
        let others = case_in(&app, &cast, "intake").await;
        let to_other = json!({"mediator_id": cast.other_mediator.id});
        app.act_ok(&cast.lead, &others, "assign", to_other).await;
        let assigned = case_in(&app, &cast, "assigned").await;
        let later_intake = case_in(&app, &cast, "intake").await;
        let expected = [later_intake, assigned, intake, ruled];
        for limit in [1, 2, 3, 20] {
            assert_eq!(
                app.every_page(&cast.mediator, "/cases", limit).await,
                expected,
                "pages of {limit}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn an_idempotency_key_takes_an_action_once_however_often_and_however_fast_it_is_retried() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "investigation").await;
        let m = &cast.mediator;
        // A request for information is repeatable: without a key, a retry
        // would ask twice.
        let ask = json!({"party": "respondent", "question": "Do you have the tracking number?",
                         "deadline": (app.clock.now() + chrono::Duration::days(3)).to_rfc3339()});
        let send = |key: &'static str, body: Value| {
            app.client
                .post(app.url(&format!("/cases/{id}/actions/request_info")))
                .bearer_auth(&m.token)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
        };
        let first = send("ask-once-1", ask.clone()).await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        let etag = first.headers()["etag"].clone();
        let first: Value = first.json().await.unwrap();
        let again = send("ask-once-1", ask.clone()).await.unwrap();
        assert_eq!(again.status(), StatusCode::OK);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(
            again.headers()["etag"],
            etag,
            "the first answer, not a new version"
        );
        assert_eq!(again.json::<Value>().await.unwrap(), first);
        // The same key for another body, or another case, is refused.
        let mut other = ask.clone();
        other["question"] = "Something else?".into();
        let res = send("ask-once-1", other).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        problem(res).await;
        // Eight copies of one request at once: one is taken, every copy
        // gets its answer.
        let copies = (0..8).map(|_| send("ask-once-2", ask.clone()));
        let answers = futures_util::future::join_all(copies).await;
        let mut versions = HashSet::new();
        for res in answers {
            let res = res.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            versions.insert(res.headers()["etag"].to_str().unwrap().to_string());
        }
        assert_eq!(versions.len(), 1, "{versions:?}");
        let asked = app
            .timeline(&cast.lead, &id)
            .await
            .into_iter()
            .filter(|e| e["kind"] == "request_info")
            .count();
        assert_eq!(asked, 2, "two keys, two requests");
        // An action on `case` with `key`, `If-Match` if given, and `body`.
        let act = |case: String, action: &str, key: &str, tag: Option<&str>, body: Value| {
            let mut req = app
                .client
                .post(app.url(&format!("/cases/{case}/actions/{action}")))
                .bearer_auth(&m.token)
                .header("Idempotency-Key", key)
                .json(&body);
            if let Some(tag) = tag {
                req = req.header("If-Match", tag);
            }
            req.send()
        };
        // A failed action stores nothing: the same key tries again.
        for _ in 0..2 {
            let res = act(id.clone(), "close", "close-1", None, json!({}))
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CONFLICT);
            assert!(res.headers().get("idempotent-replayed").is_none());
        }
        // The same key and body on another case, or with another
        // `If-Match`, is another request.
        let second = case_in(&app, &cast, "investigation").await;
        let res = act(second, "request_info", "ask-once-1", None, ask.clone())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = act(
            id.clone(),
            "request_info",
            "ask-once-1",
            Some("\"v1\""),
            ask.clone(),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn an_idempotency_key_creates_once_on_every_creating_request() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let closed = case_in(&app, &cast, "closed").await;
        let other = case_in(&app, &cast, "intake").await;
        let slug = format!("idem-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let code = format!("I-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
        // (who, path, body, the same body changed)
        let requests = [
            (&cast.complainant, format!("/cases/{closed}/feedback"),
             json!({"rating": 4}), json!({"rating": 5})),
            (&cast.lead, format!("/cases/{closed}/links"),
             json!({"case_id": other, "kind": "related_to"}),
             json!({"case_id": other, "kind": "duplicate_of"})),
            (&cast.admin, "/categories".to_string(),
             json!({"slug": slug, "name": "Idempotent"}), json!({"slug": slug, "name": "Other"})),
            (&cast.admin, "/service_policies".to_string(),
             json!({"priority": "low", "first_response_minutes": 60, "resolution_minutes": 600}),
             json!({"priority": "low", "first_response_minutes": 90, "resolution_minutes": 600})),
            (&cast.admin, "/rules".to_string(),
             json!({"code": code, "title": {"en": "A rule"}, "text": {"en": "Be fair."}}),
             json!({"code": code, "title": {"en": "A rule"}, "text": {"en": "Be kind."}})),
            (&cast.admin, "/triage_rules".to_string(),
             json!({"name": "Parcels", "conditions": {"keywords": ["parcel"]}, "actions": {"add_tags": ["parcel"]}}),
             json!({"name": "Parcels", "conditions": {"keywords": ["box"]}, "actions": {"add_tags": ["parcel"]}})),
            (&cast.mediator, format!("/mediators/{}/conflicts", cast.mediator.id),
             json!({"user_id": cast.respondent.id, "reason": "A neighbour"}),
             json!({"user_id": cast.respondent.id, "reason": "A cousin"})),
            (&cast.admin, "/webhooks".to_string(),
             json!({"url": "https://hooks.example.org/a", "events": ["*"]}),
             json!({"url": "https://hooks.example.org/b", "events": ["*"]})),
        ];
        for (who, path, body, changed) in requests {
            let send = |b: &Value| {
                app.client
                    .post(app.url(&path))
                    .bearer_auth(&who.token)
                    .header("Idempotency-Key", format!("create-once:{path}"))
                    .json(b)
                    .send()
            };
            let first = send(&body).await.unwrap();
            assert_eq!(first.status(), StatusCode::CREATED, "{path}");
            // Only a case carries an ETag (a rule's `version` is not one).
            assert!(first.headers().get("etag").is_none(), "{path}");
            let first: Value = first.json().await.unwrap();
            // Without the key, most of these would be refused as a
            // duplicate (409) or done twice.
            let again = send(&body).await.unwrap();
            assert_eq!(again.status(), StatusCode::CREATED, "{path}");
            assert_eq!(again.headers()["idempotent-replayed"], "true", "{path}");
            let mut again = again.json::<Value>().await.unwrap();
            let mut first = first;
            if path == "/webhooks" {
                // A secret is shown once: a replay answers it as null.
                assert!(first["secret"].as_str().unwrap().starts_with("whsec_"));
                assert_eq!(again["secret"], Value::Null);
                first["secret"] = Value::Null;
                again["secret"] = Value::Null;
            }
            assert_eq!(again, first, "{path}");
            let res = send(&changed).await.unwrap();
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            problem(res).await;
        }
    })
    .await;
}

#[tokio::test]
async fn an_idempotency_key_files_once() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let body = json!({"title": "t", "description": "d", "category": cast.category, "respondent": {"user_id": cast.respondent.id}});
        let send = |b: Value| {
            app.client
                .post(app.url("/cases"))
                .bearer_auth(&cast.complainant.token)
                .header("Idempotency-Key", "file-once-1")
                .json(&b)
                .send()
        };
        let first = send(body.clone()).await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        let first: Value = first.json().await.unwrap();
        let again = send(body.clone()).await.unwrap();
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
        let location = again.headers().get("location").unwrap().to_str().unwrap().to_string();
        let again: Value = again.json().await.unwrap();
        assert_eq!(first["id"], again["id"]);
        assert_eq!(location, format!("/api/v1/cases/{}", first["id"].as_str().unwrap()));
        let mut other = body.clone();
        other["title"] = "different".into();
        let res = send(other).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let list: Value = app.get("/cases", &cast.complainant).await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "created once");
        // Keys are per user: another user with the same key files their own.
        let res = app
            .client
            .post(app.url("/cases"))
            .bearer_auth(&cast.member.token)
            .header("Idempotency-Key", "file-once-1")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = app.client.post(app.url("/cases")).bearer_auth(&cast.member.token).header("Idempotency-Key", "").json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    })
    .await;
}
