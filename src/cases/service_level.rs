//! Service levels on a case: the first answer, resolution, the pauses,
//! and the scanner's thresholds. Filing sets a case's deadlines from the
//! policy for its priority and category (`domain::service_level`); every
//! change to a case then brings its clock up to date in memory
//! ([`settle`], before the case is saved), and the save writes the
//! deadline the lists read (`sla_due`) and when the scanner is next due
//! (`sla_next_at`) from it ([`marks`]), so no path can leave them stale.
//!
//! - The first answer is the first message from staff the complainant can
//!   read, or the start of the investigation (or, for a case that never had
//!   one, a ruling from its group or a dismissal), whichever comes first.
//! - Resolution is the first move out of intake, assignment or
//!   investigation: a ruling, a settlement, a dismissal or a withdrawal.
//! - While the case waits on a party (an open request for information, an
//!   open settlement proposal) its clock is paused; when that ends, the
//!   deadlines and warnings not yet passed move on by the business time the
//!   pause took.
//! - The clock as stored, what a save derives from it and the staff view
//!   are in `service_clock.rs` (which the save reads); the scanner's step
//!   is in `service_scan.rs`.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::context::{CaseContext, corrupt};
use crate::db::models::{CaseRow, from_db_time, to_db_time};
use crate::domain::calendar::Calendar;
use crate::domain::events::Visibility;
use crate::domain::service_level::{CalendarSpec, after_pause};
use crate::domain::{Action, CaseFacts, CaseState, Standing, UserId};
use crate::error::ApiResult;

/// Whether the case waits on a party: an open request for information or
/// an open settlement proposal. Its service-level clock is paused then.
pub fn waits_on_party(facts: &CaseFacts) -> bool {
    facts.info_request.is_some() || facts.settlement_open
}

/// Whether an action answers the case: starting the investigation (or,
/// for a case that never had one, a ruling from its group or a dismissal).
pub fn answers(action: Action) -> bool {
    matches!(
        action,
        Action::StartInvestigation | Action::ApplyGroupRuling | Action::Dismiss
    )
}

/// Whether a message answers the case: one from staff that the complainant
/// can read (an internal note or one for the respondent does not).
pub fn message_answers(author: &Standing, visibility: Visibility) -> bool {
    matches!(author, Standing::Staff { .. })
        && matches!(visibility, Visibility::AllParties | Visibility::Complainant)
}

/// The case as it was before a change, for [`settle`] to compare with.
#[derive(Debug, Clone, Copy)]
pub struct Before {
    waiting: bool,
    mediator: Option<UserId>,
    state: CaseState,
    info_deadline: Option<DateTime<Utc>>,
}

impl Before {
    /// The case of `ctx` as it is now, before the change.
    pub fn of(ctx: &CaseContext) -> Before {
        Before {
            waiting: waits_on_party(&ctx.facts),
            mediator: ctx.facts.people.mediator,
            state: ctx.facts.state,
            info_deadline: ctx.facts.info_request.map(|r| r.deadline),
        }
    }
}

/// The calendar the case was filed under, if a policy applied.
fn calendar_of(row: &CaseRow) -> ApiResult<Option<Calendar>> {
    let Some(json) = row.sla_calendar.as_deref() else {
        return Ok(None);
    };
    let spec: CalendarSpec =
        serde_json::from_str(json).map_err(|_| corrupt("service-level calendar"))?;
    spec.calendar()
        .map(Some)
        .map_err(|_| corrupt("service-level calendar"))
}

/// The time the case has taken until `at`, in seconds: business time on
/// its calendar less the pauses, or wall-clock time without a policy.
fn taken(row: &CaseRow, calendar: Option<&Calendar>, at: DateTime<Utc>) -> i64 {
    let filed = from_db_time(row.created_at);
    let Some(calendar) = calendar else {
        return (at - filed).num_seconds().max(0);
    };
    let open_pause = row.sla_paused_since.map_or(0, |since| {
        calendar.between(from_db_time(since), at).num_seconds()
    });
    (calendar.between(filed, at).num_seconds() - row.sla_paused_seconds - open_pause).max(0)
}

/// Brings the case's service-level columns up to date after a change made
/// in memory, before it is saved: the mediator's assignment time, a pause
/// begun or ended (`at`: when the change took effect, such as a lapsed
/// request's deadline), the first answer (`answered`), and resolution.
pub fn settle(
    ctx: &mut CaseContext,
    before: &Before,
    answered: bool,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let facts = &ctx.facts;
    let waiting = waits_on_party(facts);
    let answering = answered && ctx.row.first_response_at.is_none();
    let resolving = before.state.is_unresolved()
        && !facts.state.is_unresolved()
        && ctx.row.resolved_at.is_none();
    let has_policy = ctx.row.sla_calendar.is_some();
    // The calendar is read only when something is counted on it; one that
    // does not parse (a bug) is logged, and time then counts as wall-clock
    // time, so the case can still move.
    let calendar = if has_policy && (waiting != before.waiting || answering || resolving) {
        calendar_of(&ctx.row).unwrap_or_else(|e| {
            tracing::error!(case = %ctx.row.id, error = %e, "a case's service-level calendar");
            None
        })
    } else {
        None
    };
    let row = &mut ctx.row;
    if facts.people.mediator != before.mediator {
        row.assigned_at = facts.people.mediator.map(|_| to_db_time(now));
    }
    // A request answered or withdrawn after its deadline, before the scan
    // recorded it as lapsed, ended the wait at its deadline.
    let at = match before.info_deadline {
        Some(deadline) if facts.info_request.is_none() && deadline < at => deadline,
        _ => at,
    };
    match (has_policy, before.waiting, waiting) {
        (true, false, true) if row.sla_paused_since.is_none() => {
            row.sla_paused_since = Some(to_db_time(at));
        }
        (true, true, false) => match &calendar {
            Some(calendar) => resume(row, calendar, at),
            None => row.sla_paused_since = None,
        },
        _ => {}
    }
    if answering {
        row.first_response_at = Some(to_db_time(now));
        row.first_response_seconds = Some(taken(row, calendar.as_ref(), now));
    }
    if before.state.is_unresolved() && !facts.state.is_unresolved() && row.resolved_at.is_none() {
        row.resolved_at = Some(to_db_time(now));
        row.resolution_seconds = Some(taken(row, calendar.as_ref(), now));
        row.handling_seconds = row
            .assigned_at
            .map(|from| (now - from_db_time(from)).num_seconds().max(0));
    }
    Ok(())
}

/// Ends a pause at `until`: each deadline and warning still ahead when it
/// began moves on by the business time it took (the first answer's stay
/// where they are once it was given), and that time is added to the
/// case's paused total.
fn resume(row: &mut CaseRow, calendar: &Calendar, until: DateTime<Utc>) {
    let Some(since) = row.sla_paused_since.take().map(from_db_time) else {
        return;
    };
    let until = until.max(since);
    let shift = |due: Option<NaiveDateTime>| {
        due.map(|d| to_db_time(after_pause(calendar, from_db_time(d), since, until)))
    };
    if row.first_response_at.is_none() {
        row.first_response_due = shift(row.first_response_due);
        row.first_response_warn_at = shift(row.first_response_warn_at);
    }
    row.resolution_due = shift(row.resolution_due);
    row.resolution_warn_at = shift(row.resolution_warn_at);
    row.sla_paused_seconds += calendar.between(since, until).num_seconds();
}
