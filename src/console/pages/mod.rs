//! The console's pages and forms. Each asks the API (through [`Api`]) and
//! renders what it answered; a refusal is shown, never worked around.
//!
//! By page: [`sign_in`] (signing in and out), [`cases`] (the lists, the
//! statistics, filing), [`case`] (a case, its actions, messages and
//! drafts) and [`evidence`] (adding and downloading files).

pub mod case;
pub mod cases;
pub mod evidence;
pub mod sign_in;

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::Cookie;
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use minijinja::Value as Ctx;
use serde_json::{Value, json};

use super::api::{Api, Refusal};
use super::render::page;
use super::session::Visit;
use super::{Console, i18n};

pub(super) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The signed-in user and the page's language, or the way to sign in.
pub struct Signed {
    pub(super) visit: Visit,
    pub(super) me: Value,
    pub(super) lang: &'static str,
}

/// What a page answers instead of itself: the way to sign in (the
/// session is missing or over), or a refusal to show.
#[derive(Debug)]
pub enum Turned {
    /// To the sign-in page, forgetting the session cookie if one was sent,
    /// and coming back to the page asked for (`next`, a GET's path). When
    /// no cookie came with a navigation from elsewhere (a link in mail), the
    /// sign-in page first loads that page once more from this site, which
    /// sends a `SameSite=Strict` cookie if the browser has one (`retry`).
    SignIn {
        forget: Option<Cookie<'static>>,
        next: Option<String>,
        retry: bool,
        /// Asked by the page's script for a part of a page (`HX-Request`),
        /// in this language: answered with a notice put at the top of the
        /// page, with a link to sign in again. A redirect would be followed
        /// inside the request, and a whole new page would throw away what
        /// the user was typing.
        partial: Option<&'static str>,
    },
    /// A page saying what went wrong, in `lang`.
    Refused(&'static str, Refusal),
}

impl std::fmt::Display for Turned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Turned::SignIn { .. } => f.write_str("not signed in"),
            Turned::Refused(_, r) => write!(f, "{} {}", r.status, r.detail),
        }
    }
}

impl ResponseError for Turned {
    fn status_code(&self) -> StatusCode {
        match self {
            Turned::SignIn { .. } => StatusCode::SEE_OTHER,
            Turned::Refused(_, r) => {
                StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY)
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Turned::SignIn {
                forget,
                next,
                retry,
                partial,
            } => {
                let mut query: Vec<(&str, String)> =
                    next.iter().map(|n| ("next", n.clone())).collect();
                if *retry && next.is_some() {
                    query.push(("retry", "1".into()));
                }
                let to = if query.is_empty() {
                    "/console/sign-in".to_string()
                } else {
                    format!("/console/sign-in?{}", encode(&query))
                };
                let mut to = if let Some(lang) = partial {
                    session_ended(lang, &to)
                } else {
                    see_other(&to)
                };
                if let Some(cookie) = forget {
                    let _ = to.add_removal_cookie(cookie);
                }
                to
            }
            Turned::Refused(lang, r) => failure(lang, r),
        }
    }
}

impl FromRequest for Signed {
    type Error = Turned;
    type Future = Pin<Box<dyn Future<Output = Result<Signed, Turned>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let http = req.app_data::<web::Data<Console>>().map(|c| c.http.clone());
        let visit = http.as_ref().map(|http| Visit::of(req, http));
        // A page to come back to after signing in: what a GET asked for.
        let next = (req.method() == actix_web::http::Method::GET)
            .then(|| req.uri().path_and_query().map(|p| p.as_str().to_string()))
            .flatten()
            .and_then(|p| sign_in::console_path(Some(&p)));
        // Sent from a page of this site, a missing cookie is really missing;
        // and once the sign-in page has tried again, it is not tried twice.
        let from_sign_in = req
            .headers()
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|r| r.contains("/console/sign-in"));
        let from_elsewhere = !from_sign_in
            && req
                .headers()
                .get("sec-fetch-site")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v != "same-origin");
        let partial = req
            .headers()
            .get("hx-request")
            .is_some_and(|v| v.as_bytes() == b"true")
            .then(|| visit.as_ref().map_or("en", |v| v.lang));
        Box::pin(async move {
            let Some(visit) = visit else {
                return Err(Turned::Refused("en", Refusal::odd()));
            };
            Signed::of(visit, next, from_elsewhere)
                .await
                .map_err(|turned| match turned {
                    Turned::SignIn {
                        forget,
                        next,
                        retry,
                        ..
                    } => Turned::SignIn {
                        forget,
                        next,
                        retry,
                        partial,
                    },
                    other => other,
                })
        })
    }
}

/// A form sent by a signed-in user from a page of this site with the
/// session's CSRF token (403 otherwise, before the API is asked anything),
/// and its fields.
pub struct SignedForm {
    /// Who sent it.
    pub me: Signed,
    /// Its fields, in order.
    pub fields: Vec<(String, String)>,
}

impl FromRequest for SignedForm {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<SignedForm, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let me = Signed::from_request(req, payload);
        let fields = web::Form::<Vec<(String, String)>>::from_request(req, payload);
        let same_origin = Visit::same_origin(req);
        Box::pin(async move {
            let me = me.await?;
            let fields = fields.await?.into_inner();
            if !same_origin || !me.visit.csrf_ok(field(&fields, "csrf")) {
                return Err(Turned::Refused(me.lang, csrf_refusal(me.lang)).into());
            }
            Ok(SignedForm { me, fields })
        })
    }
}

impl Signed {
    /// Who the session belongs to, as the API says (`get_me`).
    async fn of(
        visit: Visit,
        next: Option<String>,
        from_elsewhere: bool,
    ) -> Result<Signed, Turned> {
        if visit.token.is_none() {
            return Err(Turned::SignIn {
                forget: None,
                next,
                retry: from_elsewhere,
                partial: None,
            });
        }
        match visit.api.get("/me").await {
            Ok(me) => {
                let lang = i18n::for_user(me.body["language"].as_str().unwrap_or("en"));
                Ok(Signed {
                    visit,
                    me: me.body,
                    lang,
                })
            }
            Err(r) if r.status == 401 => Err(Turned::SignIn {
                forget: Some(visit.removal()),
                next,
                retry: false,
                partial: None,
            }),
            Err(r) => Err(Turned::Refused(visit.lang, r)),
        }
    }

    pub(super) fn api(&self) -> &Api {
        &self.visit.api
    }

    /// Leads and admins: they assign, decide appeals and see statistics.
    fn supervisor(&self) -> bool {
        matches!(self.me["role"].as_str(), Some("lead" | "admin"))
    }

    fn staff(&self) -> bool {
        matches!(
            self.me["role"].as_str(),
            Some("mediator" | "lead" | "admin")
        )
    }

    /// What every page shows: who is signed in, the language, the CSRF token.
    pub(super) fn base(&self, extra: Value) -> Ctx {
        let mut ctx = json!({
            "lang": self.lang,
            "me": self.me,
            "staff": self.staff(),
        "supervisor": self.supervisor(),
            "csrf": self.visit.csrf(),
        });
        if let (Value::Object(base), Value::Object(extra)) = (&mut ctx, extra) {
            base.extend(extra);
        }
        Ctx::from_serialize(&ctx)
    }
}

/// The notice a part of a page gets when the session has ended: it goes
/// into the page's `#session-ended` (`HX-Retarget`), and nothing else on
/// the page changes. Its status, 286, stops that part's timer (htmx's
/// own code for it), so the notice is not announced again every 30 s; a
/// refresh on focus still comes, and takes it away once signed in again.
fn session_ended(lang: &str, sign_in: &str) -> HttpResponse {
    let mut notice = page(
        StatusCode::from_u16(286).unwrap_or(StatusCode::OK),
        "session_ended.html",
        Ctx::from_serialize(json!({"lang": lang, "sign_in": sign_in})),
    );
    let headers = notice.headers_mut();
    for (name, value) in [
        ("hx-retarget", "#session-ended"),
        ("hx-reswap", "outerHTML"),
        ("hx-reselect", "#session-ended"),
    ] {
        headers.insert(
            header::HeaderName::from_static(name),
            header::HeaderValue::from_static(value),
        );
    }
    notice
}

/// A page saying what went wrong, with the API's status.
pub(super) fn failure(lang: &str, r: &Refusal) -> HttpResponse {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
    page(
        status,
        "error.html",
        Ctx::from_serialize(json!({"lang": lang, "status": r.status, "detail": r.detail})),
    )
}

pub(super) fn refusal_json(r: &Refusal) -> Value {
    json!({
        "status": r.status,
        "detail": r.detail,
        "fields": r.fields.iter().map(|(f, m)| json!({"field": f, "message": m})).collect::<Vec<_>>(),
    })
}

pub(super) fn forbidden(lang: &str) -> HttpResponse {
    failure(lang, &csrf_refusal(lang))
}

/// A form without this session's CSRF token, or from another site.
fn csrf_refusal(lang: &str) -> Refusal {
    Refusal {
        status: 403,
        detail: i18n::text(lang, "error.csrf"),
        fields: Vec::new(),
        retry_after: 0,
    }
}

pub(super) fn is_word(s: &str) -> bool {
    !s.is_empty() && s.len() < 40 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// What a query value keeps as it is: letters, digits and `-._~`.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `pairs` as a query string, each value percent-encoded.
pub(super) fn encode(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, QUERY_VALUE)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub(super) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The submitted values by field name, to fill the form in again.
pub(super) fn values(fields: &[(String, String)]) -> Value {
    Value::Object(
        fields
            .iter()
            .filter(|(k, _)| k != "csrf" && k != "password")
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// Every item of the list at `path` (which may carry its own query),
/// following its cursor: a case's messages, timeline and evidence, oldest
/// first, or a desk's settings. A page holds 100; past 2,000 items the
/// rest are left out (the API still has them all).
pub(super) async fn every(api: &Api, path: &str) -> Result<Value, Refusal> {
    Ok(every_or_most(api, path).await?.0)
}

/// [`every`], and whether items were left out (more than 2,000).
pub(super) async fn every_or_most(api: &Api, path: &str) -> Result<(Value, bool), Refusal> {
    let join = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let page = match &cursor {
            None => api.get(&format!("{path}{join}limit=100")).await?,
            Some(c) => {
                api.get(&format!(
                    "{path}{join}limit=100&{}",
                    encode(&[("cursor", c.clone())])
                ))
                .await?
            }
        };
        items.extend(page.body["items"].as_array().cloned().unwrap_or_default());
        cursor = page.body["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    Ok((Value::Array(items), cursor.is_some()))
}
