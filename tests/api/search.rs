//! Full-text search (`GET /cases?q=`): in four languages, only over what
//! the caller may see, with the list's filters and pages, on each database.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, case_in, on_each_backend, problem};

/// The ids of the cases `who` finds with `q` (and `more` query text), in order.
async fn find(app: &TestApp, who: &TestUser, q: &str, more: &str) -> Vec<String> {
    let path = format!("/cases?q={}{more}", percent(q));
    let res = app.get(&path, who).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let page: Value = res.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Files a case by the cast's complainant with `title` and `description`.
async fn file(app: &TestApp, cast: &Cast, title: &str, description: &str) -> Value {
    let res = app
        .post(
            "/cases",
            &cast.complainant,
            json!({"title": title, "description": description, "category": cast.category,
                   "respondent": {"user_id": cast.respondent.id}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

#[tokio::test]
async fn words_in_english_russian_polish_and_chinese_are_found() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let en = file(
            &app,
            &cast,
            "Parcel never arrived",
            "I was refunded only half.",
        )
        .await;
        let ru = file(
            &app,
            &cast,
            "Заказ не доставлен",
            "Курьер потерял мой заказ, прошу вернуть деньги.",
        )
        .await;
        let pl = file(
            &app,
            &cast,
            "Reklamacja",
            "Zamówienie przyszło uszkodzone w Łodzi.",
        )
        .await;
        let zh = file(&app, &cast, "订单问题", "我想申请调解服务，快递丢失了。").await;
        let id = |c: &Value| c["id"].as_str().unwrap().to_string();
        let who = &cast.lead;
        assert_eq!(find(&app, who, "parcel", "").await, vec![id(&en)]);
        assert_eq!(
            find(&app, who, "REFUND", "").await,
            vec![id(&en)],
            "a prefix, any case"
        );
        assert_eq!(
            find(&app, who, "заказа", "").await,
            Vec::<String>::new(),
            "a longer word is not a prefix"
        );
        assert_eq!(find(&app, who, "заказ", "").await, vec![id(&ru)]);
        assert_eq!(
            find(&app, who, "КУРЬЕР деньги", "").await,
            vec![id(&ru)],
            "every word, any case"
        );
        assert_eq!(find(&app, who, "zamówienie łodzi", "").await, vec![id(&pl)]);
        assert_eq!(
            find(&app, who, "调解", "").await,
            vec![id(&zh)],
            "two characters inside a run"
        );
        assert_eq!(find(&app, who, "快递丢失", "").await, vec![id(&zh)]);
        assert_eq!(find(&app, who, "调查", "").await, Vec::<String>::new());
        let reference = en["reference"].as_str().unwrap();
        assert_eq!(
            find(&app, who, reference, "").await,
            vec![id(&en)],
            "by reference"
        );
        assert_eq!(
            find(&app, who, "parcel zamówienie", "").await,
            Vec::<String>::new(),
            "all words"
        );
    })
    .await;
}

#[tokio::test]
async fn a_search_never_finds_a_case_or_a_message_the_caller_may_not_see() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "investigation").await;
        app.message(
            &cast.mediator,
            &id,
            "Between us: the courier admitted fault",
            "complainant",
        )
        .await;
        app.message(
            &cast.mediator,
            &id,
            "Internal: respondent has three prior complaints",
            "internal",
        )
        .await;
        app.message(
            &cast.respondent,
            &id,
            "Our warehouse shipped it on time",
            "respondent",
        )
        .await;
        app.message(
            &cast.complainant,
            &id,
            "Here is the tracking number",
            "all_parties",
        )
        .await;
        let one = vec![id.clone()];
        let none: Vec<String> = Vec::new();
        // Each side finds what is meant for it, and only that.
        assert_eq!(
            find(&app, &cast.complainant, "courier admitted", "").await,
            one
        );
        assert_eq!(
            find(&app, &cast.respondent, "courier admitted", "").await,
            none
        );
        assert_eq!(find(&app, &cast.respondent, "warehouse", "").await, one);
        assert_eq!(find(&app, &cast.complainant, "warehouse", "").await, none);
        for party in [&cast.complainant, &cast.respondent] {
            assert_eq!(
                find(&app, party, "prior complaints", "").await,
                none,
                "staff only"
            );
            assert_eq!(find(&app, party, "tracking", "").await, one);
        }
        // Staff read everything on the case.
        for staff in [&cast.mediator, &cast.lead, &cast.admin] {
            assert_eq!(find(&app, staff, "prior complaints", "").await, one);
            assert_eq!(find(&app, staff, "courier", "").await, one);
        }
        // Someone who may not see the case finds nothing of it, not even its title.
        for outsider in [&cast.member, &cast.other_mediator] {
            assert_eq!(find(&app, outsider, "tracking", "").await, none);
            assert_eq!(find(&app, outsider, "order never arrived", "").await, none);
        }
    })
    .await;
}

#[tokio::test]
async fn a_search_combines_with_filters_and_pages_best_match_first() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let weak = file(
            &app,
            &cast,
            "Broken lamp",
            "The lamp came broken, among other things I bought.",
        )
        .await;
        let strong = file(&app, &cast, "Lamp lamp lamp", "Lamp broken; lamp again.").await;
        let closed = case_in(&app, &cast, "follow_up").await;
        app.message(
            &cast.complainant,
            &closed,
            "Also a lamp was missing",
            "all_parties",
        )
        .await;
        let id = |c: &Value| c["id"].as_str().unwrap().to_string();
        let all = find(&app, &cast.lead, "lamp", "").await;
        assert_eq!(all.len(), 3);
        assert_eq!(all[0], id(&strong), "the best match first: {all:?}");
        assert!(all.contains(&id(&weak)));
        assert_eq!(
            find(&app, &cast.lead, "lamp", "&state=follow_up").await,
            vec![closed.clone()]
        );
        assert_eq!(
            find(&app, &cast.lead, "lamp", "&state=intake").await.len(),
            2
        );
        // Page by page, the same cases in the same order.
        let paged = app.every_page(&cast.lead, "/cases?q=lamp", 1).await;
        assert_eq!(paged, all);
        for (query, why) in [
            ("/cases?q=", "empty"),
            ("/cases?q=%20%3F%21", "no words"),
            ("/cases?q=lamp&sort=newest", "with sort"),
        ] {
            let res = app.get(query, &cast.lead).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{why}");
            problem(res).await;
        }
        let res = app
            .get("/cases?q=lamp&cursor=bm90IG91cnM", &cast.lead)
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a cursor not ours");
    })
    .await;
}

#[tokio::test]
async fn chinese_is_found_by_characters_in_a_row_not_scattered() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let zh = file(&app, &cast, "服务投诉", "调解服务很好，快递丢失。").await;
        let id = zh["id"].as_str().unwrap().to_string();
        let lead = &cast.lead;
        assert_eq!(find(&app, lead, "调解服务", "").await, vec![id.clone()]);
        // 服务 and 调解 are both there, but not as 服务调解.
        assert_eq!(find(&app, lead, "服务调解", "").await, Vec::<String>::new());
        assert_eq!(
            find(&app, lead, "快", "").await,
            vec![id.clone()],
            "one character"
        );
    })
    .await;
}

#[tokio::test]
async fn who_reads_what_when_staff_are_parties_or_the_respondent_has_no_account() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        // A mediator files a complaint of their own: there they are a party.
        let res = app
            .post(
                "/cases",
                &cast.other_mediator,
                json!({"title": "My own order", "description": "Sent to the wrong town.",
                       "category": cast.category, "respondent": {"name": "Shop", "email": "shop@example.org"}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let own = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        app.act_ok(&cast.lead, &own, "assign", json!({"mediator_id": cast.mediator.id}))
            .await;
        app.act_ok(&cast.mediator, &own, "start_investigation", json!({})).await;
        app.message(&cast.mediator, &own, "Note: the shop answers slowly", "internal").await;
        app.message(&cast.mediator, &own, "For the complainant: wrongtown confirmed", "complainant").await;
        app.message(&cast.mediator, &own, "For the shop: dispatchnote needed", "respondent").await;
        let one = vec![own.clone()];
        let none: Vec<String> = Vec::new();
        // The mediator who complained reads as a party: their side only.
        assert_eq!(find(&app, &cast.other_mediator, "wrongtown", "").await, one);
        assert_eq!(find(&app, &cast.other_mediator, "answers slowly", "").await, none);
        assert_eq!(find(&app, &cast.other_mediator, "dispatchnote", "").await, none);
        // Staff on it read all, though the respondent has no account.
        for staff in [&cast.mediator, &cast.lead] {
            assert_eq!(find(&app, staff, "answers slowly", "").await, one);
            assert_eq!(find(&app, staff, "dispatchnote", "").await, one);
        }
        // Any mediator sees a case in intake, and finds it.
        let intake = file(&app, &cast, "Blue kettle", "It leaks.").await;
        assert_eq!(
            find(&app, &cast.other_mediator, "kettle", "").await,
            vec![intake["id"].as_str().unwrap().to_string()]
        );
    })
    .await;
}

#[tokio::test]
async fn the_ranking_query_itself_keeps_out_what_the_caller_may_not_see() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        file(
            &app,
            &cast,
            "Hidden umbrella",
            "Nobody else should find it.",
        )
        .await;
        let terms = ombud::domain::search::query_terms("umbrella").unwrap();
        let manager =
            ombud::db::Manager::new(&app.db.url, std::time::Duration::from_secs(5)).unwrap();
        let mut conn = manager.open().unwrap();
        let mut ranked = |who: &TestUser| {
            let actor = ombud::domain::Actor::user(
                ombud::domain::UserId::from_db(&who.id).unwrap(),
                who.role,
            );
            ombud::cases::search::ranked(&mut conn, &actor, &terms, &Default::default())
                .unwrap()
                .len()
        };
        // Not through the list's arms: the query alone.
        assert_eq!(ranked(&cast.member), 0);
        assert_eq!(ranked(&cast.respondent), 1);
        let closed = ombud::cases::search::Narrow {
            state: Some("closed".into()),
            ..Default::default()
        };
        let actor = ombud::domain::Actor::user(
            ombud::domain::UserId::from_db(&cast.lead.id).unwrap(),
            cast.lead.role,
        );
        assert_eq!(
            ombud::cases::search::ranked(&mut conn, &actor, &terms, &closed)
                .unwrap()
                .len(),
            0
        );
    })
    .await;
}

#[tokio::test]
async fn text_stored_before_the_index_is_found_once_the_scanner_has_indexed_it() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let case = file(&app, &cast, "Старый заказ", "我想申请调解服务").await;
        let id = case["id"].as_str().unwrap().to_string();
        app.message(&cast.complainant, &id, "Where is my parcel?", "all_parties").await;
        // As if they were stored before the index existed.
        app.sql("DELETE FROM search_docs; UPDATE search_backfill SET cases_after = '', messages_after = '', done = FALSE;");
        assert_eq!(find(&app, &cast.lead, "parcel", "").await, Vec::<String>::new());
        let db = ombud::db::Db::connect(&app.db.url, 1, std::time::Duration::from_secs(10)).unwrap();
        let mut batches = 0;
        while db.write(ombud::cases::search::backfill).await.unwrap() > 0 {
            batches += 1;
        }
        assert_eq!(batches, 2, "the cases, then the messages");
        for q in ["parcel", "заказ", "调解服务"] {
            assert_eq!(find(&app, &cast.lead, q, "").await, vec![id.clone()], "{q}");
        }
        // Done is done; again changes nothing (and a new case is indexed as it is filed).
        assert_eq!(db.write(ombud::cases::search::backfill).await.unwrap(), 0);
        assert_eq!(app.count("SELECT count(*) AS n FROM search_docs"), 2);
    })
    .await;
}
