//! Changing a user: who may change what, the current-password check for
//! one's own password, and the change itself.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Notifications, UserView};
use crate::accounts::{Caller, password};
use crate::db::DbConnection;
use crate::db::models::{UserRow, to_db_time};
use crate::db::schema::{api_tokens, users};
use crate::domain::case::language;
use crate::domain::desk::DeskMail;
use crate::domain::parse::Checker;
use crate::domain::{Role, TokenId, UserId};
use crate::error::{ApiError, ApiResult};

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
    pub notifications: Option<Notifications>,
    /// For leads and admins: a mail for each case waiting for a lead, a
    /// digest, or none.
    pub desk_mail: Option<DeskMail>,
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
    desk_mail: Option<DeskMail>,
    updated_at: Option<chrono::NaiveDateTime>,
}

/// A change to a user that its caller may make, with its fields checked
/// (and a new password already hashed). No `Debug`: it holds the current
/// password as given.
pub struct UserUpdate {
    id: UserId,
    changes: UserChanges,
    /// The caller's token, which a password change or a deactivation keeps.
    keep: TokenId,
    /// What the caller gave as their current password, when they change their own.
    current_password: Option<String>,
}

impl UpdateUser {
    /// Checks that `caller` may make this change to user `id`, then every
    /// field at once. Admins change anything but their own role and
    /// activity; users change their own name, language, notifications and
    /// password, and only with a token from signing in. Other users are
    /// 403 to staff and 404 to anyone else, as on reading them. Hashes a
    /// new password (argon2, slow): not for inside a transaction.
    pub fn check(self, caller: &Caller, id: UserId) -> ApiResult<UserUpdate> {
        let own = id == caller.user_id;
        let is_admin = caller.require_admin().is_ok();
        if own {
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
        if !is_admin && (self.role.is_some() || self.active.is_some()) {
            return Err(ApiError::Forbidden(
                "only admins may change role or active".into(),
            ));
        }
        if own && (self.active == Some(false) || self.role.is_some_and(|r| r != caller.role)) {
            return Err(ApiError::Forbidden(
                "admins may not demote or deactivate themselves".into(),
            ));
        }
        let mut c = Checker::new();
        let mut changes = UserChanges {
            name: self.name.as_deref().map(|n| c.text("name", n, 200)),
            language: self
                .language
                .as_deref()
                .map(|l| language(&mut c, "language", l)),
            role: self.role,
            active: self.active,
            muted: self.notifications.map(Notifications::to_muted),
            desk_mail: self.desk_mail,
            ..UserChanges::default()
        };
        if let Some(p) = &self.password {
            match password::check_strength(p) {
                Ok(()) => changes.password_hash = Some(Some(password::hash(p)?)),
                Err(m) => c.fail("password", m),
            }
        }
        c.finish()?;
        let current_password =
            (own && self.password.is_some()).then(|| self.current_password.unwrap_or_default());
        Ok(UserUpdate {
            id,
            changes,
            keep: caller.token_id,
            current_password,
        })
    }
}

impl UserUpdate {
    /// What the caller gave as their current password (empty if nothing),
    /// when they change their own password: it must match ([`confirm`]).
    pub fn current_password(&self) -> Option<String> {
        self.current_password.clone()
    }
}

/// The email address and stored password hash of user `id` (`None` if
/// they have no password).
pub fn password_hash(conn: &mut DbConnection, id: UserId) -> ApiResult<(String, Option<String>)> {
    Ok(users::table
        .find(id)
        .select((users::email, users::password_hash))
        .first(conn)?)
}

/// Fails with 422 unless `given` matches the stored hash. Slow (argon2):
/// call it on a blocking thread, outside any transaction.
pub fn confirm(given: &str, stored: Option<&str>) -> ApiResult<()> {
    if password::verify(given, stored) {
        Ok(())
    } else {
        Err(ApiError::field("current_password", "does not match"))
    }
}

/// Applies a checked change (see [`UpdateUser::check`]). A deactivated user,
/// or one whose password changed, keeps no old sessions but the one making
/// the change; service tokens survive a password change.
pub fn update(
    conn: &mut DbConnection,
    update: UserUpdate,
    now: DateTime<Utc>,
) -> ApiResult<UserView> {
    let UserUpdate {
        id,
        mut changes,
        keep,
        ..
    } = update;
    changes.updated_at = Some(to_db_time(now));
    let n = diesel::update(users::table.find(id))
        .set(&changes)
        .execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound("user"));
    }
    if changes.active == Some(false) || changes.password_hash.is_some() {
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
    let row: UserRow = users::table.find(id).first(conn)?;
    Ok(UserView::from(row))
}
