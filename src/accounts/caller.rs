//! Who is calling: the authenticated user behind a request and what their
//! token allows.

use diesel::prelude::*;

use crate::accounts::tokens::TokenKind;
use crate::db::models::{TokenRow, UserRow, to_db_time};
use crate::db::schema::{api_tokens, users};
use crate::domain::{Actor, Role, Scope, TokenId, UserId};
use crate::error::{ApiError, ApiResult};

/// The authenticated user behind a request, and what their token allows.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user.
    pub user_id: UserId,
    /// Their role.
    pub role: Role,
    /// Their display name.
    pub name: String,
    /// Their email address.
    pub email: String,
    /// The token used.
    pub token_id: TokenId,
    /// What the token may be used for.
    pub scopes: Vec<Scope>,
    /// Whether the token came from signing in (not a service token).
    pub personal: bool,
}

impl Caller {
    /// Fails with 403 unless the token carries `scope`.
    pub fn require_scope(&self, scope: Scope) -> ApiResult<()> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this token lacks the `{}` scope",
                scope.as_str()
            )))
        }
    }

    /// Fails with 403 unless the token came from signing in, or carries the
    /// admin scope: managing one's own account and tokens is not for
    /// integrations with narrower scopes.
    pub fn require_personal(&self) -> ApiResult<()> {
        if self.personal || self.scopes.contains(&Scope::Admin) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "a service token cannot manage its account or tokens".into(),
            ))
        }
    }

    /// Fails with 403 unless the caller is an admin whose token carries
    /// the admin scope and `also` (the outbox and webhook deliveries hold
    /// case text: reading them needs `cases:read` as well).
    pub fn require_admin_and(&self, also: Scope) -> ApiResult<()> {
        self.require_admin()?;
        self.require_scope(also)
    }

    /// Fails with 403 unless the caller is an admin whose token carries the admin scope.
    pub fn require_admin(&self) -> ApiResult<()> {
        self.require_scope(Scope::Admin)?;
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden("only admins may do this".into()))
        }
    }
}

impl From<&Caller> for Actor {
    fn from(c: &Caller) -> Actor {
        Actor::user(c.user_id, c.role)
    }
}

/// Resolves a presented token to its caller; every failure is the same 401.
pub fn authenticate(
    conn: &mut crate::db::DbConnection,
    presented: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Caller> {
    let hash = super::secret::hash(presented);
    let found: Option<(TokenRow, UserRow)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(&hash))
        .select((TokenRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?;
    let Some((tok, user)) = found else {
        return Err(ApiError::Unauthorized);
    };
    let now = to_db_time(now);
    if tok.revoked_at.is_some() || tok.expires_at <= now || !user.active {
        return Err(ApiError::Unauthorized);
    }
    let scopes = tok
        .scopes
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    Ok(Caller {
        user_id: user.id,
        role: user.role,
        name: user.name,
        email: user.email,
        token_id: tok.id,
        scopes,
        personal: tok.kind == TokenKind::Personal,
    })
}
