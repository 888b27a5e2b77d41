//! API tokens: signing in, issuing them (shown once, stored hashed),
//! listing and revoking them, and service tokens for integrations.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Caller;
use crate::db::models::{NewToken, TokenRow, from_db_time, to_db_time};
use crate::db::schema::{api_tokens, users};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::parse::Checker;
use crate::domain::{Scope, TokenId, UserId};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};

pub use crate::domain::TokenKind;

/// A token as listed: never the secret itself.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "user_id": "0192f0c4-0000-7a21-9d0b-5c1e8f2a3b4c",
    "name": "laptop", "kind": "personal", "scopes": ["cases:read", "cases:write", "directory:read", "admin"],
    "created_at": "2026-11-22T10:00:00Z", "expires_at": "2026-11-29T10:00:00Z", "revoked_at": null
}))]
pub struct TokenView {
    /// The token's id (not the secret).
    pub id: uuid::Uuid,
    /// The user the token acts as.
    pub user_id: uuid::Uuid,
    /// A label to recognise it by.
    pub name: String,
    /// Personal or service.
    pub kind: TokenKind,
    /// What it may be used for.
    pub scopes: Vec<Scope>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token just made: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "token": "omb_3q2-7wz0bS8lP4kX9d1mN5rT6yU0vC2eF8gH4jK7aQ",
    "details": {
        "id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "user_id": "0192f0c4-0000-7a21-9d0b-5c1e8f2a3b4c",
        "name": "laptop", "kind": "personal", "scopes": ["cases:read", "cases:write", "directory:read", "admin"],
        "created_at": "2026-11-22T10:00:00Z", "expires_at": "2026-11-29T10:00:00Z", "revoked_at": null
    }
}))]
pub struct IssuedToken {
    /// The bearer token. Store it now: it cannot be shown again.
    pub token: String,
    /// What the token is.
    pub details: TokenView,
}

impl From<TokenRow> for TokenView {
    fn from(t: TokenRow) -> TokenView {
        TokenView {
            id: t.id.0,
            user_id: t.user_id.0,
            name: t.name,
            kind: t.kind,
            scopes: t
                .scopes
                .split_whitespace()
                .filter_map(|s| s.parse().ok())
                .collect(),
            created_at: from_db_time(t.created_at),
            expires_at: from_db_time(t.expires_at),
            revoked_at: t.revoked_at.map(from_db_time),
        }
    }
}

/// What a new token is for.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    /// The user it acts as.
    pub user: UserId,
    /// Who made it.
    pub created_by: UserId,
    /// A label to recognise it by.
    pub name: String,
    /// Personal or service.
    pub kind: TokenKind,
    /// What it may be used for.
    pub scopes: &'a [Scope],
    /// How long it works.
    pub lifetime: chrono::Duration,
}

impl Grant<'static> {
    /// A token from signing in: it acts as and is made by `user`, with every scope.
    pub fn personal(user: UserId, name: String, lifetime: chrono::Duration) -> Self {
        Grant {
            user,
            created_by: user,
            name,
            kind: TokenKind::Personal,
            scopes: &Scope::ALL,
            lifetime,
        }
    }
}

/// Makes and stores a token; returns the secret once, with its details.
pub fn issue(conn: &mut DbConnection, grant: Grant, now: DateTime<Utc>) -> ApiResult<IssuedToken> {
    let Grant {
        user,
        created_by,
        name,
        kind,
        scopes,
        lifetime,
    } = grant;
    let secret = super::secret::generate();
    let id = TokenId::new();
    let row = NewToken {
        id,
        user_id: user,
        name,
        kind,
        scopes: scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        token_hash: super::secret::hash(&secret),
        created_by,
        created_at: to_db_time(now),
        expires_at: to_db_time(now + lifetime),
    };
    diesel::insert_into(api_tokens::table)
        .values(&row)
        .execute(conn)?;
    let stored: TokenRow = api_tokens::table.find(id).first(conn)?;
    Ok(IssuedToken {
        token: secret,
        details: TokenView::from(stored),
    })
}

page_of!(
    /// A page of tokens.
    TokenPage,
    TokenView
);

/// Which tokens to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenFilter {
    /// Another user's tokens (admins only); the caller's own when left out.
    pub user_id: Option<uuid::Uuid>,
    /// Every user's service tokens (admins only).
    pub service: Option<bool>,
}

/// Whose tokens a caller may list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holders {
    /// One user's tokens.
    User(UserId),
    /// Every user's service tokens.
    Services,
}

impl TokenFilter {
    /// Whose tokens `caller` asks for: their own with a token from signing
    /// in (or an admin token); anyone's, or every service token, as an admin (403 otherwise).
    pub fn holders(self, caller: &Caller) -> ApiResult<Holders> {
        caller.require_personal()?;
        let whose = self.user_id.map(UserId).unwrap_or(caller.user_id);
        let all_services = self.service == Some(true);
        if whose != caller.user_id || all_services {
            caller.require_admin()?;
        }
        Ok(if all_services {
            Holders::Services
        } else {
            Holders::User(whose)
        })
    }
}

/// A page of tokens, newest first; never their secrets.
pub fn list(conn: &mut DbConnection, holders: Holders, page: &Page) -> ApiResult<TokenPage> {
    let rows: Vec<TokenRow> = page_query(holders, page).load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |t| t.id.to_db());
    let items = rows.into_iter().map(TokenView::from).collect();
    Ok(TokenPage { items, next_cursor })
}

/// The query behind [`list`]: one more than a page, newest first.
pub fn page_query(holders: Holders, page: &Page) -> api_tokens::BoxedQuery<'static, MultiBackend> {
    let mut q = api_tokens::table.into_boxed();
    match holders {
        Holders::Services => q = q.filter(api_tokens::kind.eq("service")),
        Holders::User(whose) => q = q.filter(api_tokens::user_id.eq(whose)),
    }
    if let Some(before) = &page.after {
        q = q.filter(api_tokens::id.lt(before.clone()));
    }
    q.order(api_tokens::id.desc()).limit(page.limit + 1)
}

/// Revokes token `id`: the caller's own, or, for an admin, anyone's; 404
/// for a token they may not touch. Revoking twice is harmless (the first
/// time stays on record).
pub fn revoke(
    conn: &mut DbConnection,
    caller: &Caller,
    id: TokenId,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let admin = caller.require_admin().is_ok();
    let tok: Option<TokenRow> = api_tokens::table.find(id).first(conn).optional()?;
    match tok {
        Some(t) if t.user_id == caller.user_id || admin => {
            if t.revoked_at.is_none() {
                diesel::update(api_tokens::table.find(id))
                    .set(api_tokens::revoked_at.eq(to_db_time(now)))
                    .execute(conn)?;
            }
            Ok(())
        }
        _ => Err(ApiError::NotFound("token")),
    }
}

/// A token for an integration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "shop platform", "user_id": "0192f0c4-0000-7a21-9d0b-5c1e8f2a3b4c", "scopes": ["cases:read", "cases:write"], "expires_in_days": 90}))]
pub struct CreateServiceToken {
    /// A label to recognise it by.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// The account the integration acts as (often a dedicated one).
    pub user_id: uuid::Uuid,
    /// What the token may do; at least one.
    #[schema(min_items = 1)]
    pub scopes: Vec<Scope>,
    /// Lifetime in days (1 to the configured maximum, default 90).
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<i64>,
}

/// A checked request for a service token.
#[derive(Debug, Clone)]
pub struct ServiceToken {
    /// The account it acts as.
    pub user: UserId,
    /// Its label.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// How long it works.
    pub lifetime: chrono::Duration,
}

impl CreateServiceToken {
    /// Checks every field at once; a lifetime runs from 1 day to `max_days`
    /// (90 days, or `max_days` if that is less, when left out).
    pub fn parse(self, max_days: i64) -> ApiResult<ServiceToken> {
        let mut c = Checker::new();
        let name = c.text("name", &self.name, 100);
        if self.scopes.is_empty() {
            c.fail("scopes", "name at least one scope");
        }
        let days = self.expires_in_days.unwrap_or(90.min(max_days));
        if !(1..=max_days).contains(&days) {
            c.fail(
                "expires_in_days",
                format!("must be between 1 and {max_days}"),
            );
        }
        c.finish()?;
        // Each scope once, in the order given.
        let mut scopes: Vec<Scope> = Vec::new();
        for scope in self.scopes {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        Ok(ServiceToken {
            user: UserId(self.user_id),
            name,
            scopes,
            lifetime: chrono::Duration::days(days),
        })
    }
}

/// Issues a service token made by `by`; 422 if its user does not exist.
pub fn create_service(
    conn: &mut DbConnection,
    by: UserId,
    token: ServiceToken,
    now: DateTime<Utc>,
) -> ApiResult<IssuedToken> {
    let exists: i64 = users::table.find(token.user).count().get_result(conn)?;
    if exists == 0 {
        return Err(ApiError::field("user_id", "no such user"));
    }
    issue(
        conn,
        Grant {
            user: token.user,
            created_by: by,
            name: token.name,
            kind: TokenKind::Service,
            scopes: &token.scopes,
            lifetime: token.lifetime,
        },
        now,
    )
}
