//! Follow-up that checks. When a case enters follow-up, each remedy and
//! sanction of its final ruling becomes an obligation with a status:
//! pending until staff record it done (with a note, optionally a file of
//! the case) or waived (with the reason); overdue once its due date passes
//! while pending (the scan, [`mark_overdue`]). A remedy is due by the date
//! the ruling set; a sanction within `sanction_due_hours` of follow-up
//! starting, and records when it took effect and, if temporary, when it
//! ends. When the last open obligation is resolved the case closes by
//! itself (`follow_up_auto_close`); a mediator who closes it earlier gives
//! a reason, and what is still open is recorded as waived with it.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::act::take_on;
use super::actions::close::Close;
use super::context::{CaseContext, hold};
use super::obligations as store;
use super::record::record;
use super::version::Expected;
use crate::db::DbConnection;
use crate::db::models::{EvidenceRow, ObligationRow, from_db_time, to_db_time};
use crate::db::schema::{evidence, obligations};
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::follow_up::{ObligationPart, ObligationStatus, Resolution};
use crate::domain::parse::Checker;
use crate::domain::{Actor, CaseId, CaseState, EvidenceId};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// A remedy or sanction of the final ruling and where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a2b4c-0000-7000-8000-000000000001", "ruling_id": "019a2b4c-0000-7000-8000-000000000002",
    "part": "remedy", "kind": "refund", "description": "Refund order 1234 in full",
    "due_at": "2026-12-15T00:00:00Z", "status": "done", "note": "Refund seen on the statement.",
    "evidence_id": "019a2b4c-0000-7000-8000-000000000003", "updated_at": "2026-12-10T09:30:00Z"
}))]
pub struct ObligationView {
    /// The obligation's id.
    pub id: uuid::Uuid,
    /// The ruling it comes from.
    pub ruling_id: uuid::Uuid,
    /// Remedy or sanction.
    pub part: ObligationPart,
    /// Its kind: a remedy's (`apology`, `correction`, `refund`, `other`) or a
    /// sanction's (`warning`, `content_removal`, `restriction`, `suspension`, `ban`).
    pub kind: String,
    /// What it asks for: a remedy's description, a sanction's note (may be empty).
    pub description: String,
    /// How long a restriction or suspension lasts, in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_days: Option<i32>,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Where it stands.
    pub status: ObligationStatus,
    /// What was done, or why it was waived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A file of the case that shows it was done.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub evidence_id: Option<EvidenceId>,
    /// When a sanction took effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    /// When a restriction or suspension ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The obligations of a case, remedies first, in the ruling's order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObligationList {
    /// The obligations of every final ruling of the case, oldest ruling first.
    pub items: Vec<ObligationView>,
    /// How many are still pending or overdue.
    pub open: usize,
}

/// What staff record of an obligation.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done", "note": "Refund seen on the statement.", "evidence_id": "019a2b4c-0000-7000-8000-000000000003"}))]
pub struct RecordObligation {
    /// `done` (carried out; a sanction: put in place) or `waived` (no longer required).
    pub status: Resolution,
    /// What was done, or why it is waived: 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub note: String,
    /// A file of this case that shows it was done (not hidden from the parties).
    pub evidence_id: Option<uuid::Uuid>,
    /// For a sanction recorded done: when it took effect (not in the
    /// future); now when left out. Its end follows from its duration.
    pub started_at: Option<DateTime<Utc>>,
}

fn view(row: ObligationRow) -> ApiResult<ObligationView> {
    Ok(ObligationView {
        id: store::uuid_of(&row.id)?,
        ruling_id: store::uuid_of(&row.ruling_id)?,
        part: row.part,
        kind: row.kind,
        description: row.description,
        duration_days: row.duration_days,
        due_at: from_db_time(row.due_at),
        status: row.status,
        note: row.note,
        evidence_id: row.evidence_id,
        starts_at: row.starts_at.map(from_db_time),
        ends_at: row.ends_at.map(from_db_time),
        updated_at: from_db_time(row.updated_at),
    })
}

/// The obligations of case `id`, for anyone who may see the case (they are
/// part of the ruling both parties read).
pub fn list(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
) -> ApiResult<ObligationList> {
    CaseContext::load_visible(conn, actor, id, env)?;
    let items = store::rows_of(conn, id)?
        .into_iter()
        .map(view)
        .collect::<ApiResult<Vec<_>>>()?;
    let open = items.iter().filter(|o| o.status.is_open()).count();
    Ok(ObligationList { items, open })
}

/// Records obligation `oid` of case `id` done or waived, for the assigned
/// mediator, a lead or an admin, while the case is in follow-up; closes
/// the case when that was the last open one (`follow_up_auto_close`). In
/// the caller's transaction.
pub fn resolve(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    oid: uuid::Uuid,
    body: RecordObligation,
) -> ApiResult<ObligationView> {
    let mut c = Checker::new();
    let note = c.text("note", &body.note, 4000);
    if body.started_at.is_some_and(|t| t > env.now) {
        c.fail(
            "started_at",
            "a sanction cannot have taken effect in the future",
        );
    }
    if body.started_at.is_some() && body.status != Resolution::Done {
        c.fail(
            "started_at",
            "only a sanction recorded done takes started_at",
        );
    }
    c.finish()?;
    hold(conn, id)?;
    let (mut ctx, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    if !(standing.is_in_charge() || standing.is_supervisor()) {
        return Err(ApiError::Forbidden(
            "only the assigned mediator, a lead or an admin record how a ruling was carried out"
                .into(),
        ));
    }
    if ctx.facts.state != CaseState::FollowUp {
        return Err(ApiError::InvalidTransition(format!(
            "the case is {}; obligations are recorded during follow-up",
            ctx.facts.state
        )));
    }
    let row: ObligationRow = obligations::table
        .find(oid.hyphenated().to_string())
        .filter(obligations::case_id.eq(id))
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("obligation"))?;
    if !row.status.is_open() {
        return Err(ApiError::InvalidTransition(format!(
            "this {} is already {}",
            row.part, row.status
        )));
    }
    if body.started_at.is_some() && row.part != ObligationPart::Sanction {
        return Err(ApiError::field(
            "started_at",
            "only a sanction recorded done takes started_at",
        ));
    }
    let evidence_id = match body.evidence_id {
        None => None,
        Some(e) => {
            let file: Option<EvidenceRow> = evidence::table
                .find(EvidenceId(e))
                .filter(evidence::case_id.eq(id))
                .first(conn)
                .optional()?;
            match file {
                Some(f) if f.hidden_at.is_none() => Some(f.id),
                Some(_) => {
                    return Err(ApiError::field(
                        "evidence_id",
                        "that file is hidden from the parties; name another",
                    ));
                }
                None => {
                    return Err(ApiError::field(
                        "evidence_id",
                        "no file of this case has that id",
                    ));
                }
            }
        }
    };
    let status = ObligationStatus::from(body.status);
    let (starts_at, ends_at) = match (row.part, body.status) {
        (ObligationPart::Sanction, Resolution::Done) => {
            let start = body.started_at.unwrap_or(env.now);
            // Only restrictions and suspensions have a duration (`Sanction::check`).
            let end = row
                .duration_days
                .map(|d| start + Duration::days(i64::from(d)));
            (Some(start), end)
        }
        _ => (None, None),
    };
    let updated = diesel::update(
        obligations::table
            .filter(obligations::id.eq(&row.id))
            .filter(obligations::status.eq_any(store::open_statuses())),
    )
    .set((
        obligations::status.eq(status),
        obligations::note.eq(&note),
        obligations::evidence_id.eq(evidence_id),
        obligations::starts_at.eq(starts_at.map(to_db_time)),
        obligations::ends_at.eq(ends_at.map(to_db_time)),
        obligations::updated_by.eq(actor.user),
        obligations::updated_at.eq(to_db_time(env.now)),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::InvalidTransition(format!(
            "this {} was recorded by someone else a moment ago; read it again",
            row.part
        )));
    }
    let resolved = EventRecord {
        case_id: id,
        actor: actor.user,
        at: env.now,
        transition: None,
        event: CaseEvent::ObligationResolved {
            obligation_id: oid,
            part: row.part,
            obligation_kind: row.kind.clone(),
            description: row.description.clone(),
            duration_days: row.duration_days,
            status,
            note: note.clone(),
            evidence_id,
            starts_at,
            ends_at,
        },
    };
    record(conn, &env.settings, &ctx, &resolved)?;
    if env.settings.follow_up_auto_close && store::open_count(conn, id)? == 0 {
        take_on(
            conn,
            env,
            &Actor::system(),
            &mut ctx,
            &Expected::Absent,
            Close {
                note: Some("Every remedy and sanction of the ruling is done or waived.".into()),
            },
        )?;
    }
    view(ObligationRow {
        status,
        note: Some(note),
        evidence_id,
        starts_at: starts_at.map(to_db_time),
        ends_at: ends_at.map(to_db_time),
        updated_by: actor.user,
        updated_at: to_db_time(env.now),
        ..row
    })
}

/// Marks obligation `oid` overdue if it is still pending and past due at
/// `env.now`, records it on its case and tells the mediator (and, for a
/// remedy, the respondent who owes it); `false` if there was nothing to do
/// (done, waived, or another process got there first). In the caller's
/// transaction.
pub fn mark_overdue(conn: &mut DbConnection, env: &Env, oid: &str) -> ApiResult<bool> {
    let now = to_db_time(env.now);
    let row: Option<ObligationRow> = obligations::table.find(oid).first(conn).optional()?;
    let Some(row) = row else { return Ok(false) };
    hold(conn, row.case_id)?;
    let updated = diesel::update(
        obligations::table
            .filter(obligations::id.eq(oid))
            .filter(obligations::status.eq(ObligationStatus::Pending))
            .filter(obligations::due_at.lt(now)),
    )
    .set((
        obligations::status.eq(ObligationStatus::Overdue),
        obligations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    let Some(ctx) = CaseContext::load(conn, row.case_id, &Actor::system(), env)? else {
        return Ok(false);
    };
    let overdue = EventRecord {
        case_id: row.case_id,
        actor: None,
        at: env.now,
        transition: None,
        event: CaseEvent::ObligationOverdue {
            obligation_id: store::uuid_of(&row.id)?,
            part: row.part,
            obligation_kind: row.kind,
            description: row.description,
            duration_days: row.duration_days,
            due_at: from_db_time(row.due_at),
        },
    };
    record(conn, &env.settings, &ctx, &overdue)?;
    Ok(true)
}
