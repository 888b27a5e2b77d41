use actix_web::{patch, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::UserView;
use crate::accounts::{Caller, password};
use crate::db::StoreError;
use crate::db::models::{UserRow, to_db_time};
use crate::db::schema::{api_tokens, users};
use crate::domain::parse::Checker;
use crate::domain::{Role, UserId, case::language};
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Changes to a user; fields left out stay as they are.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Mia M. Mediator", "language": "en", "notifications": {"messages": false, "updates": true}}))]
pub struct UpdateUser {
    /// Display name.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    /// Preferred language (BCP 47).
    #[schema(max_length = 35, example = "en")]
    pub language: Option<String>,
    /// New password (10 to 256 characters).
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
    /// Your current password, required to change your own password.
    pub current_password: Option<String>,
    /// Role (admins only).
    pub role: Option<Role>,
    /// Whether the user may sign in (admins only); deactivating revokes their tokens.
    pub active: Option<bool>,
    /// Which optional mail to receive.
    pub notifications: Option<super::Notifications>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = users)]
struct UserChanges {
    name: Option<String>,
    language: Option<String>,
    password_hash: Option<Option<String>>,
    role: Option<Role>,
    active: Option<bool>,
    muted: Option<String>,
    updated_at: Option<chrono::NaiveDateTime>,
}

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
    let body = body.into_inner();
    let is_admin = caller.require_admin().is_ok();
    if id == caller.user_id {
        caller.require_personal()?;
    } else if !is_admin {
        // Staff may read other users (so for them this is never allowed:
        // 403); to anyone else other users do not exist (404, as on GET).
        return Err(if caller.role.is_staff() {
            ApiError::Forbidden("only admins may change other users".into())
        } else {
            ApiError::NotFound("user")
        });
    }
    if !is_admin && (body.role.is_some() || body.active.is_some()) {
        return Err(ApiError::Forbidden(
            "only admins may change role or active".into(),
        ));
    }
    if id == caller.user_id
        && (body.active == Some(false) || body.role.is_some_and(|r| r != caller.role))
    {
        return Err(ApiError::Forbidden(
            "admins may not demote or deactivate themselves".into(),
        ));
    }
    let mut c = Checker::new();
    let mut changes = UserChanges {
        name: body.name.as_deref().map(|n| c.text("name", n, 200)),
        language: body
            .language
            .as_deref()
            .map(|l| language(&mut c, "language", l)),
        role: body.role,
        active: body.active,
        muted: body.notifications.map(super::Notifications::to_muted),
        updated_at: Some(to_db_time(now)),
        ..UserChanges::default()
    };
    if let Some(p) = &body.password {
        match password::check_strength(p) {
            Ok(()) => changes.password_hash = Some(Some(password::hash(p)?)),
            Err(m) => c.fail("password", m),
        }
    }
    c.finish()?;
    if id == caller.user_id && body.password.is_some() {
        let me = id.to_db();
        let stored: Option<String> = state
            .db
            .read(move |conn| -> Result<_, StoreError> {
                Ok(users::table
                    .find(me)
                    .select(users::password_hash)
                    .first(conn)?)
            })
            .await?;
        let given = body.current_password.clone().unwrap_or_default();
        let ok = tokio::task::spawn_blocking(move || password::verify(&given, stored.as_deref()))
            .await
            .map_err(anyhow::Error::from)?;
        if !ok {
            return Err(ApiError::field("current_password", "does not match"));
        }
    }
    let keep = caller.token_id.to_db();
    let row: UserRow = state
        .db
        .write(move |conn| {
            let n = diesel::update(users::table.find(id))
                .set(&changes)
                .execute(conn)?;
            if n == 0 {
                return Err(ApiError::NotFound("user"));
            }
            if changes.active == Some(false) || changes.password_hash.is_some() {
                // A deactivated user, or one whose password changed, keeps no old
                // sessions but the one making the change (service tokens survive a
                // password change).
                let mut q = api_tokens::table
                    .filter(api_tokens::user_id.eq(id))
                    .filter(api_tokens::revoked_at.is_null())
                    .filter(api_tokens::id.ne(keep))
                    .into_boxed();
                if changes.active != Some(false) {
                    q = q.filter(api_tokens::kind.eq("personal"));
                }
                let ids: Vec<String> = q.select(api_tokens::id).load(conn)?;
                diesel::update(api_tokens::table.filter(api_tokens::id.eq_any(ids)))
                    .set(api_tokens::revoked_at.eq(changes.updated_at))
                    .execute(conn)?;
            }
            Ok(users::table.find(id).first(conn)?)
        })
        .await?;
    Ok(web::Json(UserView::from(row)))
}
