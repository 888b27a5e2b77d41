use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::desk::conflicts::{self, ConflictView, DeclareConflict};
use crate::desk::{Access, may};
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// Declare a conflict of interest (the mediator themself, leads, admins):
/// the mediator is never given, and may not claim, a case naming the user.
/// Cases they already have are left to a lead to reassign.
#[utoipa::path(
    tag = "desk",
    operation_id = "declare_conflict",
    params(("user_id" = uuid::Uuid, Path, description = "The mediator's user id"), IdempotencyParams),
    request_body = DeclareConflict,
    responses((status = 201, description = "Declared", body = ConflictView), WriteErrors)
)]
#[post("/mediators/{user_id}/conflicts")]
pub async fn declare_conflict(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<DeclareConflict>,
) -> ApiResult<HttpResponse> {
    let (id, now, by) = (UserId(path.into_inner()), state.clock.now(), caller.user_id);
    may(&caller, id, Access::Own)?;
    let (key, fp) = idempotency::asked(&req, &format!("declare_conflict:{}", id.0), &*body)?;
    let body = body.into_inner();
    idempotency::create(&state, &caller, key, fp, move |conn| {
        Created::unlocated(conflicts::declare(conn, id, by, body, now)?)
    })
    .await
}
