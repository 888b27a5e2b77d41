use actix_web::{put, web};

use crate::accounts::Caller;
use crate::desk::profiles::{self, Availability, MediatorView};
use crate::desk::{Access, may};
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Set a mediator's availability (the mediator themself, leads, admins):
/// on or off duty, and away until a date. Unavailable people are not given
/// new cases; the cases they have stay theirs until a lead reassigns them.
#[utoipa::path(
    tag = "desk",
    operation_id = "set_availability",
    params(("user_id" = uuid::Uuid, Path, description = "The mediator's user id")),
    request_body = Availability,
    responses((status = 200, description = "The profile", body = MediatorView), WriteErrors)
)]
#[put("/mediators/{user_id}/availability")]
pub async fn set_availability(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<Availability>,
) -> ApiResult<web::Json<MediatorView>> {
    let (id, now) = (UserId(path.into_inner()), state.clock.now());
    let body = body.into_inner().parse()?;
    may(&caller, id, Access::Own)?;
    let view = state
        .db
        .write(move |conn| profiles::set_availability(conn, id, body, now))
        .await?;
    Ok(web::Json(view))
}
