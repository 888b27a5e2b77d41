//! HTTP handlers, one folder per resource and one file per handler.

pub mod errors;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod pagination;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every API handler (under `/api/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    let _ = cfg;
}
