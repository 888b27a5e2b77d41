//! Keeps the statistics' per-day and per-month totals
//! (`cases::statistics::totals`): rolls up each day once it has ended,
//! then each month whose days are all rolled up, and again whatever a
//! change to its cases has marked stale. Safe to run in many processes at
//! once: a period is rolled up under its lock, and rolling it up twice
//! writes the same totals.

use chrono::NaiveDate;

use crate::cases::statistics::totals::{due, roll};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};

/// One scan; returns how many periods it rolled up.
pub async fn run_once(db: &Db, clock: &Clock) -> ApiResult<usize> {
    let now = clock.now();
    let mut done = 0;
    let days = db.read(move |conn| due(conn, now)).await?.days;
    done += roll_each(db, days, false, now).await?;
    // The months whose days are now all there.
    let months = db.read(move |conn| due(conn, now)).await?.months;
    done += roll_each(db, months, true, now).await?;
    Ok(done)
}

async fn roll_each(
    db: &Db,
    starts: Vec<NaiveDate>,
    month: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<usize> {
    let mut done = 0;
    for start in starts {
        match db.write(move |conn| roll(conn, start, month, now)).await {
            Ok(true) => done += 1,
            Ok(false) => {}
            // The database is away: the next scan tries again.
            Err(e @ ApiError::Unavailable(_)) => return Err(e),
            Err(e) => tracing::error!(error = %e, %start, "could not roll up the statistics"),
        }
    }
    Ok(done)
}
