use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::{TokenId, TokenKind, UserId};

use crate::db::schema::api_tokens;

/// An API token as stored (only its hash).
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub kind: TokenKind,
    pub scopes: String,
    pub token_hash: String,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A token to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    pub kind: TokenKind,
    pub scopes: String,
    pub token_hash: String,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}
