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

/// Runs the service-level scan in two processes at once (two pools, as
/// two servers would have); returns how many cases each recorded.
async fn scan_twice(app: &TestApp) -> (usize, usize) {
    let settings = std::sync::Arc::new(app.settings.clone());
    let pool =
        || ombud::db::Db::connect(&app.db.url, 2, std::time::Duration::from_secs(5)).unwrap();
    let (a, b) = (pool(), pool());
    let (x, y) = tokio::join!(
        ombud::jobs::service_levels::run_once(&a, &settings, &app.clock),
        ombud::jobs::service_levels::run_once(&b, &settings, &app.clock)
    );
    (x.unwrap(), y.unwrap())
}

/// The service-level entries on a case's timeline, as staff read it.
async fn alerts(app: &TestApp, lead: &TestUser, id: &str) -> Vec<(String, String)> {
    app.timeline(lead, id)
        .await
        .iter()
        .filter(|e| e["kind"].as_str().unwrap().starts_with("service_level"))
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["data"]["target"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn warnings_and_breaches_fire_once_with_two_processes_and_a_breach_escalates() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let category = app.auto_category().await;
        for m in [&cast.mediator, &cast.other_mediator] {
            cast.give_profile(&app, m, json!({"capacity": 5})).await;
        }
        // Round the clock: first answer in an hour, full answer in four,
        // a warning at half of each.
        let res = app
            .post(
                "/service_policies",
                &cast.admin,
                json!({"priority": "normal", "first_response_minutes": 60,
                       "resolution_minutes": 240, "warn_percent": 50}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let case = file(&app, &cast, &category, "normal").await;
        let id = case["id"].as_str().unwrap();
        assert_eq!(case["state"], "assigned");
        let given = case["mediator"]["id"].as_str().unwrap().to_string();
        let (holder, other) = if given == cast.mediator.id {
            (&cast.mediator, &cast.other_mediator)
        } else {
            (&cast.other_mediator, &cast.mediator)
        };
        // Staff are waited on by the first answer's deadline.
        assert_eq!(case["waiting_on"]["deadline"], case["first_response_due"]);
        assert_eq!(case["service_level"]["first_response"], "running");
        assert_eq!(scan_twice(&app).await, (0, 0), "nothing due yet");

        // Half an hour and a minute: the warning on the first answer, once.
        app.clock.advance(Duration::minutes(31));
        let (a, b) = scan_twice(&app).await;
        assert_eq!(a + b, 1, "recorded by one process");
        assert_eq!(
            alerts(&app, &cast.lead, id).await,
            vec![("service_level_warning".into(), "first_response".into())]
        );
        let now = app.case(&cast.lead, id).await;
        assert_eq!(now["service_level"]["first_response"], "warning");
        assert_eq!(now["priority"], "normal");
        // A party sees neither the entry nor the status.
        let theirs = app.case(&cast.complainant, id).await;
        assert!(theirs.get("service_level").is_none());
        assert!(
            !app.timeline(&cast.complainant, id)
                .await
                .iter()
                .any(|e| e["kind"].as_str().unwrap().starts_with("service_level"))
        );
        // The mediator and the lead are told.
        let mail = app.mails_about(&app.admin, id).await;
        for who in [&holder.email, &cast.lead.email] {
            assert!(
                mail.contains(&("sla_warning".into(), who.clone())),
                "{who}: {mail:?}"
            );
        }

        // The deadline passes: the breach, once; the priority goes up one
        // step; the mediator is at work, so keeps the case.
        app.clock.advance(Duration::minutes(30));
        let (a, b) = scan_twice(&app).await;
        assert_eq!(a + b, 1);
        let now = app.case(&cast.lead, id).await;
        assert_eq!(now["service_level"]["first_response"], "breached");
        assert_eq!(now["priority"], "high");
        assert_eq!(now["mediator"]["id"], json!(holder.id));
        let breach = app
            .timeline(&cast.lead, id)
            .await
            .into_iter()
            .find(|e| e["kind"] == "service_level_breached")
            .unwrap();
        assert_eq!(breach["data"]["priority"], "high");
        assert_eq!(breach["data"]["deadline"], case["first_response_due"]);
        assert_eq!(scan_twice(&app).await, (0, 0), "each threshold once");

        // The mediator goes off duty; the full answer's warning (two hours
        // in) is only a warning, its breach (four hours) hands the case on.
        let res = app
            .call(
                reqwest::Method::PUT,
                &format!("/mediators/{}/availability", holder.id),
                Some(holder),
                Some(json!({"on_duty": false})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        app.clock.advance(Duration::minutes(70));
        let (a, b) = scan_twice(&app).await;
        assert_eq!(a + b, 1);
        assert_eq!(
            app.case(&cast.lead, id).await["mediator"]["id"],
            json!(holder.id)
        );
        app.clock.advance(Duration::minutes(120));
        let (a, b) = scan_twice(&app).await;
        assert_eq!(a + b, 1);
        let now = app.case(&cast.lead, id).await;
        assert_eq!(now["priority"], "urgent");
        assert_eq!(now["mediator"]["id"], json!(other.id), "handed on");
        assert_eq!(now["service_level"]["resolution"], "breached");
        assert_eq!(
            alerts(&app, &cast.lead, id).await,
            vec![
                ("service_level_warning".into(), "first_response".into()),
                ("service_level_breached".into(), "first_response".into()),
                ("service_level_warning".into(), "resolution".into()),
                ("service_level_breached".into(), "resolution".into()),
            ]
        );
        assert_eq!(scan_twice(&app).await, (0, 0));
        // Answered late, the first answer is met late.
        app.investigate(&cast, id).await;
        let done = app.case(&cast.lead, id).await;
        assert_eq!(done["service_level"]["first_response"], "met_late");
    })
    .await;
}

#[tokio::test]
async fn lists_filter_and_sort_by_deadline_and_the_queue_puts_the_earliest_first() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let slow = app.category().await;
        let fast = app.category().await;
        for (category, minutes) in [(&slow, 120), (&fast, 30)] {
            let res = app
                .post(
                    "/service_policies",
                    &cast.admin,
                    json!({"priority": "normal", "category": category,
                           "first_response_minutes": minutes, "resolution_minutes": 600}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }
        // Filed first but due later; filed later but due sooner; none.
        let early = file(&app, &cast, &slow, "normal").await;
        app.clock.advance(Duration::minutes(1));
        let soon = file(&app, &cast, &fast, "normal").await;
        let none = file(&app, &cast, &slow, "low").await;
        let ids = |page: &Value| -> Vec<String> {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect()
        };
        let id = |c: &Value| c["id"].as_str().unwrap().to_string();
        let page: Value = app
            .get("/cases?sort=deadline", &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            ids(&page),
            vec![id(&soon), id(&early)],
            "no clock, not listed"
        );
        // Paged one at a time, the same order.
        assert_eq!(
            app.every_page(&cast.lead, "/cases?sort=deadline", 1).await,
            vec![id(&soon), id(&early)]
        );
        // What breaches within the next hour.
        let within = (app.clock.now() + Duration::hours(1)).to_rfc3339();
        let path = format!("/cases?due_before={}", within.replace('+', "%2B"));
        let page: Value = app.get(&path, &cast.lead).await.json().await.unwrap();
        assert_eq!(ids(&page), vec![id(&soon)]);
        // The urgent order and the lead's queue: same priority, the
        // earlier deadline first, a case with none last.
        let page: Value = app
            .get("/cases?sort=urgent&priority=normal", &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(ids(&page), vec![id(&soon), id(&early)]);
        let queue = app.every_page(&cast.lead, "/queue", 10).await;
        let place = |c: &Value| queue.iter().position(|q| *q == id(c)).unwrap();
        assert!(place(&soon) < place(&early), "{queue:?}");
        assert!(place(&early) < place(&none), "{queue:?}");
        // A cursor of another order is refused.
        let res = app
            .get("/cases?sort=deadline&cursor=u:1|2|3|4", &cast.lead)
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        problem(res).await;
    })
    .await;
}

/// `value` is `seconds`, give or take the few seconds the test itself
/// took (the clock runs on between steps).
fn about(value: &Value, seconds: i64) {
    let v = value
        .as_i64()
        .unwrap_or_else(|| panic!("{value} is not a number"));
    assert!((v - seconds).abs() <= 5, "{v} is not about {seconds}");
}

#[tokio::test]
async fn statistics_match_figures_worked_out_by_hand() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let (m, o) = (&cast.mediator, &cast.other_mediator);
        // The bootstrap admin's token lasts an hour; this test spans five.
        let admin = app.user(Role::Admin).await;
        let a = app.category().await;
        let b = app.category().await;
        // Category a: first answer within an hour, full answer within four,
        // round the clock; category b has no service level.
        let res = app
            .post(
                "/service_policies",
                &cast.admin,
                json!({"priority": "normal", "category": a, "first_response_minutes": 60,
                       "resolution_minutes": 240}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let c1 = file(&app, &cast, &a, "normal").await["id"].as_str().unwrap().to_string();
        let c2 = file(&app, &cast, &a, "normal").await["id"].as_str().unwrap().to_string();
        let c3 = file(&app, &cast, &b, "normal").await["id"].as_str().unwrap().to_string();
        for (case, who) in [(&c1, m), (&c2, m), (&c3, o)] {
            app.act_ok(&cast.lead, case, "assign", json!({"mediator_id": who.id}))
                .await;
        }
        let step = |minutes| app.clock.advance(Duration::minutes(minutes));
        step(30);
        app.act_ok(m, &c1, "start_investigation", json!({})).await;
        step(30);
        app.act_ok(o, &c3, "dismiss", json!({"reason": "other", "detail": "Not for us."}))
            .await;
        step(30);
        app.act_ok(m, &c2, "start_investigation", json!({})).await;
        step(30);
        let ruling = json!({"outcome": "upheld", "rationale": "Paid and not delivered."});
        app.act_ok(m, &c1, "issue_ruling", ruling.clone()).await;
        step(180);
        app.act_ok(m, &c2, "issue_ruling", ruling).await;
        let c4 = file(&app, &cast, &a, "normal").await["id"].as_str().unwrap().to_string();
        // c1 is accepted, closed and rated 4 and 2; c2 is appealed and overturned.
        for party in [&cast.complainant, &cast.respondent] {
            app.act_ok(party, &c1, "accept_ruling", json!({})).await;
        }
        app.act_ok(m, &c1, "close", json!({})).await;
        for (party, rating) in [(&cast.complainant, 4), (&cast.respondent, 2)] {
            let res = app
                .post(&format!("/cases/{c1}/feedback"), party, json!({"rating": rating}))
                .await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }
        app.act_ok(&cast.complainant, &c2, "appeal", json!({"grounds": "The receipt was ignored."}))
            .await;
        app.act_ok(
            &cast.lead,
            &c2,
            "decide_appeal",
            json!({"decision": "overturn", "outcome": "not_upheld", "rationale": "Delivered after all."}),
        )
        .await;

        // By hand. First answers: c1 30 min, c3 60 min (its dismissal),
        // c2 90 min; c4 not yet. Median (nearest rank, 2 of 3) 60 min,
        // 90th percentile (3 of 3) 90 min. With a target and decided: c1
        // (met) and c2 (missed); c4's is not due yet. Resolutions: c3 60
        // min, c1 120, c2 300: median 120, 90th 300; c1 met, c2 missed.
        let res = app.get("/statistics", &cast.lead).await;
        assert_eq!(res.status(), StatusCode::OK);
        let s: Value = res.json().await.unwrap();
        assert_eq!(s["filed"], 4);
        assert_eq!(s["by_state"]["closed"], 1);
        assert_eq!(s["by_state"]["follow_up"], 1);
        assert_eq!(s["by_state"]["dismissed"], 1);
        assert_eq!(s["by_state"]["intake"], 1);
        assert_eq!(s["by_state"]["investigation"], 0);
        assert_eq!(s["by_priority"]["normal"], 4);
        assert_eq!(s["by_category"][&a], 3);
        assert_eq!(s["by_category"][&b], 1);
        let fr = &s["first_response"];
        assert_eq!(fr["count"], 3);
        about(&fr["median_seconds"], 3600);
        about(&fr["p90_seconds"], 5400);
        assert_eq!((fr["with_target"].as_i64(), fr["within_target"].as_i64()), (Some(2), Some(1)));
        assert_eq!(fr["share_within_target"], 0.5);
        let res_ = &s["resolution"];
        assert_eq!(res_["count"], 3);
        about(&res_["median_seconds"], 7200);
        about(&res_["p90_seconds"], 18000);
        assert_eq!((res_["with_target"].as_i64(), res_["within_target"].as_i64()), (Some(2), Some(1)));
        // Category a alone: first answers 30 and 90 min (median 1 of 2).
        let cat_a = s["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == json!(a))
            .unwrap();
        assert_eq!(cat_a["filed"], 3);
        about(&cat_a["first_response"]["median_seconds"], 1800);
        about(&cat_a["first_response"]["p90_seconds"], 5400);
        // The backlog: c4 alone is unresolved, filed just now.
        let backlog: Vec<(String, i64)> = s["backlog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["age"].as_str().unwrap().to_string(), b["count"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            backlog,
            vec![
                ("<1d".into(), 1),
                ("1-3d".into(), 0),
                ("3-7d".into(), 0),
                ("7-30d".into(), 0),
                (">30d".into(), 0)
            ]
        );
        // Per mediator. m: c2 still open (follow-up); resolved c1 (2 h
        // after assignment) and c2 (5 h): median 2 h; two rulings, one
        // appealed and overturned; rated 4 and 2. o: c3 resolved an hour
        // after assignment.
        let of = |who: &TestUser| {
            s["mediators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["mediator_id"] == json!(who.id))
                .unwrap_or_else(|| panic!("{} in {}", who.id, s["mediators"]))
                .clone()
        };
        let fm = of(m);
        assert_eq!((fm["open"].as_i64(), fm["resolved"].as_i64()), (Some(1), Some(2)));
        about(&fm["median_handling_seconds"], 7200);
        assert_eq!((fm["rulings"].as_i64(), fm["appealed"].as_i64()), (Some(2), Some(1)));
        assert_eq!(fm["appeal_rate"], 0.5);
        assert_eq!((fm["appeals_decided"].as_i64(), fm["changed_on_appeal"].as_i64()), (Some(1), Some(1)));
        assert_eq!(fm["overturn_rate"], 1.0);
        assert_eq!((fm["ratings"].as_i64(), fm["average_rating"].as_f64()), (Some(2), Some(3.0)));
        let fo = of(o);
        assert_eq!((fo["open"].as_i64(), fo["resolved"].as_i64()), (Some(0), Some(1)));
        about(&fo["median_handling_seconds"], 3600);
        assert_eq!(fo["rulings"], 0);
        assert!(fo["appeal_rate"].is_null() && fo["average_rating"].is_null());

        // One category; a range with nothing in it.
        let one: Value = app
            .get(&format!("/statistics?category={b}"), &cast.lead)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(one["filed"], 1);
        assert_eq!(one["by_state"]["dismissed"], 1);
        let empty: Value = app
            .get("/statistics?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z", &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(empty["filed"], 0, "{empty}");
        assert!(empty["first_response"]["median_seconds"].is_null());

        // CSV, one figure a line.
        let res = app
            .client
            .get(app.url("/statistics"))
            .bearer_auth(&cast.lead.token)
            .header("Accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = res.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "section,key,metric,value");
        assert!(lines.contains(&"cases,,filed,4"), "{csv}");
        assert!(lines.contains(&"first_response,,with_target,2"), "{csv}");
        assert!(lines.contains(&format!("mediator,{},rulings,2", m.id).as_str()), "{csv}");

        // Leads and admins only; a bad range or category is refused.
        for who in [m, &cast.complainant] {
            let res = app.get("/statistics", who).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            problem(res).await;
        }
        for bad in [
            "/statistics?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            "/statistics?category=no-such-category",
            "/statistics?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
        ] {
            let res = app.get(bad, &cast.lead).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
            problem(res).await;
        }
        let _ = c4;
    })
    .await;
}

/// How many of the periods named like `like` (SQL `LIKE`) have fresh
/// statistics totals.
fn fresh_periods(app: &TestApp, like: &str) -> i64 {
    app.count(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM statistics_periods \
         WHERE NOT stale AND period LIKE '{like}'"
    ))
}

/// One scan of the statistics roll-up; how many periods it wrote.
async fn roll_up(app: &TestApp) -> usize {
    let db = ombud::db::Db::connect(&app.db.url, 2, std::time::Duration::from_secs(5)).unwrap();
    ombud::jobs::statistics::run_once(&db, &app.clock)
        .await
        .unwrap()
}

/// The statistics at `url`, but the backlog (which is as of now).
async fn figures(app: &TestApp, url: &str, lead: &TestUser) -> Value {
    let res = app.get(url, lead).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut s: Value = res.json().await.unwrap();
    s.as_object_mut().unwrap().remove("backlog");
    s
}

#[tokio::test]
async fn statistics_read_the_totals_of_ended_days_and_months_until_a_case_of_them_changes() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let m = &cast.mediator;
        let a = app.category().await;
        // Filed at noon tomorrow, far from a day's end.
        let now = app.clock.now();
        let day = now.date_naive() + Duration::days(1);
        app.clock
            .advance(day.and_hms_opt(12, 0, 0).unwrap().and_utc() - now);
        let c1 = file(&app, &cast, &a, "normal").await["id"].as_str().unwrap().to_string();
        let c2 = file(&app, &cast, &a, "normal").await["id"].as_str().unwrap().to_string();
        for case in [&c1, &c2] {
            app.act_ok(&cast.lead, case, "assign", json!({"mediator_id": m.id}))
                .await;
        }
        app.act_ok(m, &c1, "start_investigation", json!({})).await;
        let ruling = json!({"outcome": "upheld", "rationale": "Paid and not delivered."});
        app.act_ok(m, &c1, "issue_ruling", ruling).await;
        for party in [&cast.complainant, &cast.respondent] {
            app.act_ok(party, &c1, "accept_ruling", json!({})).await;
        }
        app.act_ok(m, &c1, "close", json!({})).await;
        // Whole days around the filing.
        let days = format!(
            "/statistics?from={}T00:00:00Z&to={}T00:00:00Z",
            day - Duration::days(1),
            day + Duration::days(3)
        );
        let counted = figures(&app, &days, &cast.lead).await;
        assert_eq!(counted["filed"], 2);
        assert_eq!(counted["by_state"]["closed"], 1);

        // Three days on, the day (and any day before it in its month) is
        // rolled up once, and read instead of its cases, to the same figures.
        app.clock.advance(Duration::days(3));
        assert!(roll_up(&app).await >= 1);
        assert_eq!(fresh_periods(&app, &day.to_string()), 1);
        assert_eq!(roll_up(&app).await, 0, "nothing is rolled up twice");
        assert_eq!(figures(&app, &days, &cast.lead).await, counted);
        // What is read is the totals: changed behind the service's back,
        // the figures follow them.
        app.sql("UPDATE statistics_totals SET n = n + 100 WHERE kind = 1 AND k1 = 'closed'");
        assert_eq!(figures(&app, &days, &cast.lead).await["filed"], 102);
        app.sql("UPDATE statistics_totals SET n = n - 100 WHERE kind = 1 AND k1 = 'closed'");

        // A rating of a case filed that day makes the day stale: its cases
        // are counted again at once, and the scanner rolls it up anew.
        let res = app
            .post(&format!("/cases/{c1}/feedback"), &cast.complainant, json!({"rating": 5}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(fresh_periods(&app, &day.to_string()), 0);
        let rated = figures(&app, &days, &cast.lead).await;
        assert_eq!(rated["mediators"][0]["ratings"], 1, "{rated}");
        // So does a change of state.
        app.act_ok(m, &c2, "dismiss", json!({"reason": "other", "detail": "Not for us."}))
            .await;
        let dismissed = figures(&app, &days, &cast.lead).await;
        assert_eq!(dismissed["by_state"]["dismissed"], 1, "{dismissed}");
        assert_eq!(dismissed["mediators"][0]["ratings"], 1);
        assert!(roll_up(&app).await >= 1);
        assert_eq!(fresh_periods(&app, &day.to_string()), 1);
        assert_eq!(figures(&app, &days, &cast.lead).await, dismissed);

        // Once the month has ended, a range of whole months reads the
        // month's totals, to the same figures.
        let month = day.format("%Y-%m").to_string();
        let first = day - Duration::days(i64::from(chrono::Datelike::day0(&day)));
        let months = format!(
            "/statistics?from={first}T00:00:00Z&to={}T00:00:00Z",
            first + Duration::days(62)
        );
        let before = figures(&app, &months, &cast.lead).await;
        assert_eq!(before["filed"], 2);
        app.clock.advance(Duration::days(45));
        let lead = TestUser {
            token: app.sign_in(&cast.lead.email, crate::helpers::PASSWORD).await,
            ..cast.lead.clone()
        };
        assert!(roll_up(&app).await >= 1);
        assert_eq!(fresh_periods(&app, &month), 1);
        assert_eq!(figures(&app, &months, &lead).await, before);
        app.sql(&format!(
            "UPDATE statistics_totals SET n = n + 100 WHERE kind = 1 AND k1 = 'closed' AND period = '{month}'"
        ));
        assert_eq!(figures(&app, &months, &lead).await["filed"], 102);
    })
    .await;
}

#[tokio::test]
async fn on_postgresql_a_day_is_not_rolled_up_while_a_change_to_its_cases_is_open() {
    // A writer whose trigger ran before the roll-up counted, and which
    // commits after it, would leave the day marked fresh without its
    // change. The roll-up takes the day's lock only when no such writer is
    // open (SQLite has one writer at a time: nothing to show there).
    let Some(backend) = crate::helpers::backends()
        .into_iter()
        .find(|b| *b == crate::helpers::Backend::Postgres)
    else {
        return;
    };
    let app = crate::helpers::spawn_app(backend).await;
    let cast = Cast::new(&app).await;
    let a = app.category().await;
    let now = app.clock.now();
    let day = now.date_naive() + Duration::days(1);
    app.clock
        .advance(day.and_hms_opt(12, 0, 0).unwrap().and_utc() - now);
    let case = file(&app, &cast, &a, "normal").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.clock.advance(Duration::days(3));
    // A change to the case, not yet committed.
    use diesel::connection::SimpleConnection;
    let manager = ombud::db::Manager::new(&app.db.url, std::time::Duration::from_secs(5)).unwrap();
    let mut writer = manager.open().unwrap();
    writer
        .batch_execute(&format!(
            "BEGIN; UPDATE cases SET priority = 'high' WHERE id = '{case}'"
        ))
        .unwrap();
    roll_up(&app).await;
    assert_eq!(
        fresh_periods(&app, &day.to_string()),
        0,
        "rolled up under an open change"
    );
    writer.batch_execute("COMMIT").unwrap();
    assert!(roll_up(&app).await >= 1);
    assert_eq!(fresh_periods(&app, &day.to_string()), 1);
    let s = figures(
        &app,
        &format!(
            "/statistics?from={day}T00:00:00Z&to={}T00:00:00Z",
            day + Duration::days(1)
        ),
        &cast.lead,
    )
    .await;
    assert_eq!(s["by_priority"]["high"], 1, "{s}");
    assert_eq!(s["by_priority"]["normal"], 0, "{s}");
}

/// Records information requests left unanswered, as the deadline scanner does.
async fn lapse_scan(app: &TestApp) -> usize {
    let db = ombud::db::Db::connect(&app.db.url, 2, std::time::Duration::from_secs(5)).unwrap();
    let settings = std::sync::Arc::new(app.settings.clone());
    ombud::jobs::info_requests::run_once(&db, &settings, &app.clock)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_complainant_silent_past_a_final_request_has_the_case_withdrawn_when_the_desk_allows_it()
{
    // Off by default: a request cannot be final.
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = crate::helpers::case_in(&app, &cast, "investigation").await;
        let deadline = (app.clock.now() + Duration::days(2)).to_rfc3339();
        let res = app
            .act(
                &cast.mediator,
                &id,
                "request_info",
                json!({"party": "complainant", "question": "Which order?", "deadline": deadline, "final": true}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(problem(res).await.to_string().contains("auto_withdraw_silent"));
    })
    .await;
    for backend in crate::helpers::backends() {
        let app = crate::helpers::spawn_app_with(backend, |s| s.auto_withdraw_silent = true).await;
        let cast = Cast::new(&app).await;
        // The bootstrap admin's token lasts an hour; this test spans days.
        let admin = app.user(Role::Admin).await;
        let ask = |party: &str, last: bool| {
            json!({"party": party, "question": "Which order?", "final": last,
                   "deadline": (app.clock.now() + Duration::days(2)).to_rfc3339()})
        };
        let id = crate::helpers::case_in(&app, &cast, "investigation").await;
        // Only a request to the complainant can be final.
        let res = app
            .act(&cast.mediator, &id, "request_info", ask("respondent", true))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        problem(res).await;
        // A request that is not final only lapses.
        app.act_ok(
            &cast.mediator,
            &id,
            "request_info",
            ask("complainant", false),
        )
        .await;
        app.clock.advance(Duration::days(3));
        assert_eq!(lapse_scan(&app).await, 1);
        assert_eq!(app.case(&cast.lead, &id).await["state"], "investigation");
        // A final one says so, and once it lapses the desk withdraws the
        // case; one answered in time is just answered.
        let other = crate::helpers::case_in(&app, &cast, "investigation").await;
        for case in [&id, &other] {
            app.act_ok(
                &cast.mediator,
                case,
                "request_info",
                ask("complainant", true),
            )
            .await;
        }
        say(&app, &cast.complainant, &other, "all_parties").await;
        let page: Value = app
            .get(&format!("/outbox?case_id={id}&limit=100"), &admin)
            .await
            .json()
            .await
            .unwrap();
        let asked = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["template"] == "info_requested")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mail: Value = app
            .get(&format!("/outbox/{asked}"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert!(
            mail["body_text"]
                .as_str()
                .unwrap()
                .contains("final request"),
            "{}",
            mail["body_text"]
        );
        app.clock.advance(Duration::hours(47));
        assert_eq!(lapse_scan(&app).await, 0, "not yet");
        app.clock.advance(Duration::hours(2));
        assert_eq!(lapse_scan(&app).await, 1);
        let case = app.case(&cast.lead, &id).await;
        assert_eq!(case["state"], "withdrawn");
        let entries = app.timeline(&cast.complainant, &id).await;
        let withdrawn = entries.iter().find(|e| e["kind"] == "withdraw").unwrap();
        assert!(withdrawn["actor"].is_null());
        assert_eq!(withdrawn["data"]["silent"], true);
        // The withdrawal says why; the mediator is not told the case waits
        // on them (the one lapse recorded is the earlier request's).
        let lapses = entries
            .iter()
            .filter(|e| e["kind"] == "info_request_lapsed");
        assert_eq!(lapses.count(), 1);
        assert_eq!(lapse_scan(&app).await, 0);
        // Answered in time, a final request is just answered.
        assert_eq!(app.case(&cast.lead, &other).await["state"], "investigation");
    }
}
