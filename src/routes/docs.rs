//! Error responses for the OpenAPI document, declared once and named by
//! handlers in their `responses(...)`: every error is a [`Problem`].

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{Ref, RefOr, Response, schema};

fn body(status: u16, kind: &str, title: &str, detail: &str) -> serde_json::Value {
    serde_json::json!({
        "type": format!("urn:ombud:problem:{kind}"),
        "title": title,
        "status": status,
        "detail": detail,
    })
}

fn problem(status: u16, kind: &str, title: &str, detail: &str) -> (String, RefOr<Response>) {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .example(Some(body(status, kind, title, detail)))
        .build();
    let response = ResponseBuilder::new()
        .description(detail)
        .content(crate::routes::errors::PROBLEM_JSON, content)
        .build();
    (status.to_string(), RefOr::T(response))
}

/// 503: the database is unavailable, or the service is busy; either way
/// `Retry-After` says when to try again.
fn unavailable() -> (String, RefOr<Response>) {
    use crate::routes::errors::{RETRY_BUSY, RETRY_UNAVAILABLE};
    let title = "Service Unavailable";
    let example = |summary: &str, kind: &str, detail: &str| {
        ExampleBuilder::new()
            .summary(summary)
            .value(Some(body(503, kind, title, detail)))
            .build()
    };
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .examples_from_iter([
            (
                "unavailable",
                example(
                    &format!("The database cannot be used now (Retry-After: {RETRY_UNAVAILABLE})"),
                    "unavailable",
                    "the service is temporarily unavailable, please retry",
                ),
            ),
            (
                "busy",
                example(
                    &format!("Too many password checks at once (Retry-After: {RETRY_BUSY})"),
                    "busy",
                    "the service is busy, please retry in a moment",
                ),
            ),
        ])
        .build();
    let response = ResponseBuilder::new()
        .description(
            "The database is unavailable (unreachable, too slow, or refusing writes), \
             or the service is busy; retry after `Retry-After` seconds",
        )
        .header("Retry-After", retry_after(5))
        .content(crate::routes::errors::PROBLEM_JSON, content)
        .build();
    ("503".to_string(), RefOr::T(response))
}

fn retry_after(example: u64) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(Some(schema::Schema::Object(
            schema::ObjectBuilder::new()
                .schema_type(schema::Type::Integer)
                .minimum(Some(1))
                .build(),
        )))
        .description(Some("Seconds to wait before trying again"))
        .example(Some(serde_json::json!(example)))
        .build()
}

/// 429: too many failed sign-ins for the email address or from the client
/// address; `Retry-After` says when the next try is taken.
fn too_many_attempts() -> (String, RefOr<Response>) {
    let (_, problem) = problem(
        429,
        "too-many-attempts",
        "Too Many Requests",
        "too many failed sign-ins; try again in 16 seconds",
    );
    let RefOr::T(mut response) = problem else {
        unreachable!("problem() builds a response")
    };
    response.description = "Too many failed sign-ins for this email address or from this client \
        address (the same whether or not an account has the address); every sign-in with it is \
        refused, the right password included, until `Retry-After` seconds have passed"
        .into();
    response
        .headers
        .insert("Retry-After".into(), RefOr::T(retry_after(16)));
    ("429".to_string(), RefOr::T(response))
}

/// Every problem response, by status, for `components.responses`.
pub fn all() -> Vec<(String, String, RefOr<Response>)> {
    [
        400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 500, 503,
    ]
    .into_iter()
    .map(|code| {
        let (status, response) = problem_for(code);
        (status, name(code).to_string(), response)
    })
    .collect()
}

fn name(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        422 => "ValidationFailed",
        428 => "PreconditionRequired",
        429 => "TooManyAttempts",
        500 => "InternalError",
        _ => "Unavailable",
    }
}

fn set(codes: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    codes
        .iter()
        .map(|code| {
            let reference = Ref::new(format!("#/components/responses/{}", name(*code)));
            (code.to_string(), RefOr::Ref(reference))
        })
        .collect()
}

fn problem_for(code: u16) -> (String, RefOr<Response>) {
    match code {
        400 => problem(
            400,
            "bad-request",
            "Bad Request",
            "The request could not be read (malformed JSON or parameter)",
        ),
        401 => problem(
            401,
            "unauthorized",
            "Unauthorized",
            "Missing or invalid credentials",
        ),
        403 => problem(403, "forbidden", "Forbidden", "The caller may not do this"),
        404 => problem(
            404,
            "not-found",
            "Not Found",
            "No such resource, or not visible to the caller",
        ),
        409 => problem(
            409,
            "invalid-transition",
            "Conflict",
            "Not possible in the current state, or clashes with existing data",
        ),
        412 => problem(
            412,
            "precondition-failed",
            "Precondition Failed",
            "If-Match names a version that is no longer current",
        ),
        413 => problem(
            413,
            "payload-too-large",
            "Payload Too Large",
            "The body is larger than the limit",
        ),
        415 => problem(
            415,
            "unsupported-media-type",
            "Unsupported Media Type",
            "The body must be application/json",
        ),
        422 => problem(
            422,
            "validation",
            "Unprocessable Entity",
            "Fields failed validation; see errors",
        ),
        428 => problem(
            428,
            "precondition-required",
            "Precondition Required",
            "This action needs If-Match with the ETag of the case as you read it",
        ),
        500 => problem(
            500,
            "internal",
            "Internal Server Error",
            "An unexpected failure; it was logged",
        ),
        429 => too_many_attempts(),
        _ => unavailable(),
    }
}

/// Errors of a read by a signed-in caller.
pub struct ReadErrors;
impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[400, 401, 403, 404, 500, 503])
    }
}

/// Errors of a creating or updating request by a signed-in caller.
pub struct WriteErrors;
impl IntoResponses for WriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[400, 401, 403, 404, 409, 413, 415, 422, 500, 503])
    }
}

/// Errors of a case action.
pub struct ActionErrors;
impl IntoResponses for ActionErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 500, 503])
    }
}

/// Errors of changing a user, which may check the caller's password (429:
/// too many wrong ones, as when signing in).
pub struct UpdateUserErrors;
impl IntoResponses for UpdateUserErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503])
    }
}

/// Errors of signing in.
pub struct SignInErrors;
impl IntoResponses for SignInErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[400, 401, 413, 415, 422, 429, 500, 503])
    }
}
