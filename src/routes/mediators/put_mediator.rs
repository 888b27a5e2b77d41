use actix_web::{put, web};

use crate::accounts::Caller;
use crate::desk::profiles::{self, MediatorView, PutProfile};
use crate::desk::{Access, may};
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Set a mediator's whole profile (leads and admins): the categories and
/// languages they take, their capacity and availability. Only people with
/// a profile are given cases automatically or may claim them.
#[utoipa::path(
    tag = "desk",
    operation_id = "put_mediator",
    params(("user_id" = uuid::Uuid, Path, description = "An active mediator's or lead's user id")),
    request_body = PutProfile,
    responses((status = 200, description = "The stored profile", body = MediatorView), WriteErrors)
)]
#[put("/mediators/{user_id}")]
pub async fn put_mediator(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<PutProfile>,
) -> ApiResult<web::Json<MediatorView>> {
    let (id, now) = (UserId(path.into_inner()), state.clock.now());
    let input = body.into_inner().parse()?;
    may(&caller, id, Access::Manage)?;
    let view = state
        .db
        .write(move |conn| profiles::put(conn, id, input, now))
        .await?;
    Ok(web::Json(view))
}
