//! Delivers the outbox. A worker claims a batch of due mail (on PostgreSQL
//! with `FOR UPDATE SKIP LOCKED`, so no two workers take the same row),
//! marks it `sending` under a lease, sends it with several mails in flight
//! over pooled SMTP connections, and records each outcome as soon as it is
//! known (outcomes that arrive together are recorded in one transaction).
//! A worker that dies leaves its claims to expire; another worker then
//! takes them.
//!
//! Both claim queries walk an index on the time they sort by (`outbox_due`
//! for pending mail, `outbox_leases` for expired claims), so a claim costs
//! the same with ten or a million rows in the outbox.
//!
//! Every reading of the time here comes from a [`Clock`], so tests can let
//! leases and retry delays run out by moving it forward instead of sleeping.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use lettre::message::Mailbox;
use rand::Rng;

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::bulk::{self, BulkInsert, Col};
use crate::db::models::{OutboxRow, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::outbox;
use crate::db::{Db, DbConnection, StoreError};
use crate::domain::MailStatus;
use crate::notify::mailer::{Mailer, SendError};

/// Claims up to `mail_batch` due mails for `worker`: first claims whose
/// worker died holding them (their lease ran out), then pending mail, oldest
/// due first. A mail whose lease ran out gets a `lost` attempt on record,
/// and is marked failed if it has used up its attempts.
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    settings: &Settings,
    clock: &Clock,
) -> Result<Vec<OutboxRow>, StoreError> {
    let now = to_db_time(clock.now());
    let batch = settings.mail_batch;
    // Two queries rather than one with OR: each is a range scan of one index,
    // where `(pending and due) or (sending and expired)` is a scan of the table.
    let mut found = due_rows(conn, MailStatus::Sending, now, batch)?;
    let room = batch - i64::try_from(found.len()).unwrap_or(batch);
    if room > 0 {
        found.extend(due_rows(conn, MailStatus::Pending, now, room)?);
    }
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
                Prepared(diesel::update(outbox::table.find(&id)).set((
                    outbox::status.eq(MailStatus::Failed),
                    outbox::locked_by.eq(None::<String>),
                    outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
                    outbox::last_error.eq("the worker sending it stopped too often"),
                    outbox::updated_at.eq(now),
                )))
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

/// Up to `limit` mails in `state` that are due at `now`: pending mail whose
/// next attempt has come, or claims whose lease has run out. Each is a range
/// scan of the index on (status, that time).
fn due_rows(
    conn: &mut DbConnection,
    state: MailStatus,
    now: chrono::NaiveDateTime,
    limit: i64,
) -> Result<Vec<(String, MailStatus, i32)>, StoreError> {
    let q = outbox::table
        .filter(outbox::status.eq(state))
        .select((outbox::id, outbox::status, outbox::attempts))
        .limit(limit);
    let (pending, expired) = (
        outbox::next_attempt_at.le(now),
        outbox::locked_until.lt(now),
    );
    let (by_due, by_lease) = (outbox::next_attempt_at.asc(), outbox::locked_until.asc());
    let pend = state == MailStatus::Pending;
    Ok(match conn {
        // The one place the SQL differs: PostgreSQL skips rows other workers hold.
        DbConnection::Postgresql(pg) if pend => {
            let q = q.filter(pending).order(by_due);
            q.for_update().skip_locked().load(pg)?
        }
        DbConnection::Postgresql(pg) => {
            let q = q.filter(expired).order(by_lease);
            q.for_update().skip_locked().load(pg)?
        }
        // On SQLite this runs under the process's writer lock; a second
        // process's claim would wait for the lock or fail, never duplicate.
        DbConnection::Sqlite(lite) if pend => q.filter(pending).order(by_due).load(lite)?,
        DbConnection::Sqlite(lite) => q.filter(expired).order(by_lease).load(lite)?,
    })
}

fn record_attempt(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    outcome: &str,
    detail: &str,
    at: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    ATTEMPTS.execute(conn, vec![attempt(id, worker, outcome, detail, at)])?;
    Ok(())
}

fn attempt(
    id: &str,
    worker: &str,
    outcome: &str,
    detail: &str,
    at: chrono::NaiveDateTime,
) -> serde_json::Value {
    serde_json::json!({
        "outbox_id": id,
        "worker": worker,
        "outcome": outcome,
        "detail": detail.chars().take(2000).collect::<String>(),
        "attempted_at": bulk::time(at),
    })
}

/// The attempts log, written a batch of outcomes at a time.
static ATTEMPTS: BulkInsert = BulkInsert::new(
    "outbox_attempts",
    &[
        ("outbox_id", Col::Text),
        ("worker", Col::Text),
        ("outcome", Col::Text),
        ("detail", Col::Text),
        ("attempted_at", Col::Time),
    ],
);

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
    let n = Prepared(
        diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::locked_by.eq(worker))
                .filter(outbox::status.eq(MailStatus::Sending)),
        )
        .set(outbox::locked_until.eq(lease)),
    )
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

/// What became of one claimed mail.
type Outcome = (OutboxRow, Result<(), SendError>);

/// Records how attempts went, in one transaction, for the mails still ours.
/// Sent mail is settled with one update; failures each get their own retry
/// time.
fn settle(
    conn: &mut DbConnection,
    done: &[Outcome],
    worker: &str,
    settings: &Settings,
    clock: &Clock,
) -> Result<(), StoreError> {
    let now = clock.now();
    let at = to_db_time(now);
    let ours = outbox::locked_by
        .eq(worker)
        .and(outbox::status.eq(MailStatus::Sending));
    let sent: Vec<&str> = done
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(row, _)| row.id.as_str())
        .collect();
    let mut settled = 0;
    if !sent.is_empty() {
        settled += diesel::update(outbox::table.filter(outbox::id.eq_any(&sent)).filter(ours))
            .set((
                outbox::status.eq(MailStatus::Sent),
                outbox::next_attempt_at.eq(at),
                outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
                outbox::locked_by.eq(None::<String>),
                outbox::last_error.eq(None::<String>),
                outbox::sent_at.eq(Some(at)),
                outbox::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    let mut attempts = Vec::with_capacity(done.len());
    for (row, result) in done {
        let Err(error) = result else {
            attempts.push(attempt(&row.id, worker, "sent", "", at));
            continue;
        };
        let (state, next, outcome, e) = failed(row, error, settings, now);
        settled += Prepared(
            diesel::update(outbox::table.filter(outbox::id.eq(&row.id)).filter(ours)).set((
                outbox::status.eq(state),
                outbox::next_attempt_at.eq(to_db_time(next)),
                outbox::locked_until.eq(None::<chrono::NaiveDateTime>),
                outbox::locked_by.eq(None::<String>),
                outbox::last_error.eq(Some(e)),
                outbox::sent_at.eq(None::<chrono::NaiveDateTime>),
                outbox::updated_at.eq(at),
            )),
        )
        .execute(conn)?;
        attempts.push(attempt(&row.id, worker, outcome, e, at));
    }
    ATTEMPTS.execute(conn, attempts)?;
    if settled < done.len() {
        tracing::warn!(
            lost = done.len() - settled,
            "leases ran out while mail was being sent; another worker took it over"
        );
    }
    Ok(())
}

/// Where a failed attempt leaves the mail: its state, its next attempt, the
/// recorded outcome and the error.
fn failed<'e>(
    row: &OutboxRow,
    error: &'e SendError,
    settings: &Settings,
    now: DateTime<Utc>,
) -> (MailStatus, DateTime<Utc>, &'static str, &'e str) {
    match error {
        SendError::Permanent(e) => (MailStatus::Failed, now, "permanent", e),
        SendError::Temporary(e) if row.attempts >= settings.mail_max_attempts => {
            (MailStatus::Failed, now, "temporary", e)
        }
        SendError::Temporary(e) => (
            MailStatus::Pending,
            now + backoff(row.attempts, settings.mail_retry_seconds),
            "temporary",
            e,
        ),
    }
}

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Mails claimed.
    pub claimed: usize,
    /// Mails the server accepted.
    pub sent: usize,
}

/// One round: claims a batch of due mail, sends it with up to
/// `mail_concurrency` mails in flight, and records outcomes as they arrive.
/// Once `stop` turns true it starts no more sends: those in flight are
/// finished and recorded, the unsent claims are given back.
pub async fn run_once(
    db: &Db,
    mailer: &Mailer,
    settings: &Arc<Settings>,
    clock: &Clock,
    worker: &str,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<Round> {
    let from: Mailbox = settings
        .mail_from
        .parse()
        .map_err(|e| anyhow::anyhow!("mail_from: {e}"))?;
    let (w, s, c) = (worker.to_string(), settings.clone(), clock.clone());
    let claimed = db.write(move |conn| claim(conn, &w, &s, &c)).await?;
    let mut round = Round {
        claimed: claimed.len(),
        sent: 0,
    };
    // A send is cut off after six SMTP timeouts; it only starts while the
    // lease has that long to run, or the mail could go out twice.
    let bound = send_bound(settings);
    let needed = Duration::from_std(bound)?.max(Duration::seconds(settings.mail_lease_seconds / 2));
    let width = usize::try_from(settings.mail_concurrency)?.max(1);
    let mut waiting = claimed.into_iter();
    let mut unsent = Vec::new();
    let mut in_flight: JoinSet<Outcome> = JoinSet::new();
    loop {
        while in_flight.len() < width && !*stop.borrow() && unsent.is_empty() {
            let Some(mut row) = waiting.next() else { break };
            let left = row
                .locked_until
                .map_or(Duration::zero(), |until| until.and_utc() - clock.now());
            if left < needed {
                let (id, w, s, c) = (
                    row.id.clone(),
                    worker.to_string(),
                    settings.clone(),
                    clock.clone(),
                );
                match db.write(move |conn| renew(conn, &id, &w, &s, &c)).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(mail = %row.id, "the lease ran out before sending; another worker has it");
                        continue;
                    }
                    // Start nothing more; finish and record what is in flight.
                    Err(e) => {
                        tracing::warn!(mail = %row.id, error = %e, "could not renew the lease; stopping this round");
                        unsent.push(row.id);
                        continue;
                    }
                }
                row.locked_until = Some(to_db_time(
                    clock.now() + Duration::seconds(settings.mail_lease_seconds),
                ));
            }
            let (mailer, from) = (mailer.clone(), from.clone());
            in_flight.spawn(async move {
                let result = match tokio::time::timeout(bound, mailer.send(&row, &from)).await {
                    Ok(result) => result,
                    Err(_) => Err(SendError::Temporary(
                        "the SMTP exchange took too long".into(),
                    )),
                };
                (row, result)
            });
        }
        let Some(first) = in_flight.join_next().await else {
            break;
        };
        // Record this outcome and any others that are ready, together. (A
        // send that panicked leaves its mail claimed until the lease ends.)
        let mut done = Vec::new();
        for joined in std::iter::once(first).chain(std::iter::from_fn(|| in_flight.try_join_next()))
        {
            match joined {
                Ok(outcome) => done.push(outcome),
                Err(e) => tracing::error!(error = %e, "a mail send failed unexpectedly"),
            }
        }
        for (row, result) in &done {
            match result {
                Ok(()) => round.sent += 1,
                Err(e) => {
                    let error = crate::telemetry::without_addresses(&format!("{e:?}"));
                    tracing::warn!(mail = %row.id, %error, "mail not delivered")
                }
            }
        }
        settle_with_retries(db, done, worker, settings, clock, stop).await;
    }
    unsent.extend(waiting.map(|r| r.id));
    if !unsent.is_empty() {
        let (w, c) = (worker.to_string(), clock.clone());
        db.write(move |conn| release(conn, &unsent, &w, &c)).await?;
    }
    Ok(round)
}

/// The longest one mail's SMTP exchange may take: six SMTP timeouts.
pub fn send_bound(settings: &Settings) -> std::time::Duration {
    std::time::Duration::from_secs(settings.smtp_timeout_seconds.saturating_mul(6))
}

/// Records outcomes, trying again while the database is unavailable: a sent
/// mail left `sending` would be sent again when its lease runs out, so no
/// more mail is claimed until these are on record. Once the worker is told
/// to stop it gives up after a few tries.
async fn settle_with_retries(
    db: &Db,
    done: Vec<Outcome>,
    worker: &str,
    settings: &Arc<Settings>,
    clock: &Clock,
    stop: &watch::Receiver<bool>,
) {
    let done = Arc::new(done);
    let mut wait = std::time::Duration::from_millis(100);
    for attempt in 1.. {
        let (d, w, s, c) = (
            done.clone(),
            worker.to_string(),
            settings.clone(),
            clock.clone(),
        );
        match db.write(move |conn| settle(conn, &d, &w, &s, &c)).await {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(mails = done.len(), attempt, error = %e, "could not record delivery attempts");
                if *stop.borrow() && attempt >= 3 {
                    return;
                }
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
