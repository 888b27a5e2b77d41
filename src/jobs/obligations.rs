//! Marks remedies and sanctions overdue once their due date passes while
//! they are pending (`cases::follow_up`). Safe to run in many processes at
//! once: each is changed by a conditional update (pending and past due), so
//! one process records it and the others find nothing to do.

use std::sync::Arc;

use diesel::prelude::*;

use crate::cases::follow_up::mark_overdue;
use crate::cases::obligations::due;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::ApiResult;

/// One scan; returns how many obligations became overdue.
pub async fn run_once(db: &Db, settings: &Arc<Settings>, clock: &Clock) -> ApiResult<usize> {
    super::each_due(
        db,
        settings,
        clock,
        |conn, now| Ok(due(now, super::BATCH).load::<String>(conn)?),
        |conn, env, id| mark_overdue(conn, env, &id),
    )
    .await
}
