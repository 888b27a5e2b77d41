//! The mediation desk through the API on both databases: mediator profiles
//! and conflicts, automatic assignment on filing and on appeal, claims,
//! the leads told of work waiting for them, and capacity under concurrent
//! filings (several processes on PostgreSQL).

use ombud::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, Cast, TestApp, TestUser, body_for, on_each_backend, problem};

async fn put(app: &TestApp, path: &str, user: &TestUser, body: Value) -> reqwest::Response {
    app.call(Method::PUT, path, Some(user), Some(body)).await
}

/// Files a case in `category` by `who` against the cast's respondent.
async fn file(app: &TestApp, cast: &Cast, who: &TestUser, category: &str) -> Value {
    app.file_case(who, &cast.respondent, category).await
}

/// The mail written for case `id`, as (recipient, template) pairs.
async fn mail_of(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let res = app
        .get(&format!("/outbox?case_id={id}&limit=100"), &app.admin)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = res.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["recipient_email"].as_str().unwrap().to_string(),
                m["template"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The user ids of `GET /mediators?{query}`, one per page.
async fn mediators(app: &TestApp, user: &TestUser, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let res = app
            .get(&format!("/mediators?{query}limit=1{cursor}"), user)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 1);
        ids.extend(
            items
                .iter()
                .map(|m| m["user_id"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return ids,
        }
    }
}

/// Starts `n` filings at once in `category` by the cast's complainant,
/// the `i`th sent to `bases[i % bases.len()]` (server addresses); the
/// handles answer with each filed case.
fn file_at_once(
    app: &TestApp,
    cast: &Cast,
    category: &str,
    bases: &[String],
    n: usize,
) -> tokio::task::JoinSet<Value> {
    let mut filings = tokio::task::JoinSet::new();
    for i in 0..n {
        let (client, base, token, category, respondent) = (
            app.client.clone(),
            bases[i % bases.len()].clone(),
            cast.complainant.token.clone(),
            category.to_string(),
            cast.respondent.id.clone(),
        );
        filings.spawn(async move {
            let res = client
                .post(format!("{base}/api/v1/cases"))
                .bearer_auth(token)
                .json(
                    &json!({"title": format!("At once {i}"), "description": "At once.",
                              "category": category, "respondent": {"user_id": respondent}}),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            res.json::<Value>().await.unwrap()
        });
    }
    filings
}

/// The latest staff-only `awaiting_assignment` entry on case `id`.
async fn waiting_entry(app: &TestApp, lead: &TestUser, id: &str) -> Value {
    app.timeline(lead, id)
        .await
        .into_iter()
        .rfind(|e| e["kind"] == "awaiting_assignment")
        .expect("an awaiting_assignment entry")
}

/// Who was mailed that case `id` waits for a lead.
async fn told_of(app: &TestApp, id: &str) -> Vec<String> {
    mail_of(app, id)
        .await
        .into_iter()
        .filter(|(_, t)| t == "awaiting_assignment")
        .map(|(to, _)| to)
        .collect()
}

/// Sets how `user` hears of cases waiting for a lead.
async fn set_desk_mail(app: &TestApp, user: &TestUser, how: &str) {
    let res = app
        .call(
            Method::PATCH,
            &format!("/users/{}", user.id),
            Some(user),
            Some(json!({"desk_mail": how})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["desk_mail"], how);
}

#[tokio::test]
async fn leads_manage_profiles_and_mediators_their_own_availability() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let path = format!("/mediators/{}", cast.mediator.id);
        let res = put(
            &app,
            &path,
            &cast.lead,
            json!({"skills": [cast.category], "languages": ["pl", "en-GB"], "capacity": 2}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let view: Value = res.json().await.unwrap();
        assert_eq!(view["skills"], json!([cast.category]));
        assert_eq!(view["languages"], json!(["pl", "en-GB"]));
        assert_eq!(
            (view["load"].clone(), view["available"].clone()),
            (json!(0), json!(true))
        );
        cast.give_profile(&app, &cast.other_mediator, json!({"capacity": 5}))
            .await;

        // A mediator reads their own profile and sets their availability, nothing more.
        assert_eq!(
            app.get(&path, &cast.mediator).await.status(),
            StatusCode::OK
        );
        let res = put(&app, &path, &cast.mediator, json!({"capacity": 50})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        problem(res).await;
        let away = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        let res = put(
            &app,
            &format!("{path}/availability"),
            &cast.mediator,
            json!({"on_duty": true, "absent_until": away}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["available"], false);
        let other = format!("/mediators/{}", cast.other_mediator.id);
        for (res, status) in [
            (
                put(
                    &app,
                    &format!("{other}/availability"),
                    &cast.mediator,
                    json!({"on_duty": false}),
                )
                .await,
                StatusCode::FORBIDDEN,
            ),
            (app.get(&other, &cast.mediator).await, StatusCode::FORBIDDEN),
            (
                app.get("/mediators", &cast.mediator).await,
                StatusCode::FORBIDDEN,
            ),
            (app.get(&other, &cast.member).await, StatusCode::NOT_FOUND),
            (
                app.get(&format!("/mediators/{}", cast.member.id), &cast.lead)
                    .await,
                StatusCode::NOT_FOUND,
            ),
        ] {
            assert_eq!(res.status(), status);
            problem(res).await;
        }
        // The lead's list, page by page, whole and by availability.
        let mut both = vec![cast.mediator.id.clone(), cast.other_mediator.id.clone()];
        both.sort();
        assert_eq!(mediators(&app, &cast.lead, "").await, both);
        assert_eq!(
            mediators(&app, &cast.lead, "available=false&").await,
            vec![cast.mediator.id.clone()]
        );
        assert_eq!(
            mediators(&app, &cast.lead, "available=true&").await,
            vec![cast.other_mediator.id.clone()]
        );

        // Bad input is answered with the field, and stores nothing.
        for (body, field) in [
            (json!({"capacity": -1}), "capacity"),
            (json!({"capacity": 1001}), "capacity"),
            (
                json!({"capacity": 3, "skills": ["no-such-category"]}),
                "skills[0]",
            ),
            (
                json!({"capacity": 3, "languages": ["not a language"]}),
                "languages[0]",
            ),
        ] {
            let res = put(&app, &other, &cast.lead, body.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(problem(res).await["errors"][0]["field"], field, "{body}");
        }
        assert_eq!(
            app.get(&other, &cast.lead)
                .await
                .json::<Value>()
                .await
                .unwrap()["capacity"],
            5
        );
        let res = put(
            &app,
            &format!("/mediators/{}", cast.member.id),
            &cast.lead,
            json!({"capacity": 3}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "user_id");
        let res = put(
            &app,
            &format!("/mediators/{}", uuid::Uuid::now_v7()),
            &cast.lead,
            json!({"capacity": 3}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn conflicts_are_declared_by_the_mediator_and_withdrawn_by_a_lead() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let path = format!("/mediators/{}/conflicts", cast.mediator.id);
        let declare = json!({"user_id": cast.complainant.id, "reason": "My neighbour"});
        let res = app.post(&path, &cast.mediator, declare.clone()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let view: Value = res.json().await.unwrap();
        assert_eq!(view["declared_by"], cast.mediator.id.as_str());
        let res = app.post(&path, &cast.mediator, declare).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;
        for (body, field) in [
            (
                json!({"user_id": cast.mediator.id, "reason": "me"}),
                "user_id",
            ),
            (
                json!({"user_id": uuid::Uuid::now_v7(), "reason": "who"}),
                "user_id",
            ),
            (
                json!({"user_id": cast.respondent.id, "reason": "  "}),
                "reason",
            ),
        ] {
            let res = app.post(&path, &cast.mediator, body.clone()).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(problem(res).await["errors"][0]["field"], field, "{body}");
        }
        let res = app.get(&path, &cast.lead).await;
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(page["items"][0]["reason"], "My neighbour");

        // A lead may not give them a case naming that user.
        let case = file(&app, &cast, &cast.complainant, &cast.category).await;
        let id = case["id"].as_str().unwrap();
        let res = app
            .act(
                &cast.lead,
                id,
                "assign",
                json!({"mediator_id": cast.mediator.id}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "mediator_id");
        assert_eq!(app.case(&cast.lead, id).await["state"], "intake");

        // Only a lead or an admin withdraws it.
        let one = format!("{path}/{}", cast.complainant.id);
        let res = app
            .call(Method::DELETE, &one, Some(&cast.mediator), None)
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        problem(res).await;
        let res = app.call(Method::DELETE, &one, Some(&cast.lead), None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = app.call(Method::DELETE, &one, Some(&cast.lead), None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        app.act_ok(
            &cast.lead,
            id,
            "assign",
            json!({"mediator_id": cast.mediator.id}),
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn a_new_case_goes_to_the_eligible_mediator_with_the_lowest_load() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let category = app.auto_category().await;
        let (a, b) = (&cast.mediator, &cast.other_mediator);
        let away = app.user(Role::Mediator).await;
        let unskilled = app.user(Role::Mediator).await;
        let conflicted = app.user(Role::Mediator).await;
        cast.give_profile(&app, a, json!({"capacity": 5})).await;
        cast.give_profile(&app, b, json!({"capacity": 5, "skills": [category]}))
            .await;
        cast.give_profile(
            &app,
            &unskilled,
            json!({"capacity": 5, "skills": [cast.category]}),
        )
        .await;
        let later = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
        cast.give_profile(&app, &away, json!({"capacity": 5, "absent_until": later}))
            .await;
        cast.give_profile(&app, &conflicted, json!({"capacity": 5}))
            .await;
        let res = app
            .post(
                &format!("/mediators/{}/conflicts", conflicted.id),
                &conflicted,
                json!({"user_id": cast.complainant.id, "reason": "Cousin"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);

        // Filed one after another, the cases alternate between the two
        // eligible mediators: the lower load, then the longer idle.
        let mut given = Vec::new();
        for _ in 0..4 {
            let case = file(&app, &cast, &cast.complainant, &category).await;
            assert_eq!(case["state"], "assigned", "{case}");
            given.push(case["mediator"]["id"].as_str().unwrap().to_string());
        }
        let mut seen = given.clone();
        seen.sort();
        let mut want = vec![a.id.clone(), a.id.clone(), b.id.clone(), b.id.clone()];
        want.sort();
        assert_eq!(seen, want, "two each: {given:?}");
        assert_ne!(given[0], given[1]);
        assert_eq!((&given[0], &given[1]), (&given[2], &given[3]));
        for m in [a, b] {
            let view: Value = app
                .get(&format!("/mediators/{}", m.id), &cast.lead)
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(view["load"], 2);
        }

        // The timeline names the desk as the one who assigned, and the
        // mediator is told; the leads are not (nothing waits for them).
        let id = file(&app, &cast, &cast.complainant, &category).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let entries = app.timeline(&cast.complainant, &id).await;
        let auto = entries
            .iter()
            .find(|e| e["kind"] == "auto_assign")
            .expect("auto_assign");
        assert!(auto["actor"].is_null());
        assert_eq!(auto["data"]["from"], "intake");
        let mail = mail_of(&app, &id).await;
        assert!(mail.iter().any(|(_, t)| t == "assigned"), "{mail:?}");
        assert!(
            !mail.iter().any(|(_, t)| t == "awaiting_assignment"),
            "{mail:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_case_in_the_complainants_language_goes_to_someone_who_speaks_it() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let category = app.auto_category().await;
        cast.give_profile(
            &app,
            &cast.mediator,
            json!({"capacity": 5, "languages": ["en"]}),
        )
        .await;
        cast.give_profile(
            &app,
            &cast.other_mediator,
            json!({"capacity": 5, "languages": ["pl"]}),
        )
        .await;
        for _ in 0..2 {
            let res = app
                .post(
                    "/cases",
                    &cast.complainant,
                    json!({"title": "Paczka", "description": "Nie doszła.", "category": category,
                           "language": "pl-PL", "respondent": {"user_id": cast.respondent.id}}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::CREATED);
            let case: Value = res.json().await.unwrap();
            assert_eq!(case["mediator"]["id"], cast.other_mediator.id.as_str());
        }
    })
    .await;
}

#[tokio::test]
async fn a_case_nobody_can_take_waits_and_the_leads_are_told() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let category = app.auto_category().await;
        // The only mediator is full after one case.
        cast.give_profile(&app, &cast.mediator, json!({"capacity": 1}))
            .await;
        let first = file(&app, &cast, &cast.complainant, &category).await;
        assert_eq!(first["state"], "assigned");
        let second = file(&app, &cast, &cast.complainant, &category).await;
        assert_eq!(second["state"], "intake");
        let id = second["id"].as_str().unwrap();
        // Staff see why; the parties do not.
        let waiting = waiting_entry(&app, &cast.lead, id).await;
        assert_eq!(waiting["data"]["reason"], "nobody_available");
        assert_eq!(waiting["visibility"], "internal");
        let party = app.timeline(&cast.complainant, id).await;
        assert!(!party.iter().any(|e| e["kind"] == "awaiting_assignment"));
        // Every lead who wants a mail per case got one (admins opt in).
        let told = told_of(&app, id).await;
        assert_eq!(told, vec![cast.lead.email.clone()]);
        // It is on the lead's queue.
        let queue = app.every_page(&cast.lead, "/queue", 50).await;
        assert!(queue.contains(&id.to_string()));

        // A lead who chose the digest is not mailed per case; an admin who
        // opted in is, and a category assigned by hand says so.
        set_desk_mail(&app, &app.admin, "each").await;
        set_desk_mail(&app, &cast.lead, "digest").await;
        let manual = file(&app, &cast, &cast.complainant, &cast.category).await;
        let id = manual["id"].as_str().unwrap();
        let told = told_of(&app, id).await;
        assert_eq!(told, vec![app.admin.email.clone()]);
        let waiting = waiting_entry(&app, &cast.lead, id).await;
        assert_eq!(waiting["data"]["reason"], "not_automatic");
    })
    .await;
}

#[tokio::test]
async fn an_appeal_goes_to_someone_other_than_the_mediator_who_ruled() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let category = app.auto_category().await;
        cast.give_profile(&app, &cast.mediator, json!({"capacity": 5}))
            .await;
        let case = file(&app, &cast, &cast.complainant, &category).await;
        let id = case["id"].as_str().unwrap().to_string();
        assert_eq!(case["mediator"]["id"], cast.mediator.id.as_str());
        app.act_ok(&cast.mediator, &id, "start_investigation", json!({}))
            .await;
        app.act_ok(
            &cast.mediator,
            &id,
            "issue_ruling",
            body_for("issue_ruling", &cast),
        )
        .await;
        // Nobody else can take it yet: the appeal waits for a lead.
        let appealed = app
            .act_ok(&cast.respondent, &id, "appeal", body_for("appeal", &cast))
            .await;
        assert_eq!(appealed["state"], "appeal");
        let waiting = waiting_entry(&app, &cast.lead, &id).await;
        assert_eq!(waiting["data"]["appeal"], true);

        // Once someone else can, the next appeal goes to them by itself.
        cast.give_profile(&app, &cast.other_mediator, json!({"capacity": 5}))
            .await;
        let case = file(&app, &cast, &cast.complainant, &category).await;
        let id = case["id"].as_str().unwrap().to_string();
        let ruler = case["mediator"]["id"].as_str().unwrap().to_string();
        let ruler = if ruler == cast.mediator.id {
            &cast.mediator
        } else {
            &cast.other_mediator
        };
        app.act_ok(ruler, &id, "start_investigation", json!({}))
            .await;
        app.act_ok(ruler, &id, "issue_ruling", body_for("issue_ruling", &cast))
            .await;
        let appealed = app
            .act_ok(&cast.complainant, &id, "appeal", body_for("appeal", &cast))
            .await;
        assert_eq!(appealed["state"], "appeal");
        let reviewer = appealed["mediator"]["id"].as_str().unwrap();
        assert_ne!(reviewer, ruler.id.as_str());
        let reviewer = if reviewer == cast.mediator.id {
            &cast.mediator
        } else {
            &cast.other_mediator
        };
        let decided = app
            .act_ok(
                reviewer,
                &id,
                "decide_appeal",
                body_for("decide_appeal", &cast),
            )
            .await;
        assert_eq!(decided["state"], "follow_up");
    })
    .await;
}

#[tokio::test]
async fn a_mediator_claims_an_unassigned_case_only_if_eligible() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let case = file(&app, &cast, &cast.complainant, &cast.category).await;
        let id = case["id"].as_str().unwrap().to_string();
        let claim = |user: TestUser| {
            let (app, id) = (&app, id.clone());
            async move { app.act(&user, &id, "claim", json!({})).await }
        };
        // No profile, a skill that does not match, at capacity: each says why.
        let res = claim(cast.mediator.clone()).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(
            problem(res).await["detail"]
                .as_str()
                .unwrap()
                .contains("profile")
        );
        let other = app.category().await;
        cast.give_profile(
            &app,
            &cast.mediator,
            json!({"capacity": 1, "skills": [other]}),
        )
        .await;
        let res = claim(cast.mediator.clone()).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(
            problem(res).await["detail"]
                .as_str()
                .unwrap()
                .contains("skills")
        );
        cast.give_profile(&app, &cast.mediator, json!({"capacity": 0}))
            .await;
        let res = claim(cast.mediator.clone()).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(
            problem(res).await["detail"]
                .as_str()
                .unwrap()
                .contains("capacity")
        );
        // Admins configure; they do not take cases. Parties never do.
        let res = claim(app.admin.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        problem(res).await;
        assert_eq!(app.case(&cast.lead, &id).await["state"], "intake");

        cast.give_profile(&app, &cast.mediator, json!({"capacity": 1}))
            .await;
        let res = claim(cast.mediator.clone()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let case: Value = res.json().await.unwrap();
        assert_eq!(case["state"], "assigned");
        assert_eq!(case["mediator"]["id"], cast.mediator.id.as_str());
        let entries = app.timeline(&cast.complainant, &id).await;
        assert!(entries.iter().any(|e| e["kind"] == "claim"));
        // A claimed case cannot be claimed again: another mediator no longer
        // sees it, and a lead is told it is not in intake.
        cast.give_profile(&app, &cast.other_mediator, json!({"capacity": 1}))
            .await;
        let res = claim(cast.other_mediator.clone()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        problem(res).await;
        cast.give_profile(&app, &cast.lead, json!({"capacity": 1}))
            .await;
        let res = claim(cast.lead.clone()).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;
    })
    .await;
}

/// A second server process on the app's database, as another instance
/// behind a load balancer would be; returns its address.
async fn second_process(app: &TestApp) -> String {
    let built =
        ombud::startup::Application::build_with_clock(app.settings.clone(), app.clock.clone())
            .expect("second process builds");
    let address = format!("http://127.0.0.1:{}", built.port());
    tokio::spawn(built.run_until_stopped());
    address
}

#[tokio::test]
async fn concurrent_filings_never_push_a_mediator_past_capacity() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        cast.quiet_desk(&app).await;
        let category = app.auto_category().await;
        cast.give_profile(&app, &cast.mediator, json!({"capacity": 3}))
            .await;
        cast.give_profile(&app, &cast.other_mediator, json!({"capacity": 2}))
            .await;
        // On PostgreSQL half of the filings go to another process.
        let other = match app.backend {
            Backend::Postgres => Some(second_process(&app).await),
            Backend::Sqlite => None,
        };
        let mut bases = vec![app.address.clone()];
        bases.extend(other);
        let filings = file_at_once(&app, &cast, &category, &bases, 16);
        let cases: Vec<Value> = filings.join_all().await;
        let count = |who: &TestUser| {
            cases
                .iter()
                .filter(|c| c["mediator"]["id"] == who.id.as_str())
                .count()
        };
        assert_eq!(
            (count(&cast.mediator), count(&cast.other_mediator)),
            (3, 2),
            "on {:?}",
            app.backend
        );
        let waiting = cases.iter().filter(|c| c["state"] == "intake").count();
        assert_eq!(waiting, 11);
        for (m, cap) in [(&cast.mediator, 3), (&cast.other_mediator, 2)] {
            let view: Value = app
                .get(&format!("/mediators/{}", m.id), &cast.lead)
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(view["load"], cap);
        }
    })
    .await;
}

/// One look of the digest job against the app's database.
async fn digest(app: &TestApp) -> usize {
    let db = ombud::db::Db::connect(
        &app.settings.database_url,
        2,
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let settings = std::sync::Arc::new(app.settings.clone());
    ombud::jobs::digest::run_once(&db, &settings, &app.clock)
        .await
        .unwrap()
}

/// The ids of the digests in the outbox, all to `lead` and about no case.
async fn digest_ids(app: &TestApp, reader: &TestUser, lead: &str) -> Vec<String> {
    let res = app.get("/outbox?limit=100", reader).await;
    let page: Value = res.json().await.unwrap();
    assert!(page["items"].is_array(), "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["template"] == "desk_digest")
        .map(|m| {
            assert_eq!(m["recipient_email"], lead);
            assert!(m["case_id"].is_null());
            m["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_lead_who_chose_the_digest_gets_one_mail_per_period_while_cases_wait() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        // The bootstrap admin's token lasts an hour; this test moves the clock on.
        let reader = app.user(Role::Admin).await;
        set_desk_mail(&app, &cast.lead, "digest").await;
        // Nothing waits: no digest, and no period used up.
        assert_eq!(digest(&app).await, 0);
        let first = file(&app, &cast, &cast.complainant, &cast.category).await;
        // So the first case to wait is told at the next look…
        assert_eq!(digest(&app).await, 1);
        let second = file(&app, &cast, &cast.complainant, &cast.category).await;
        // …and then not again within the period.
        assert_eq!(digest(&app).await, 0);
        app.clock.advance(chrono::Duration::minutes(61));
        // Two processes looking at once write one digest between them.
        let (a, b) = tokio::join!(digest(&app), digest(&app));
        assert_eq!(a + b, 1);
        let ids = digest_ids(&app, &reader, &cast.lead.email).await;
        assert_eq!(ids.len(), 2);
        // The outbox lists newest first: the digest of both cases.
        let mail: Value = app
            .get(&format!("/outbox/{}", ids[0]), &reader)
            .await
            .json()
            .await
            .unwrap();
        let text = mail["body_text"].as_str().unwrap();
        for case in [&first, &second] {
            assert!(text.contains(case["reference"].as_str().unwrap()), "{text}");
        }
        assert!(
            mail["mail"]["subject"]
                .as_str()
                .unwrap()
                .starts_with("2 cases"),
            "{mail}"
        );
        assert!(text.contains("lead of the Ombud desk"), "{text}");
        // Once nothing waits, the next period sends nothing.
        for case in [&first, &second] {
            let id = case["id"].as_str().unwrap();
            app.act_ok(
                &cast.lead,
                id,
                "assign",
                json!({"mediator_id": cast.mediator.id}),
            )
            .await;
        }
        app.clock.advance(chrono::Duration::minutes(61));
        assert_eq!(digest(&app).await, 0);
        assert_eq!(digest_ids(&app, &reader, &cast.lead.email).await.len(), 2);
    })
    .await;
}

/// Holds `user`'s profile row locked (as a filing that chose them would)
/// from another PostgreSQL connection until `release` is sent.
fn hold_profile_lock(
    url: String,
    user: String,
) -> (std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    use diesel::connection::SimpleConnection;
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let (held, is_held) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let manager = ombud::db::Manager::new(&url, std::time::Duration::from_secs(5)).unwrap();
        let mut conn = manager.open().unwrap();
        conn.batch_execute(&format!(
            "BEGIN; SELECT 1 FROM mediator_profiles WHERE user_id = '{user}' FOR UPDATE"
        ))
        .unwrap();
        held.send(()).unwrap();
        let _ = wait.recv();
        conn.batch_execute("COMMIT").unwrap();
    });
    is_held.recv().unwrap();
    (release, thread)
}

/// How many sessions of the app's database wait for a lock.
fn waiting_on_locks(app: &TestApp) -> i64 {
    app.count(
        "SELECT count(*) AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
}

#[tokio::test]
async fn a_burst_of_filings_is_spread_by_load_not_piled_on_one_mediator() {
    // Filings that read the ranking at the same moment all choose the same
    // person; on PostgreSQL they then queue for that person's profile lock.
    // The test makes that moment certain: it holds the lock of the mediator
    // everyone ranks first until every filing waits for it. (On SQLite
    // writers take turns, so each filing ranks what the one before it
    // committed; `a_new_case_goes_to_…` covers that.)
    let Some(app) = crate::helpers::backends()
        .into_iter()
        .find(|b| *b == Backend::Postgres)
    else {
        return;
    };
    // Room in the pool for every filing at once, and time for them to wait.
    let app = crate::helpers::spawn_app_with(app, |s| {
        s.db_pool_size = 8;
        s.db_timeout_seconds = 60;
    })
    .await;
    let cast = Cast::new(&app).await;
    cast.quiet_desk(&app).await;
    let category = app.auto_category().await;
    for m in [&cast.mediator, &cast.other_mediator] {
        cast.give_profile(&app, m, json!({"capacity": 50})).await;
    }
    let first = std::cmp::min(&cast.mediator.id, &cast.other_mediator.id).clone();
    let (release, holder) = hold_profile_lock(app.db.url.clone(), first.clone());
    let burst = 6;
    let filings = file_at_once(
        &app,
        &cast,
        &category,
        std::slice::from_ref(&app.address),
        burst,
    );
    let started = std::time::Instant::now();
    while waiting_on_locks(&app) < burst as i64 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the filings never all waited for the lock"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    release.send(()).unwrap();
    holder.join().unwrap();
    let cases: Vec<Value> = filings.join_all().await;
    let to_first = cases
        .iter()
        .filter(|c| c["mediator"]["id"] == first.as_str())
        .count();
    assert_eq!(
        to_first, 3,
        "{to_first} of {burst} went to one of two equal mediators"
    );
}

/// The plain text of the acknowledgement written for case `id`.
async fn acknowledgement(app: &TestApp, reader: &TestUser, id: &str) -> String {
    let page: Value = app
        .get(&format!("/outbox?case_id={id}&limit=100"), reader)
        .await
        .json()
        .await
        .unwrap();
    let ack = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["template"] == "acknowledgement")
        .expect("an acknowledgement");
    let mail: Value = app
        .get(&format!("/outbox/{}", ack["id"].as_str().unwrap()), reader)
        .await
        .json()
        .await
        .unwrap();
    mail["body_text"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_acknowledgement_says_what_happens_next_when_to_expect_an_answer_and_when_the_desk_opens()
 {
    // The desk opens tomorrow only, so it is closed whenever this runs.
    let day = chrono::Utc::now() + chrono::Duration::days(1);
    let (tomorrow, opening) = (
        day.format("%a").to_string(),
        day.format("%Y-%m-%d").to_string(),
    );
    for backend in crate::helpers::backends() {
        let hours = format!("{tomorrow} 09:00-10:00");
        let app = crate::helpers::spawn_app_with(backend, |s| {
            s.desk_hours = hours;
            s.desk_time_zone = "UTC".into();
        })
        .await;
        let cast = Cast::new(&app).await;
        let slug = format!("fast-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let res = app
            .post(
                "/categories",
                &app.admin,
                json!({"slug": slug, "name": "Fast", "first_response_hours": 6}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(
            res.json::<Value>().await.unwrap()["first_response_hours"],
            6
        );
        let case = file(&app, &cast, &cast.complainant, &slug).await;
        let text = acknowledgement(&app, &app.admin, case["id"].as_str().unwrap()).await;
        assert!(
            text.contains("What happens next: a mediator reviews it"),
            "{text}"
        );
        assert!(
            text.contains("within 6 hours of our desk opening"),
            "{text}"
        );
        assert!(
            text.contains(&format!("opens {opening} 09:00 (UTC)")),
            "{text}"
        );
        // A category without its own promise answers by priority (high: 8 hours).
        let case = file(&app, &cast, &cast.complainant, &cast.category).await;
        let text = acknowledgement(&app, &app.admin, case["id"].as_str().unwrap()).await;
        assert!(text.contains("within 8 hours"), "{text}");
        let res = app
            .post(
                "/categories",
                &app.admin,
                json!({"slug": "slow", "name": "Slow", "first_response_hours": 0}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            problem(res).await["errors"][0]["field"],
            "first_response_hours"
        );
    }
}

#[tokio::test]
async fn within_working_hours_the_acknowledgement_mentions_no_opening() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let case = file(&app, &cast, &cast.complainant, &cast.category).await;
        let text = acknowledgement(&app, &app.admin, case["id"].as_str().unwrap()).await;
        assert!(
            !text.contains("desk opening") && !text.contains("opens"),
            "{text}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_mediator_going_away_hands_their_cases_over() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let auto = app.auto_category().await;
        cast.give_profile(&app, &cast.mediator, json!({"capacity": 10}))
            .await;
        let mut mine = Vec::new();
        for _ in 0..2 {
            let case = file(&app, &cast, &cast.complainant, &auto).await;
            assert_eq!(case["mediator"]["id"], cast.mediator.id.as_str());
            mine.push(case["id"].as_str().unwrap().to_string());
        }
        app.act_ok(&cast.mediator, &mine[1], "start_investigation", json!({}))
            .await;
        let manual = file(&app, &cast, &cast.complainant, &cast.category).await;
        let manual = manual["id"].as_str().unwrap().to_string();
        app.act_ok(
            &cast.lead,
            &manual,
            "assign",
            json!({"mediator_id": cast.mediator.id}),
        )
        .await;
        // Someone else can take the automatic ones now.
        cast.give_profile(&app, &cast.other_mediator, json!({"capacity": 10}))
            .await;
        let path = format!("/mediators/{}", cast.mediator.id);
        let away = (chrono::Utc::now() + chrono::Duration::days(14)).to_rfc3339();
        let res = app
            .call(
                Method::PUT,
                &format!("{path}/availability"),
                Some(&cast.mediator),
                Some(json!({"on_duty": true, "absent_until": away})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app
            .post(
                &format!("/mediators/{}/hand_over", cast.other_mediator.id),
                &cast.mediator,
                json!({}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "not someone else's cases"
        );
        problem(res).await;
        let res = app
            .post(&format!("{path}/hand_over"), &cast.mediator, json!({}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let done: Value = res.json().await.unwrap();
        assert_eq!(done, json!({"reassigned": 2, "left": [manual]}));
        for id in &mine {
            let case = app.case(&cast.lead, id).await;
            assert_eq!(case["mediator"]["id"], cast.other_mediator.id.as_str());
        }
        assert_eq!(
            app.case(&cast.lead, &mine[1]).await["state"],
            "investigation",
            "it stays where it was"
        );
        // The one a lead must reassign is left as it was, and named.
        let left = app.case(&cast.lead, &manual).await;
        assert_eq!(left["mediator"]["id"], cast.mediator.id.as_str());
        let view: Value = app.get(&path, &cast.lead).await.json().await.unwrap();
        assert_eq!(view["load"], 1);
        // Handing over again moves nothing more.
        let again: Value = app
            .post(&format!("{path}/hand_over"), &cast.mediator, json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again, json!({"reassigned": 0, "left": [manual]}));
    })
    .await;
}

/// Files a case through the server at `base` (this process's, or another's).
async fn file_through(
    app: &TestApp,
    base: &str,
    cast: &Cast,
    category: &str,
    title: &str,
) -> reqwest::Response {
    app.client
        .post(format!("{base}/api/v1/cases"))
        .bearer_auth(&cast.complainant.token)
        .json(
            &json!({"title": title, "description": "What happened.", "category": category,
                      "priority": "low", "respondent": {"user_id": cast.respondent.id}}),
        )
        .send()
        .await
        .unwrap()
}

/// Each process keeps the desk's setup (categories, triage rules, the leads
/// it mails) between filings; a change made through one process holds for
/// the very next filing in another, with no wait (`db::setup`).
#[tokio::test]
async fn a_change_to_the_desk_in_one_process_holds_for_the_next_filing_in_another() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let closing = app.category().await;
        let other = second_process(&app).await;
        // The other process files, and so keeps the setup as it is now.
        for category in [&cast.category, &closing] {
            let res = file_through(&app, &other, &cast, category, "Lost parcel").await;
            assert_eq!(res.status(), StatusCode::CREATED);
            let before: Value = res.json().await.unwrap();
            assert_eq!(before["priority"], "low");
            let told = told_of(&app, before["id"].as_str().unwrap()).await;
            assert!(told.contains(&cast.lead.email), "{told:?}");
        }

        // Through this process: a triage rule, a lead who no longer wants
        // each case, a category closed to new cases.
        let res = app
            .post(
                "/triage_rules",
                &app.admin,
                json!({"name": "Parcels are urgent", "position": 1,
                       "conditions": {"keywords": ["parcel"]}, "actions": {"set_priority": "urgent"}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        set_desk_mail(&app, &cast.lead, "digest").await;
        let list: Value = app.get("/categories", &app.admin).await.json().await.unwrap();
        let id = list["items"].as_array().unwrap().iter().find(|c| c["slug"] == closing.as_str()).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let res = app
            .call(Method::PATCH, &format!("/categories/{id}"), Some(&app.admin), Some(json!({"active": false})))
            .await;
        assert_eq!(res.status(), StatusCode::OK);

        // The other process's next filings see all three.
        let res = file_through(&app, &other, &cast, &cast.category, "Lost parcel").await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let after: Value = res.json().await.unwrap();
        assert_eq!(after["priority"], "urgent");
        let told = told_of(&app, after["id"].as_str().unwrap()).await;
        assert!(!told.contains(&cast.lead.email), "{told:?}");
        let res = file_through(&app, &other, &cast, &closing, "Lost parcel").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "category");
    })
    .await;
}
