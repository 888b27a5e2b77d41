use actix_web::{HttpResponse, delete, web};

use crate::accounts::Caller;
use crate::domain::WebhookId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;
use crate::webhooks::endpoints;

/// Remove a webhook endpoint (admins), with its deliveries and their log;
/// deliveries not yet sent are dropped.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook",
    params(("webhook_id" = uuid::Uuid, Path, description = "The endpoint's id")),
    responses((status = 204, description = "Removed"), WriteErrors)
)]
#[delete("/webhooks/{webhook_id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let id = WebhookId(path.into_inner());
    state
        .db
        .write(move |conn| endpoints::delete(conn, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
