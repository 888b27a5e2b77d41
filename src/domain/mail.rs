//! Where a mail is in its delivery.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a mail is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum MailStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Claimed by a worker (until its lease ends), being sent.
    Sending,
    /// Delivered to the mail server (or the mail folder).
    Sent,
    /// Given up on (a permanent failure, or too many temporary ones); an admin may retry it.
    Failed,
}

crate::domain::wire_names!(MailStatus, "mail status" {
    Pending => "pending",
    Sending => "sending",
    Sent => "sent",
    Failed => "failed",
});
