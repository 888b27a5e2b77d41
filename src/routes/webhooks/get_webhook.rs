use actix_web::{get, web};

use crate::accounts::Caller;
use crate::domain::WebhookId;
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;
use crate::webhooks::endpoints::{self, WebhookView};

/// A webhook endpoint (admins): its settings and whether it is failing.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    params(("webhook_id" = uuid::Uuid, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The endpoint", body = WebhookView), ReadErrors)
)]
#[get("/webhooks/{webhook_id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<WebhookView>> {
    caller.require_admin()?;
    let id = WebhookId(path.into_inner());
    let row = state.db.read(move |conn| endpoints::find(conn, id)).await?;
    Ok(web::Json(row.into()))
}
