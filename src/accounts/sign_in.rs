//! Signing in: email and password for a personal token. Wrong email, wrong
//! password and a deactivated account all get the same 401.

use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::password;
use crate::db::DbConnection;
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::domain::UserId;
use crate::domain::parse::Email;
use crate::error::{ApiError, ApiResult};

/// Credentials to exchange for a token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ann@example.org", "password": "a long passphrase", "name": "laptop"}))]
pub struct SignIn {
    /// The account's email address.
    #[schema(max_length = 254)]
    pub email: String,
    /// The account's password.
    #[schema(max_length = 256)]
    pub password: String,
    /// A label for the token, to recognise it when listing; `api` when left out.
    #[schema(max_length = 100)]
    pub name: Option<String>,
}

/// Credentials in a shape worth checking (no `Debug`: it holds the password).
pub struct Credentials {
    /// The account's email address.
    pub email: Email,
    /// The password as given.
    pub password: String,
    /// The label of the token to issue.
    pub name: String,
}

impl SignIn {
    /// Checks the label (422). A malformed email or an overlong password is
    /// the same 401 as a wrong one, and is refused before any work.
    pub fn parse(self) -> ApiResult<Credentials> {
        let SignIn {
            email,
            password,
            name,
        } = self;
        let name = name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "api".into());
        if name.chars().count() > 100 {
            return Err(ApiError::field("name", "must be at most 100 characters"));
        }
        if password.len() > 1024 {
            return Err(ApiError::Unauthorized);
        }
        let email = Email::parse(&email).map_err(|_| ApiError::Unauthorized)?;
        Ok(Credentials {
            email,
            password,
            name,
        })
    }
}

/// The account someone signs in to, as far as signing in needs it.
#[derive(Debug, Clone)]
pub struct Claimant {
    /// The user.
    pub user: UserId,
    /// Whether they may sign in.
    pub active: bool,
    /// Their password hash, if they have a password.
    pub password_hash: Option<String>,
}

/// The account with this email address, if there is one.
pub fn by_email(conn: &mut DbConnection, email: &Email) -> ApiResult<Option<Claimant>> {
    let found: Option<UserRow> = users::table
        .filter(users::email.eq(email.as_str()))
        .first(conn)
        .optional()?;
    Ok(found.map(|u| Claimant {
        user: u.id,
        active: u.active,
        password_hash: u.password_hash,
    }))
}

/// Who signed in: the user, if the password matches and the account is
/// active; an unknown email, a wrong password and a deactivated account all
/// get the same 401, after the same work. Slow (argon2): call it on a
/// blocking thread, outside any transaction.
pub fn admit(found: Option<Claimant>, given: &str) -> ApiResult<UserId> {
    let stored = found.as_ref().and_then(|c| c.password_hash.as_deref());
    let ok = password::verify(given, stored);
    match found {
        Some(c) if ok && c.active => Ok(c.user),
        _ => Err(ApiError::Unauthorized),
    }
}
