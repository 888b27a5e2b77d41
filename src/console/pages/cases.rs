//! The case lists, the statistics and filing a complaint.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Signed, SignedForm, encode, failure, field, is_word, refusal_json, see_other, values};
use crate::accounts::secret;
use crate::console::api::{Refusal, Write};
use crate::console::form;
use crate::console::render::page;

/// The filters of the case list.
#[derive(Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    cursor: Option<String>,
}

/// `GET /console/cases`: `get_queue` for staff, then `list_cases`.
pub async fn cases(me: Signed, q: web::Query<ListQuery>) -> HttpResponse {
    let mut query = vec![("limit", "50".to_string())];
    let state = q.state.clone().filter(|s| is_word(s));
    if let Some(s) = &state {
        query.push(("state", s.clone()));
    }
    if let Some(c) = q.cursor.clone() {
        query.push(("cursor", c));
    }
    let path = format!("/cases?{}", encode(&query));
    // This very page, which refreshes its lists in place.
    let here = match &query[1..] {
        [] => "/console/cases".to_string(),
        rest => format!("/console/cases?{}", encode(rest)),
    };
    // Staff see their queue; leads and admins also what waits for
    // assignment (most urgent first) and what is past a deadline.
    let overdue = format!(
        "/cases?sort=deadline&limit=20&{}",
        encode(&[("due_before", chrono::Utc::now().to_rfc3339())])
    );
    let asks: Vec<String> = match (me.staff(), me.supervisor()) {
        (true, true) => vec![
            path,
            "/queue?limit=20".into(),
            "/cases?state=intake&sort=urgent&limit=20".into(),
            overdue,
        ],
        (true, false) => vec![path, "/queue?limit=20".into()],
        _ => vec![path],
    };
    let answers = futures_util::future::join_all(asks.iter().map(|p| me.api().get(p))).await;
    let mut pages = Vec::new();
    for answer in answers {
        match answer {
            Ok(a) => pages.push(a.body),
            Err(r) => return failure(me.lang, &r),
        }
    }
    let mut pages = pages.into_iter();
    let list = pages.next().unwrap_or_default();
    let queue = pages.next().unwrap_or_default();
    let unassigned = pages.next().unwrap_or_default();
    let overdue = pages.next().unwrap_or_default();
    let next = list["next_cursor"].as_str().map(|c| {
        let mut q = vec![("cursor", c.to_string())];
        q.extend(state.clone().map(|s| ("state", s)));
        format!("/console/cases?{}", encode(&q))
    });
    let ctx = me.base(json!({
        "cases": list["items"],
        "next": next,
        "here": here,
        "queue": queue["items"],
        "unassigned": unassigned["items"],
        "overdue": overdue["items"],
        "state": state,
        "states": ["intake", "assigned", "investigation", "ruling", "appeal", "follow_up", "closed", "withdrawn", "dismissed"],
    }));
    page(StatusCode::OK, "cases.html", ctx)
}

/// The range of the statistics page.
#[derive(Deserialize)]
pub struct StatisticsQuery {
    days: Option<i64>,
    category: Option<String>,
}

/// `GET /console/statistics`: `get_statistics` over the last `days` (30
/// unless asked), drawn as bars.
pub async fn statistics(me: Signed, q: web::Query<StatisticsQuery>) -> HttpResponse {
    let days = q.days.unwrap_or(30).clamp(1, 366);
    let from = chrono::Utc::now() - chrono::Duration::days(days);
    let category = q
        .category
        .clone()
        .filter(|c| !c.is_empty() && c.len() <= 50);
    let mut query = vec![("from", from.to_rfc3339())];
    query.extend(category.clone().map(|c| ("category", c)));
    let path = format!("/statistics?{}", encode(&query));
    let (stats, categories) = futures_util::future::join(
        me.api().get(&path),
        super::every(me.api(), "/categories?include_inactive=true"),
    )
    .await;
    let (stats, categories) = match (stats, categories) {
        (Ok(a), Ok(c)) => (a.body, c),
        (Err(r), _) | (_, Err(r)) => return failure(me.lang, &r),
    };
    // The links to other ranges keep the category.
    let ranges: Vec<Value> = [7, 30, 90, 365]
        .into_iter()
        .map(|d: i64| {
            let mut q = vec![("days", d.to_string())];
            q.extend(category.clone().map(|c| ("category", c)));
            json!({"days": d, "href": format!("/console/statistics?{}", encode(&q))})
        })
        .collect();
    let most = |rows: &Value, key: &str| {
        rows.as_array()
            .map(|r| r.iter().filter_map(|x| x[key].as_i64()).max().unwrap_or(0))
            .unwrap_or(0)
            .max(1)
    };
    let ctx = me.base(json!({
        "stats": stats,
        "days": days,
        "ranges": ranges,
        "category": category,
        "categories": categories,
        "backlog_max": most(&stats["backlog"], "count"),
        "filed_max": most(&stats["categories"], "filed"),
        "open_max": most(&stats["mediators"], "open"),
    }));
    page(StatusCode::OK, "statistics.html", ctx)
}

/// `GET /console/cases/new`: the complaint form, with `list_categories`.
pub async fn new_case(me: Signed) -> HttpResponse {
    file_form(&me, StatusCode::OK, Value::Null, Value::Null).await
}

async fn file_form(me: &Signed, status: StatusCode, error: Value, values: Value) -> HttpResponse {
    let categories = match me.api().get("/categories?limit=100").await {
        Ok(a) => a.body["items"].clone(),
        Err(r) => return failure(me.lang, &r),
    };
    let ctx = me.base(json!({
        "categories": categories,
        "error": error,
        "form": values,
        "key": secret::random("console-"),
        "priorities": ["low", "normal", "high", "urgent"],
    }));
    page(status, "file.html", ctx)
}

/// `POST /console/cases`: `file_case`.
pub async fn file_case(sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let mut body = form::to_json(&fields);
    if let Value::Object(map) = &mut body {
        map.insert("channel".into(), json!("web"));
    }
    let write = Write {
        key: field(&fields, "key").map(str::to_string),
        ..Write::default()
    };
    match me.api().post("/cases", &body, write).await {
        Ok(filed) => match filed.body["id"].as_str() {
            Some(id) => see_other(&format!("/console/cases/{id}")),
            None => failure(me.lang, &Refusal::odd()),
        },
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            file_form(&me, status, refusal_json(&r), values(&fields)).await
        }
    }
}
