//! Service levels, on both databases: admins manage the policies; filing
//! sets a case's deadlines from the policy for its priority and category,
//! on that policy's business calendar; the first answer is recorded once.

use chrono::{DateTime, Duration, Utc};
use ombud::domain::Role;
use ombud::domain::calendar::Calendar;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, on_each_backend, problem};

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

async fn file(app: &TestApp, cast: &Cast, category: &str, priority: &str) -> Value {
    let res = app
        .post(
            "/cases",
            &cast.complainant,
            json!({"title": "Order never arrived", "description": "I paid and nothing came.",
                   "category": category, "priority": priority,
                   "respondent": {"user_id": cast.respondent.id}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let filed: Value = res.json().await.unwrap();
    // As stored (PostgreSQL keeps microseconds).
    app.case(&cast.lead, filed["id"].as_str().unwrap()).await
}

async fn say(app: &TestApp, who: &TestUser, case: &str, visibility: &str) {
    let res = app
        .post(
            &format!("/cases/{case}/messages"),
            who,
            json!({"body": "Noted.", "visibility": visibility}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn admins_manage_policies_and_every_rule_is_checked() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let policy = json!({
            "priority": "high", "category": cast.category, "first_response_minutes": 60,
            "resolution_minutes": 960, "hours": "Mon-Fri 09:00-17:00",
            "time_zone": "Europe/Warsaw", "holidays": ["2026-12-25"]
        });
        for (who, status) in [
            (&cast.lead, StatusCode::FORBIDDEN),
            (&cast.mediator, StatusCode::FORBIDDEN),
        ] {
            let res = app.post("/service_policies", who, policy.clone()).await;
            assert_eq!(res.status(), status);
            problem(res).await;
        }
        let with = |patch: Value| {
            let mut p = policy.clone();
            for (k, v) in patch.as_object().unwrap() {
                p[k] = v.clone();
            }
            p
        };
        for bad in [
            with(json!({"resolution_minutes": 30})),
            with(json!({"first_response_minutes": 0})),
            with(json!({"hours": "Funday 09:00-17:00"})),
            with(json!({"time_zone": "Mars/Olympus"})),
            with(json!({"holidays": ["25.12.2026"]})),
            with(json!({"hours": "", "holidays": ["2026-12-25"]})),
            with(json!({"category": "no-such-category"})),
            with(json!({"warn_percent": 100})),
            with(json!({"priority": "whenever"})),
            // An hour a week does not reach a year's target within five years.
            with(json!({"hours": "Mon 09:00-10:00", "resolution_minutes": 527040})),
            with(json!({"hours": "Mon 09:00-24:30"})),
        ] {
            let res = app
                .post("/service_policies", &cast.admin, bad.clone())
                .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            problem(res).await;
        }
        let res = app
            .post("/service_policies", &cast.admin, policy.clone())
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let stored: Value = res.json().await.unwrap();
        assert_eq!(stored["warn_percent"], 75);
        assert_eq!(stored["category"], json!(cast.category));
        let res = app
            .post("/service_policies", &cast.admin, policy.clone())
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CONFLICT,
            "one per priority and category"
        );
        problem(res).await;

        let list: Value = app
            .get("/service_policies", &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let res = app.get("/service_policies", &cast.complainant).await;
        assert!(res.status().is_client_error());
        problem(res).await;

        let id = stored["id"].as_str().unwrap();
        let res = app
            .call(
                reqwest::Method::PUT,
                &format!("/service_policies/{id}"),
                Some(&cast.admin),
                Some(with(json!({"first_response_minutes": 30}))),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.json::<Value>().await.unwrap()["first_response_minutes"],
            30
        );
        for status in [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND] {
            let res = app
                .call(
                    reqwest::Method::DELETE,
                    &format!("/service_policies/{id}"),
                    Some(&cast.admin),
                    None,
                )
                .await;
            assert_eq!(res.status(), status);
        }
    })
    .await;
}

#[tokio::test]
async fn filing_sets_deadlines_on_business_time_and_the_first_answer_counts_once() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let admin = app.user(Role::Admin).await;
        let other_category = app.category().await;
        // High priority: two business hours in Warsaw in the cast's
        // category, one hour round the clock anywhere else.
        for policy in [
            json!({"priority": "high", "category": cast.category, "first_response_minutes": 120,
                   "resolution_minutes": 960, "hours": "Mon-Fri 09:00-17:00",
                   "time_zone": "Europe/Warsaw", "holidays": ["2026-12-25", "2027-01-01"]}),
            json!({"priority": "high", "first_response_minutes": 60, "resolution_minutes": 1440}),
        ] {
            let res = app.post("/service_policies", &admin, policy).await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }

        let own = file(&app, &cast, &cast.category, "high").await;
        let filed = time(&own["created_at"]);
        let warsaw = Calendar::parse(
            "Mon-Fri 09:00-17:00",
            "Europe/Warsaw",
            &["2026-12-25".into(), "2027-01-01".into()],
        )
        .unwrap();
        assert_eq!(
            time(&own["first_response_due"]),
            warsaw.add(filed, Duration::minutes(120)).unwrap()
        );
        assert_eq!(
            time(&own["resolution_due"]),
            warsaw.add(filed, Duration::minutes(960)).unwrap()
        );
        let elsewhere = file(&app, &cast, &other_category, "high").await;
        let filed = time(&elsewhere["created_at"]);
        assert_eq!(
            time(&elsewhere["first_response_due"]),
            filed + Duration::hours(1)
        );
        assert_eq!(
            time(&elsewhere["resolution_due"]),
            filed + Duration::hours(24)
        );
        let none = file(&app, &cast, &cast.category, "low").await;
        assert!(none["first_response_due"].is_null() && none["resolution_due"].is_null());
        // Lists carry the deadlines too.
        let list: Value = app
            .get("/cases?limit=10", &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        let listed = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == own["id"])
            .unwrap()
            .clone();
        assert_eq!(listed["first_response_due"], own["first_response_due"]);

        // The first answer: not a note, not a word to the respondent only,
        // not the complainant's own message; a message the complainant reads.
        let id = own["id"].as_str().unwrap();
        app.act_ok(
            &cast.lead,
            id,
            "assign",
            json!({"mediator_id": cast.mediator.id}),
        )
        .await;
        say(&app, &cast.mediator, id, "internal").await;
        say(&app, &cast.mediator, id, "respondent").await;
        say(&app, &cast.complainant, id, "all_parties").await;
        assert!(app.case(&cast.lead, id).await["first_response_at"].is_null());
        app.clock.advance(Duration::minutes(5));
        say(&app, &cast.mediator, id, "complainant").await;
        let answered = app.case(&cast.lead, id).await["first_response_at"].clone();
        assert!(!answered.is_null());
        app.clock.advance(Duration::minutes(5));
        say(&app, &cast.mediator, id, "all_parties").await;
        assert_eq!(
            app.case(&cast.lead, id).await["first_response_at"],
            answered,
            "once"
        );
        // Or the start of the investigation, whichever is first.
        let other = elsewhere["id"].as_str().unwrap();
        app.investigate(&cast, other).await;
        let started = app.case(&cast.complainant, other).await;
        assert!(!started["first_response_at"].is_null());

        // A policy changed is used by the next filing in this process.
        let list: Value = app
            .get("/service_policies", &admin)
            .await
            .json()
            .await
            .unwrap();
        let wide = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["category"].is_null())
            .unwrap()
            .clone();
        let res = app
            .call(
                reqwest::Method::PUT,
                &format!("/service_policies/{}", wide["id"].as_str().unwrap()),
                Some(&admin),
                Some(json!({"priority": "high", "first_response_minutes": 30, "resolution_minutes": 1440})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let changed = file(&app, &cast, &other_category, "high").await;
        assert_eq!(
            time(&changed["first_response_due"]),
            time(&changed["created_at"]) + Duration::minutes(30)
        );
        // A policy changed or removed later leaves the deadlines cases already have.
        let list: Value = app
            .get("/service_policies", &admin)
            .await
            .json()
            .await
            .unwrap();
        for p in list["items"].as_array().unwrap() {
            let res = app
                .call(
                    reqwest::Method::DELETE,
                    &format!("/service_policies/{}", p["id"].as_str().unwrap()),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(res.status(), StatusCode::NO_CONTENT);
        }
        assert_eq!(
            app.case(&cast.lead, id).await["first_response_due"],
            own["first_response_due"]
        );
        let after = file(&app, &cast, &cast.category, "high").await;
        assert!(
            after["first_response_due"].is_null(),
            "the next filing sees the change"
        );
    })
    .await;
}

#[tokio::test]
async fn waiting_on_a_party_pauses_the_clock_and_the_answer_resumes_it() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let admin = app.user(Role::Admin).await;
        let res = app
            .post(
                "/service_policies",
                &admin,
                json!({"priority": "high", "first_response_minutes": 60, "resolution_minutes": 1440}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let case = file(&app, &cast, &cast.category, "high").await;
        let id = case["id"].as_str().unwrap();
        app.investigate(&cast, id).await;
        let before = app.case(&cast.lead, id).await;
        assert!(before["clock_paused_since"].is_null());

        let deadline = (app.clock.now() + Duration::days(2)).to_rfc3339();
        app.act_ok(
            &cast.mediator,
            id,
            "request_info",
            json!({"party": "complainant", "question": "Which order?", "deadline": deadline}),
        )
        .await;
        let paused = app.case(&cast.lead, id).await;
        assert!(!paused["clock_paused_since"].is_null());
        assert_eq!(paused["resolution_due"], before["resolution_due"], "not yet moved");

        // Three hours later the complainant answers: the full answer is
        // due three hours later than it was (the first was given already).
        app.clock.advance(Duration::hours(3));
        say(&app, &cast.complainant, id, "all_parties").await;
        let resumed = app.case(&cast.lead, id).await;
        assert!(resumed["clock_paused_since"].is_null());
        let moved = time(&resumed["resolution_due"]) - time(&before["resolution_due"]);
        assert!(
            moved >= Duration::hours(3) && moved < Duration::hours(3) + Duration::seconds(30),
            "moved by {moved}"
        );
        assert_eq!(resumed["first_response_due"], before["first_response_due"]);

        // A request left unanswered ends the wait at its deadline, however
        // late the scan records it: two days, not the five that passed.
        let deadline = app.clock.now() + Duration::days(2);
        app.act_ok(
            &cast.mediator,
            id,
            "request_info",
            json!({"party": "complainant", "question": "And the receipt?", "deadline": deadline.to_rfc3339()}),
        )
        .await;
        let asked = app.case(&cast.lead, id).await;
        let paused_at = time(&asked["clock_paused_since"]);
        app.clock.advance(Duration::days(5));
        let db = ombud::db::Db::connect(&app.db.url, 2, std::time::Duration::from_secs(5)).unwrap();
        let settings = std::sync::Arc::new(app.settings.clone());
        assert_eq!(
            ombud::jobs::info_requests::run_once(&db, &settings, &app.clock)
                .await
                .unwrap(),
            1
        );
        let lapsed = app.case(&cast.lead, id).await;
        assert!(lapsed["clock_paused_since"].is_null());
        // As stored: the deadline to the microsecond.
        let wait = time(&lapsed["resolution_due"]) - time(&asked["resolution_due"]);
        let expected = deadline - paused_at;
        assert!(
            (wait - expected).num_milliseconds().abs() <= 1,
            "moved by {wait}, the wait was {expected}"
        );

        // A settlement proposal waits on the parties too.
        app.act_ok(&cast.mediator, id, "propose_settlement", json!({"terms": "Full refund."}))
            .await;
        assert!(!app.case(&cast.lead, id).await["clock_paused_since"].is_null());
        app.act_ok(&cast.complainant, id, "reject_settlement", json!({})).await;
        assert!(app.case(&cast.lead, id).await["clock_paused_since"].is_null());
    })
    .await;
}
