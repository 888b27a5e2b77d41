use actix_web::{get, web};

use super::UserView;
use crate::accounts::{Caller, users};
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// The signed-in user.
#[utoipa::path(
    tag = "users",
    operation_id = "get_me",
    responses((status = 200, description = "The caller's account", body = UserView), ReadErrors)
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<UserView>> {
    let user = state.db.read(move |conn| users::me(conn, &caller)).await?;
    Ok(web::Json(user))
}
