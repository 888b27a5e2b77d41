use actix_web::{HttpRequest, patch, web};

use super::UserView;
use crate::accounts::Caller;
use crate::accounts::throttle::{self, Limits, Who};
use crate::accounts::users::{self, UpdateUser};
use crate::domain::UserId;
use crate::domain::parse::Email;
use crate::error::ApiResult;
use crate::routes::client;
use crate::routes::docs::UpdateUserErrors;
use crate::state::AppState;

/// Update a user: admins change anything; users change their own name,
/// language and password (with `current_password`, and only with a token from
/// signing in). Wrong current passwords count as failed sign-ins for the
/// account and the client address: past a few, the change gets 429 with
/// `Retry-After`, as signing in does.
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    params(("user_id" = uuid::Uuid, Path, description = "The user's id")),
    request_body = UpdateUser,
    responses((status = 200, description = "The updated user", body = UserView), UpdateUserErrors)
)]
#[patch("/users/{user_id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<UpdateUser>,
) -> ApiResult<web::Json<UserView>> {
    let now = state.clock.now();
    let id = UserId(path.into_inner());
    let update = body.into_inner().check(&caller, id)?;
    if let Some(given) = update.current_password() {
        let (email, stored) = state
            .db
            .read(move |conn| users::password_hash(conn, id))
            .await?;
        // Counted like a sign-in before the check (a stolen token must not
        // buy unlimited guesses at the password), forgiven if it matches.
        let who = Who {
            email: Email::parse(&email).map_err(|e| anyhow::anyhow!("stored email: {e:?}"))?,
            address: client::of(&req, state.settings.proxy_hops),
        };
        let (counted, limits) = (who.clone(), Limits::from_settings(&state.settings));
        state
            .db
            .write(move |conn| throttle::attempt(conn, &counted, &limits, now))
            .await?;
        // Verify outside any transaction, a bounded number at once: argon2
        // is deliberately slow and large.
        state
            .passwords
            .run(move || users::confirm(&given, stored.as_deref()))
            .await??;
        state
            .db
            .write(move |conn| throttle::succeeded(conn, &who))
            .await?;
    }
    let user = state
        .db
        .write(move |conn| users::update(conn, update, now))
        .await?;
    Ok(web::Json(user))
}
