//! Roles of users and scopes of tokens.

use serde::{Deserialize, Serialize};
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

crate::domain::wire_names!(Role, "role" {
    Member => "member",
    Mediator => "mediator",
    Lead => "lead",
    Admin => "admin",
});

impl Role {
    /// Mediators, leads and admins: people who work cases rather than bring them.
    pub fn is_staff(self) -> bool {
        self >= Role::Mediator
    }

    /// Leads and admins: people who supervise every case.
    pub fn is_supervisor(self) -> bool {
        self >= Role::Lead
    }
}

/// What a token may be used for. Personal tokens (from signing in) carry
/// every scope; service tokens carry the ones an admin granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Read cases, their messages, timelines and drafts (and, with
    /// `admin`, the outbox and webhook deliveries, which hold case text).
    #[serde(rename = "cases:read")]
    CasesRead,
    /// File cases, post messages and take case actions.
    #[serde(rename = "cases:write")]
    CasesWrite,
    /// Read users and mediators' profiles (categories and rules need no
    /// scope).
    #[serde(rename = "directory:read")]
    DirectoryRead,
    /// Manage users, categories and tokens (still only for admins).
    #[serde(rename = "admin")]
    Admin,
}

crate::domain::wire_names!(Scope, "scope" {
    CasesRead => "cases:read",
    CasesWrite => "cases:write",
    DirectoryRead => "directory:read",
    Admin => "admin",
});

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

crate::domain::wire_names!(TokenKind, "token kind" {
    Personal => "personal",
    Service => "service",
});
