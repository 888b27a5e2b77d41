//! Liveness and readiness probes for operators, and the `/docs` redirect.

use actix_web::{HttpResponse, web};
use diesel::RunQueryDsl;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The process is up.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// The process can reach its database.
pub async fn ready(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state
        .db
        .read(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(|e| ApiError::Unavailable(e.to_string()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready"})))
}

/// `/docs` without the trailing slash.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}
