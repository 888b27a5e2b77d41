//! User accounts: creating, showing, listing and changing them, with who
//! may do which.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::{Caller, password};
use crate::db::models::{NewUser, UserRow, from_db_time, to_db_time};
use crate::db::schema::users;
use crate::db::{DbConnection, MultiBackend};
use crate::domain::case::language;
use crate::domain::desk::DeskMail;
use crate::domain::parse::{Checker, Email};
use crate::domain::{Role, Scope, UserId};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "email": "ann@example.org", "name": "Ann Example",
    "role": "member", "language": "en", "active": true,
    "notifications": {"messages": true, "updates": false}, "desk_mail": "each",
    "created_at": "2026-11-22T10:00:00Z"
}))]
pub struct UserView {
    /// The user's id.
    pub id: uuid::Uuid,
    /// Email address (lower-case).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Service-wide role.
    pub role: Role,
    /// Preferred language for mail (BCP 47 tag).
    pub language: String,
    /// Whether the user may sign in.
    pub active: bool,
    /// Which optional mail the user receives (acknowledgements, rulings,
    /// deadlines and the like always go).
    pub notifications: Notifications,
    /// For leads and admins: how they hear of cases waiting for a lead
    /// (a mail each, a digest, or none).
    pub desk_mail: DeskMail,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// Which optional mail a user receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    /// A mail for each new message on their cases.
    pub messages: bool,
    /// Mail about progress that needs nothing from them (investigation
    /// started, follow-up, closing, a rejected settlement).
    pub updates: bool,
}

impl Notifications {
    /// Reads the stored list of muted categories.
    pub fn from_muted(muted: &str) -> Notifications {
        let muted: Vec<&str> = muted.split_whitespace().collect();
        Notifications {
            messages: !muted.contains(&"messages"),
            updates: !muted.contains(&"updates"),
        }
    }

    /// The stored list of muted categories.
    pub fn to_muted(self) -> String {
        let mut out = Vec::new();
        if !self.messages {
            out.push("messages");
        }
        if !self.updates {
            out.push("updates");
        }
        out.join(" ")
    }
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> UserView {
        UserView {
            id: u.id.0,
            role: u.role,
            email: u.email,
            name: u.name,
            language: u.language,
            active: u.active,
            notifications: Notifications::from_muted(&u.muted),
            desk_mail: u.desk_mail,
            created_at: from_db_time(u.created_at),
        }
    }
}

/// A checked request to create a user.
pub struct UserInput {
    /// Email address.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Preferred language.
    pub language: String,
    /// Hash of the initial password, if the user will sign in with one.
    pub password_hash: Option<String>,
}

/// Creates a user and gives them access to every case that named their
/// email address as respondent before they had an account.
pub fn insert(conn: &mut DbConnection, input: UserInput, now: DateTime<Utc>) -> ApiResult<UserRow> {
    let taken: i64 = users::table
        .filter(users::email.eq(input.email.as_str()))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(format!(
            "a user with email {} already exists",
            input.email.as_str()
        )));
    }
    let id = UserId::new();
    let at = to_db_time(now);
    diesel::insert_into(users::table)
        .values(NewUser {
            id,
            email: input.email.as_str().to_string(),
            name: input.name,
            role: input.role,
            language: input.language,
            password_hash: input.password_hash,
            active: true,
            created_at: at,
            updated_at: at,
            // Leads hear of work waiting for them; admins configure, and
            // opt in if they want the mail.
            desk_mail: if input.role == Role::Admin {
                DeskMail::Off
            } else {
                DeskMail::Each
            },
        })
        .execute(conn)?;
    crate::cases::respondents::link_account(conn, id, &input.email, now)?;
    Ok(users::table.find(id).first(conn)?)
}

/// A new user account.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "mia@example.org", "name": "Mia Mediator", "role": "mediator", "language": "pl", "password": "a long passphrase"}))]
pub struct CreateUser {
    /// Email address; unique.
    #[schema(max_length = 254)]
    pub email: String,
    /// Display name.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// Role; `member` when left out.
    #[serde(default)]
    pub role: Option<Role>,
    /// Preferred language (BCP 47); `en` when left out.
    #[serde(default)]
    #[schema(max_length = 35, example = "en")]
    pub language: Option<String>,
    /// Initial password (10 to 256 characters); without one the user cannot sign in
    /// until an admin sets one.
    #[serde(default)]
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
}

impl CreateUser {
    /// Checks every field at once.
    pub fn parse(self) -> ApiResult<UserInput> {
        let mut c = Checker::new();
        let email = c.email("email", &self.email);
        let name = c.text("name", &self.name, 200);
        let language = language(&mut c, "language", self.language.as_deref().unwrap_or("en"));
        if let Some(p) = &self.password
            && let Err(m) = password::check_strength(p)
        {
            c.fail("password", m);
        }
        c.finish()?;
        Ok(UserInput {
            email: email.ok_or_else(|| anyhow::anyhow!("email checked"))?,
            name,
            role: self.role.unwrap_or(Role::Member),
            language,
            password_hash: self.password.as_deref().map(password::hash).transpose()?,
        })
    }
}

/// The caller's own account.
pub fn me(conn: &mut DbConnection, caller: &Caller) -> ApiResult<UserView> {
    let row: UserRow = users::table.find(caller.user_id).first(conn)?;
    Ok(UserView::from(row))
}

/// Whether `caller` may see user `id`: everyone sees themself; seeing
/// others takes the `directory:read` scope (403), and to anyone but staff
/// other users do not exist (404).
pub fn may_see(caller: &Caller, id: UserId) -> ApiResult<()> {
    if id != caller.user_id {
        caller.require_scope(Scope::DirectoryRead)?;
        if !caller.role.is_staff() {
            return Err(ApiError::NotFound("user"));
        }
    }
    Ok(())
}

/// User `id` (see [`may_see`] for who may ask).
pub fn get(conn: &mut DbConnection, id: UserId) -> ApiResult<UserView> {
    let row: Option<UserRow> = users::table.find(id).first(conn).optional()?;
    let row = row.ok_or(ApiError::NotFound("user"))?;
    Ok(UserView::from(row))
}

page_of!(
    /// A page of users.
    UserPage,
    UserView
);

/// Filters for listing users.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) users.
    pub active: Option<bool>,
}

/// Whether `caller` may list users: staff with the `directory:read` scope.
pub fn may_list(caller: &Caller) -> ApiResult<()> {
    caller.require_scope(Scope::DirectoryRead)?;
    if !caller.role.is_staff() {
        return Err(ApiError::Forbidden("only staff may list users".into()));
    }
    Ok(())
}

/// A page of users, oldest first (see [`may_list`] for who may ask).
pub fn list(conn: &mut DbConnection, filter: &UserFilter, page: &Page) -> ApiResult<UserPage> {
    let rows: Vec<UserRow> = page_query(filter, page).load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |u| u.id.to_db());
    let items = rows.into_iter().map(UserView::from).collect();
    Ok(UserPage { items, next_cursor })
}

/// The query behind [`list`]: one more than a page, in id order.
pub fn page_query(filter: &UserFilter, page: &Page) -> users::BoxedQuery<'static, MultiBackend> {
    let mut q = users::table.into_boxed();
    if let Some(role) = filter.role {
        q = q.filter(users::role.eq(role));
    }
    if let Some(active) = filter.active {
        q = q.filter(users::active.eq(active));
    }
    if let Some(after) = &page.after {
        q = q.filter(users::id.gt(after.clone()));
    }
    q.order(users::id.asc()).limit(page.limit + 1)
}

mod update;
pub use update::{UpdateUser, UserUpdate, confirm, password_hash, update};
