//! Records information requests left unanswered past their deadline
//! (`cases::info_requests`). Safe to run in many processes at once: each
//! case is saved with its version, so one process records it and the
//! others find nothing to do.

use std::sync::Arc;

use diesel::prelude::*;

use crate::cases::info_requests::{due, lapse};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::CaseId;
use crate::error::ApiResult;

/// Most cases handled in one scan; the rest wait for the next.
const BATCH: i64 = 200;

/// One scan; returns how many requests were recorded as lapsed.
pub async fn run_once(db: &Db, settings: &Arc<Settings>, clock: &Clock) -> ApiResult<usize> {
    super::each_due(
        db,
        settings,
        clock,
        |conn, now| Ok(due(now, BATCH).load::<String>(conn)?),
        |conn, env, id| {
            let id = CaseId::from_db(&id).map_err(anyhow::Error::from)?;
            lapse(conn, env, id)
        },
    )
    .await
}
