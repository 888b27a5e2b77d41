//! Whole flows: settlement, appeal to another mediator, the appeal window,
//! follow-up started by the system, closing and reopening.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, backends, body_for, case_in, on_each_backend, problem, spawn_app_with};

#[tokio::test]
async fn both_parties_accepting_a_settlement_settles_the_case() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "investigation").await;
        app.act_ok(
            &cast.mediator,
            &id,
            "propose_settlement",
            json!({"terms": "Half refund."}),
        )
        .await;
        let case = app
            .act_ok(
                &cast.complainant,
                &id,
                "reject_settlement",
                json!({"note": "Not enough"}),
            )
            .await;
        assert_eq!(case["settlement"], Value::Null);
        assert_eq!(case["state"], "investigation");
        let res = app
            .act(&cast.respondent, &id, "accept_settlement", json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "nothing open to accept");
        problem(res).await;

        app.act_ok(
            &cast.mediator,
            &id,
            "propose_settlement",
            json!({"terms": "Full refund."}),
        )
        .await;
        let res = app
            .act(&cast.complainant, &id, "accept_settlement", json!({}))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::PRECONDITION_REQUIRED,
            "accepting names the version read"
        );
        problem(res).await;
        // `*` matches any version, so it names none: still 428.
        let res = app
            .act_if_match(&cast.complainant, &id, "accept_settlement", "*")
            .await;
        assert_eq!(res.status(), StatusCode::PRECONDITION_REQUIRED);
        problem(res).await;
        let case = app
            .act_as_read(&cast.complainant, &id, "accept_settlement", json!({}))
            .await;
        assert_eq!(case["state"], "investigation");
        assert_eq!(
            case["allowed_actions"],
            json!(["withdraw"]),
            "nothing more to accept"
        );
        assert_eq!(case["settlement"]["accepted_by_complainant"], true);
        assert_eq!(case["waiting_on"]["who"], "respondent");
        let case = app
            .act_as_read(&cast.respondent, &id, "accept_settlement", json!({}))
            .await;
        assert_eq!(case["state"], "follow_up");
        assert_eq!(
            case["ruling"]["mediator"]["id"],
            cast.mediator.id.as_str(),
            "the mediator, not a party"
        );
        assert_eq!(case["ruling"]["outcome"], "settled");
        assert_eq!(case["ruling"]["kind"], "settlement");
        assert_eq!(case["ruling"]["rationale"], "Full refund.");
        assert_eq!(case["ruling"]["appealable"], false);
    })
    .await;
}

#[tokio::test]
async fn an_appeal_is_decided_by_someone_other_than_the_mediator_who_ruled() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "ruling").await;
        let case = app.act_ok(&cast.respondent, &id, "appeal", json!({"grounds": "Delivered on the 3rd."})).await;
        assert_eq!(case["state"], "appeal");
        assert_eq!(case["appeals"][0]["party"], "respondent");

        let res = app.act(&cast.mediator, &id, "decide_appeal", body_for("decide_appeal", &cast)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "the mediator who ruled");
        let res = app.act(&cast.lead, &id, "assign", json!({"mediator_id": cast.mediator.id})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "cannot be given back to them either");

        app.act_ok(&cast.lead, &id, "assign", json!({"mediator_id": cast.other_mediator.id})).await;
        let res = app
            .act(&cast.other_mediator, &id, "decide_appeal", json!({"decision": "amend", "rationale": "Half was delivered."}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "amend needs an outcome");
        // Upholding keeps the ruling's terms: new ones are refused, not dropped.
        let res = app
            .act(
                &cast.other_mediator,
                &id,
                "decide_appeal",
                json!({"decision": "uphold", "rationale": "It stands.", "sanctions": [{"kind": "warning"}]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "uphold with new terms");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "sanctions", "{problem}");
        assert_eq!(app.case(&cast.lead, &id).await["state"], "appeal", "nothing changed");
        let case = app
            .act_ok(
                &cast.other_mediator,
                &id,
                "decide_appeal",
                json!({"decision": "amend", "rationale": "Half was delivered.", "outcome": "partially_upheld",
                       "remedies": [{"kind": "refund", "description": "Refund half", "due_at": "2030-01-01T00:00:00Z"}]}),
            )
            .await;
        assert_eq!(case["state"], "follow_up");
        assert_eq!(case["ruling"]["kind"], "appeal_decision");
        assert_eq!(case["ruling"]["outcome"], "partially_upheld");
        assert_eq!(case["ruling"]["mediator"]["id"], cast.other_mediator.id.as_str());
        assert_eq!(case["appeals"][0]["decision"], "amend");
    })
    .await;
}

#[tokio::test]
async fn appeals_respect_the_window_finality_and_once_per_party() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        // Window closed.
        let id = case_in(&app, &cast, "ruling").await;
        app.sql(&format!(
            "UPDATE cases SET appeal_deadline = '2000-01-01 00:00:00' WHERE id = '{id}'"
        ));
        let res = app
            .act(&cast.complainant, &id, "appeal", body_for("appeal", &cast))
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(
            problem(res).await["detail"]
                .as_str()
                .unwrap()
                .contains("window")
        );
        // A final ruling.
        let id = case_in(&app, &cast, "investigation").await;
        let case = app
            .act_ok(
                &cast.mediator,
                &id,
                "issue_ruling",
                json!({"outcome": "not_upheld", "rationale": "No evidence.", "appealable": false}),
            )
            .await;
        assert!(!case["allowed_actions"].to_string().contains("appeal"));
        let res = app
            .act(&cast.respondent, &id, "appeal", body_for("appeal", &cast))
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        // Accepting gives up the appeal.
        let id = case_in(&app, &cast, "ruling").await;
        app.act_ok(&cast.complainant, &id, "accept_ruling", json!({}))
            .await;
        let res = app
            .act(&cast.complainant, &id, "appeal", body_for("appeal", &cast))
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        // A ruling needs a valid body; `settled` is not the mediator's to give.
        let id = case_in(&app, &cast, "investigation").await;
        let res = app
            .act(
                &cast.mediator,
                &id,
                "issue_ruling",
                json!({"outcome": "settled", "rationale": "",
                "sanctions": [{"kind": "suspension"}]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let p = problem(res).await;
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["outcome", "rationale", "sanctions[0]"]);
    })
    .await;
}

#[tokio::test]
async fn the_system_starts_follow_up_when_the_appeal_window_closes() {
    for backend in backends() {
        let app = spawn_app_with(backend, |s| {
            s.run_jobs = true;
            s.scan_interval_seconds = 1;
            s.appeal_window_seconds = 3600;
        })
        .await;
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "ruling").await;
        // The window is an hour; it closes when the app's clock says so, not
        // when the machine gets round to it.
        assert_eq!(app.case(&cast.lead, &id).await["state"], "ruling");
        app.clock.advance(chrono::Duration::seconds(3601));
        let started = Instant::now();
        loop {
            let case = app.case(&cast.lead, &id).await;
            if case["state"] == "follow_up" {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "still {} on {backend:?}",
                case["state"]
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let timeline: Value = app
            .get(&format!("/cases/{id}/timeline"), &cast.complainant)
            .await
            .json()
            .await
            .unwrap();
        let entry = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "start_follow_up")
            .cloned()
            .unwrap();
        assert_eq!(entry["actor"], Value::Null, "done by the system");
        assert_eq!(entry["data"]["to"], "follow_up");
    }
}

#[tokio::test]
async fn a_closed_case_can_be_reopened_only_within_the_period() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "closed").await;
        let case = app.case(&cast.complainant, &id).await;
        assert!(case["reopen_until"].is_string());
        assert_eq!(case["waiting_on"], Value::Null);
        let case = app
            .act_ok(
                &cast.lead,
                &id,
                "reopen",
                json!({"reason": "Refund never came."}),
            )
            .await;
        assert_eq!(case["state"], "investigation");
        assert_eq!(case["mediator"]["id"], cast.mediator.id.as_str());

        let id = case_in(&app, &cast, "closed").await;
        app.sql(&format!(
            "UPDATE cases SET closed_at = '2000-01-01 00:00:00' WHERE id = '{id}'"
        ));
        let res = app
            .act(&cast.lead, &id, "reopen", json!({"reason": "Too late."}))
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let res = app.act(&cast.lead, &id, "reopen", json!({})).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "a reason is required"
        );
    })
    .await;
}

#[tokio::test]
async fn a_reopened_case_can_be_ruled_and_appealed_again() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "appeal").await;
        app.act_ok(
            &cast.lead,
            &id,
            "decide_appeal",
            body_for("decide_appeal", &cast),
        )
        .await;
        let case = app.case(&cast.lead, &id).await;
        assert_eq!(
            case["appeal_deadline"],
            Value::Null,
            "no window after the appeal is decided"
        );
        // A follow-up case can be handed to another mediator (e.g. the first left).
        app.act_ok(
            &cast.lead,
            &id,
            "assign",
            json!({"mediator_id": cast.other_mediator.id}),
        )
        .await;
        app.act_ok(&cast.other_mediator, &id, "close", json!({}))
            .await;
        app.act_ok(
            &cast.lead,
            &id,
            "reopen",
            json!({"reason": "New evidence."}),
        )
        .await;
        app.act_ok(
            &cast.other_mediator,
            &id,
            "issue_ruling",
            body_for("issue_ruling", &cast),
        )
        .await;
        let case = app
            .act_ok(&cast.complainant, &id, "appeal", body_for("appeal", &cast))
            .await;
        assert_eq!(
            case["state"], "appeal",
            "a new ruling may be appealed again"
        );
        assert_eq!(case["appeals"].as_array().unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_respondent_without_an_account_is_not_asked_what_they_cannot_answer() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let res = app
            .post(
                "/cases",
                &cast.complainant,
                json!({"title": "t", "description": "d", "category": cast.category,
                       "respondent": {"name": "Nobody Yet", "email": "nobody-yet@example.org"}}),
            )
            .await;
        let id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.act_ok(
            &cast.lead,
            &id,
            "assign",
            json!({"mediator_id": cast.mediator.id}),
        )
        .await;
        app.act_ok(&cast.mediator, &id, "start_investigation", json!({}))
            .await;
        let deadline = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
        let res = app
            .act(
                &cast.mediator,
                &id,
                "request_info",
                json!({"party": "respondent", "question": "?", "deadline": deadline}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = app
            .act(
                &cast.mediator,
                &id,
                "propose_settlement",
                json!({"terms": "Refund."}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;
    })
    .await;
}
