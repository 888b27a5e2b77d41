use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::domain::{Scope, WebhookId};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;
use crate::webhooks::deliveries::{self, DeliveryView};

/// Send a delivery that was given up (`failed`) again (admins; a service
/// token needs `admin` and `cases:read`): a new
/// delivery of the same event (same `event_id` and body), due now and last
/// in line for its case; the failed one stays in the log. 409 for a
/// delivery in any other state or one sent again already. Honours
/// `Idempotency-Key`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "retry_delivery",
    params(
        ("webhook_id" = uuid::Uuid, Path, description = "The endpoint's id"),
        ("delivery_id" = i64, Path, description = "The delivery's id"),
        IdempotencyParams,
    ),
    responses((status = 201, description = "The new delivery", body = DeliveryView,
        headers(("Location" = String, description = "The new delivery's URL"))), WriteErrors)
)]
#[post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(uuid::Uuid, i64)>,
) -> ApiResult<HttpResponse> {
    caller.require_admin_and(Scope::CasesRead)?;
    let (id, delivery) = path.into_inner();
    let id = WebhookId(id);
    let (key, fp) = idempotency::asked(&req, &format!("retry_delivery:{id}:{delivery}"), &())?;
    let now = state.clock.now();
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let copy = deliveries::retry(conn, id, delivery, now)?;
        let location = format!("/api/v1/webhooks/{id}/deliveries/{}", copy.id);
        Created::new(copy, location)
    })
    .await
}
