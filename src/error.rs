//! The error of the use cases: what a request can fail with, in the
//! service's words. Storage ([`StoreError`]) and mail ([`MailError`],
//! [`OutboxError`]) have their own errors that convert into it; the HTTP edge renders it as RFC
//! 9457 problem+json (`routes::errors`), and nothing below the edge knows
//! about status codes.

use crate::db::StoreError;
use crate::domain::parse::FieldError;
use crate::notify::MailError;
use crate::notify::admin::OutboxError;
use crate::pagination::PageError;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No credentials, or wrong, expired or revoked ones. Says nothing more.
    #[error("missing or invalid credentials")]
    Unauthorized,
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or the caller may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The action is not possible in the current state of the resource.
    #[error("{0}")]
    InvalidTransition(String),
    /// The request clashes with existing data (a duplicate email, a reused key).
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` named a version that is no longer current.
    #[error("the case has changed since you read it; fetch it again (current ETag {0})")]
    PreconditionFailed(String),
    /// The action needs `If-Match` and none was sent.
    #[error("{0}")]
    PreconditionRequired(String),
    /// Fields failed validation.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// The request could not be read (malformed JSON, bad parameter).
    #[error("{0}")]
    BadRequest(String),
    /// The body is larger than allowed.
    #[error("the request body is larger than the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// The body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// No such route.
    #[error("no resource at this address")]
    RouteNotFound,
    /// The route exists but not with this method.
    #[error("method not allowed here; allowed: {}", .0.join(", "))]
    MethodNotAllowed(Vec<String>),
    /// A dependency (the database) is unavailable; retry later.
    #[error("the service is temporarily unavailable, please retry")]
    Unavailable(String),
    /// Too much of this kind of work at once (password checks); retry soon.
    #[error("the service is busy, please retry in a moment")]
    Busy(String),
    /// Too many failed sign-ins for this email address or from this client
    /// address: wait this many seconds.
    #[error("too many failed sign-ins; try again in {}", seconds(*.0))]
    TooManyAttempts(u64),
    /// A bug or an unexpected failure; logged, never described to the client.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// The stable problem kind.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::InvalidTransition(_) => "invalid-transition",
            ApiError::Conflict(_) => "conflict",
            ApiError::PreconditionFailed(_) => "precondition-failed",
            ApiError::PreconditionRequired(_) => "precondition-required",
            ApiError::Validation(_) => "validation",
            ApiError::BadRequest(_) => "bad-request",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::RouteNotFound => "route-not-found",
            ApiError::MethodNotAllowed(_) => "method-not-allowed",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Busy(_) => "busy",
            ApiError::TooManyAttempts(_) => "too-many-attempts",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<PageError> for ApiError {
    fn from(e: PageError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("resource"),
            StoreError::Conflict => ApiError::Conflict(e.to_string()),
            StoreError::Unavailable(cause) => ApiError::Unavailable(cause),
            StoreError::Failed(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<MailError> for ApiError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Store(e) => e.into(),
            MailError::Render(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<OutboxError> for ApiError {
    fn from(e: OutboxError) -> Self {
        match e {
            OutboxError::NotFound => ApiError::NotFound("mail"),
            OutboxError::NotFailed(_) | OutboxError::AlreadyRetried => {
                ApiError::InvalidTransition(e.to_string())
            }
            OutboxError::Store(e) => e.into(),
            OutboxError::Damaged(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errs: Vec<FieldError>) -> Self {
        ApiError::Validation(errs)
    }
}

fn seconds(n: u64) -> String {
    match n {
        1 => "1 second".into(),
        n => format!("{n} seconds"),
    }
}

/// The result of a handler or a database call.
pub type ApiResult<T> = Result<T, ApiError>;
