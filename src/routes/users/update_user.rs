use actix_web::{patch, web};

use super::UserView;
use crate::accounts::Caller;
use crate::accounts::users::{self, UpdateUser};
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Update a user: admins change anything; users change their own name,
/// language and password (with `current_password`, and only with a token from
/// signing in).
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    params(("user_id" = uuid::Uuid, Path, description = "The user's id")),
    request_body = UpdateUser,
    responses((status = 200, description = "The updated user", body = UserView), WriteErrors)
)]
#[patch("/users/{user_id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<UpdateUser>,
) -> ApiResult<web::Json<UserView>> {
    let now = state.clock.now();
    let id = UserId(path.into_inner());
    let update = body.into_inner().check(&caller, id)?;
    if let Some(given) = update.current_password() {
        let stored = state
            .db
            .read(move |conn| users::password_hash(conn, id))
            .await?;
        // Verify outside any transaction, a bounded number at once: argon2
        // is deliberately slow and large.
        state
            .passwords
            .run(move || users::confirm(&given, stored.as_deref()))
            .await??;
    }
    let user = state
        .db
        .write(move |conn| users::update(conn, update, now))
        .await?;
    Ok(web::Json(user))
}
