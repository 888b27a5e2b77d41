//! A case: its page, its actions, its messages and drafts.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::{
    Signed, SignedForm, every, every_or_most, failure, field, refusal_json, see_other, values,
};
use crate::accounts::secret;
use crate::console::api::{Refusal, Write};
use crate::console::form;
use crate::console::render::page;

/// The actions the console offers, each `POST /cases/{id}/actions/{action}`.
pub const ACTIONS: [&str; 15] = [
    "assign",
    "claim",
    "start_investigation",
    "request_info",
    "propose_settlement",
    "accept_settlement",
    "reject_settlement",
    "issue_ruling",
    "accept_ruling",
    "appeal",
    "decide_appeal",
    "close",
    "reopen",
    "withdraw",
    "dismiss",
];

/// `GET /console/cases/{id}`: `get_case`, `list_messages`, `list_timeline`
/// and `list_evidence`; for staff `list_case_templates`, and where they may
/// assign, `list_users` (mediators and leads).
pub async fn case(me: Signed, path: web::Path<uuid::Uuid>) -> HttpResponse {
    case_page(
        &me,
        path.into_inner(),
        StatusCode::OK,
        Value::Null,
        Value::Null,
    )
    .await
}

/// The case page, with a refusal to show (`error`) or a drafted message
/// to put in its thread's form (`draft`, as `draft_message` answered).
pub(in crate::console) async fn case_page(
    me: &Signed,
    id: uuid::Uuid,
    status: StatusCode,
    error: Value,
    draft: Value,
) -> HttpResponse {
    let api = me.api();
    let (case, messages, timeline, evidence) = futures_util::future::join4(
        api.get(&format!("/cases/{id}")),
        every_or_most(api, &format!("/cases/{id}/messages")),
        every_or_most(api, &format!("/cases/{id}/timeline")),
        every_or_most(api, &format!("/cases/{id}/evidence")),
    )
    .await;
    let case = match case {
        Ok(c) => c,
        Err(r) => return failure(me.lang, &r),
    };
    let ((messages, messages_cut), (timeline, timeline_cut), (evidence, evidence_cut)) =
        match (messages, timeline, evidence) {
            (Ok(m), Ok(t), Ok(e)) => (m, t, e),
            (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return failure(me.lang, &r),
        };
    let allowed: Vec<&str> = case.body["allowed_actions"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Templates to answer from, for staff (the API suggests those of the
    // case's category first).
    let templates = if me.staff() && !closed(&case.body) {
        match api.get(&format!("/cases/{id}/templates")).await {
            Ok(t) => t.body,
            Err(r) => return failure(me.lang, &r),
        }
    } else {
        Value::Null
    };
    // Whom a case can be assigned to: active mediators and leads.
    let mediators = if allowed.contains(&"assign") {
        let (mediators, leads) = futures_util::future::join(
            every(api, "/users?role=mediator&active=true"),
            every(api, "/users?role=lead&active=true"),
        )
        .await;
        match (mediators, leads) {
            (Ok(Value::Array(mut all)), Ok(Value::Array(leads))) => {
                all.extend(leads);
                Value::Array(all)
            }
            (Ok(_), Ok(_)) => Value::Null,
            (Err(r), _) | (_, Err(r)) => return failure(me.lang, &r),
        }
    } else {
        Value::Null
    };
    let offered: Vec<&str> = allowed
        .iter()
        .copied()
        .filter(|a| ACTIONS.contains(a))
        .collect();
    let threads = threads(&messages, &case.body, me.staff());
    let ctx = me.base(json!({
        "case": case.body,
        "etag": case.etag,
        "threads": threads,
        "timeline": timeline,
        "evidence": evidence,
        // Past 2,000 of one kind, the page says the rest are in the API.
        "cut": {"messages": messages_cut, "timeline": timeline_cut, "evidence": evidence_cut},
        "templates": templates,
        "draft": draft,
        "visibilities": visibilities(&case.body, me.staff()),
        "actions": offered,
        "mediators": mediators,
        "error": error,
        "key": secret::random("console-"),
        "outcomes": ["upheld", "partially_upheld", "not_upheld"],
        "sanction_kinds": ["warning", "content_removal", "restriction", "suspension", "ban"],
        "remedy_kinds": ["apology", "correction", "refund", "other"],
        "decisions": ["uphold", "amend", "overturn"],
        "dismissal_reasons": ["out_of_scope", "duplicate", "abusive", "other"],
    }));
    page(status, "case.html", ctx)
}

/// The case's messages by thread, each with who reads it and whether the
/// reader may post to it: the joint thread, each party's private thread
/// with the mediator, and the staff's internal notes. A party gets only
/// the threads the API gave them messages or a right to post in.
fn threads(messages: &Value, case: &Value, staff: bool) -> Value {
    let mine = case["your_party"].as_str();
    let order: Vec<&str> = if staff {
        vec!["all_parties", "complainant", "respondent", "internal"]
    } else {
        let mut v = vec!["all_parties"];
        v.extend(mine);
        v
    };
    let items = messages.as_array().cloned().unwrap_or_default();
    Value::Array(
        order
            .into_iter()
            .map(|vis| {
                let posts: Vec<&Value> = items
                    .iter()
                    .filter(|m| m["visibility"].as_str() == Some(vis))
                    .collect();
                json!({"visibility": vis, "messages": posts})
            })
            .collect(),
    )
}

/// Where the reader may post a message or add evidence: staff anywhere,
/// a party to both sides or privately to the mediator.
fn visibilities(case: &Value, staff: bool) -> Value {
    if staff {
        json!(["all_parties", "complainant", "respondent", "internal"])
    } else {
        let mut v = vec![json!("all_parties")];
        v.extend(case["your_party"].as_str().map(|p| json!(p)));
        Value::Array(v)
    }
}

fn closed(case: &Value) -> bool {
    matches!(
        case["state"].as_str(),
        Some("closed" | "withdrawn" | "dismissed")
    )
}

/// `POST /console/cases/{id}/drafts`: `draft_message`; the case page
/// again, with the draft in its thread's form to edit and send.
pub async fn draft(path: web::Path<uuid::Uuid>, sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner();
    let body = form::to_json(&fields);
    let path = format!("/cases/{id}/drafts");
    match me.api().post(&path, &body, Write::default()).await {
        Ok(draft) => case_page(&me, id, StatusCode::OK, Value::Null, draft.body).await,
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!("draft");
            case_page(&me, id, status, error, Value::Null).await
        }
    }
}

/// `POST /console/cases/{id}/actions/{action}`: the action of that name,
/// `If-Match` the version the page showed.
pub async fn act(path: web::Path<(uuid::Uuid, String)>, sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let (id, action) = path.into_inner();
    if !ACTIONS.contains(&action.as_str()) {
        return failure(me.lang, &Refusal::not_found());
    }
    let write = Write {
        if_match: field(&fields, "if_match").map(str::to_string),
        key: field(&fields, "key").map(|k| format!("{k}-{action}")),
    };
    let body = form::to_json(&fields);
    let path = format!("/cases/{id}/actions/{action}");
    match me.api().post(&path, &body, write).await {
        Ok(_) => see_other(&format!("/console/cases/{id}")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!(action);
            error["form"] = values(&fields);
            case_page(&me, id, status, error, Value::Null).await
        }
    }
}

/// `POST /console/cases/{id}/messages`: `post_message`.
pub async fn post_message(path: web::Path<uuid::Uuid>, sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner();
    let write = Write {
        key: field(&fields, "key").map(|k| format!("{k}-message")),
        ..Write::default()
    };
    let body = form::to_json(&fields);
    match me
        .api()
        .post(&format!("/cases/{id}/messages"), &body, write)
        .await
    {
        Ok(_) => see_other(&format!("/console/cases/{id}#messages")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!("message");
            error["form"] = values(&fields);
            case_page(&me, id, status, error, Value::Null).await
        }
    }
}
