use actix_web::{get, web};
use diesel::prelude::*;

use super::UserView;
use crate::accounts::Caller;
use crate::db::StoreError;
use crate::db::models::UserRow;
use crate::db::schema::users;
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
    let id = caller.user_id.to_db();
    let row: UserRow = state
        .db
        .read(move |conn| -> Result<_, StoreError> { Ok(users::table.find(id).first(conn)?) })
        .await?;
    Ok(web::Json(UserView::from(row)))
}
