//! Evidence: adding a file and downloading one.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::case::case_page;
use super::{Signed, SignedForm, failure, forbidden, refusal_json, see_other};
use crate::console::api::{Refusal, Write};
use crate::console::session::Visit;

/// The CSRF token and form key of an upload, in its address: the upload's
/// body goes to the API as it came, and the API takes no other fields.
#[derive(Deserialize)]
pub struct UploadQuery {
    csrf: Option<String>,
    key: Option<String>,
}

/// `POST /console/cases/{id}/evidence`: `add_evidence`, the browser's
/// multipart form passed on as it is.
pub async fn add_evidence(
    req: HttpRequest,
    me: Signed,
    path: web::Path<uuid::Uuid>,
    q: web::Query<UploadQuery>,
    mut payload: web::Payload,
) -> HttpResponse {
    // Who sends it, and from where, is checked before the body is read.
    let id = path.into_inner();
    if !Visit::same_origin(&req) || !me.visit.csrf_ok(q.csrf.as_deref()) {
        return forbidden(me.lang);
    }
    // The file and a little more: the API refuses a larger file itself.
    let limit = req
        .app_data::<web::Data<crate::state::AppState>>()
        .map_or(20 << 20, |s| s.settings.evidence_max_bytes)
        .saturating_add(64 * 1024);
    let mut body = web::BytesMut::new();
    while let Some(chunk) = futures_util::StreamExt::next(&mut payload).await {
        let Ok(chunk) = chunk else {
            return failure(me.lang, &Refusal::unreadable());
        };
        if (body.len() + chunk.len()) as u64 > limit {
            let mut error = refusal_json(&Refusal::too_large(limit));
            error["action"] = json!("evidence");
            return case_page(&me, id, StatusCode::PAYLOAD_TOO_LARGE, error, Value::Null).await;
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let write = Write {
        key: q.key.clone().map(|k| format!("{k}-evidence")),
        ..Write::default()
    };
    let path = format!("/cases/{id}/evidence");
    match me.api().post_raw(&path, &content_type, body, write).await {
        Ok(_) => see_other(&format!("/console/cases/{id}#evidence")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!("evidence");
            case_page(&me, id, status, error, Value::Null).await
        }
    }
}

/// `GET /console/cases/{id}/evidence/{evidence_id}`: `download_evidence`,
/// as an attachment that is never rendered.
pub async fn download_evidence(
    me: Signed,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> HttpResponse {
    let (id, evidence) = path.into_inner();
    let path = format!("/cases/{id}/evidence/{evidence}/content");
    match me.api().download(&path).await {
        Ok(file) => {
            let mut res = HttpResponse::Ok();
            res.insert_header((header::CONTENT_TYPE, "application/octet-stream"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    file.disposition.unwrap_or_else(|| "attachment".into()),
                ))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; sandbox",
                ));
            match file.length {
                // The length as the API gave it, so the browser shows
                // progress; the body still streams.
                Some(length) => res.no_chunking(length).streaming(file.body),
                None => res.streaming(file.body),
            }
        }
        Err(r) => failure(me.lang, &r),
    }
}

/// `POST /console/cases/{id}/evidence/{evidence_id}/hide`: `hide_evidence`,
/// with the reason given (staff).
pub async fn hide_evidence(
    sent: SignedForm,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let (id, evidence) = path.into_inner();
    let body = crate::console::form::to_json(&fields);
    let path = format!("/cases/{id}/evidence/{evidence}/hide");
    let answer = me.api().post(&path, &body, Write::default()).await;
    after(&me, id, answer.map(|_| ())).await
}

/// `POST /console/cases/{id}/evidence/{evidence_id}/remove`:
/// `remove_evidence` (whoever added it, before the investigation).
pub async fn remove_evidence(
    sent: SignedForm,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> HttpResponse {
    let me = sent.me;
    let (id, evidence) = path.into_inner();
    let answer = me
        .api()
        .delete(&format!("/cases/{id}/evidence/{evidence}"))
        .await;
    after(&me, id, answer.map(|_| ())).await
}

/// Back to the case's evidence, or the case with the API's refusal.
async fn after(me: &Signed, id: uuid::Uuid, answer: Result<(), Refusal>) -> HttpResponse {
    match answer {
        Ok(()) => see_other(&format!("/console/cases/{id}#evidence")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!("evidence");
            case_page(me, id, status, error, Value::Null).await
        }
    }
}
