//! Records information requests left unanswered past their deadline
//! (`cases::info_requests`). Safe to run in many processes at once: each
//! case is saved with its version, so one process records it and the
//! others find nothing to do.

use std::sync::Arc;

use diesel::prelude::*;

use crate::cases::info_requests::{due, lapse};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::models::to_db_time;
use crate::db::{Db, StoreError};
use crate::domain::CaseId;
use crate::error::ApiResult;
use crate::state::Env;

/// Most cases handled in one scan; the rest wait for the next.
const BATCH: i64 = 200;

/// One scan; returns how many requests were recorded as lapsed.
pub async fn run_once(db: &Db, settings: &Arc<Settings>, clock: &Clock) -> ApiResult<usize> {
    let now = to_db_time(clock.now());
    let ids: Vec<String> = db
        .read(move |conn| -> Result<_, StoreError> { Ok(due(now, BATCH).load(conn)?) })
        .await?;
    let mut lapsed = 0;
    for id in ids {
        let id = CaseId::from_db(&id).map_err(anyhow::Error::from)?;
        let env = Env::new(settings.clone(), clock.now());
        if db.write(move |conn| lapse(conn, &env, id)).await? {
            lapsed += 1;
        }
    }
    Ok(lapsed)
}
