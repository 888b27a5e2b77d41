//! The mail outbox, for admins: what went out, what is waiting, what failed.

pub mod get_mail;
pub mod list_outbox;
pub mod retry_mail;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::{OutboxRow, from_db_time};
use crate::error::{ApiError, ApiResult};

/// Where a mail is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Being sent by a worker.
    Sending,
    /// Delivered to the mail server (or the mail folder).
    Sent,
    /// Given up on; an admin may retry it.
    Failed,
}

impl MailStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sending => "sending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> ApiResult<MailStatus> {
        [
            MailStatus::Pending,
            MailStatus::Sending,
            MailStatus::Sent,
            MailStatus::Failed,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown mail status {s}")))
    }
}

/// A mail in the outbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-9999-7a21-9d0b-5c1e8f2a3b4c", "case_id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c",
    "event": "issue_ruling", "template": "ruling_issued", "essential": true,
    "recipient_email": "ann@example.org", "recipient_name": "Ann Example", "language": "en",
    "subject": "[OMB-2026-000042] A ruling has been issued", "message_id": "<0192f0c4-9999-7a21-9d0b-5c1e8f2a3b4c@ombud.example.org>",
    "status": "failed", "attempts": 8, "next_attempt_at": "2026-11-23T10:00:00Z",
    "last_error": "permanent error (550): mailbox unavailable", "created_at": "2026-11-22T10:00:00Z", "sent_at": null
}))]
pub struct MailView {
    /// Mail id.
    pub id: uuid::Uuid,
    /// The case it is about.
    pub case_id: Option<uuid::Uuid>,
    /// The case event that caused it.
    pub event: String,
    /// The mail template used.
    pub template: String,
    /// Whether the recipient could not opt out of it.
    pub essential: bool,
    /// To whom.
    pub recipient_email: String,
    /// Their name.
    pub recipient_name: String,
    /// The language it is written in.
    pub language: String,
    /// The subject line.
    pub subject: String,
    /// Its stable Message-ID header.
    pub message_id: String,
    /// Where it is in its delivery.
    pub status: MailStatus,
    /// Attempts so far.
    pub attempts: i32,
    /// When it is (or was) due for its next attempt.
    pub next_attempt_at: DateTime<Utc>,
    /// The last error, if any.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it went out.
    pub sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<OutboxRow> for MailView {
    type Error = ApiError;
    fn try_from(r: OutboxRow) -> ApiResult<MailView> {
        let id = |s: &str| uuid::Uuid::parse_str(s).map_err(|e| ApiError::Internal(e.into()));
        Ok(MailView {
            id: id(&r.id)?,
            case_id: r.case_id.as_deref().map(id).transpose()?,
            status: MailStatus::parse(&r.status)?,
            next_attempt_at: from_db_time(r.next_attempt_at),
            created_at: from_db_time(r.created_at),
            sent_at: r.sent_at.map(from_db_time),
            event: r.event,
            template: r.template,
            essential: r.essential,
            recipient_email: r.recipient_email,
            recipient_name: r.recipient_name,
            language: r.language,
            subject: r.subject,
            message_id: r.message_id,
            attempts: r.attempts,
            last_error: r.last_error,
        })
    }
}
