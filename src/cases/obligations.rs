//! The obligations of a case as stored: written when the case enters
//! follow-up, counted and waived when it closes, found when due. The rules
//! around them (who records what, overdue, closing by itself) are in
//! [`super::follow_up`].

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;

use super::context::{CaseContext, corrupt};
use crate::db::models::{ObligationRow, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::obligations;
use crate::db::{DbConnection, MultiBackend};
use crate::domain::follow_up::{ObligationPart, ObligationStatus};
use crate::domain::ruling::{Remedy, Sanction};
use crate::domain::{CaseId, UserId};
use crate::error::ApiResult;
use crate::state::Env;

/// An obligation's id, as stored.
pub fn uuid_of(text: &str) -> ApiResult<uuid::Uuid> {
    uuid::Uuid::parse_str(text).map_err(|_| corrupt(format!("obligation id {text}")))
}

fn wire<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Writes the obligations of the ruling in force on `ctx`'s case, as it
/// enters follow-up. In the caller's transaction.
pub fn open(conn: &mut DbConnection, env: &Env, ctx: &CaseContext) -> ApiResult<()> {
    let Some(ruling) = &ctx.ruling else {
        return Ok(());
    };
    let sanctions: Vec<Sanction> =
        serde_json::from_str(&ruling.sanctions).map_err(|_| corrupt("ruling sanctions"))?;
    let remedies: Vec<Remedy> =
        serde_json::from_str(&ruling.remedies).map_err(|_| corrupt("ruling remedies"))?;
    let now = to_db_time(env.now);
    let sanction_due = to_db_time(env.now + Duration::hours(env.settings.sanction_due_hours));
    let row =
        |part, position: usize, kind: String, description: String, days, due_at| ObligationRow {
            id: uuid::Uuid::now_v7().hyphenated().to_string(),
            case_id: ctx.id(),
            ruling_id: ruling.id.clone(),
            part,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            kind,
            description,
            duration_days: days,
            due_at,
            status: ObligationStatus::Pending,
            note: None,
            evidence_id: None,
            starts_at: None,
            ends_at: None,
            updated_by: None,
            created_at: now,
            updated_at: now,
        };
    let rows = remedies
        .iter()
        .enumerate()
        .map(|(i, r)| {
            row(
                ObligationPart::Remedy,
                i,
                wire(&r.kind),
                r.description.clone(),
                None,
                to_db_time(r.due_at),
            )
        })
        .chain(sanctions.iter().enumerate().map(|(i, s)| {
            row(
                ObligationPart::Sanction,
                i,
                wire(&s.kind),
                s.note.clone().unwrap_or_default(),
                s.duration_days.and_then(|d| i32::try_from(d).ok()),
                sanction_due,
            )
        }));
    for r in rows {
        Prepared(diesel::insert_into(obligations::table).values(r)).execute(conn)?;
    }
    Ok(())
}

/// The obligations of case `id`, oldest ruling first, remedies first, in order.
pub fn rows_of(conn: &mut DbConnection, id: CaseId) -> ApiResult<Vec<ObligationRow>> {
    Ok(obligations::table
        .filter(obligations::case_id.eq(id))
        .order((
            obligations::created_at.asc(),
            obligations::part.asc(),
            obligations::position.asc(),
        ))
        .load(conn)?)
}

pub fn open_statuses() -> [ObligationStatus; 2] {
    [ObligationStatus::Pending, ObligationStatus::Overdue]
}

/// How many obligations of case `id` are still pending or overdue.
pub fn open_count(conn: &mut DbConnection, id: CaseId) -> ApiResult<i64> {
    Ok(obligations::table
        .filter(obligations::case_id.eq(id))
        .filter(obligations::status.eq_any(open_statuses()))
        .count()
        .get_result(conn)?)
}

/// Records every obligation of case `id` still open as waived with `note`
/// (the case is being closed); returns their ids.
pub fn waive_open(
    conn: &mut DbConnection,
    id: CaseId,
    by: Option<UserId>,
    note: &str,
    now: DateTime<Utc>,
) -> ApiResult<Vec<uuid::Uuid>> {
    let open: Vec<String> = obligations::table
        .filter(obligations::case_id.eq(id))
        .filter(obligations::status.eq_any(open_statuses()))
        .select(obligations::id)
        .load(conn)?;
    if open.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(
        obligations::table
            .filter(obligations::id.eq_any(&open))
            .filter(obligations::status.eq_any(open_statuses())),
    )
    .set((
        obligations::status.eq(ObligationStatus::Waived),
        obligations::note.eq(note),
        obligations::updated_by.eq(by),
        obligations::updated_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    open.iter().map(|id| uuid_of(id)).collect()
}

/// The pending obligations due before `now`, soonest first, at most
/// `limit`: read through the partial index `obligations_due` (pending
/// ones only), so a scan with nothing due reads none.
pub fn due(now: NaiveDateTime, limit: i64) -> obligations::BoxedQuery<'static, MultiBackend, Text> {
    // The status as a literal: a planner uses a partial index only when it
    // can see the query meets the index's condition.
    let pending = obligations::status.eq(sql::<Text>(&format!(
        "'{}'",
        ObligationStatus::Pending.as_str()
    )));
    obligations::table
        .filter(pending)
        .filter(obligations::due_at.lt(now))
        .order(obligations::due_at.asc())
        .select(obligations::id)
        .limit(limit)
        .into_boxed()
}
