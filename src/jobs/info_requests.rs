//! Records information requests left unanswered past their deadline
//! (`cases::info_requests`). Safe to run in many processes at once: each
//! case is saved with its version, so one process records it and the
//! others find nothing to do.

use std::sync::Arc;

use crate::cases::info_requests::{due, lapse};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::ApiResult;

/// One scan; returns how many requests were recorded as lapsed.
pub async fn run_once(db: &Db, settings: &Arc<Settings>, clock: &Clock) -> ApiResult<usize> {
    super::each_case_due(db, settings, clock, due, lapse).await
}
