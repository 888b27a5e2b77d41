//! Liveness and readiness probes for operators, and the `/docs` redirect.

use actix_web::{HttpResponse, web};

use crate::error::ApiResult;
use crate::state::AppState;

/// The process is up.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// The process can use its database: it answers within the database
/// timeout and is not refusing writes; otherwise 503, within that time.
pub async fn ready(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state.db.ready().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready"})))
}

/// `/docs` without the trailing slash.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}
