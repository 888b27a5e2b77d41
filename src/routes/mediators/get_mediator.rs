use actix_web::{get, web};

use crate::accounts::Caller;
use crate::desk::profiles::{self, MediatorView};
use crate::desk::{Access, may};
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// One mediator's profile and load (leads, admins, the mediator themself).
#[utoipa::path(
    tag = "desk",
    operation_id = "get_mediator",
    params(("user_id" = uuid::Uuid, Path, description = "The mediator's user id")),
    responses((status = 200, description = "The profile", body = MediatorView), ReadErrors)
)]
#[get("/mediators/{user_id}")]
pub async fn get_mediator(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<MediatorView>> {
    let (id, now) = (UserId(path.into_inner()), state.clock.now());
    may(&caller, id, Access::Read)?;
    let view = state
        .db
        .read(move |conn| profiles::get(conn, id, now))
        .await?;
    Ok(web::Json(view))
}
