//! A person's data as one JSON document: their account and tokens (never
//! a secret), every case they are party to or took part in as they may see
//! it now (the case, its timeline, its messages and its files' metadata),
//! everything they wrote or uploaded wherever it is now, and the mail sent
//! to them.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::Caller;
use crate::accounts::tokens::{self, Holders, TokenView};
use crate::accounts::users::{self, UserView};
use crate::cases::evidence::EvidenceView;
use crate::cases::messages::MessageView;
use crate::cases::timeline::TimelineEntry;
use crate::cases::{self, CaseView};
use crate::db::DbConnection;
use crate::db::models::{EvidenceRow, MessageRow, OutboxRow, from_db_time};
use crate::db::schema::{cases as case_rows, evidence, messages, outbox};
use crate::domain::events::Visibility;
use crate::domain::{Actor, CaseId, Scope, UserId};
use crate::error::{ApiError, ApiResult};
use crate::notify::admin::MailView;
use crate::pagination::Page;
use crate::state::Env;

/// The version of the export's shape.
pub const FORMAT: &str = "ombud-user-export/1";

/// Everything Ombud holds about one person.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "format": "ombud-user-export/1", "exported_at": "2026-12-06T10:00:00Z",
    "account": {"active": true, "created_at": "2026-11-22T10:00:00Z", "desk_mail": "each", "email": "ann@example.org",
        "id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "language": "en", "name": "Ann Example",
        "notifications": {"messages": true, "updates": false}, "role": "member"},
    "tokens": [{"created_at": "2026-11-22T10:00:00Z", "expires_at": "2026-11-29T10:00:00Z", "id": "0192f0c4-9999-7a21-9d0b-5c1e8f2a3b4c",
        "kind": "personal", "name": "laptop", "revoked_at": null, "scopes": ["cases:read", "cases:write", "directory:read", "admin"],
        "user_id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c"}],
    "cases": [],
    "messages_written": [{"case_id": "0192f0c4-1111-7a21-9d0b-5c1e8f2a3b4c", "id": "0192f0c4-4444-7a21-9d0b-5c1e8f2a3b4c",
        "visibility": "all_parties", "body": "The tracking number is 00340434.", "created_at": "2026-11-23T09:00:00Z"}],
    "evidence_added": [],
    "mail": []
}))]
pub struct UserExport {
    /// The shape of this document: `ombud-user-export/1`.
    pub format: String,
    /// When it was made.
    pub exported_at: DateTime<Utc>,
    /// The account.
    pub account: UserView,
    /// Their tokens, newest first (never a secret).
    pub tokens: Vec<TokenView>,
    /// Every case they are a party to, or wrote or uploaded on, that they
    /// may see now, as they see it.
    pub cases: Vec<ExportedCase>,
    /// Every message they wrote, wherever it is, oldest first.
    pub messages_written: Vec<WrittenMessage>,
    /// Every file they uploaded (metadata; the content is downloaded from
    /// each case's `content_url`), oldest first.
    pub evidence_added: Vec<AddedEvidence>,
    /// Every mail addressed to them, newest first, with its text.
    pub mail: Vec<SentMail>,
}

/// One case as its reader sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedCase {
    /// The case.
    pub case: CaseView,
    /// Its timeline as they may read it, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The messages they may read, oldest first.
    pub messages: Vec<MessageView>,
    /// The files they may see.
    pub evidence: Vec<EvidenceView>,
}

/// A message someone wrote, with the case it is on.
#[derive(Debug, Serialize, ToSchema)]
pub struct WrittenMessage {
    /// The case.
    pub case_id: uuid::Uuid,
    /// The message id.
    pub id: uuid::Uuid,
    /// Who could read it.
    pub visibility: Visibility,
    /// The text.
    pub body: String,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

/// A file someone uploaded, with the case it is on.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedEvidence {
    /// The case.
    pub case_id: uuid::Uuid,
    /// The file's id.
    pub id: uuid::Uuid,
    /// Its name as uploaded.
    pub file_name: String,
    /// What it shows.
    pub description: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// The SHA-256 of its content, hex.
    pub sha256: String,
    /// Who could see it.
    pub visibility: Visibility,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// When staff hid it, if they did.
    pub hidden_at: Option<DateTime<Utc>>,
}

/// A mail addressed to someone, with its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentMail {
    /// The mail.
    pub mail: MailView,
    /// Its plain-text body.
    pub body_text: String,
}

/// Whose data `caller` may export: their own (with `cases:read`), or, as
/// an admin with the `admin` scope, anyone's. Someone else's is 404 for
/// a member (as `GET /users/{id}` is: members do not look users up) and
/// 403 for other staff.
pub fn may_export(caller: &Caller, whose: UserId) -> ApiResult<()> {
    caller.require_scope(Scope::CasesRead)?;
    if whose != caller.user_id {
        if !caller.role.is_staff() {
            return Err(ApiError::NotFound("user"));
        }
        caller.require_admin()?;
    }
    Ok(())
}

/// Pages through a list to its end.
fn every<T>(
    mut page: impl FnMut(&Page) -> ApiResult<(Vec<T>, Option<String>)>,
) -> ApiResult<Vec<T>> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let at = Page::new(Some(100), cursor.as_deref())?;
        let (items, next) = page(&at)?;
        all.extend(items);
        match next {
            Some(n) => cursor = Some(n),
            None => return Ok(all),
        }
    }
}

/// The export of user `whose`. Cases are seen as `whose` sees them,
/// whoever asks.
pub fn export(conn: &mut DbConnection, env: &Env, whose: UserId) -> ApiResult<UserExport> {
    let account = users::get(conn, whose)?;
    let actor = Actor::user(whose, account.role);
    let tokens = every(|p| {
        let page = tokens::list(conn, Holders::User(whose), p)?;
        Ok((page.items, page.next_cursor))
    })?;
    let written: Vec<MessageRow> = messages::table
        .filter(messages::author_id.eq(whose))
        .order((messages::created_at.asc(), messages::id.asc()))
        .load(conn)?;
    let uploaded: Vec<EvidenceRow> = evidence::table
        .filter(evidence::uploaded_by.eq(whose))
        .order(evidence::id.asc())
        .load(conn)?;
    let party: Vec<CaseId> = case_rows::table
        .filter(
            case_rows::complainant_id
                .eq(whose)
                .or(case_rows::respondent_id.eq(whose)),
        )
        .select(case_rows::id)
        .load(conn)?;
    let ids: BTreeSet<uuid::Uuid> = party
        .into_iter()
        .chain(written.iter().map(|m| m.case_id))
        .chain(uploaded.iter().map(|e| e.case_id))
        .map(|c| c.0)
        .collect();
    let mut exported = Vec::new();
    for id in ids {
        let id = CaseId(id);
        let case = match cases::get(conn, env, &actor, id) {
            Ok(view) => view,
            // Not theirs to see (any more): what they wrote there is
            // still in `messages_written` and `evidence_added`.
            Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => continue,
            Err(e) => return Err(e),
        };
        let timeline = every(|p| {
            let page = cases::timeline::list(conn, env, &actor, id, p)?;
            Ok((page.items, page.next_cursor))
        })?;
        let messages = every(|p| {
            let page = cases::messages::list(conn, env, &actor, id, None, p)?;
            Ok((page.items, page.next_cursor))
        })?;
        let evidence = cases::evidence::list(conn, env, &actor, id)?.items;
        exported.push(ExportedCase {
            case,
            timeline,
            messages,
            evidence,
        });
    }
    let mail: Vec<OutboxRow> = outbox::table
        // By account, or to their address before they had one (a
        // respondent named by contact who signed up later).
        .filter(
            outbox::recipient_user_id
                .eq(whose)
                .or(outbox::recipient_email.eq(account.email.clone())),
        )
        .order(outbox::id.desc())
        .load(conn)?;
    let mail = mail
        .into_iter()
        .map(|row| {
            let body_text = row.body_text.clone();
            Ok(SentMail {
                mail: MailView::try_from(row)?,
                body_text,
            })
        })
        .collect::<Result<_, crate::notify::admin::OutboxError>>()?;
    Ok(UserExport {
        format: FORMAT.into(),
        exported_at: env.now,
        account,
        tokens,
        cases: exported,
        messages_written: written
            .into_iter()
            .map(|m| WrittenMessage {
                case_id: m.case_id.0,
                id: m.id.0,
                visibility: m.visibility,
                body: m.body,
                created_at: from_db_time(m.created_at),
            })
            .collect(),
        evidence_added: uploaded
            .into_iter()
            .map(|e| AddedEvidence {
                case_id: e.case_id.0,
                id: e.id.0,
                file_name: e.file_name,
                description: e.description,
                content_type: e.content_type,
                size: e.size,
                sha256: e.sha256,
                visibility: e.visibility,
                created_at: from_db_time(e.created_at),
                hidden_at: e.hidden_at.map(from_db_time),
            })
            .collect(),
        mail,
    })
}
