//! Triage rules through the API on both databases: admins write them,
//! every filing runs them in order, what matched is on the timeline for
//! staff only, and tags are a filter.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, on_each_backend, problem};

async fn add_rule(app: &TestApp, body: Value) -> Value {
    let res = app.post("/triage_rules", &app.admin, body.clone()).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    res.json().await.unwrap()
}

async fn file_titled(app: &TestApp, cast: &Cast, category: &str, title: &str) -> Value {
    let res = app
        .post(
            "/cases",
            &cast.complainant,
            json!({"title": title, "description": "What happened.", "category": category,
                   "priority": "low", "respondent": {"user_id": cast.respondent.id}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

#[tokio::test]
async fn rules_set_priority_and_tags_in_any_of_the_four_languages() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let rule = add_rule(
            &app,
            json!({"name": "Lost parcels are urgent", "position": 10,
                   "conditions": {"categories": [cast.category], "keywords": ["parcel", "посылк", "paczk", "包裹"]},
                   "actions": {"set_priority": "urgent", "add_tags": ["lost-parcel"]}}),
        )
        .await;
        assert_eq!(rule["enabled"], true);
        let mut matched = Vec::new();
        for title in ["Посылка не пришла", "Paczka zaginęła", "我的包裹丢了", "Lost PARCEL"] {
            let case = file_titled(&app, &cast, &cast.category, title).await;
            assert_eq!(case["priority"], "urgent", "{title}");
            // Triage's tags are the desk's: the complainant does not see them.
            assert_eq!(case["tags"], json!([]), "{title}");
            assert!(case.get("staff_tags").is_none(), "{case}");
            let id = case["id"].as_str().unwrap().to_string();
            assert_eq!(app.case(&cast.lead, &id).await["staff_tags"], json!(["lost-parcel"]));
            matched.push(id);
        }
        let other = file_titled(&app, &cast, &cast.category, "Refund refused").await;
        assert_eq!(other["priority"], "low");

        // Staff see which rule matched; the parties do not.
        let staff = app.timeline(&cast.lead, &matched[0]).await;
        let triaged = staff.iter().find(|e| e["kind"] == "triaged").expect("triaged");
        assert_eq!(triaged["visibility"], "internal");
        assert_eq!(triaged["data"]["rules"][0]["name"], "Lost parcels are urgent");
        assert_eq!(triaged["data"]["priority"], "urgent");
        let party = app.timeline(&cast.complainant, &matched[0]).await;
        assert!(!party.iter().any(|e| e["kind"] == "triaged"));
        assert!(!app.timeline(&cast.lead, other["id"].as_str().unwrap())
            .await
            .iter()
            .any(|e| e["kind"] == "triaged"));

        // Tags are a filter, with every other filter and order.
        let mut tagged = app.every_page(&cast.lead, "/cases?tag=lost-parcel", 3).await;
        tagged.sort();
        let mut want = matched.clone();
        want.sort();
        assert_eq!(tagged, want);
        let urgent = app
            .every_page(&cast.lead, "/cases?tag=lost-parcel&sort=urgent&priority=urgent", 2)
            .await;
        assert_eq!(urgent.len(), 4);
        assert!(app.every_page(&cast.lead, "/cases?tag=nothing", 3).await.is_empty());
        // A party cannot find their cases by the desk's tags either.
        assert!(app.every_page(&cast.complainant, "/cases?tag=lost-parcel", 3).await.is_empty());
        for bad in ["/cases?tag=Not%20a%20tag", "/cases?tag=%00", "/cases?category=%00"] {
            let res = app.get(bad, &cast.complainant).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
            problem(res).await;
        }

        // A rule switched off no longer runs; removed, it is gone.
        let id = rule["id"].as_str().unwrap();
        let res = app
            .call(
                Method::PUT,
                &format!("/triage_rules/{id}"),
                Some(&app.admin),
                Some(json!({"name": "Lost parcels are urgent", "enabled": false,
                            "conditions": {"keywords": ["parcel"]}, "actions": {"set_priority": "urgent"}})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let kept: Value = res.json().await.unwrap();
        assert_eq!(kept["position"], 10, "a rule keeps its place");
        let case = file_titled(&app, &cast, &cast.category, "Lost parcel").await;
        assert_eq!(case["priority"], "low");
        let res = app
            .call(Method::DELETE, &format!("/triage_rules/{id}"), Some(&app.admin), None)
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = app
            .call(Method::DELETE, &format!("/triage_rules/{id}"), Some(&app.admin), None)
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn rules_run_in_order_hold_cases_and_read_the_complainants_history() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let auto = format!("auto-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let res = app
            .post(
                "/categories",
                &app.admin,
                json!({"slug": auto, "name": "Auto", "auto_assign": true}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        cast.give_profile(&app, &cast.mediator, json!({"capacity": 50}))
            .await;
        // Listed out of order: positions decide.
        add_rule(
            &app,
            json!({"name": "never reached", "position": 30,
                   "actions": {"set_priority": "low", "add_tags": ["late"]}}),
        )
        .await;
        add_rule(
            &app,
            json!({"name": "frequent filers go to a lead", "position": 20,
                   "conditions": {"complainant_history": {"count": 2, "days": 30}},
                   "actions": {"hold_for_lead": true, "add_tags": ["frequent"], "stop": true}}),
        )
        .await;
        add_rule(
            &app,
            json!({"name": "this respondent", "position": 10,
                   "conditions": {"respondents": [cast.respondent.email]},
                   "actions": {"set_priority": "high"}}),
        )
        .await;
        let listed: Value = app
            .get("/triage_rules?limit=10", &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            vec![
                "this respondent",
                "frequent filers go to a lead",
                "never reached"
            ]
        );

        let first = file_titled(&app, &cast, &auto, "One").await;
        let second = file_titled(&app, &cast, &auto, "Two").await;
        for case in [&first, &second] {
            assert_eq!(case["state"], "assigned", "assigned automatically");
            assert_eq!(case["priority"], "low", "the last rule's priority wins");
            let id = case["id"].as_str().unwrap();
            assert_eq!(
                app.case(&cast.lead, id).await["staff_tags"],
                json!(["late"])
            );
        }
        // The third in 30 days: held for a lead, and no rule after it runs.
        let third = file_titled(&app, &cast, &auto, "Three").await;
        assert_eq!(third["state"], "intake");
        assert_eq!(third["priority"], "high");
        let id = third["id"].as_str().unwrap();
        assert_eq!(
            app.case(&cast.lead, id).await["staff_tags"],
            json!(["frequent"])
        );
        let staff = app
            .timeline(&cast.lead, third["id"].as_str().unwrap())
            .await;
        let waiting = staff
            .iter()
            .find(|e| e["kind"] == "awaiting_assignment")
            .unwrap();
        assert_eq!(waiting["data"]["reason"], "held_by_triage");
        let triaged = staff.iter().find(|e| e["kind"] == "triaged").unwrap();
        let ran: Vec<&str> = triaged["data"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(ran, vec!["this respondent", "frequent filers go to a lead"]);
        assert_eq!(triaged["data"]["held"], true);
    })
    .await;
}

#[tokio::test]
async fn a_rule_that_cannot_work_is_refused_by_field_and_only_admins_write() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        for (body, field) in [
            (json!({"name": "x", "actions": {}}), "actions"),
            (json!({"name": "x", "conditions": {"categories": ["no-such"]}, "actions": {"hold_for_lead": true}}), "conditions.categories[0]"),
            (json!({"name": "x", "conditions": {"keywords": [""]}, "actions": {"hold_for_lead": true}}), "conditions.keywords[0]"),
            (json!({"name": "x", "conditions": {"respondents": ["nobody"]}, "actions": {"hold_for_lead": true}}), "conditions.respondents[0]"),
            (json!({"name": "x", "conditions": {"complainant_history": {"count": 0, "days": 30}}, "actions": {"hold_for_lead": true}}), "conditions.complainant_history.count"),
            (json!({"name": "x", "actions": {"add_tags": ["Not a tag"]}}), "actions.add_tags[0]"),
            (json!({"name": " ", "actions": {"hold_for_lead": true}}), "name"),
            (json!({"name": "x", "position": -1, "actions": {"hold_for_lead": true}}), "position"),
        ] {
            let res = app.post("/triage_rules", &app.admin, body.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(problem(res).await["errors"][0]["field"], field, "{body}");
        }
        // Unknown fields in a condition are refused, not ignored.
        let res = app
            .post("/triage_rules", &app.admin, json!({"name": "x", "conditions": {"keyword": ["a"]}, "actions": {"hold_for_lead": true}}))
            .await;
        assert!(res.status().is_client_error());
        problem(res).await;
        let good = json!({"name": "x", "actions": {"hold_for_lead": true}});
        for user in [&cast.lead, &cast.mediator, &cast.member] {
            let res = app.post("/triage_rules", user, good.clone()).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            problem(res).await;
        }
        for user in [&cast.mediator, &cast.member] {
            let res = app.get("/triage_rules", user).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
        }
        let listed: Value = app.get("/triage_rules", &cast.lead).await.json().await.unwrap();
        assert!(listed["items"].as_array().unwrap().is_empty(), "nothing was stored");
    })
    .await;
}
