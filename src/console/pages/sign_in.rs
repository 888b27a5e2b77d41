//! Signing in and out.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::Value as Ctx;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{failure, forbidden, refusal_json, see_other};
use crate::console::Console;
use crate::console::api::{Refusal, Write};
use crate::console::render::page;
use crate::console::session::Visit;

/// `GET /console`: the cases, or signing in.
pub async fn home(req: HttpRequest, console: web::Data<Console>) -> HttpResponse {
    let to = if Visit::of(&req, &console.http).token.is_some() {
        "/console/cases"
    } else {
        "/console/sign-in"
    };
    see_other(to)
}

/// Where to go after signing in, and whether to try the page once more
/// first (see [`super::Turned::SignIn`]).
#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    retry: Option<String>,
}

/// A console page to return to: a path under `/console/` of this site,
/// nothing else (no other host, no `//`, no `.` or `..` segment, plain
/// or percent-encoded, no backslash).
pub(super) fn console_path(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with("/console/")
            && !n.contains("//")
            && !n.contains("/.")
            && !n.to_ascii_lowercase().contains("%2e")
            && !n.contains('\\')
            && !n.starts_with("/console/sign-")
            && n.len() < 500
            && n.bytes().all(|b| b.is_ascii_graphic())
    })
    .map(str::to_string)
}

/// `GET /console/sign-in`. With `retry`, the page first loads the page
/// the browser asked for once more, from here: a link from mail or another
/// site arrives without the `SameSite=Strict` cookie, which a navigation
/// from this site's own page carries.
pub async fn sign_in_page(
    req: HttpRequest,
    console: web::Data<Console>,
    q: web::Query<SignInQuery>,
) -> HttpResponse {
    let visit = Visit::of(&req, &console.http);
    let next = console_path(q.next.as_deref());
    let retry = q.retry.as_deref() == Some("1") && next.is_some();
    page(
        StatusCode::OK,
        "sign_in.html",
        Ctx::from_serialize(json!({"lang": visit.lang, "next": next, "retry": retry})),
    )
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// `POST /console/sign-in`: `create_token`, kept in the session cookie.
pub async fn sign_in(
    req: HttpRequest,
    console: web::Data<Console>,
    form: web::Form<SignInForm>,
) -> HttpResponse {
    let visit = Visit::of(&req, &console.http);
    if !Visit::same_origin(&req) {
        return forbidden(visit.lang);
    }
    let SignInForm {
        email,
        password,
        next,
    } = form.into_inner();
    let next = console_path(next.as_deref());
    let body = json!({"email": email, "password": password, "name": "web console"});
    match visit
        .api
        .post("/auth/tokens", &body, Write::default())
        .await
    {
        Ok(issued) => {
            let (Some(id), Some(token)) = (
                issued.body["details"]["id"].as_str(),
                issued.body["token"].as_str(),
            ) else {
                return failure(visit.lang, &Refusal::odd());
            };
            // Signing in again replaces the session: its old token goes.
            if let Some(old) = visit.token_id() {
                let _ = visit.api.delete(&format!("/auth/tokens/{old}")).await;
            }
            let hours = hours_left(&issued.body["details"]["expires_at"]);
            let cookie = visit.cookie(format!("{id}.{token}"), hours);
            let mut to = see_other(next.as_deref().unwrap_or("/console/cases"));
            let _ = to.add_cookie(&cookie);
            to
        }
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut answer = page(
                status,
                "sign_in.html",
                Ctx::from_serialize(
                    json!({"lang": visit.lang, "email": email, "next": next, "error": refusal_json(&r)}),
                ),
            );
            if r.status == 429
                && let Ok(v) = header::HeaderValue::from_str(&r.retry_after.to_string())
            {
                answer.headers_mut().insert(header::RETRY_AFTER, v);
            }
            answer
        }
    }
}

fn hours_left(expires_at: &Value) -> i64 {
    expires_at
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| (t.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours())
        .unwrap_or(12)
        .clamp(1, 24 * 30)
}

/// A form that only carries the CSRF token.
#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

/// `POST /console/sign-out`: `revoke_token` on the session's token.
pub async fn sign_out(
    req: HttpRequest,
    console: web::Data<Console>,
    form: web::Form<CsrfOnly>,
) -> HttpResponse {
    let visit = Visit::of(&req, &console.http);
    if !Visit::same_origin(&req) || !visit.csrf_ok(form.csrf.as_deref()) {
        return forbidden(visit.lang);
    }
    if let Some(id) = visit.token_id() {
        // Already revoked or expired is signed out all the same.
        let _ = visit.api.delete(&format!("/auth/tokens/{id}")).await;
    }
    let mut to = see_other("/console/sign-in");
    let _ = to.add_removal_cookie(&visit.removal());
    to
}
