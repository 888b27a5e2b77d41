//! API tokens: issuing them (shown once, stored hashed) and showing them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::models::{NewToken, TokenRow, from_db_time, to_db_time};
use crate::db::schema::api_tokens;
use crate::domain::{Scope, TokenId, UserId};
use crate::error::ApiResult;

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
    use diesel::prelude::*;
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
