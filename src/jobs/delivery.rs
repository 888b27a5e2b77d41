//! Delivers the outbox. Each scan claims due mail (on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so no two workers take the same row), marks it
//! `sending` under a lease, sends it, and records the attempt. A worker that
//! dies leaves its claims to expire; another worker then takes them.
//!
//! Every reading of the time here comes from a [`Clock`], so tests can let
//! leases and retry delays run out by moving it forward instead of sleeping.

use chrono::Duration;
use diesel::prelude::*;
use lettre::message::Mailbox;
use rand::Rng;

use std::sync::Arc;

use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::models::{NewAttempt, OutboxRow, to_db_time};
use crate::db::schema::{outbox, outbox_attempts};
use crate::db::{Db, DbConnection, StoreError};
use crate::domain::MailStatus;
use crate::notify::mailer::{Mailer, SendError};

/// Most mail claimed in one scan.
const BATCH: i64 = 20;

/// Claims up to [`BATCH`] due mails for `worker`. A mail whose worker died
/// holding it (its lease ran out) gets a `lost` attempt on record, and is
/// marked failed if it has used up its attempts.
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    settings: &Settings,
    clock: &Clock,
) -> Result<Vec<OutboxRow>, StoreError> {
    let now = to_db_time(clock.now());
    let due = outbox::status
        .eq(MailStatus::Pending)
        .and(outbox::next_attempt_at.le(now))
        .or(outbox::status
            .eq(MailStatus::Sending)
            .and(outbox::locked_until.lt(now)));
    let found: Vec<(String, MailStatus, i32)> = match conn {
        // The one place the SQL differs: PostgreSQL skips rows other workers hold.
        DbConnection::Postgresql(pg) => outbox::table
            .filter(due)
            .order(outbox::next_attempt_at.asc())
            .limit(BATCH)
            .select((outbox::id, outbox::status, outbox::attempts))
            .for_update()
            .skip_locked()
            .load(pg)?,
        // On SQLite this runs under the process's writer lock; a second
        // process's claim would fail with "database is locked", not duplicate.
        DbConnection::Sqlite(lite) => outbox::table
            .filter(due)
            .order(outbox::next_attempt_at.asc())
            .limit(BATCH)
            .select((outbox::id, outbox::status, outbox::attempts))
            .load(lite)?,
    };
    let mut ids = Vec::new();
    for (id, state, attempts) in found {
        if state == MailStatus::Sending {
            let exhausted = attempts >= settings.mail_max_attempts;
            record_attempt(
                conn,
                &id,
                worker,
                "lost",
                "the worker sending it stopped",
                now,
            )?;
            if exhausted {
                diesel::update(outbox::table.find(&id))
                    .set((
                        outbox::status.eq(MailStatus::Failed),
                        outbox::locked_by.eq(None::<String>),
                        outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
                        outbox::last_error.eq("the worker sending it stopped too often"),
                        outbox::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                continue;
            }
        }
        ids.push(id);
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lease = to_db_time(clock.now() + Duration::seconds(settings.mail_lease_seconds));
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::status.eq(MailStatus::Sending),
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

fn record_attempt(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    outcome: &str,
    detail: &str,
    at: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(outbox_attempts::table)
        .values(NewAttempt {
            outbox_id: id.into(),
            worker: worker.into(),
            outcome: outcome.into(),
            detail: detail.chars().take(2000).collect(),
            attempted_at: at,
        })
        .execute(conn)?;
    Ok(())
}

/// Renews `worker`'s lease on a mail just before sending it; `false` if the
/// mail is no longer ours (the lease ran out and another worker took it).
pub fn renew(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    settings: &Settings,
    clock: &Clock,
) -> Result<bool, StoreError> {
    let lease = to_db_time(clock.now() + Duration::seconds(settings.mail_lease_seconds));
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::locked_by.eq(worker))
            .filter(outbox::status.eq(MailStatus::Sending)),
    )
    .set(outbox::locked_until.eq(lease))
    .execute(conn)?;
    Ok(n == 1)
}

/// Gives unsent claims back (on shutdown), due at once.
pub fn release(
    conn: &mut DbConnection,
    ids: &[String],
    worker: &str,
    clock: &Clock,
) -> Result<usize, StoreError> {
    let now = to_db_time(clock.now());
    Ok(diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::locked_by.eq(worker))
            .filter(outbox::status.eq(MailStatus::Sending)),
    )
    .set((
        outbox::status.eq(MailStatus::Pending),
        outbox::attempts.eq(outbox::attempts - 1),
        outbox::locked_by.eq(None::<String>),
        outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
        outbox::next_attempt_at.eq(now),
        outbox::updated_at.eq(now),
    ))
    .execute(conn)?)
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
    clock: &Clock,
) -> Result<(), StoreError> {
    let now = clock.now();
    let (state, next, error, outcome) = match result {
        Ok(()) => (MailStatus::Sent, now, None, "sent"),
        Err(SendError::Permanent(e)) => (MailStatus::Failed, now, Some(e.clone()), "permanent"),
        Err(SendError::Temporary(e)) if row.attempts >= settings.mail_max_attempts => {
            (MailStatus::Failed, now, Some(e.clone()), "temporary")
        }
        Err(SendError::Temporary(e)) => (
            MailStatus::Pending,
            now + backoff(row.attempts, settings.mail_retry_seconds),
            Some(e.clone()),
            "temporary",
        ),
    };
    let mine = diesel::update(
        outbox::table
            .filter(outbox::id.eq(&row.id))
            .filter(outbox::locked_by.eq(worker))
            .filter(outbox::status.eq(MailStatus::Sending)),
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
    record_attempt(
        conn,
        &row.id,
        worker,
        outcome,
        &error.unwrap_or_default(),
        to_db_time(now),
    )?;
    if mine == 0 {
        tracing::warn!(mail = %row.id, "the lease on this mail ran out while it was being sent");
    }
    Ok(())
}

/// One scan: claims due mail, sends it, records each attempt. Returns how
/// many were sent. Stops between mails once `stop` turns true, giving the
/// unsent claims back.
pub async fn run_once(
    db: &Db,
    mailer: &Mailer,
    settings: &Arc<Settings>,
    clock: &Clock,
    worker: &str,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<usize> {
    let from: Mailbox = settings
        .mail_from
        .parse()
        .map_err(|e| anyhow::anyhow!("mail_from: {e}"))?;
    let (w, s, c) = (worker.to_string(), settings.clone(), clock.clone());
    let claimed = db.write(move |conn| claim(conn, &w, &s, &c)).await?;
    let mut sent = 0;
    let mut rows = claimed.into_iter();
    while let Some(row) = rows.next() {
        if *stop.borrow() {
            let ids: Vec<String> = std::iter::once(row).chain(rows).map(|r| r.id).collect();
            let (w, c) = (worker.to_string(), clock.clone());
            db.write(move |conn| release(conn, &ids, &w, &c)).await?;
            break;
        }
        let (id, w, s, c) = (
            row.id.clone(),
            worker.to_string(),
            settings.clone(),
            clock.clone(),
        );
        if !db.write(move |conn| renew(conn, &id, &w, &s, &c)).await? {
            tracing::warn!(mail = %row.id, "the lease ran out before sending; another worker has it");
            continue;
        }
        let result = mailer.send(&row, &from).await;
        match &result {
            Ok(()) => sent += 1,
            Err(e) => {
                tracing::warn!(mail = %row.id, to = %row.recipient_email, error = ?e, "mail not delivered")
            }
        }
        settle_with_retries(db, &row, worker, result, settings, clock).await;
    }
    Ok(sent)
}

/// Records the outcome, trying again for a while if the database is busy:
/// a sent mail left `sending` would be sent again when its lease runs out.
async fn settle_with_retries(
    db: &Db,
    row: &OutboxRow,
    worker: &str,
    result: Result<(), SendError>,
    settings: &Arc<Settings>,
    clock: &Clock,
) {
    let mut wait = std::time::Duration::from_millis(100);
    for attempt in 1..=8 {
        let (r, w, res, s, c) = (
            row.clone(),
            worker.to_string(),
            result.clone(),
            settings.clone(),
            clock.clone(),
        );
        match db
            .write(move |conn| settle(conn, &r, &w, &res, &s, &c))
            .await
        {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(mail = %row.id, attempt, error = %e, "could not record a delivery attempt");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(5));
            }
        }
    }
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
