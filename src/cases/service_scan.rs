//! The deadline scanner's step for service levels: records the warnings
//! and breaches due on one case, once each with any number of processes,
//! and escalates a breach.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::context::CaseContext;
use super::record::record;
use super::service_clock::clock_of;
use crate::db::DbConnection;
use crate::db::schema::cases;
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::service_level::Threshold;
use crate::domain::{Actor, CaseId};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// The scanner's part for one case: records the warnings and breaches due
/// at `env.now`, once each, and escalates a breach (the priority goes up
/// one step, and a case whose mediator is unavailable goes back to
/// automatic assignment) when `sla_escalate` is on. `false` if there was
/// nothing to do (nothing due, or another process recorded it first: the
/// thresholds are saved with the case's version, so only one succeeds).
/// In the caller's transaction.
pub fn check(conn: &mut DbConnection, env: &Env, id: CaseId) -> ApiResult<bool> {
    let system = Actor::system();
    let Some(mut ctx) = CaseContext::load(conn, id, &system, env)? else {
        return Ok(false);
    };
    let (due, fired) = clock_of(&ctx.row).due(env.now);
    if fired.0 == ctx.row.sla_fired {
        return Ok(false);
    }
    ctx.row.sla_fired = fired.0;
    let breached = due.iter().any(|(_, t, _)| *t == Threshold::Breach);
    let escalate = breached && env.settings.sla_escalate;
    let raised = if escalate {
        ctx.row.priority.raised()
    } else {
        None
    };
    if let Some(up) = raised {
        ctx.row.priority = up;
        ctx.row.priority_rank = up.rank();
    }
    match ctx.save(conn, env.now) {
        Ok(()) => {}
        // Changed since it was read: by a person (the next scan looks
        // again) or by another process, which recorded these.
        Err(ApiError::PreconditionFailed(_)) => return Ok(false),
        Err(e) => return Err(e),
    }
    let mut raised = raised;
    for (target, threshold, deadline) in due {
        let event = match threshold {
            Threshold::Warning => CaseEvent::ServiceLevelWarning { target, deadline },
            // The priority went up one step, once: the first breach says so.
            Threshold::Breach => CaseEvent::ServiceLevelBreached {
                target,
                deadline,
                priority: raised.take(),
            },
        };
        let entry = EventRecord {
            case_id: id,
            actor: None,
            at: env.now,
            transition: None,
            event,
        };
        record(conn, &env.settings, &ctx, &entry)?;
    }
    if escalate {
        reroute(conn, env, &mut ctx)?;
    }
    Ok(true)
}

/// A breached case whose mediator cannot work on it now goes back to
/// automatic assignment (when its category is assigned automatically and
/// someone can take it). An unassigned case is left to the leads, who are
/// told (triage may have held it for them).
fn reroute(conn: &mut DbConnection, env: &Env, ctx: &mut CaseContext) -> ApiResult<()> {
    use super::assignment::{candidates, hand_over};
    use crate::domain::desk::available;
    if !ctx.category.auto_assign || !ctx.facts.state.is_unresolved() {
        return Ok(());
    }
    let Some(mediator) = ctx.facts.people.mediator else {
        return Ok(());
    };
    // Someone without a desk profile is taken to be at work.
    let away = candidates(conn, Some(mediator), &[])?
        .pop()
        .is_some_and(|p| {
            let c = p.candidate;
            !c.active || !available(c.on_duty, c.absent_until, env.now)
        });
    if away {
        hand_over(conn, env, ctx.id(), mediator)?;
    }
    Ok(())
}

/// The cases with a threshold due before `now`, soonest first, at most
/// `limit`: read through the partial index `cases_sla_next`, so a scan
/// with nothing due reads no case.
pub fn due(now: NaiveDateTime, limit: i64) -> super::order::CaseIds {
    cases::table
        .filter(cases::sla_next_at.is_not_null())
        .filter(cases::sla_next_at.le(now))
        .order(cases::sla_next_at.asc())
        .select(cases::id)
        .limit(limit)
        .into_boxed()
}
