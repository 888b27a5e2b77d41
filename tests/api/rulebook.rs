//! The rules catalogue through the API on both databases: versions that
//! never change, complaints and rulings that cite them, and the rule an
//! upheld ruling must rest on.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, case_in, on_each_backend, problem};

async fn publish(app: &TestApp, code: &str, en: &str) -> Value {
    let res = app
        .post(
            "/rules",
            &app.admin,
            json!({"code": code, "title": {"en": en, "pl": format!("{en} (pl)")},
                   "text": {"en": format!("{en}: the text."), "pl": "Tekst."}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

#[tokio::test]
async fn rules_are_published_in_versions_anyone_may_read() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        assert_eq!(publish(&app, "R-1", "Be civil").await["version"], 1);
        assert_eq!(
            publish(&app, "R-1", "Be civil and kind").await["version"],
            2
        );
        publish(&app, "R-2", "Deliver what was paid for").await;
        let page: Value = app
            .get("/rules?limit=1", &cast.member)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"][0]["code"], "R-1");
        assert_eq!(page["items"][0]["version"], 2, "the latest version");
        let cursor = page["next_cursor"].as_str().unwrap();
        let next: Value = app
            .get(&format!("/rules?limit=1&cursor={cursor}"), &cast.member)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(next["items"][0]["code"], "R-2");
        assert!(next["next_cursor"].is_null());
        let old: Value = app
            .get("/rules/R-1/versions/1", &cast.member)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(old["title"]["en"], "Be civil");
        let latest: Value = app
            .get("/rules/R-1", &cast.respondent)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(latest["title"]["en"], "Be civil and kind");
        for path in ["/rules/R-9", "/rules/R-1/versions/3"] {
            let res = app.get(path, &cast.member).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
            problem(res).await;
        }
        // Only admins publish; bad input names its field.
        let body = json!({"code": "R-3", "title": {"en": "x"}, "text": {"en": "y"}});
        for user in [&cast.lead, &cast.member] {
            let res = app.post("/rules", user, body.clone()).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            problem(res).await;
        }
        for (body, field) in [
            (
                json!({"code": "R 3", "title": {"en": "x"}, "text": {"en": "y"}}),
                "code",
            ),
            (
                json!({"code": "R-3", "title": {}, "text": {"en": "y"}}),
                "title",
            ),
            (
                json!({"code": "R-3", "title": {"en": "x"}, "text": {"en": " "}}),
                "text.en",
            ),
            (
                json!({"code": "R-3", "title": {"not a tag": "x"}, "text": {"en": "y"}}),
                "title.not a tag",
            ),
        ] {
            let res = app.post("/rules", &app.admin, body.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(problem(res).await["errors"][0]["field"], field, "{body}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_ruling_keeps_the_version_it_cited_and_an_upheld_one_must_cite() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        // Before any rule is published a ruling may uphold without citing.
        let early = case_in(&app, &cast, "investigation").await;
        app.act_ok(&cast.mediator, &early, "issue_ruling", json!({"outcome": "upheld", "rationale": "Paid, not delivered."}))
            .await;
        publish(&app, "R-4.2", "Goods paid for are delivered").await;
        publish(&app, "R-4.2", "Goods paid for are delivered within 14 days").await;

        // A complaint cites the version in force when it is filed.
        let res = app
            .post(
                "/cases",
                &cast.complainant,
                json!({"title": "Parcel", "description": "Never came.", "category": cast.category,
                       "rules_cited": ["R-4.2"], "respondent": {"user_id": cast.respondent.id}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let filed: Value = res.json().await.unwrap();
        assert_eq!(filed["cited_rules"][0]["version"], 2);
        let res = app
            .post(
                "/cases",
                &cast.complainant,
                json!({"title": "Parcel", "description": "Never came.", "category": cast.category,
                       "rules_cited": ["R-4.2", "R-99"], "respondent": {"user_id": cast.respondent.id}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "rules_cited[1]");

        let id = case_in(&app, &cast, "investigation").await;
        let res = app
            .act(&cast.mediator, &id, "issue_ruling", json!({"outcome": "partially_upheld", "rationale": "Late."}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "rules_cited");
        let res = app
            .act(&cast.mediator, &id, "issue_ruling", json!({"outcome": "upheld", "rationale": "Late.", "rules_cited": ["R-5"]}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "rules_cited[0]");
        assert_eq!(app.case(&cast.lead, &id).await["state"], "investigation", "nothing changed");
        let ruled = app
            .act_ok(&cast.mediator, &id, "issue_ruling", json!({"outcome": "upheld", "rationale": "Late.", "rules_cited": ["R-4.2"]}))
            .await;
        let cited = &ruled["ruling"]["cited_rules"][0];
        assert_eq!((cited["code"].clone(), cited["version"].clone()), (json!("R-4.2"), json!(2)));
        assert_eq!(ruled["ruling"]["rules_cited"], json!(["R-4.2"]));

        // A new version never changes what was cited; both parties see it.
        publish(&app, "R-4.2", "Goods are delivered within 7 days").await;
        for party in [&cast.complainant, &cast.respondent] {
            let case = app.case(party, &id).await;
            let cited = &case["ruling"]["cited_rules"][0];
            assert_eq!(cited["version"], 2);
            assert_eq!(cited["title"]["en"], "Goods paid for are delivered within 14 days");
        }
        // Not upheld needs no rule.
        let other = case_in(&app, &cast, "investigation").await;
        app.act_ok(&cast.mediator, &other, "issue_ruling", json!({"outcome": "not_upheld", "rationale": "Delivered."}))
            .await;
        // The parties' mail names the rule and its version.
        let page: Value = app
            .get(&format!("/outbox?case_id={id}&limit=100"), &app.admin)
            .await
            .json()
            .await
            .unwrap();
        let ruling_mail = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["template"] == "ruling_issued")
            .expect("ruling mail");
        let mail: Value = app
            .get(&format!("/outbox/{}", ruling_mail["id"].as_str().unwrap()), &app.admin)
            .await
            .json()
            .await
            .unwrap();
        let text = mail["body_text"].as_str().unwrap();
        assert!(text.contains("R-4.2 (v2): Goods paid for are delivered within 14 days"), "{text}");
    })
    .await;
}
