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
