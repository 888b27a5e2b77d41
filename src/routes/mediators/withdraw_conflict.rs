use actix_web::{HttpResponse, delete, web};

use crate::accounts::Caller;
use crate::desk::conflicts;
use crate::desk::{Access, may};
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Withdraw a declared conflict (leads and admins).
#[utoipa::path(
    tag = "desk",
    operation_id = "withdraw_conflict",
    params(
        ("user_id" = uuid::Uuid, Path, description = "The mediator's user id"),
        ("other_id" = uuid::Uuid, Path, description = "The user the conflict is with")
    ),
    responses((status = 204, description = "Withdrawn"), WriteErrors)
)]
#[delete("/mediators/{user_id}/conflicts/{other_id}")]
pub async fn withdraw_conflict(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, other) = path.into_inner();
    let (id, other) = (UserId(id), UserId(other));
    may(&caller, id, Access::Manage)?;
    state
        .db
        .write(move |conn| conflicts::withdraw(conn, id, other))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
