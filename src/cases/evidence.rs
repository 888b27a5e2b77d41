//! Evidence on a case: files the parties and staff attach, each with a
//! visibility as a message has. The content is received, hashed, checked
//! and kept by the route (`routes::cases::evidence`, through
//! `files::ContentStore`); what the case service decides and records is
//! here: who may add, read, hide and remove what, the limit per case, and
//! the timeline entries and mail that go with each.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::{CaseContext, hold};
use super::record::record;
use super::view::{PersonRef, names, person_ref};
use crate::db::DbConnection;
use crate::db::models::{EvidenceRow, from_db_time, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::evidence;
use crate::domain::events::{CaseEvent, EventRecord, Visibility};
use crate::domain::parse::Checker;
use crate::domain::{Actor, CaseId, CaseState, EvidenceId, Standing};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// A file received, hashed and checked, ready to be recorded.
#[derive(Debug, Clone)]
pub struct Received {
    /// The name it is offered under (`domain::evidence::file_name`).
    pub file_name: String,
    /// What the uploader says it shows.
    pub description: String,
    /// Its kind, detected from its bytes.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256, in lower-case hex.
    pub sha256: String,
    /// Who may see it.
    pub visibility: Visibility,
}

/// Why a file was hidden.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Shows the other party's bank details."}))]
pub struct HideEvidence {
    /// Why it is hidden from the parties, 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

/// A hidden file: when, by whom and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HiddenView {
    /// When it was hidden.
    pub at: DateTime<Utc>,
    /// Who hid it.
    pub by: PersonRef,
    /// Why.
    pub reason: String,
}

/// A file attached to a case, as its reader sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-5555-7a21-9d0b-5c1e8f2a3b4c", "file_name": "receipt.pdf",
    "description": "The receipt for order 1234", "content_type": "application/pdf", "size": 48213,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "visibility": "all_parties",
    "added_by": {"id": "0192f0c4-2222-7a21-9d0b-5c1e8f2a3b4c", "name": "Ann Example"},
    "created_at": "2026-11-23T09:00:00Z", "hidden": null,
    "content_url": "/api/v1/cases/0192f0c4-1111-7a21-9d0b-5c1e8f2a3b4c/evidence/0192f0c4-5555-7a21-9d0b-5c1e8f2a3b4c/content"
}))]
pub struct EvidenceView {
    /// Evidence id.
    pub id: uuid::Uuid,
    /// The file name it is offered under.
    pub file_name: String,
    /// What the uploader says it shows.
    pub description: String,
    /// Its kind, detected by the server from its bytes (not the name).
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256, in hex; downloads carry it too.
    pub sha256: String,
    /// Who may see it.
    pub visibility: Visibility,
    /// Who added it.
    pub added_by: PersonRef,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Set when a mediator hid it from the parties (shown to staff and to
    /// whoever added it).
    pub hidden: Option<HiddenView>,
    /// Where to download it.
    pub content_url: String,
}

/// The files of a case its reader may see, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceList {
    /// The files.
    pub items: Vec<EvidenceView>,
}

fn view(
    row: EvidenceRow,
    names: &std::collections::HashMap<crate::domain::UserId, String>,
) -> EvidenceView {
    let content_url = format!(
        "/api/v1/cases/{}/evidence/{}/content",
        row.case_id.0, row.id.0
    );
    EvidenceView {
        id: row.id.0,
        added_by: person_ref(row.uploaded_by, names),
        hidden: match (row.hidden_at, row.hidden_by, row.hidden_reason) {
            (Some(at), Some(by), Some(reason)) => Some(HiddenView {
                at: from_db_time(at),
                by: person_ref(by, names),
                reason,
            }),
            _ => None,
        },
        file_name: row.file_name,
        description: row.description,
        content_type: row.content_type,
        size: row.size,
        sha256: row.sha256,
        visibility: row.visibility,
        created_at: from_db_time(row.created_at),
        content_url,
    }
}

fn views(conn: &mut DbConnection, rows: Vec<EvidenceRow>) -> ApiResult<Vec<EvidenceView>> {
    let people = rows
        .iter()
        .flat_map(|r| [Some(r.uploaded_by), r.hidden_by])
        .flatten()
        .collect();
    let names = names(conn, people)?;
    Ok(rows.into_iter().map(|r| view(r, &names)).collect())
}

/// Whether the reader of `standing` (the user `actor`) may see `row`:
/// staff see every file; a party what is for both parties and for their
/// side, unless hidden (they still see what they added themselves).
fn readable(standing: &Standing, actor: &Actor, row: &EvidenceRow) -> bool {
    match standing.party() {
        None => true,
        Some(p) => {
            Visibility::readable_by(Some(p)).contains(&row.visibility)
                && (row.hidden_at.is_none() || actor.user == Some(row.uploaded_by))
        }
    }
}

fn count(conn: &mut DbConnection, id: CaseId) -> ApiResult<i64> {
    Ok(evidence::table
        .filter(evidence::case_id.eq(id))
        .count()
        .get_result(conn)?)
}

/// Checks that `actor` may add a file of `visibility` to case `id` now;
/// returns the case. The route asks before it reads the upload, and
/// [`add`] again in its transaction.
pub fn may_add(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    visibility: Visibility,
) -> ApiResult<CaseContext> {
    let (ctx, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    standing
        .may_post()
        .map_err(|m| ApiError::Forbidden(m.replace("post", "add evidence")))?;
    if ctx.facts.state.is_terminal() {
        return Err(ApiError::InvalidTransition(format!(
            "the case is {}; reopen it to add evidence",
            ctx.facts.state
        )));
    }
    if !Visibility::readable_by(standing.party()).contains(&visibility) {
        return Err(ApiError::field(
            "visibility",
            "parties may add evidence for both parties or privately for the mediator (their own side)",
        ));
    }
    let limit = env.settings.evidence_max_per_case;
    if count(conn, id)? >= limit {
        return Err(ApiError::Conflict(format!(
            "the case holds the most files allowed ({limit}); remove one or ask the mediator"
        )));
    }
    Ok(ctx)
}

/// Records a file received for case `id` (its content already kept), in
/// the caller's transaction, with its timeline entry and mail.
pub fn add(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    file: Received,
) -> ApiResult<EvidenceView> {
    hold(conn, id)?;
    let ctx = may_add(conn, env, actor, id, file.visibility)?;
    let author = actor
        .user
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("evidence needs an author")))?;
    let row = EvidenceRow {
        id: EvidenceId::new(),
        case_id: id,
        uploaded_by: author,
        visibility: file.visibility,
        file_name: file.file_name,
        description: file.description,
        content_type: file.content_type,
        size: file.size,
        sha256: file.sha256,
        created_at: to_db_time(env.now),
        hidden_at: None,
        hidden_by: None,
        hidden_reason: None,
        redacted_at: None,
    };
    Prepared(diesel::insert_into(evidence::table).values(row.clone())).execute(conn)?;
    let added = EventRecord {
        case_id: id,
        actor: actor.user,
        at: env.now,
        transition: None,
        event: CaseEvent::EvidenceAdded {
            evidence_id: row.id,
            file_name: row.file_name.clone(),
            content_type: row.content_type.clone(),
            size: row.size,
            sha256: row.sha256.clone(),
            visibility: row.visibility,
        },
    };
    record(conn, &env.settings, &ctx, &added)?;
    Ok(views(conn, vec![row])?.remove(0))
}

/// The checked description of an upload (up to 2000 characters, may be empty).
pub fn check_description(raw: &str) -> ApiResult<String> {
    let mut c = Checker::new();
    let text = c
        .opt_text("description", Some(raw), 2000)
        .unwrap_or_default();
    c.finish()?;
    Ok(text)
}

/// The files on case `id` that `actor` may see, oldest first.
pub fn list(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
) -> ApiResult<EvidenceList> {
    let (_, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    let rows: Vec<EvidenceRow> = evidence::table
        .filter(evidence::case_id.eq(id))
        .order(evidence::id.asc())
        .load(conn)?;
    let rows = rows
        .into_iter()
        .filter(|r| readable(&standing, actor, r))
        .collect();
    Ok(EvidenceList {
        items: views(conn, rows)?,
    })
}

/// One file of case `id` that `actor` may see, with the case and their standing.
fn one(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    evidence_id: EvidenceId,
) -> ApiResult<(CaseContext, Standing, EvidenceRow)> {
    let (ctx, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    let row: Option<EvidenceRow> = evidence::table
        .filter(evidence::case_id.eq(id))
        .filter(evidence::id.eq(evidence_id))
        .first(conn)
        .optional()?;
    match row {
        Some(row) if readable(&standing, actor, &row) => Ok((ctx, standing, row)),
        _ => Err(ApiError::NotFound("evidence")),
    }
}

/// Opens a file for `actor` to download: records who read it (for staff)
/// and returns what the download needs. In the caller's transaction.
pub fn open(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    evidence_id: EvidenceId,
) -> ApiResult<EvidenceView> {
    let (ctx, _, row) = one(conn, env, actor, id, evidence_id)?;
    if row.redacted_at.is_some() {
        return Err(ApiError::InvalidTransition(
            "this file was removed when its author's data was erased".into(),
        ));
    }
    // The case's lock, as every recorded event holds it (`record`).
    hold(conn, id)?;
    let read = EventRecord {
        case_id: id,
        actor: actor.user,
        at: env.now,
        transition: None,
        event: CaseEvent::EvidenceRead {
            evidence_id,
            file_name: row.file_name.clone(),
        },
    };
    record(conn, &env.settings, &ctx, &read)?;
    Ok(views(conn, vec![row])?.remove(0))
}

/// Hides a file from the parties, with a reason: the assigned mediator, a
/// lead or an admin. It is kept, and shown to staff and to whoever added it.
pub fn hide(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    evidence_id: EvidenceId,
    body: HideEvidence,
) -> ApiResult<EvidenceView> {
    let mut c = Checker::new();
    let reason = c.text("reason", &body.reason, 2000);
    c.finish()?;
    let (ctx, standing, row) = one(conn, env, actor, id, evidence_id)?;
    if !(standing.is_in_charge() || standing.is_supervisor()) {
        return Err(ApiError::Forbidden(
            "only the assigned mediator, a lead or an admin may hide evidence".into(),
        ));
    }
    if row.hidden_at.is_some() {
        return Err(ApiError::InvalidTransition(
            "this file is hidden already".into(),
        ));
    }
    let by = actor.user;
    // Only if still shown: of two hides at once, one records it.
    let updated = diesel::update(
        evidence::table
            .filter(evidence::id.eq(evidence_id))
            .filter(evidence::hidden_at.is_null()),
    )
    .set((
        evidence::hidden_at.eq(Some(to_db_time(env.now))),
        evidence::hidden_by.eq(by),
        evidence::hidden_reason.eq(Some(reason.clone())),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::InvalidTransition(
            "this file is hidden already".into(),
        ));
    }
    let hidden = EventRecord {
        case_id: id,
        actor: by,
        at: env.now,
        transition: None,
        event: CaseEvent::EvidenceHidden {
            evidence_id,
            file_name: row.file_name.clone(),
            reason: reason.clone(),
        },
    };
    record(conn, &env.settings, &ctx, &hidden)?;
    let row = EvidenceRow {
        hidden_at: Some(to_db_time(env.now)),
        hidden_by: by,
        hidden_reason: Some(reason),
        ..row
    };
    Ok(views(conn, vec![row])?.remove(0))
}

/// Removes a file: only whoever added it, and only before the
/// investigation begins (after that a mediator may hide it instead).
/// Returns its content hash, which the route may let go of.
pub fn remove(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    evidence_id: EvidenceId,
) -> ApiResult<String> {
    hold(conn, id)?;
    let (ctx, _, row) = one(conn, env, actor, id, evidence_id)?;
    if actor.user != Some(row.uploaded_by) {
        return Err(ApiError::Forbidden(
            "only whoever added a file may remove it; a mediator may hide it".into(),
        ));
    }
    if row.hidden_at.is_some() {
        return Err(ApiError::InvalidTransition(
            "a mediator hid this file; it is kept".into(),
        ));
    }
    if !matches!(ctx.facts.state, CaseState::Intake | CaseState::Assigned) {
        return Err(ApiError::InvalidTransition(format!(
            "the case is {}: evidence stays once the investigation has begun (a mediator may hide it)",
            ctx.facts.state
        )));
    }
    let deleted = diesel::delete(
        evidence::table
            .filter(evidence::id.eq(evidence_id))
            .filter(evidence::hidden_at.is_null()),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Err(ApiError::InvalidTransition(
            "a mediator hid this file meanwhile; it is kept".into(),
        ));
    }
    let removed = EventRecord {
        case_id: id,
        actor: actor.user,
        at: env.now,
        transition: None,
        event: CaseEvent::EvidenceRemoved {
            evidence_id,
            file_name: row.file_name,
            visibility: row.visibility,
        },
    };
    record(conn, &env.settings, &ctx, &removed)?;
    Ok(row.sha256)
}

/// The files of case `id` hidden from the parties that `actor` did not add
/// (by id, as the timeline's entries name them).
pub fn hidden_from(conn: &mut DbConnection, id: CaseId, actor: &Actor) -> ApiResult<Vec<String>> {
    let rows: Vec<(EvidenceId, crate::domain::UserId)> = evidence::table
        .filter(evidence::case_id.eq(id))
        .filter(evidence::hidden_at.is_not_null())
        .select((evidence::id, evidence::uploaded_by))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, by)| actor.user != Some(*by))
        .map(|(f, _)| f.0.to_string())
        .collect())
}

/// Whether any file on any case still uses the content `sha256`.
pub fn in_use(conn: &mut DbConnection, sha256: &str) -> ApiResult<bool> {
    let n: i64 = evidence::table
        .filter(evidence::sha256.eq(sha256))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
