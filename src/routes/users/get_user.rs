use actix_web::{get, web};

use super::UserView;
use crate::accounts::{Caller, users};
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// One user (staff, or the user themself).
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    params(("user_id" = uuid::Uuid, Path, description = "The user's id")),
    responses((status = 200, description = "The user", body = UserView), ReadErrors)
)]
#[get("/users/{user_id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<UserView>> {
    let id = UserId(path.into_inner());
    users::may_see(&caller, id)?;
    let user = state.db.read(move |conn| users::get(conn, id)).await?;
    Ok(web::Json(user))
}
