//! Request pieces shared by handlers: optional JSON bodies, `If-Match`,
//! `Idempotency-Key`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;

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

/// The versions an `If-Match` header accepts; `None` when absent.
pub fn if_match(req: &HttpRequest) -> ApiResult<Option<Vec<String>>> {
    let Some(v) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| ApiError::BadRequest("If-Match is not readable text".into()))?;
    Ok(Some(
        v.split(',')
            .map(|t| t.trim().trim_start_matches("W/").to_string())
            .filter(|t| !t.is_empty())
            .collect(),
    ))
}

/// The `ETag` of a case at `version`.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// Whether an `If-Match` list accepts `version`.
pub fn matches(tags: &[String], version: i64) -> bool {
    let current = etag(version);
    tags.iter().any(|t| t == "*" || *t == current)
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
