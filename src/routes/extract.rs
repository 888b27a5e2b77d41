//! Request pieces shared by handlers: the caller, optional JSON bodies,
//! `If-Match`, `Idempotency-Key`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::accounts::Caller;
use crate::cases::Expected;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A JSON body that may be left out entirely (an action with no required
/// fields); when present it must be valid JSON of the right shape.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.settings.max_body_bytes)
            .unwrap_or(256 * 1024);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| {
                let status = e.as_response_error().status_code();
                if status == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge(limit)
                } else {
                    ApiError::BadRequest(format!("the body could not be read: {e}"))
                }
            })?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(T::default()));
            }
            let is_json = content_type
                .as_deref()
                .and_then(|c| c.split(';').next())
                .is_some_and(|m| {
                    let m = m.trim().to_ascii_lowercase();
                    m == "application/json" || m.ends_with("+json")
                });
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "the body must be JSON with Content-Type: application/json".into(),
                ));
            }
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            // `null` is the same as no body.
            let value = Option::<T>::deserialize(&mut de).and_then(|v| de.end().map(|_| v));
            value
                .map(|v| OptionalJson(v.unwrap_or_default()))
                .map_err(|e| {
                    crate::routes::errors::json_error(
                        actix_web::error::JsonPayloadError::Deserialize(e),
                        limit,
                    )
                })
        })
    }
}

/// A body an action takes, required (`web::Json`) or optional
/// ([`OptionalJson`]), unwrapped.
pub trait ActionBody {
    /// What the client sent.
    type Body;
    /// The body itself.
    fn into_body(self) -> Self::Body;
}

impl<T> ActionBody for web::Json<T> {
    type Body = T;
    fn into_body(self) -> T {
        self.into_inner()
    }
}

impl<T> ActionBody for OptionalJson<T> {
    type Body = T;
    fn into_body(self) -> T {
        self.0
    }
}

/// The `If-Match` header: the case versions a request is prepared to act on.
pub struct IfMatch(pub Expected);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(if_match(req).map(IfMatch))
    }
}

/// Reads `If-Match` as sent; weak tags stay weak, so they never match.
fn if_match(req: &HttpRequest) -> ApiResult<Expected> {
    let Some(v) = req.headers().get(header::IF_MATCH) else {
        return Ok(Expected::Absent);
    };
    let v = v
        .to_str()
        .map_err(|_| ApiError::BadRequest("If-Match is not readable text".into()))?;
    Ok(Expected::Tags(
        v.split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
    ))
}

/// The `Idempotency-Key` header, checked: 1 to 255 visible ASCII characters.
pub fn idempotency_key(req: &HttpRequest) -> ApiResult<Option<String>> {
    let Some(v) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= 255 && s.chars().all(|c| c.is_ascii_graphic()));
    v.map(|s| Some(s.to_string())).ok_or_else(|| {
        ApiError::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into())
    })
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty() && t.len() <= 200)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token.ok_or(ApiError::Unauthorized)?;
            let state = state.ok_or_else(|| anyhow::anyhow!("application state missing"))?;
            let now = state.clock.now();
            state
                .db
                .read(move |conn| crate::accounts::authenticate(conn, &token, now))
                .await
        })
    }
}
