//! Moves ruled cases on to follow-up once their appeal window has closed.
//!
//! Safe to run in many processes at once: each move is an ordinary
//! `start_follow_up` action with a version check, so only one process wins
//! and the others skip the case.

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::cases::actions::start_follow_up::StartFollowUp;
use crate::cases::order::CaseIds;
use crate::cases::{Expected, take};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::schema::cases;
use crate::domain::{Actor, CaseState};
use crate::error::{ApiError, ApiResult};

/// The ruled cases whose appeal window closed before `now`, soonest first,
/// at most `limit`: read through the partial index `cases_ruling_due`
/// (the appeal deadline of cases in `ruling` only), so a scan with nothing
/// due reads no case at all, however many there are.
pub fn due(now: NaiveDateTime, limit: i64) -> CaseIds {
    // The state as a literal, not a bound value: a planner uses a partial
    // index only when it can see the query meets the index's condition.
    let in_ruling = cases::state.eq(sql::<Text>(&format!("'{}'", CaseState::Ruling.as_str())));
    cases::table
        .filter(in_ruling)
        .filter(cases::appeal_deadline.lt(now))
        .order(cases::appeal_deadline.asc())
        .select(cases::id)
        .limit(limit)
        .into_boxed()
}

/// One scan; returns how many cases moved on.
pub async fn run_once(db: &Db, settings: &Arc<Settings>, clock: &Clock) -> ApiResult<usize> {
    super::each_case_due(db, settings, clock, due, |conn, env, id| {
        let system = Actor::system();
        match take(conn, env, &system, id, &Expected::Absent, StartFollowUp) {
            Ok(_) => Ok(true),
            // Another process (or a party) got there first.
            Err(ApiError::InvalidTransition(_) | ApiError::PreconditionFailed(_)) => Ok(false),
            Err(e) => Err(e),
        }
    })
    .await
}
