//! Service levels on a case: the first answer, and the pauses. Filing sets
//! a case's deadlines from the policy for its priority and category
//! (`domain::service_level`); the first answer is the first message from
//! staff the complainant can read, or the start of the investigation,
//! whichever comes first, and is recorded once. While the case waits on a
//! party (an open request for information, an open settlement proposal)
//! its clock is paused; when that ends, the deadlines not yet met move on
//! by the business time the pause took.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::context::{CaseContext, corrupt};
use crate::db::DbConnection;
use crate::db::models::{from_db_time, to_db_time};
use crate::db::schema::cases;
use crate::domain::CaseFacts;
use crate::domain::events::Visibility;
use crate::domain::service_level::{CalendarSpec, after_pause};
use crate::domain::{Action, Standing};
use crate::error::ApiResult;

/// Records `now` as the case's first answer, unless it has one. In the
/// caller's transaction.
fn answered(conn: &mut DbConnection, ctx: &mut CaseContext, now: DateTime<Utc>) -> ApiResult<()> {
    if ctx.row.first_response_at.is_some() {
        return Ok(());
    }
    let at = to_db_time(now);
    diesel::update(
        cases::table
            .filter(cases::id.eq(ctx.id()))
            .filter(cases::first_response_at.is_null()),
    )
    .set(cases::first_response_at.eq(at))
    .execute(conn)?;
    ctx.row.first_response_at = Some(at);
    Ok(())
}

/// After a lifecycle action: starting the investigation answers the case
/// (so does a ruling applied from its group, or a dismissal, for a case
/// that never had an investigation of its own).
pub fn after_action(
    conn: &mut DbConnection,
    ctx: &mut CaseContext,
    action: Action,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    match action {
        // A case ruled with its group, or dismissed, has had its answer.
        Action::StartInvestigation | Action::ApplyGroupRuling | Action::Dismiss => {
            answered(conn, ctx, now)
        }
        _ => Ok(()),
    }
}

/// After a message: one from staff that the complainant can read answers
/// the case (an internal note or one for the respondent does not).
pub fn after_message(
    conn: &mut DbConnection,
    ctx: &mut CaseContext,
    author: &Standing,
    visibility: Visibility,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let staff = matches!(author, Standing::Staff { .. });
    let complainant_reads = matches!(visibility, Visibility::AllParties | Visibility::Complainant);
    if staff && complainant_reads {
        answered(conn, ctx, now)?;
    }
    Ok(())
}

/// Whether the case waits on a party: an open request for information or
/// an open settlement proposal. Its service-level clock is paused then.
pub fn waits_on_party(facts: &CaseFacts) -> bool {
    facts.info_request.is_some() || facts.settlement_open
}

/// Pauses or resumes the case's clock after a change that may have started
/// or ended a wait on a party (`was_waiting`: before the change; `at`: when
/// the change took effect, such as a lapsed request's deadline). On
/// resuming, each deadline still ahead when the pause began moves on by the
/// business time the pause took, on the calendar the case was filed under.
/// In the caller's transaction.
pub fn track_wait(
    conn: &mut DbConnection,
    ctx: &mut CaseContext,
    was_waiting: bool,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let waiting = waits_on_party(&ctx.facts);
    if waiting == was_waiting || ctx.row.sla_policy_id.is_none() {
        return Ok(());
    }
    if waiting {
        let since = to_db_time(at);
        diesel::update(cases::table.filter(cases::id.eq(ctx.id())))
            .set(cases::sla_paused_since.eq(since))
            .execute(conn)?;
        ctx.row.sla_paused_since = Some(since);
        return Ok(());
    }
    let Some(since) = ctx.row.sla_paused_since.map(from_db_time) else {
        return Ok(());
    };
    let spec: Option<CalendarSpec> = ctx
        .row
        .sla_calendar
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok());
    let calendar = spec
        .and_then(|s| s.calendar().ok())
        .ok_or_else(|| corrupt("service-level calendar"))?;
    let until = at.max(since);
    let shift = |due: Option<chrono::NaiveDateTime>| {
        due.map(|d| to_db_time(after_pause(&calendar, from_db_time(d), since, until)))
    };
    let first = if ctx.row.first_response_at.is_none() {
        shift(ctx.row.first_response_due)
    } else {
        ctx.row.first_response_due
    };
    let resolution = shift(ctx.row.resolution_due);
    diesel::update(cases::table.filter(cases::id.eq(ctx.id())))
        .set((
            cases::first_response_due.eq(first),
            cases::resolution_due.eq(resolution),
            cases::sla_paused_since.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    ctx.row.first_response_due = first;
    ctx.row.resolution_due = resolution;
    ctx.row.sla_paused_since = None;
    Ok(())
}
