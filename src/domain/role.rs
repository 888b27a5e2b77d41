//! Roles of users and scopes of tokens.

use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

/// What a user is, service-wide. Roles are ordered: each includes the
/// case powers of the ones before it (an admin can do what a lead can).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Role {
    /// Files complaints and takes part in cases as a party.
    Member,
    /// Works the cases assigned to them.
    Mediator,
    /// Senior mediator: triages, assigns, decides appeals, reopens.
    Lead,
    /// Configures the service: users, categories, tokens.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Member, Role::Mediator, Role::Lead, Role::Admin];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Mediator => "mediator",
            Role::Lead => "lead",
            Role::Admin => "admin",
        }
    }

    /// Mediators, leads and admins: people who work cases rather than bring them.
    pub fn is_staff(self) -> bool {
        self >= Role::Mediator
    }

    /// Leads and admins: people who supervise every case.
    pub fn is_supervisor(self) -> bool {
        self >= Role::Lead
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`"))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a token may be used for. Personal tokens (from signing in) carry
/// every scope; service tokens carry the ones an admin granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Read cases, their messages and timelines.
    #[serde(rename = "cases:read")]
    CasesRead,
    /// File cases, post messages and take case actions.
    #[serde(rename = "cases:write")]
    CasesWrite,
    /// Read users and categories.
    #[serde(rename = "directory:read")]
    DirectoryRead,
    /// Manage users, categories and tokens (still only for admins).
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 4] = [
        Scope::CasesRead,
        Scope::CasesWrite,
        Scope::DirectoryRead,
        Scope::Admin,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CasesRead => "cases:read",
            Scope::CasesWrite => "cases:write",
            Scope::DirectoryRead => "directory:read",
            Scope::Admin => "admin",
        }
    }
}

impl FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown scope `{s}`"))
    }
}

/// Whether a token came from signing in or was made for an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum TokenKind {
    /// From `POST /auth/tokens`; carries every scope.
    Personal,
    /// Made by an admin for an integration, with chosen scopes.
    Service,
}

impl TokenKind {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Personal => "personal",
            TokenKind::Service => "service",
        }
    }
}

impl std::str::FromStr for TokenKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "personal" => Ok(TokenKind::Personal),
            "service" => Ok(TokenKind::Service),
            _ => Err(format!("unknown token kind `{s}`")),
        }
    }
}
