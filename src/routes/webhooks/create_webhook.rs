use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;
use crate::webhooks::endpoints::{self, NewWebhook, WebhookCreated};

/// Register a webhook endpoint (admins). Every case event of the types it
/// asks for (and of its category, if it names one) is POSTed to its URL,
/// signed with the secret in the answer, which is shown this once. The
/// URL must be `https://` and a public address unless the settings allow
/// otherwise (`webhook_allow_http`, `webhook_allow_private`). Honours
/// `Idempotency-Key`; a replay answers `secret: null`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    params(IdempotencyParams),
    request_body = NewWebhook,
    responses((status = 201, description = "Registered; keep the secret", body = WebhookCreated,
        headers(("Location" = String, description = "The endpoint's URL"))), WriteErrors)
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewWebhook>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (key, fp) = idempotency::asked(&req, "create_webhook", &*body)?;
    let input = body.into_inner().parse(&state.settings)?;
    let (now, by) = (state.clock.now(), caller.user_id);
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let mut created = endpoints::create(conn, input, by, now)?;
        let location = format!("/api/v1/webhooks/{}", created.webhook.id);
        // Not kept with the idempotency key: a replay answers it as null.
        let secret = created.secret.take();
        Created::new(created, location)?.shown_once("secret", secret)
    })
    .await
}
