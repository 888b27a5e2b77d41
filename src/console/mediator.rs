//! One mediator's desk: their profile and load, their availability, the
//! conflicts of interest declared for them, and handing their open cases
//! over. The mediator sees their own (*Your desk*); leads and admins see
//! everyone's from the mediators page. A conflict is declared from a case,
//! where the parties are named.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};
use uuid::Uuid;

use super::api::Write;
use super::form;
use super::pages::{Signed, SignedForm, every, failure, field, refusal_json, see_other};
use super::render::page;

/// `GET /console/mediators/{user_id}`: `get_mediator` and every page of
/// `list_conflicts`, with the forms for `set_availability`,
/// `withdraw_conflict` (leads and admins) and `hand_over`.
pub async fn desk(me: Signed, path: web::Path<Uuid>) -> HttpResponse {
    desk_page(
        &me,
        path.into_inner(),
        StatusCode::OK,
        Value::Null,
        Value::Null,
    )
    .await
}

async fn desk_page(
    me: &Signed,
    id: Uuid,
    status: StatusCode,
    error: Value,
    handed: Value,
) -> HttpResponse {
    let api = me.api();
    let (profile, conflicts) = futures_util::future::join(
        api.get(&format!("/mediators/{id}")),
        every(api, &format!("/mediators/{id}/conflicts")),
    )
    .await;
    // A mediator or lead without a desk profile (not given cases, and so
    // nothing to set or hand over) still sees their conflicts.
    let (profile, conflicts) = match (profile, conflicts) {
        (Ok(p), Ok(c)) => (p.body, c),
        (Err(r), Ok(c)) if r.status == 404 => (Value::Null, c),
        (Err(r), _) | (_, Err(r)) => return failure(me.lang, &r),
    };
    let ctx = me.base(json!({
        "profile": profile,
        "conflicts": conflicts,
        "id": id,
        "own": me.me["id"].as_str() == Some(id.to_string().as_str()),
        "handed": handed,
        "error": error,
    }));
    page(status, "desk.html", ctx)
}

/// Back to the desk, or the desk with the refusal.
async fn after(me: &Signed, id: Uuid, done: Result<Value, super::api::Refusal>) -> HttpResponse {
    match done {
        Ok(_) => see_other(&format!("/console/mediators/{id}")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            desk_page(me, id, status, refusal_json(&r), Value::Null).await
        }
    }
}

/// `POST /console/mediators/{user_id}/availability`: `set_availability`,
/// on or off duty, and away until the end of a day or not away (the day
/// left empty, or the button that ends an absence now).
pub async fn set_availability(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner();
    let done = me
        .api()
        .put(
            &format!("/mediators/{id}/availability"),
            &form::to_json(&fields),
        )
        .await;
    after(&me, id, done.map(|a| a.body)).await
}

/// `POST /console/mediators/{user_id}/hand-over`: `hand_over`; the desk
/// shows how many cases went to others and links those left for a lead
/// (the answer to the form, so that the list is shown once).
pub async fn hand_over(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, .. } = sent;
    let id = path.into_inner();
    // The API takes no `Idempotency-Key` here, and needs none: sent again
    // (a reload of the answer), it hands over what is still theirs.
    match me
        .api()
        .post(
            &format!("/mediators/{id}/hand_over"),
            &json!({}),
            Write::default(),
        )
        .await
    {
        Ok(done) => desk_page(&me, id, StatusCode::OK, Value::Null, done.body).await,
        Err(r) => after(&me, id, Err(r)).await,
    }
}

/// `POST /console/mediators/{user_id}/conflicts/{other_id}/withdraw`:
/// `withdraw_conflict` (leads and admins).
pub async fn withdraw_conflict(sent: SignedForm, path: web::Path<(Uuid, Uuid)>) -> HttpResponse {
    let SignedForm { me, .. } = sent;
    let (id, other) = path.into_inner();
    let done = me
        .api()
        .delete(&format!("/mediators/{id}/conflicts/{other}"))
        .await;
    after(&me, id, done.map(|a| a.body)).await
}

/// `POST /console/cases/{id}/conflict`: `declare_conflict` for the one
/// signed in (a mediator or a lead) with a party of the case, who is
/// then never given a case naming that party; this case stays theirs
/// until a lead reassigns it, so the case page comes back.
pub async fn declare_conflict(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let case = path.into_inner();
    let mine = me.me["id"].as_str().unwrap_or_default().to_string();
    let write = Write {
        key: field(&fields, "key").map(|k| format!("{k}-conflict")),
        ..Write::default()
    };
    match me
        .api()
        .post(
            &format!("/mediators/{mine}/conflicts"),
            &form::to_json(&fields),
            write,
        )
        .await
    {
        Ok(_) => see_other(&format!("/console/cases/{case}")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!("conflict");
            error["form"] = super::pages::values(&fields);
            super::pages::case::case_page(&me, case, status, error, Value::Null).await
        }
    }
}
