use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::cases::rulebook::{self, PublishRule, RuleView};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// Publish a rule (admins): version 1 of a new code, or the next version
/// of an existing one. Earlier versions never change, so what a complaint
/// or a ruling cited stays as it was.
#[utoipa::path(
    tag = "rules",
    operation_id = "publish_rule",
    params(IdempotencyParams),
    request_body = PublishRule,
    responses((status = 201, description = "The version published", body = RuleView), WriteErrors)
)]
#[post("/rules")]
pub async fn publish_rule(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<PublishRule>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (key, fp) = idempotency::asked(&req, "publish_rule", &*body)?;
    let input = body.into_inner().parse()?;
    let (by, now) = (caller.user_id, state.clock.now());
    idempotency::create(&state, &caller, key, fp, move |conn| {
        Created::unlocated(rulebook::publish(conn, by, input, now)?)
    })
    .await
}
