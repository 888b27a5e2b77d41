//! Errors as HTTP answers: every [`ApiError`] becomes RFC 9457
//! problem+json with its status here, as does every error actix produces by
//! itself; unknown routes get 404 and wrong methods 405.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use std::time::Duration;

use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::parse::FieldError;
use crate::error::ApiError;
use crate::telemetry::Throttle;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// `Retry-After` (seconds) when the database is unavailable.
pub const RETRY_UNAVAILABLE: &str = "5";
/// `Retry-After` (seconds) when the service is busy (password checks).
pub const RETRY_BUSY: &str = "1";

/// An outage fails every request; its warning is logged once per period
/// (with how many requests it stood for), not once per request.
static UNAVAILABLE_LOG: Throttle = Throttle::new(Duration::from_secs(10));
static BUSY_LOG: Throttle = Throttle::new(Duration::from_secs(10));

/// An RFC 9457 problem document: the body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:ombud:problem:validation",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "the request has invalid fields",
    "errors": [{"field": "title", "message": "must be 1 to 200 characters"}]
}))]
pub struct Problem {
    /// A stable identifier of the kind of problem (`urn:ombud:problem:<kind>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status text.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a human.
    pub detail: String,
    /// Field errors, for validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// The problem document for an error.
pub fn problem(e: &ApiError) -> Problem {
    let status = e.status_code();
    Problem {
        kind: format!("urn:ombud:problem:{}", e.kind()),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: e.to_string(),
        errors: match e {
            ApiError::Validation(errs) => Some(errs.clone()),
            _ => None,
        },
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::InvalidTransition(_) | ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) | ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            ApiError::Unavailable(cause) => {
                if let Some(held_back) = UNAVAILABLE_LOG.admit() {
                    tracing::warn!(%cause, held_back, "database unavailable");
                }
            }
            ApiError::Busy(cause) => {
                if let Some(held_back) = BUSY_LOG.admit() {
                    tracing::warn!(%cause, held_back, "busy; request refused");
                }
            }
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"ombud\""));
            }
            ApiError::MethodNotAllowed(methods) => {
                res.insert_header((header::ALLOW, methods.join(", ")));
            }
            ApiError::PreconditionFailed(etag) => {
                res.insert_header((header::ETAG, etag.clone()));
            }
            ApiError::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, RETRY_UNAVAILABLE));
            }
            ApiError::Busy(_) => {
                res.insert_header((header::RETRY_AFTER, RETRY_BUSY));
            }
            ApiError::TooManyAttempts(seconds) => {
                res.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            _ => {}
        }
        let body = serde_json::to_string(&problem(self)).unwrap_or_else(|_| "{}".into());
        res.body(body)
    }
}

/// JSON bodies: size limit and problem+json errors.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| json_error(err, limit).into())
}

/// Maps a JSON extraction failure to the right problem.
pub fn json_error(err: JsonPayloadError, limit: usize) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::PayloadTooLarge(limit)
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType(
            "the body must be JSON with Content-Type: application/json".into(),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::field(&field_of(&e.to_string()), e.to_string())
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::BadRequest(format!("the body is not valid JSON: {e}"))
        }
        other => ApiError::BadRequest(format!("the body could not be read: {other}")),
    }
}

/// Serde names the offending field in its message; use it as the field path.
fn field_of(message: &str) -> String {
    for marker in ["missing field `", "unknown field `"] {
        if let Some(rest) = message.split(marker).nth(1)
            && let Some(name) = rest.split('`').next()
        {
            return name.to_string();
        }
    }
    "body".into()
}

/// Path parameters: a malformed id is a 404 problem (no such resource).
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req| {
        let _ = err;
        ApiError::NotFound("resource").into()
    })
}

/// Query parameters: a bad one is a 400 problem naming it.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::BadRequest(format!("invalid query parameter: {err}")).into()
    })
}

/// The routes of the API as templates, to tell 404 from 405.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    /// Reads every path and its methods from the OpenAPI document.
    pub fn from_spec(doc: &utoipa::openapi::OpenApi) -> RouteTable {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_string).collect();
                let value = serde_json::to_value(item).unwrap_or_default();
                let mut methods: Vec<String> = value
                    .as_object()
                    .map(|o| {
                        o.keys()
                            .filter(|k| {
                                ["get", "post", "put", "patch", "delete"].contains(&k.as_str())
                            })
                            .map(|k| k.to_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                methods.sort();
                (segments, methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods allowed at `path`, if it is a known route.
    pub fn methods_for(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let mut found: Option<Vec<String>> = None;
        for (template, methods) in &self.routes {
            let matches = template.len() == parts.len()
                && template
                    .iter()
                    .zip(&parts)
                    .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p);
            if matches {
                let all = found.get_or_insert_with(Vec::new);
                all.extend(methods.iter().cloned());
            }
        }
        found.map(|mut m| {
            m.sort();
            m.dedup();
            m
        })
    }
}

/// Everything no route matched: a wrong method (405) or no such route (404).
pub async fn fallback(req: HttpRequest, table: web::Data<RouteTable>) -> ApiError {
    match table.methods_for(req.path()) {
        Some(methods) if !methods.is_empty() => ApiError::MethodNotAllowed(methods),
        _ => ApiError::RouteNotFound,
    }
}

impl actix_web::Responder for ApiError {
    type Body = BoxBody;
    fn respond_to(self, _req: &HttpRequest) -> HttpResponse {
        self.error_response()
    }
}

/// Last line of defence: an error response that is not problem+json yet
/// (one actix made by itself) gets a problem body with the same status.
/// A console page that says what went wrong (HTML) is left as it is.
pub fn as_problem<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let kept = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with("text/html"));
    if kept {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let problem = Problem {
        kind: format!(
            "urn:ombud:problem:{}",
            if status.is_server_error() {
                "internal"
            } else {
                "http"
            }
        ),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: status
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_string(),
        errors: None,
    };
    let body = serde_json::to_string(&problem).unwrap_or_default();
    let (req, mut res) = res.into_parts();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(PROBLEM_JSON),
    );
    let res = ServiceResponse::new(req, res.set_body(body))
        .map_into_boxed_body()
        .map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use actix_web::http::header::RETRY_AFTER;

    use super::problem;
    use crate::error::ApiError;

    #[test]
    fn unavailable_and_busy_are_503_with_retry_after() {
        let cases = [
            (ApiError::Unavailable("db".into()), "5", "unavailable"),
            (ApiError::Busy("hashing".into()), "1", "busy"),
        ];
        for (e, retry, kind) in cases {
            let res = e.error_response();
            assert_eq!(res.status().as_u16(), 503);
            assert_eq!(res.headers().get(RETRY_AFTER).unwrap(), retry);
            let p = problem(&e);
            assert_eq!(p.kind, format!("urn:ombud:problem:{kind}"));
            assert!(!p.detail.contains("db") && !p.detail.contains("hashing"));
        }
    }
}
