use actix_web::{get, web};
use diesel::prelude::*;

use super::UserView;
use crate::accounts::Caller;
use crate::db::StoreError;
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::domain::{Scope, UserId};
use crate::error::{ApiError, ApiResult};
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
    if id != caller.user_id {
        caller.require_scope(Scope::DirectoryRead)?;
        if !caller.role.is_staff() {
            return Err(ApiError::NotFound("user"));
        }
    }
    let row: Option<UserRow> = state
        .db
        .read(move |conn| -> Result<_, StoreError> {
            Ok(users::table.find(id).first(conn).optional()?)
        })
        .await?;
    let row = row.ok_or(ApiError::NotFound("user"))?;
    Ok(web::Json(UserView::from(row)))
}
