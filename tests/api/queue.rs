//! Sorting the case list and the working queue (`GET /queue`), through
//! the API on both databases: the order, the pages, whose move comes
//! first, and that ended cases leave the queues.

use ombud::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, body_for, case_in, on_each_backend};

/// Files a case at `priority` for the cast and returns its id.
async fn file_at(app: &TestApp, cast: &Cast, priority: &str) -> String {
    let res = app
        .post(
            "/cases",
            &cast.complainant,
            json!({"title": format!("A {priority} complaint"), "description": "What happened.",
                   "category": cast.category, "priority": priority,
                   "respondent": {"user_id": cast.respondent.id}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    case["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_list_sorts_newest_oldest_or_most_urgent_first_across_pages() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let low = file_at(&app, &cast, "low").await;
        let urgent = file_at(&app, &cast, "urgent").await;
        let normal = file_at(&app, &cast, "normal").await;
        let normal_asked = file_at(&app, &cast, "normal").await;
        let urgent_later = file_at(&app, &cast, "urgent").await;
        // A deadline the case waits on puts it before its priority's others.
        for (user, action, body) in [
            (
                &cast.lead,
                "assign",
                json!({"mediator_id": cast.mediator.id}),
            ),
            (&cast.mediator, "start_investigation", json!({})),
            (
                &cast.mediator,
                "request_info",
                body_for("request_info", &cast),
            ),
        ] {
            app.act_ok(user, &normal_asked, action, body).await;
        }
        let filed = vec![
            low.clone(),
            urgent.clone(),
            normal.clone(),
            normal_asked.clone(),
            urgent_later.clone(),
        ];
        let me = &cast.complainant;
        let mut newest = filed.clone();
        newest.reverse();
        assert_eq!(app.every_page(me, "/cases", 2).await, newest);
        assert_eq!(app.every_page(me, "/cases?sort=newest", 2).await, newest);
        assert_eq!(app.every_page(me, "/cases?sort=oldest", 2).await, filed);
        let urgent_first = vec![urgent, urgent_later, normal_asked, normal, low];
        for limit in [1, 2, 100] {
            assert_eq!(
                app.every_page(me, "/cases?sort=urgent", limit).await,
                urgent_first
            );
        }
        // Filters keep the order.
        assert_eq!(
            app.every_page(me, "/cases?sort=urgent&priority=normal", 1)
                .await,
            urgent_first[2..4]
        );
        assert_eq!(
            app.every_page(&cast.lead, "/cases?sort=urgent&state=intake", 1)
                .await
                .len(),
            4
        );
        // A cursor belongs to its order.
        let page: Value = app.get("/cases?limit=1", me).await.json().await.unwrap();
        let newest_cursor = page["next_cursor"].as_str().unwrap();
        for sort in ["oldest", "urgent"] {
            let res = app
                .get(&format!("/cases?sort={sort}&cursor={newest_cursor}"), me)
                .await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{sort}");
        }
        let res = app.get("/cases?sort=sideways", me).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    })
    .await;
}

/// `waiting_on.who` of each item of `user`'s queue, with its id.
async fn queue_of(app: &TestApp, user: &TestUser) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for id in app.every_page(user, "/queue", 2).await {
        let case = app.case(user, &id).await;
        out.push((id, case["waiting_on"]["who"].as_str().unwrap().to_string()));
    }
    out
}

#[tokio::test]
async fn each_queue_puts_the_callers_move_first_and_leaves_out_ended_cases() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let intake = case_in(&app, &cast, "intake").await;
        let assigned = case_in(&app, &cast, "assigned").await;
        let asked = case_in(&app, &cast, "investigation").await;
        app.act_ok(
            &cast.mediator,
            &asked,
            "request_info",
            body_for("request_info", &cast),
        )
        .await;
        let ruled = case_in(&app, &cast, "ruling").await;
        let _closed = case_in(&app, &cast, "withdrawn").await;
        let _dismissed = case_in(&app, &cast, "dismissed").await;
        let urgent_intake = file_at(&app, &cast, "urgent").await;

        // The complainant: the case waiting on them, then those waiting on
        // both parties, then the rest, each most urgent first; nothing ended.
        let complainant = queue_of(&app, &cast.complainant).await;
        let ids: Vec<&str> = complainant.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids[0], asked, "{complainant:?}");
        assert_eq!(ids[1], ruled, "{complainant:?}");
        assert_eq!(
            ids.len(),
            5,
            "no withdrawn or dismissed case: {complainant:?}"
        );
        assert_eq!(
            ids[2], urgent_intake,
            "then the most urgent: {complainant:?}"
        );
        // The respondent: the ruling waits on them too.
        let respondent = queue_of(&app, &cast.respondent).await;
        assert_eq!(respondent[0].0, ruled, "{respondent:?}");

        // The mediator: their move first (the assigned case), then the
        // cases waiting on a party; never the cases in intake.
        let mediator = queue_of(&app, &cast.mediator).await;
        let whose: Vec<&str> = mediator.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(mediator[0].0, assigned, "{mediator:?}");
        assert_eq!(whose[0], "mediator");
        assert_eq!(mediator.len(), 3, "{mediator:?}");
        assert!(!mediator.iter().any(|(id, _)| *id == intake));

        // A lead: the cases waiting on a lead, most urgent first.
        let lead = queue_of(&app, &cast.lead).await;
        let ids: Vec<&str> = lead.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, [urgent_intake.as_str(), intake.as_str()], "{lead:?}");

        // Assigning moves a case from the lead's queue to the mediator's.
        app.act_ok(
            &cast.lead,
            &intake,
            "assign",
            json!({"mediator_id": cast.mediator.id}),
        )
        .await;
        let lead = queue_of(&app, &cast.lead).await;
        assert_eq!(lead.len(), 1, "{lead:?}");
        let mediator = queue_of(&app, &cast.mediator).await;
        assert!(
            mediator
                .iter()
                .any(|(id, w)| *id == intake && w == "mediator")
        );

        // Someone with nothing to do has an empty queue.
        let stranger = app.user(Role::Member).await;
        let res = app.get("/queue", &stranger).await;
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["items"], json!([]));
        let res = app.get("/queue?cursor=bm9wZQ", &stranger).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    })
    .await;
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Slot {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    waiting_on: String,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    priority_rank: i16,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    due_at: chrono::NaiveDateTime,
}

fn slots(conn: &mut ombud::db::DbConnection) -> Vec<Slot> {
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT id, waiting_on, priority_rank, due_at FROM cases ORDER BY id")
        .load(conn)
        .unwrap()
}

/// The `UPDATE` with which migration 2026-11-28-000140 fills in the new
/// columns of existing cases, for `backend`.
fn backfill(backend: crate::helpers::Backend) -> &'static str {
    let up = match backend {
        crate::helpers::Backend::Postgres => {
            include_str!("../../migrations/postgres/2026-11-28-000140_queues/up.sql")
        }
        crate::helpers::Backend::Sqlite => {
            include_str!("../../migrations/sqlite/2026-11-28-000140_queues/up.sql")
        }
    };
    let from = up.find("UPDATE cases SET").expect("the backfill");
    let to = from + up[from..].find(";\n").expect("its end");
    &up[from..to]
}

/// Cases in every state and every way of waiting, stored by the code, get
/// the same `waiting_on`, `priority_rank` and `due_at` from the migration's
/// backfill: a database upgraded with cases in it queues them as a new
/// one would.
#[tokio::test]
async fn the_migration_fills_in_what_the_code_stores() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        for state in [
            "intake",
            "assigned",
            "investigation",
            "ruling",
            "appeal",
            "follow_up",
            "closed",
            "withdrawn",
            "dismissed",
        ] {
            case_in(&app, &cast, state).await;
        }
        for priority in ["low", "high", "urgent"] {
            file_at(&app, &cast, priority).await;
        }
        let asked = case_in(&app, &cast, "investigation").await;
        app.act_ok(&cast.mediator, &asked, "request_info", body_for("request_info", &cast))
            .await;
        let proposed = case_in(&app, &cast, "investigation").await;
        app.act_ok(&cast.mediator, &proposed, "propose_settlement", body_for("propose_settlement", &cast))
            .await;
        let half = case_in(&app, &cast, "investigation").await;
        app.act_ok(&cast.mediator, &half, "propose_settlement", body_for("propose_settlement", &cast))
            .await;
        app.act_as_read(&cast.respondent, &half, "accept_settlement", json!({}))
            .await;
        let accepted = case_in(&app, &cast, "ruling").await;
        app.act_ok(&cast.complainant, &accepted, "accept_ruling", json!({}))
            .await;
        let handed = case_in(&app, &cast, "appeal").await;
        app.act_ok(&cast.lead, &handed, "assign", json!({"mediator_id": cast.other_mediator.id}))
            .await;

        let mut conn = crate::plans::seeded(&app, |_| {});
        let stored = slots(&mut conn);
        assert_eq!(stored.len(), 17);
        let kinds: std::collections::HashSet<&str> =
            stored.iter().map(|s| s.waiting_on.as_str()).collect();
        for who in ["lead", "mediator", "complainant", "respondent", "parties", "nobody"] {
            assert!(kinds.contains(who), "no case waits on {who}: {stored:#?}");
        }
        {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(
                "UPDATE cases SET waiting_on = 'x', priority_rank = 9, due_at = '2000-01-01 00:00:00'",
            )
            .unwrap();
            conn.batch_execute(backfill(app.backend)).unwrap();
        }
        assert_eq!(slots(&mut conn), stored);
    })
    .await;
}

/// A lead who took a case, ruled on it and saw it appealed has it waiting
/// on a lead and assigned to them: it is in their queue once, on whatever
/// page, however the pages fall.
#[tokio::test]
async fn a_leads_own_appealed_case_is_in_their_queue_once() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let first = case_in(&app, &cast, "intake").await;
        let own = file_at(&app, &cast, "low").await;
        for (user, action, body) in [
            (&cast.lead, "assign", json!({"mediator_id": cast.lead.id})),
            (&cast.lead, "start_investigation", json!({})),
            (&cast.lead, "issue_ruling", body_for("issue_ruling", &cast)),
            (&cast.complainant, "appeal", body_for("appeal", &cast)),
        ] {
            app.act_ok(user, &own, action, body).await;
        }
        let last = file_at(&app, &cast, "low").await;
        for limit in [1, 2, 100] {
            let ids = app.every_page(&cast.lead, "/queue", limit).await;
            assert_eq!(
                ids,
                [first.clone(), own.clone(), last.clone()],
                "limit {limit}"
            );
        }
    })
    .await;
}
