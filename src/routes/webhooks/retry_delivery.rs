use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::domain::WebhookId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;
use crate::webhooks::deliveries::{self, DeliveryView};

/// Send a delivery that was given up (`failed`) again (admins): it goes
/// back to `pending`, due now; 409 for a delivery in any other state.
/// Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "retry_delivery",
    params(
        ("webhook_id" = uuid::Uuid, Path, description = "The endpoint's id"),
        ("delivery_id" = i64, Path, description = "The delivery's id"),
        IdempotencyParams,
    ),
    responses((status = 200, description = "The delivery, pending again", body = DeliveryView), WriteErrors)
)]
#[post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(uuid::Uuid, i64)>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (id, delivery) = path.into_inner();
    let id = WebhookId(id);
    let (key, fp) = idempotency::asked(&req, &format!("retry_delivery:{id}:{delivery}"), &())?;
    let now = state.clock.now();
    idempotency::create(&state, &caller, key, fp, move |conn| {
        Created::ok(deliveries::retry(conn, id, delivery, now)?)
    })
    .await
}
