//! The outbox as admins see it: what went out, what is waiting, what
//! failed, and sending failed mail again. Fails with [`OutboxError`], in
//! the outbox's own words.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::models::{OutboxRow, from_db_time, to_db_time};
use crate::db::schema::{outbox, outbox_attempts};
use crate::db::{DbConnection, MultiBackend, StoreError};
use crate::domain::CaseId;
use crate::pagination::{self, Page, page_of};

/// Why an admin's request about the outbox failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// No mail with this id.
    #[error("mail not found")]
    NotFound,
    /// Only failed mail can be sent again.
    #[error("only failed mail can be retried; this one is {0}")]
    NotFailed(MailStatus),
    /// Someone else put the mail back in the queue first.
    #[error("the mail is being retried already")]
    AlreadyRetried,
    /// The outbox could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored mail is damaged (an id or a status that cannot be read).
    #[error("a stored mail is damaged: {0}")]
    Damaged(#[source] anyhow::Error),
}

impl From<diesel::result::Error> for OutboxError {
    fn from(e: diesel::result::Error) -> Self {
        OutboxError::Store(e.into())
    }
}

pub use crate::domain::MailStatus;

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
    type Error = OutboxError;
    fn try_from(r: OutboxRow) -> Result<MailView, OutboxError> {
        let id = |s: &str| uuid::Uuid::parse_str(s).map_err(|e| OutboxError::Damaged(e.into()));
        Ok(MailView {
            id: id(&r.id)?,
            case_id: r.case_id.map(|c| c.0),
            status: r.status,
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

/// One delivery attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptView {
    /// When.
    pub at: DateTime<Utc>,
    /// `sent`, `temporary` (will be retried) or `permanent`.
    pub outcome: String,
    /// What the mail server said, if it failed.
    pub detail: String,
    /// The worker that tried.
    pub worker: String,
}

/// A mail with its body and every attempt to deliver it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "mail": {
        "id": "0192f0c4-9999-7a21-9d0b-5c1e8f2a3b4c", "case_id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c",
        "event": "case_filed", "template": "acknowledgement", "essential": true,
        "recipient_email": "ann@example.org", "recipient_name": "Ann Example", "language": "en",
        "subject": "[OMB-2026-000042] We received your complaint", "message_id": "<0192f0c4-9999@ombud.example.org>",
        "status": "sent", "attempts": 2, "next_attempt_at": "2026-11-22T10:00:30Z", "last_error": null,
        "created_at": "2026-11-22T10:00:00Z", "sent_at": "2026-11-22T10:00:31Z"
    },
    "body_text": "Hello Ann Example, ...",
    "attempts": [
        {"at": "2026-11-22T10:00:01Z", "outcome": "temporary", "detail": "Connection refused", "worker": "4242-a1"},
        {"at": "2026-11-22T10:00:31Z", "outcome": "sent", "detail": "", "worker": "4242-a1"}
    ]
}))]
pub struct MailDetail {
    /// The mail.
    pub mail: MailView,
    /// Its plain-text body.
    pub body_text: String,
    /// Every delivery attempt, oldest first.
    pub attempts: Vec<AttemptView>,
}

page_of!(
    /// A page of mail, newest first.
    MailPage,
    MailView
);

/// Which mail to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxFilter {
    /// Only mail in this state.
    pub status: Option<MailStatus>,
    /// Only mail about this case.
    pub case_id: Option<uuid::Uuid>,
}

/// A page of the outbox, newest first.
pub fn list(
    conn: &mut DbConnection,
    filter: &OutboxFilter,
    page: &Page,
) -> Result<MailPage, OutboxError> {
    let rows: Vec<OutboxRow> = page_query(filter, page).load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |m| m.id.clone());
    let items = rows
        .into_iter()
        .map(MailView::try_from)
        .collect::<Result<_, _>>()?;
    Ok(MailPage { items, next_cursor })
}

/// The query behind [`list`]: one more than a page, newest first.
pub fn page_query(filter: &OutboxFilter, page: &Page) -> outbox::BoxedQuery<'static, MultiBackend> {
    let mut q = outbox::table.into_boxed();
    if let Some(s) = filter.status {
        q = q.filter(outbox::status.eq(s.as_str()));
    }
    if let Some(c) = filter.case_id {
        q = q.filter(outbox::case_id.eq(CaseId(c)));
    }
    if let Some(before) = &page.after {
        q = q.filter(outbox::id.lt(before.clone()));
    }
    q.order(outbox::id.desc()).limit(page.limit + 1)
}

/// Mail `id` with its body and every delivery attempt, oldest first.
pub fn get(conn: &mut DbConnection, id: uuid::Uuid) -> Result<MailDetail, OutboxError> {
    let id = id.hyphenated().to_string();
    let row: Option<OutboxRow> = outbox::table.find(&id).first(conn).optional()?;
    let row = row.ok_or(OutboxError::NotFound)?;
    let attempts: Vec<(chrono::NaiveDateTime, String, String, String)> = outbox_attempts::table
        .filter(outbox_attempts::outbox_id.eq(&id))
        .order(outbox_attempts::id.asc())
        .select((
            outbox_attempts::attempted_at,
            outbox_attempts::outcome,
            outbox_attempts::detail,
            outbox_attempts::worker,
        ))
        .load(conn)?;
    Ok(MailDetail {
        body_text: row.body_text.clone(),
        mail: MailView::try_from(row)?,
        attempts: attempts
            .into_iter()
            .map(|(at, outcome, detail, worker)| AttemptView {
                at: from_db_time(at),
                outcome,
                detail,
                worker,
            })
            .collect(),
    })
}

/// Puts failed mail `id` back in the queue: `pending`, due `now`, with a
/// fresh allowance of attempts; its earlier attempts stay on record.
pub fn retry(
    conn: &mut DbConnection,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<MailView, OutboxError> {
    let id = id.hyphenated().to_string();
    let row: Option<OutboxRow> = outbox::table.find(&id).first(conn).optional()?;
    let row = row.ok_or(OutboxError::NotFound)?;
    if row.status != MailStatus::Failed {
        return Err(OutboxError::NotFailed(row.status));
    }
    let at = to_db_time(now);
    let changed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(&id))
            .filter(outbox::status.eq(MailStatus::Failed)),
    )
    .set((
        outbox::status.eq(MailStatus::Pending),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(at),
        outbox::updated_at.eq(at),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(OutboxError::AlreadyRetried);
    }
    crate::db::signal::mail_written();
    let row: OutboxRow = outbox::table.find(&id).first(conn)?;
    MailView::try_from(row)
}
