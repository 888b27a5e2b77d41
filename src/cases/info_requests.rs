//! Information requests left unanswered: once the deadline a mediator set
//! (`request_info`) has passed without the party posting, the request is
//! recorded as lapsed, the mediator is told, and the case waits on the
//! mediator again, who may go on without the answer or ask again.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::act::take_on;
use super::actions::withdraw::Withdraw;
use super::context::CaseContext;
use super::record::record;
use super::version::Expected;
use crate::db::DbConnection;
use crate::db::schema::cases;
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::lifecycle::Effect;
use crate::domain::{Actor, CaseId, Party};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// The cases whose open information request was due before `now`, soonest
/// first, at most `limit`: read through the partial index `cases_info_due`
/// (open requests only), so a scan with nothing due reads no case.
pub fn due(now: NaiveDateTime, limit: i64) -> super::order::CaseIds {
    cases::table
        .filter(cases::info_party.is_not_null())
        .filter(cases::info_deadline.lt(now))
        .order(cases::info_deadline.asc())
        .select(cases::id)
        .limit(limit)
        .into_boxed()
}

/// Records case `id`'s information request as lapsed if it is still open
/// and past its deadline at `env.now`; `false` if there was nothing to do
/// (answered, withdrawn, or another process got there first). In the
/// caller's transaction.
pub fn lapse(conn: &mut DbConnection, env: &Env, id: CaseId) -> ApiResult<bool> {
    let Some(mut ctx) = CaseContext::load(conn, id, &Actor::system(), env)? else {
        return Ok(false);
    };
    let Some(request) = ctx.facts.info_request else {
        return Ok(false);
    };
    if request.deadline >= env.now {
        return Ok(false);
    }
    let before = super::service_level::Before::of(&ctx);
    ctx.facts.apply(&Effect::ClearInfoRequest);
    // The wait ended at the deadline, however late the scan ran.
    super::service_level::settle(&mut ctx, &before, false, request.deadline, env.now)?;
    match ctx.save(conn, env.now) {
        Ok(()) => {}
        // Changed since it was read (answered, or taken by another process).
        Err(ApiError::PreconditionFailed(_)) => return Ok(false),
        Err(e) => return Err(e),
    }
    let lapsed = EventRecord {
        case_id: id,
        actor: None,
        at: env.now,
        transition: None,
        event: CaseEvent::InfoRequestLapsed {
            party: request.party,
            deadline: request.deadline,
        },
    };
    // A final request to the complainant, left unanswered: the desk
    // withdraws the case, if it is set to; the withdrawal says why (and
    // the mediator is not told the case waits on them again).
    if request.last && request.party == Party::Complainant && env.settings.auto_withdraw_silent {
        let withdraw = Withdraw {
            note: None,
            silent: true,
        };
        take_on(
            conn,
            env,
            &Actor::system(),
            &mut ctx,
            &Expected::Absent,
            withdraw,
        )?;
        return Ok(true);
    }
    record(conn, &env.settings, &ctx, &lapsed)?;
    Ok(true)
}
