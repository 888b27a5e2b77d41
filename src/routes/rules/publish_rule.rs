use actix_web::{HttpResponse, post, web};

use crate::accounts::Caller;
use crate::cases::rulebook::{self, PublishRule, RuleView};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Publish a rule (admins): version 1 of a new code, or the next version
/// of an existing one. Earlier versions never change, so what a complaint
/// or a ruling cited stays as it was.
#[utoipa::path(
    tag = "rules",
    operation_id = "publish_rule",
    request_body = PublishRule,
    responses((status = 201, description = "The version published", body = RuleView), WriteErrors)
)]
#[post("/rules")]
pub async fn publish_rule(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<PublishRule>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let input = body.into_inner().parse()?;
    let (by, now) = (caller.user_id, state.clock.now());
    let view = state
        .db
        .write(move |conn| rulebook::publish(conn, by, input, now))
        .await?;
    Ok(HttpResponse::Created().json(view))
}
