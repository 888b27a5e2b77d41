use actix_web::{patch, web};

use crate::accounts::Caller;
use crate::domain::WebhookId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;
use crate::webhooks::endpoints::{self, WebhookChange, WebhookView};

/// Change a webhook endpoint (admins): its URL, event types, category or
/// description; `active: false` holds its deliveries, `active: true`
/// sends them again (in order, at once) after it was disabled.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    params(("webhook_id" = uuid::Uuid, Path, description = "The endpoint's id")),
    request_body = WebhookChange,
    responses((status = 200, description = "The endpoint as changed", body = WebhookView), WriteErrors)
)]
#[patch("/webhooks/{webhook_id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<WebhookChange>,
) -> ApiResult<web::Json<WebhookView>> {
    caller.require_admin()?;
    let id = WebhookId(path.into_inner());
    let changes = body.into_inner().parse(&state.settings)?;
    let now = state.clock.now();
    let view = state
        .db
        .write(move |conn| endpoints::update(conn, id, changes, now))
        .await?;
    Ok(web::Json(view))
}
