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
use crate::cases::{Expected, take};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::models::to_db_time;
use crate::db::schema::cases;
use crate::db::{Db, MultiBackend, StoreError};
use crate::domain::{Actor, CaseId, CaseState};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// Most cases moved in one scan; the rest wait for the next.
const BATCH: i64 = 200;

/// The ruled cases whose appeal window closed before `now`, soonest first,
/// at most [`BATCH`]: read through the partial index `cases_ruling_due`
/// (the appeal deadline of cases in `ruling` only), so a scan with nothing
/// due reads no case at all, however many there are.
pub fn due(now: NaiveDateTime) -> cases::BoxedQuery<'static, MultiBackend, Text> {
    // The state as a literal, not a bound value: a planner uses a partial
    // index only when it can see the query meets the index's condition.
    let in_ruling = cases::state.eq(sql::<Text>(&format!("'{}'", CaseState::Ruling.as_str())));
    cases::table
        .filter(in_ruling)
        .filter(cases::appeal_deadline.lt(now))
        .order(cases::appeal_deadline.asc())
        .select(cases::id)
        .limit(BATCH)
        .into_boxed()
}

/// One scan; returns how many cases moved on.
pub async fn run_once(db: &Db, settings: &Arc<Settings>, clock: &Clock) -> ApiResult<usize> {
    let now = to_db_time(clock.now());
    let ids: Vec<String> = db
        .read(move |conn| -> Result<_, StoreError> { Ok(due(now).load(conn)?) })
        .await?;
    let mut moved = 0;
    for id in ids {
        let id = CaseId::from_db(&id).map_err(anyhow::Error::from)?;
        let env = Env::new(settings.clone(), clock.now());
        let result = db
            .write(move |conn| {
                take(
                    conn,
                    &env,
                    &Actor::system(),
                    id,
                    &Expected::Absent,
                    StartFollowUp,
                )
            })
            .await;
        match result {
            Ok(_) => moved += 1,
            // Another process (or a party) got there first.
            Err(ApiError::InvalidTransition(_) | ApiError::PreconditionFailed(_)) => {}
            // One broken case must not hold up the others; it is logged and retried next scan.
            Err(e) => tracing::error!(case = %id, error = %e, "could not start follow-up"),
        }
    }
    Ok(moved)
}
