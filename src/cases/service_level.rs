//! Service levels on a case: the first answer, and the pauses. Filing sets
//! a case's deadlines from the policy for its priority and category
//! (`domain::service_level`); the first answer is the first message from
//! staff the complainant can read, or the start of the investigation,
//! whichever comes first, and is recorded once. While the case waits on a
//! party (an open request for information, an open settlement proposal)
//! its clock is paused; when that ends, the deadlines not yet met move on
//! by the business time the pause took.

use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use diesel::prelude::*;

use super::context::CaseContext;
use crate::db::DbConnection;
use crate::db::models::{ServicePolicyRow, from_db_time, to_db_time};
use crate::db::schema::{cases, service_policies};
use crate::domain::CaseFacts;
use crate::domain::calendar::Calendar;
use crate::domain::events::Visibility;
use crate::domain::service_level::Policy;
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

/// After a lifecycle action: starting the investigation answers the case.
pub fn after_action(
    conn: &mut DbConnection,
    ctx: &mut CaseContext,
    action: Action,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    match action {
        Action::StartInvestigation => answered(conn, ctx, now),
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
/// or ended a wait on a party (`was_waiting`: before the change). On
/// resuming, each deadline not yet met moves on by the business time the
/// pause took, on the calendar of the case's policy (round the clock if the
/// policy was removed). In the caller's transaction.
pub fn track_wait(
    conn: &mut DbConnection,
    ctx: &mut CaseContext,
    was_waiting: bool,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let waiting = waits_on_party(&ctx.facts);
    if waiting == was_waiting {
        return Ok(());
    }
    let Some(policy_id) = ctx.row.sla_policy_id.clone() else {
        return Ok(());
    };
    if waiting {
        let at = to_db_time(now);
        diesel::update(cases::table.filter(cases::id.eq(ctx.id())))
            .set(cases::sla_paused_since.eq(at))
            .execute(conn)?;
        ctx.row.sla_paused_since = Some(at);
        return Ok(());
    }
    let Some(since) = ctx.row.sla_paused_since else {
        return Ok(());
    };
    let row: Option<ServicePolicyRow> = service_policies::table
        .find(&policy_id)
        .first(conn)
        .optional()?;
    let calendar = row
        .and_then(|p| {
            Policy::from_stored(
                p.first_response_minutes,
                p.resolution_minutes,
                &p.hours,
                &p.time_zone,
                &p.holidays,
                p.warn_percent,
            )
            .ok()
        })
        .map_or_else(Calendar::round_the_clock, |p| p.calendar);
    let paused = calendar.between(from_db_time(since), now);
    let shift = |due: Option<chrono::NaiveDateTime>| {
        due.map(|d| calendar.add(from_db_time(d), paused).map_or(d, to_db_time))
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
