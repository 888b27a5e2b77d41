use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::domain::WebhookId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;
use crate::webhooks::deliveries::{self, DeliveryView};

/// Send a test event (`type: ping`, no case) to a webhook endpoint
/// (admins): a delivery like any other, signed, retried and logged; read
/// how it went at the `Location` answered. 409 if the endpoint is
/// disabled. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "ping_webhook",
    params(("webhook_id" = uuid::Uuid, Path, description = "The endpoint's id"), IdempotencyParams),
    responses((status = 201, description = "The ping, queued", body = DeliveryView,
        headers(("Location" = String, description = "The delivery's URL"))), WriteErrors)
)]
#[post("/webhooks/{webhook_id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let id = WebhookId(path.into_inner());
    let (key, fp) = idempotency::asked(&req, &format!("ping_webhook:{id}"), &())?;
    let now = state.clock.now();
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let view = deliveries::ping(conn, id, now)?;
        let location = format!("/api/v1/webhooks/{id}/deliveries/{}", view.id);
        Created::new(view, location)
    })
    .await
}
