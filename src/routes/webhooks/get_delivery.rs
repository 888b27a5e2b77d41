use actix_web::{get, web};

use crate::accounts::Caller;
use crate::domain::{Scope, WebhookId};
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;
use crate::webhooks::deliveries::{self, DeliveryDetail};

/// One delivery of a webhook endpoint (admins; a service token needs
/// `admin` and `cases:read`): the body sent and every
/// attempt, with its time, duration, answer and error.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_delivery",
    params(
        ("webhook_id" = uuid::Uuid, Path, description = "The endpoint's id"),
        ("delivery_id" = i64, Path, description = "The delivery's id"),
    ),
    responses((status = 200, description = "The delivery", body = DeliveryDetail), ReadErrors)
)]
#[get("/webhooks/{webhook_id}/deliveries/{delivery_id}")]
pub async fn get_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, i64)>,
) -> ApiResult<web::Json<DeliveryDetail>> {
    caller.require_admin_and(Scope::CasesRead)?;
    let (id, delivery) = path.into_inner();
    let id = WebhookId(id);
    let detail = state
        .db
        .read(move |conn| deliveries::get(conn, id, delivery))
        .await?;
    Ok(web::Json(detail))
}
