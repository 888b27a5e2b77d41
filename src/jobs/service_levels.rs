//! Records service-level warnings and breaches as they fall due, and
//! escalates breaches (`cases::service_level::check`). Safe to run in many
//! processes at once: each case's thresholds are saved with its version,
//! so one process records them and the others find nothing to do.

use std::sync::Arc;

use crate::cases::service_scan::{check, due};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::ApiResult;

/// One scan; returns how many cases had a threshold recorded.
pub async fn run_once(db: &Db, settings: &Arc<Settings>, clock: &Clock) -> ApiResult<usize> {
    super::each_case_due(db, settings, clock, due, check).await
}
