//! Related and mass complaints, on both databases: a lead links cases and
//! sees likely duplicates; many complaints grouped under a lead case get its
//! ruling in one transaction (all of them or none), each going on with its
//! own follow-up, and each complainant sees only that their case is part of
//! a group.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, on_each_backend, problem};

async fn related(app: &TestApp, who: &TestUser, case: &str) -> Value {
    let res = app.get(&format!("/cases/{case}/related"), who).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

fn id(case: &Value) -> String {
    case["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_lead_links_cases_and_staff_see_likely_duplicates() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let other_category = app.category().await;
        let a = id(&app.file_case(&cast.complainant, &cast.respondent, &cast.category).await);
        let b = id(&app.file_case(&cast.member, &cast.respondent, &cast.category).await);
        let c = id(&app.file_case(&cast.complainant, &cast.respondent, &cast.category).await);
        let elsewhere =
            id(&app.file_case(&cast.complainant, &cast.respondent, &other_category).await);
        let someone_else =
            id(&app.file_case(&cast.complainant, &cast.other_mediator, &cast.category).await);

        // Same respondent and category: b and c, newest first; not the
        // other category, not another respondent.
        let seen = related(&app, &cast.lead, &a).await;
        assert_eq!(ids(&seen["suggested_duplicates"]), [c.clone(), b.clone()]);
        assert_eq!(seen["links"], json!([]));
        assert!(seen["group"].is_null());
        assert!(!seen.to_string().contains(&elsewhere));
        assert!(!seen.to_string().contains(&someone_else));
        // Parties see none of it, nor does a mediator not on the case (who
        // could otherwise list cases they may not open).
        for who in [&cast.complainant, &cast.mediator] {
            let res = app.get(&format!("/cases/{a}/related"), who).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", who.email);
            problem(res).await;
        }

        let link = |who: &TestUser, from: &str, body: Value| {
            let (who, path) = (who.clone(), format!("/cases/{from}/links"));
            let app = &app;
            async move { app.post(&path, &who, body).await }
        };
        let dup = json!({"case_id": b, "kind": "duplicate_of", "note": "Same order, filed twice."});
        for (who, body, status) in [
            (&cast.mediator, dup.clone(), StatusCode::FORBIDDEN),
            (&cast.complainant, dup.clone(), StatusCode::FORBIDDEN),
            (&cast.lead, json!({"case_id": a, "kind": "related_to"}), StatusCode::UNPROCESSABLE_ENTITY),
            (&cast.lead, json!({"case_id": uuid::Uuid::new_v4(), "kind": "related_to"}), StatusCode::UNPROCESSABLE_ENTITY),
            (&cast.lead, json!({"case_id": b, "kind": "twin_of"}), StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let res = link(who, &a, body.clone()).await;
            assert_eq!(res.status(), status, "{body}");
            problem(res).await;
        }
        let res = link(&cast.lead, &a, dup.clone()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let made: Value = res.json().await.unwrap();
        assert_eq!((&made["reference"].is_string(), &made["from_this"]), (&true, &json!(true)));
        let again = json!({"case_id": a, "kind": "related_to"});
        for (from, body) in [(&a, dup.clone()), (&b, again)] {
            let res = link(&cast.lead, from, body).await;
            assert_eq!(res.status(), StatusCode::CONFLICT, "linked already, either way round");
            problem(res).await;
        }

        // Seen from both ends; a linked case is no longer a suggestion.
        let from_a = related(&app, &cast.lead, &a).await;
        assert_eq!(from_a["links"][0]["case_id"], json!(b));
        assert_eq!(from_a["links"][0]["kind"], "duplicate_of");
        assert_eq!(ids(&from_a["suggested_duplicates"]), [c]);
        let from_b = related(&app, &cast.lead, &b).await;
        assert_eq!(from_b["links"][0]["case_id"], json!(a));
        assert_eq!(from_b["links"][0]["from_this"], false);
        // On the timelines, for staff only.
        let staff = app.timeline(&cast.lead, &b).await;
        assert!(staff.iter().any(|e| e["kind"] == "case_linked"));
        let party = app.timeline(&cast.member, &b).await;
        assert!(!party.iter().any(|e| e["kind"] == "case_linked"));

        let res = app
            .call(reqwest::Method::DELETE, &format!("/cases/{b}/links/{a}"), Some(&cast.lead), None)
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = app
            .call(reqwest::Method::DELETE, &format!("/cases/{a}/links/{b}"), Some(&cast.lead), None)
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        problem(res).await;
        assert_eq!(related(&app, &cast.lead, &a).await["links"], json!([]));

        // Linked from both ends at once: one link. (On PostgreSQL the
        // unique index on the unordered pair is what guarantees it; the
        // window is narrow: without the index this passed three runs of three.)
        let x = id(&app.file_case(&cast.complainant, &cast.respondent, &cast.category).await);
        let y = id(&app.file_case(&cast.member, &cast.respondent, &cast.category).await);
        let (one, two) = tokio::join!(
            link(&cast.lead, &x, json!({"case_id": y, "kind": "related_to"})),
            link(&cast.lead, &y, json!({"case_id": x, "kind": "related_to"})),
        );
        let mut statuses = [one.status(), two.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
        assert_eq!(related(&app, &cast.lead, &x).await["links"].as_array().unwrap().len(), 1);

        // A respondent named by address is matched by the address.
        let by_mail = |who: &TestUser| {
            let who = who.clone();
            let (app, category) = (&app, cast.category.clone());
            async move {
                let res = app
                    .post(
                        "/cases",
                        &who,
                        json!({"title": "Rude seller", "description": "Insults in chat.",
                               "category": category,
                               "respondent": {"name": "Shop Ltd", "email": "support@shop.example"}}),
                    )
                    .await;
                assert_eq!(res.status(), StatusCode::CREATED);
                id(&res.json::<Value>().await.unwrap())
            }
        };
        let first = by_mail(&cast.complainant).await;
        let second = by_mail(&cast.member).await;
        assert_eq!(
            ids(&related(&app, &cast.lead, &second).await["suggested_duplicates"]),
            [first]
        );
    })
    .await;
}

#[tokio::test]
async fn a_group_ruling_reaches_a_hundred_cases_at_once_or_none() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let lead = id(&app
            .file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await);
        let mut members = Vec::new();
        for i in 0..100 {
            let who = if i % 2 == 0 {
                &cast.member
            } else {
                &cast.complainant
            };
            members.push(id(&app
                .file_case(who, &cast.respondent, &cast.category)
                .await));
        }
        app.investigate(&cast, &lead).await;

        // Refused, and nothing changes.
        let path = format!("/cases/{lead}/group");
        for (who, body, status) in [
            (
                &cast.mediator,
                json!({"case_ids": members}),
                StatusCode::FORBIDDEN,
            ),
            (
                &cast.complainant,
                json!({"case_ids": members}),
                StatusCode::FORBIDDEN,
            ),
            (
                &cast.lead,
                json!({"case_ids": []}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                &cast.lead,
                json!({"case_ids": [lead]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                &cast.lead,
                json!({"case_ids": [uuid::Uuid::new_v4()]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            let res = app.post(&path, who, body.clone()).await;
            assert_eq!(res.status(), status, "{}", who.email);
            problem(res).await;
        }
        assert!(app.case(&cast.lead, &lead).await.get("group").is_none());

        let res = app
            .post(&path, &cast.lead, json!({"case_ids": members}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let group: Value = res.json().await.unwrap();
        assert_eq!(group["members"].as_array().unwrap().len(), 100);
        // A case in a group joins no other, and leads none.
        let res = app
            .post(
                &format!("/cases/{}/group", members[0]),
                &cast.lead,
                json!({"case_ids": [members[1]]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;

        // The complainant sees only that their case is part of a group.
        let mine = app.case(&cast.member, &members[0]).await;
        assert_eq!(mine["group"], json!({"role": "member"}));
        let staff = app.case(&cast.lead, &members[0]).await;
        assert_eq!(staff["group"]["lead_case_id"], json!(lead));
        assert_eq!(app.case(&cast.lead, &lead).await["group"]["members"], 100);
        assert!(
            !app.timeline(&cast.member, &members[0])
                .await
                .iter()
                .any(|e| e["kind"] == "group_joined")
        );

        // A grouped case is not ruled on its own.
        let own = &members[1];
        app.act_ok(
            &cast.lead,
            own,
            "assign",
            json!({"mediator_id": cast.other_mediator.id}),
        )
        .await;
        app.act_ok(&cast.other_mediator, own, "start_investigation", json!({}))
            .await;
        let view = app.case(&cast.other_mediator, own).await;
        assert!(
            !view["allowed_actions"]
                .as_array()
                .unwrap()
                .contains(&json!("issue_ruling"))
        );
        let res = app
            .act(
                &cast.other_mediator,
                own,
                "issue_ruling",
                crate::helpers::body_for("issue_ruling", &cast),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;

        // All or none: when one grouped case cannot take the ruling, no
        // case gets it, the lead case included.
        let last = members.last().unwrap().clone();
        if app.db.url.starts_with("postgres") {
            app.sql(&format!(
                "CREATE FUNCTION refuse_ruling() RETURNS trigger AS $$ BEGIN \
                 IF NEW.case_id = '{last}' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER refuse_ruling BEFORE INSERT ON rulings \
                 FOR EACH ROW EXECUTE FUNCTION refuse_ruling();"
            ));
        } else {
            app.sql(&format!(
                "CREATE TRIGGER refuse_ruling BEFORE INSERT ON rulings \
                 WHEN NEW.case_id = '{last}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
            ));
        }
        let ruling = json!({
            "outcome": "upheld", "rationale": "The shop sold fakes to everyone who complained.",
            "remedies": [{"kind": "refund", "description": "Refund every order",
                          "due_at": (app.clock.now() + chrono::Duration::days(14)).to_rfc3339()}],
            "sanctions": [{"kind": "suspension", "duration_days": 30}]
        });
        let res = app
            .act(&cast.mediator, &lead, "issue_ruling", ruling.clone())
            .await;
        assert!(res.status().is_server_error(), "{}", res.status());
        assert_eq!(app.case(&cast.lead, &lead).await["state"], "investigation");
        for m in &members {
            assert!(app.case(&cast.lead, m).await["ruling"].is_null(), "{m}");
        }

        app.sql(if app.db.url.starts_with("postgres") {
            "DROP TRIGGER refuse_ruling ON rulings; DROP FUNCTION refuse_ruling();"
        } else {
            "DROP TRIGGER refuse_ruling;"
        });
        let ruled = app
            .act_ok(&cast.mediator, &lead, "issue_ruling", ruling)
            .await;
        assert_eq!(ruled["state"], "ruling");
        // As stored (PostgreSQL keeps microseconds).
        let ruled = app.case(&cast.lead, &lead).await;
        for m in &members {
            let case = app.case(&cast.lead, m).await;
            assert_eq!(case["state"], "ruling", "{m}");
            assert_eq!(case["ruling"]["outcome"], "upheld");
            assert_eq!(
                case["mediator"]["id"],
                json!(cast.mediator.id),
                "given to the mediator who ruled"
            );
            assert_eq!(case["appeal_deadline"], ruled["appeal_deadline"]);
        }
        let lead_timeline = app.timeline(&cast.lead, &lead).await;
        let spread = lead_timeline
            .iter()
            .find(|e| e["kind"] == "group_ruled")
            .unwrap();
        assert_eq!(spread["data"]["applied"], 100);

        // Each complainant hears the outcome on their own case, and each
        // case goes on by itself: this one to follow-up with its own obligations.
        let one = &members[0];
        let party_view = app.timeline(&cast.member, one).await;
        assert!(party_view.iter().any(|e| e["kind"] == "apply_group_ruling"));
        assert!(
            !json!(party_view).to_string().contains(&lead),
            "nothing of the lead case"
        );
        let admin = app.user(ombud::domain::Role::Admin).await;
        let mail: Value = app
            .get(&format!("/outbox?case_id={one}&limit=100"), &admin)
            .await
            .json()
            .await
            .unwrap();
        let told: Vec<&str> = mail["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["template"] == "ruling_issued")
            .map(|m| m["recipient_email"].as_str().unwrap())
            .collect();
        assert!(told.contains(&cast.member.email.as_str()), "{told:?}");
        for party in [&cast.member, &cast.respondent] {
            app.act_ok(party, one, "accept_ruling", json!({})).await;
        }
        let items: Value = app
            .get(&format!("/cases/{one}/obligations"), &cast.member)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(items["open"], 2);
        assert_eq!(app.case(&cast.lead, &members[2]).await["state"], "ruling");
    })
    .await;
}

#[tokio::test]
async fn groups_stay_true_as_cases_move() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let file = |who: &TestUser, against: &TestUser| {
            let (who, against) = (who.clone(), against.clone());
            let (app, category) = (&app, cast.category.clone());
            async move { id(&app.file_case(&who, &against, &category).await) }
        };
        let lead = file(&cast.complainant, &cast.respondent).await;
        let m1 = file(&cast.member, &cast.respondent).await;
        let m2 = file(&cast.complainant, &cast.respondent).await;
        let elsewhere = file(&cast.member, &cast.other_mediator).await;
        let by_mediator = file(&cast.mediator, &cast.respondent).await;
        app.act_ok(
            &cast.lead,
            &lead,
            "assign",
            json!({"mediator_id": cast.mediator.id}),
        )
        .await;
        let path = format!("/cases/{lead}/group");
        // The lead case's ruling goes to every member: the same respondent
        // only, and never to a case its mediator may not rule on.
        for bad in [&elsewhere, &by_mediator] {
            let res = app
                .post(&path, &cast.lead, json!({"case_ids": [m1, bad]}))
                .await;
            assert_eq!(res.status(), StatusCode::CONFLICT, "{bad}");
            problem(res).await;
        }
        let res = app
            .post(&path, &cast.lead, json!({"case_ids": [m1, m2]}))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.case(&cast.lead, &m1).await["group"]["role"], "member");

        // The lead case is withdrawn: its members are let go, not left
        // waiting for a ruling that will not come.
        app.act_ok(&cast.complainant, &lead, "withdraw", json!({}))
            .await;
        for m in [&m1, &m2] {
            let case = app.case(&cast.lead, m).await;
            assert!(case.get("group").is_none(), "{case}");
            let staff = app.timeline(&cast.lead, m).await;
            assert!(staff.iter().any(|e| e["kind"] == "group_left"));
        }
        assert!(app.case(&cast.lead, &lead).await.get("group").is_none());

        // Grouped again under m2 and ruled there; once m1 is closed and
        // reopened it leaves the group and can be ruled on its own.
        let res = app
            .post(
                &format!("/cases/{m2}/group"),
                &cast.lead,
                json!({"case_ids": [m1]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        app.investigate(&cast, &m2).await;
        app.act_ok(
            &cast.mediator,
            &m2,
            "issue_ruling",
            crate::helpers::body_for("issue_ruling", &cast),
        )
        .await;
        for party in [&cast.member, &cast.respondent] {
            app.act_ok(party, &m1, "accept_ruling", json!({})).await;
        }
        app.act_ok(&cast.mediator, &m1, "close", json!({})).await;
        // A case that had the group's ruling stays with it.
        let res = app
            .call(
                reqwest::Method::DELETE,
                &format!("/cases/{m2}/group/{m1}"),
                Some(&cast.lead),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;
        app.act_ok(
            &cast.lead,
            &m1,
            "reopen",
            crate::helpers::body_for("reopen", &cast),
        )
        .await;
        let case = app.case(&cast.mediator, &m1).await;
        assert!(case.get("group").is_none(), "{case}");
        assert!(
            case["allowed_actions"]
                .as_array()
                .unwrap()
                .contains(&json!("issue_ruling"))
        );
        assert!(
            app.case(&cast.lead, &m2).await.get("group").is_none(),
            "m2 leads nobody now"
        );
    })
    .await;
}
