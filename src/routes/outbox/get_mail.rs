use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::MailView;
use crate::accounts::Caller;
use crate::db::models::{OutboxRow, from_db_time};
use crate::db::schema::{outbox, outbox_attempts};
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

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

/// One mail, with its body and delivery attempts (admins).
#[utoipa::path(
    tag = "outbox",
    operation_id = "get_mail",
    params(("mail_id" = uuid::Uuid, Path, description = "The mail's id")),
    responses((status = 200, description = "The mail", body = MailDetail), ReadErrors)
)]
#[get("/outbox/{mail_id}")]
pub async fn get_mail(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<MailDetail>> {
    caller.require_admin()?;
    let id = path.into_inner().hyphenated().to_string();
    let (row, attempts) = state
        .db
        .read(move |conn| -> ApiResult<_> {
            let row: Option<OutboxRow> = outbox::table.find(&id).first(conn).optional()?;
            let row = row.ok_or(ApiError::NotFound("mail"))?;
            let attempts: Vec<(chrono::NaiveDateTime, String, String, String)> =
                outbox_attempts::table
                    .filter(outbox_attempts::outbox_id.eq(&id))
                    .order(outbox_attempts::id.asc())
                    .select((
                        outbox_attempts::attempted_at,
                        outbox_attempts::outcome,
                        outbox_attempts::detail,
                        outbox_attempts::worker,
                    ))
                    .load(conn)?;
            Ok((row, attempts))
        })
        .await?;
    Ok(web::Json(MailDetail {
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
    }))
}
