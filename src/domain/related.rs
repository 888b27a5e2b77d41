//! Related and mass complaints: how a lead links two cases, and the parts a
//! case plays in a group.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a lead linked two cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum LinkKind {
    /// This case repeats the other (the other is the one to work).
    DuplicateOf,
    /// The cases concern the same matter (either way round).
    RelatedTo,
}

crate::domain::wire_names!(LinkKind, "link kind" {
    DuplicateOf => "duplicate_of",
    RelatedTo => "related_to",
});

/// The part a case plays in a group of complaints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    /// The case the mediator works; its ruling applies to every member.
    Lead,
    /// A complaint grouped under a lead case; it keeps its own case and
    /// gets the lead case's ruling.
    Member,
}
