//! Delivers the outbox. Each scan claims due mail (on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so no two workers take the same row), marks it
//! `sending` under a lease, sends it, and records the attempt. A worker that
//! dies leaves its claims to expire; another worker then takes them.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use lettre::message::Mailbox;
use rand::Rng;

use crate::config::Settings;
use crate::db::models::{NewAttempt, OutboxRow, to_db_time};
use crate::db::schema::{outbox, outbox_attempts};
use crate::db::{Db, DbConnection};
use crate::error::{ApiError, ApiResult};
use crate::notify::mailer::{Mailer, SendError};
use crate::notify::status;

/// Most mail claimed in one scan.
const BATCH: i64 = 20;

/// Claims up to [`BATCH`] due mails for `worker`.
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    settings: &Settings,
) -> ApiResult<Vec<OutboxRow>> {
    let now = to_db_time(Utc::now());
    let due = outbox::status
        .eq(status::PENDING)
        .and(outbox::next_attempt_at.le(now))
        .or(outbox::status
            .eq(status::SENDING)
            .and(outbox::locked_until.lt(now)));
    let ids: Vec<String> = match conn {
        // The one place the SQL differs: PostgreSQL skips rows other workers hold.
        DbConnection::Postgresql(pg) => outbox::table
            .filter(due)
            .order(outbox::next_attempt_at.asc())
            .limit(BATCH)
            .select(outbox::id)
            .for_update()
            .skip_locked()
            .load(pg)?,
        // SQLite has one writer at a time, so a plain select is already exclusive.
        DbConnection::Sqlite(lite) => outbox::table
            .filter(due)
            .order(outbox::next_attempt_at.asc())
            .limit(BATCH)
            .select(outbox::id)
            .load(lite)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lease = to_db_time(Utc::now() + Duration::seconds(settings.mail_lease_seconds));
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::status.eq(status::SENDING),
            outbox::locked_by.eq(worker),
            outbox::locked_until.eq(lease),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(outbox::table
        .filter(outbox::id.eq_any(&ids))
        .order(outbox::next_attempt_at.asc())
        .load(conn)?)
}

/// The delay before attempt `n + 1`: doubling from the base, with jitter, at most an hour.
pub fn backoff(attempts: i32, base_seconds: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    let raw = base_seconds
        .saturating_mul(2_i64.saturating_pow(exp))
        .min(3600);
    let jitter: f64 = rand::rng().random_range(0.5..1.5);
    Duration::milliseconds(((raw as f64) * jitter * 1000.0) as i64)
}

/// Records how an attempt went, if the mail is still ours.
fn settle(
    conn: &mut DbConnection,
    row: &OutboxRow,
    worker: &str,
    result: &Result<(), SendError>,
    settings: &Settings,
) -> ApiResult<()> {
    let now = Utc::now();
    let (state, next, error, outcome) = match result {
        Ok(()) => (status::SENT, now, None, "sent"),
        Err(SendError::Permanent(e)) => (status::FAILED, now, Some(e.clone()), "permanent"),
        Err(SendError::Temporary(e)) if row.attempts >= settings.mail_max_attempts => {
            (status::FAILED, now, Some(e.clone()), "temporary")
        }
        Err(SendError::Temporary(e)) => (
            status::PENDING,
            now + backoff(row.attempts, settings.mail_retry_seconds),
            Some(e.clone()),
            "temporary",
        ),
    };
    let mine = diesel::update(
        outbox::table
            .filter(outbox::id.eq(&row.id))
            .filter(outbox::locked_by.eq(worker))
            .filter(outbox::status.eq(status::SENDING)),
    )
    .set((
        outbox::status.eq(state),
        outbox::next_attempt_at.eq(to_db_time(next)),
        outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
        outbox::locked_by.eq(None::<String>),
        outbox::last_error.eq(error.clone()),
        outbox::sent_at.eq(result.is_ok().then_some(to_db_time(now))),
        outbox::updated_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    diesel::insert_into(outbox_attempts::table)
        .values(NewAttempt {
            outbox_id: row.id.clone(),
            worker: worker.into(),
            outcome: outcome.into(),
            detail: error.unwrap_or_default().chars().take(2000).collect(),
            attempted_at: to_db_time(now),
        })
        .execute(conn)?;
    if mine == 0 {
        tracing::warn!(mail = %row.id, "the lease on this mail ran out while it was being sent");
    }
    Ok(())
}

/// One scan: claims due mail, sends it, records each attempt. Returns how many were sent.
pub async fn run_once(
    db: &Db,
    mailer: &Mailer,
    settings: &std::sync::Arc<Settings>,
    worker: &str,
) -> ApiResult<usize> {
    let from: Mailbox = settings
        .mail_from
        .parse()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("mail_from: {e}")))?;
    let (w, s) = (worker.to_string(), settings.clone());
    let claimed = db.write(move |conn| claim(conn, &w, &s)).await?;
    let mut sent = 0;
    for row in claimed {
        let result = mailer.send(&row, &from).await;
        match &result {
            Ok(()) => sent += 1,
            Err(e) => {
                tracing::warn!(mail = %row.id, to = %row.recipient_email, error = ?e, "mail not delivered")
            }
        }
        let (w, s) = (worker.to_string(), settings.clone());
        db.write(move |conn| settle(conn, &row, &w, &result, &s))
            .await?;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for attempt in 1..=12 {
            let d = super::backoff(attempt, 30).num_milliseconds();
            let raw = (30_i64 * 2_i64.pow(u32::try_from(attempt - 1).unwrap())).min(3600) * 1000;
            assert!(d >= raw / 2 && d <= raw * 3 / 2, "attempt {attempt}: {d}");
        }
    }
}
