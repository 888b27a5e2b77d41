//! Delivers webhooks. A worker claims a batch of due deliveries (on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, so no two workers take the
//! same one), marks them `sending` under a lease, POSTs them with several
//! in flight, and records each attempt.
//!
//! Order per case: a delivery is only claimed when no earlier delivery of
//! the same case to the same endpoint is still pending or being sent, so
//! a receiver gets a case's events in the order they happened, each at
//! least once. A failed attempt puts the delivery back with a delay that
//! doubles each time (at most an hour) and holds the whole endpoint back
//! for the same kind of delay, so a receiver that is down is probed, not
//! flooded. An endpoint that fails for `webhook_disable_after_hours`
//! without a success is disabled and its owner mailed; its deliveries wait
//! (nothing is dropped) until an admin enables it again. A single delivery
//! that keeps failing that long while others succeed is given up
//! (`failed`, which an admin can send again), so one bad event cannot hold
//! its case back forever.
//!
//! Every reading of the time comes from a [`Clock`], so tests move it
//! forward instead of sleeping.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Timestamp};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::models::{DeliveryRow, UserRow, WebhookRow, from_db_time, to_db_time};
use crate::db::schema::{users, webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::db::{Db, DbConnection, StoreError};
use crate::domain::{DeliveryStatus, Role, WebhookStatus};
use crate::webhooks::sender::{Attempt, Outbound, Sender};

/// Most deliveries one worker claims at a time.
pub const BATCH: i64 = 50;
/// Most deliveries one worker has in flight at once.
pub const IN_FLIGHT: usize = 8;

/// The longest one attempt may take (the HTTP client's own timeout).
fn attempt_bound(settings: &Settings) -> Duration {
    Duration::seconds(i64::try_from(settings.webhook_timeout_seconds.max(1)).unwrap_or(60))
}

/// How long a claim lasts: long enough for a whole batch, sent
/// [`IN_FLIGHT`] at a time, each attempt and the recording of its outcome
/// taking as long as they may. A claim is never sent once too little of
/// its lease is left (see [`run_once`]), so another worker that takes a
/// claim whose lease ran out can never send it beside the first.
fn lease(settings: &Settings) -> Duration {
    let db = Duration::seconds(i64::try_from(settings.db_timeout_seconds).unwrap_or(5));
    let batch = usize::try_from(BATCH).unwrap_or(50);
    let waves = i32::try_from(batch.div_ceil(IN_FLIGHT)).unwrap_or(10);
    (attempt_bound(settings) + db) * (waves + 1) + Duration::seconds(30)
}

/// Claims up to [`BATCH`] due deliveries for `worker`: first gives back
/// the claims of workers that stopped (their lease ran out), then takes
/// the oldest due deliveries that are first in line for their case and
/// endpoint, of active endpoints not held back; of an endpoint that is
/// failing, only its oldest pending delivery (a probe, not a flood).
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    settings: &Settings,
    clock: &Clock,
) -> Result<Vec<Outbound>, StoreError> {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let now = to_db_time(clock.now());
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Sending))
            .filter(webhook_deliveries::locked_until.le(now)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending),
        webhook_deliveries::locked_by.eq(None::<String>),
        webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
        webhook_deliveries::last_error.eq("the worker sending it stopped"),
    ))
    .execute(conn)?;
    let head = "SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
         AND e.status = 'active' AND (e.retry_at IS NULL OR e.retry_at <= $1) \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id \
         AND p.case_id = d.case_id AND p.status IN ('pending', 'held', 'sending') AND p.id < d.id) \
         AND (e.failures = 0 OR d.id = (SELECT min(f.id) FROM webhook_deliveries f \
         WHERE f.endpoint_id = d.endpoint_id AND f.status = 'pending')) \
         ORDER BY d.next_attempt_at, d.id LIMIT $2";
    let sql = match conn {
        DbConnection::Postgresql(_) => format!("{head} FOR UPDATE OF d SKIP LOCKED"),
        DbConnection::Sqlite(_) => head.replace("$1", "?1").replace("$2", "?2"),
    };
    let due: Vec<Due> = diesel::sql_query(sql)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(BATCH)
        .load(conn)?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = due.into_iter().map(|d| d.id).collect();
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Sending),
            webhook_deliveries::locked_by.eq(worker),
            webhook_deliveries::locked_until.eq(to_db_time(clock.now() + lease(settings))),
        ))
        .execute(conn)?;
    let rows: Vec<(DeliveryRow, WebhookRow)> = webhook_deliveries::table
        .inner_join(webhook_endpoints::table)
        .filter(webhook_deliveries::id.eq_any(&ids))
        .order(webhook_deliveries::id.asc())
        .select((DeliveryRow::as_select(), WebhookRow::as_select()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, e)| Outbound {
            url: e.url,
            webhook_id: e.id.to_db(),
            secret: e.secret,
            delivery_id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            payload: d.payload,
        })
        .collect())
}

/// Records one attempt of `worker`'s at delivery `out` (if the delivery
/// is still its claim) and what follows for the delivery and its endpoint.
/// The endpoint's counters are changed in SQL (`failures + 1`, ...), not
/// read and written back, so that workers settling at once, and an
/// admin's change, do not undo each other.
pub fn settle(
    conn: &mut DbConnection,
    worker: &str,
    settings: &Settings,
    out: &Outbound,
    attempt: &Attempt,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mine = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(out.delivery_id))
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Sending))
        .filter(webhook_deliveries::locked_by.eq(worker));
    let Some(row) = mine.first::<DeliveryRow>(conn).optional()? else {
        return Ok(());
    };
    let status = attempt.status.map(i32::from);
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::delivery_id.eq(row.id),
            webhook_attempts::worker.eq(worker),
            webhook_attempts::started_at.eq(to_db_time(started)),
            webhook_attempts::duration_ms.eq(attempt.duration_ms),
            webhook_attempts::status_code.eq(status),
            webhook_attempts::error.eq(&attempt.error),
        ))
        .execute(conn)?;
    let at = to_db_time(now);
    let endpoint = webhook_endpoints::table.find(row.endpoint_id);
    if attempt.delivered() {
        diesel::update(mine)
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Delivered),
                webhook_deliveries::attempts.eq(row.attempts + 1),
                webhook_deliveries::delivered_at.eq(at),
                webhook_deliveries::locked_by.eq(None::<String>),
                webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
                webhook_deliveries::last_status.eq(status),
                webhook_deliveries::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        diesel::update(endpoint)
            .set((
                webhook_endpoints::failures.eq(0),
                webhook_endpoints::failing_since.eq(None::<NaiveDateTime>),
                webhook_endpoints::retry_at.eq(None::<NaiveDateTime>),
                webhook_endpoints::last_success_at.eq(at),
            ))
            .execute(conn)?;
        return Ok(());
    }
    let Some(hook) = endpoint.first::<WebhookRow>(conn).optional()? else {
        return Ok(());
    };
    let give_up_after = Duration::hours(settings.webhook_disable_after_hours);
    let attempts = row.attempts + 1;
    let first_failed = row.first_failed_at.map_or(now, from_db_time);
    // Given up only if the endpoint took other deliveries since this one
    // first failed: while the whole endpoint fails, its deliveries wait
    // for it to be disabled and enabled again, and none is dropped.
    let endpoint_works = hook
        .last_success_at
        .is_some_and(|t| from_db_time(t) > first_failed);
    let next = if now - first_failed >= give_up_after && endpoint_works {
        DeliveryStatus::Failed
    } else if hook.status == WebhookStatus::Disabled {
        DeliveryStatus::Held
    } else {
        DeliveryStatus::Pending
    };
    let base = settings.webhook_retry_seconds;
    diesel::update(mine)
        .set((
            webhook_deliveries::status.eq(next),
            webhook_deliveries::attempts.eq(attempts),
            webhook_deliveries::next_attempt_at
                .eq(to_db_time(now + super::delivery::backoff(attempts, base))),
            webhook_deliveries::first_failed_at.eq(to_db_time(first_failed)),
            webhook_deliveries::locked_by.eq(None::<String>),
            webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_status.eq(status),
            webhook_deliveries::last_error.eq(&attempt.error),
        ))
        .execute(conn)?;
    diesel::update(endpoint)
        .set((
            webhook_endpoints::failures.eq(webhook_endpoints::failures + 1),
            webhook_endpoints::failing_since.eq(sql::<Nullable<Timestamp>>(
                "COALESCE(failing_since, ",
            )
            .bind::<Timestamp, _>(at)
            .sql(")")),
            webhook_endpoints::retry_at.eq(to_db_time(
                now + super::delivery::backoff(hook.failures + 1, base),
            )),
        ))
        .execute(conn)?;
    // Disabled once, by whichever worker gets there first: only one mail.
    let error = attempt.error.clone().unwrap_or_default();
    let since = hook.failing_since.map_or(now, from_db_time);
    let disabled = diesel::update(
        endpoint
            .filter(webhook_endpoints::status.eq(WebhookStatus::Active))
            .filter(webhook_endpoints::failing_since.le(to_db_time(now - give_up_after))),
    )
    .set((
        webhook_endpoints::status.eq(WebhookStatus::Disabled),
        webhook_endpoints::disabled_reason.eq(format!(
            "every attempt failed since {} (the last: {error})",
            since.format("%Y-%m-%d %H:%M UTC")
        )),
        webhook_endpoints::updated_at.eq(at),
    ))
    .execute(conn)?;
    if disabled == 1 {
        crate::webhooks::endpoints::hold_all(conn, hook.id)?;
        tracing::warn!(webhook = %hook.id, "disabled a webhook endpoint that kept failing");
        let disabled = crate::notify::DisabledWebhook {
            id: hook.id.0,
            url: &hook.url,
            since,
            error: &error,
        };
        for owner in owners(conn, &hook)? {
            crate::notify::enqueue_webhook_disabled(conn, settings, &owner, &disabled, now)
                .map_err(|e| StoreError::Failed(anyhow::anyhow!("{e}")))?;
        }
    }
    Ok(())
}

/// Who is told that `hook` was disabled: the admin who registered it, or,
/// if they are no longer an active admin, every active admin.
fn owners(conn: &mut DbConnection, hook: &WebhookRow) -> Result<Vec<UserRow>, StoreError> {
    let admins = || {
        users::table
            .filter(users::active.eq(true))
            .filter(users::role.eq(Role::Admin))
    };
    let owner: Vec<UserRow> = admins().filter(users::id.eq(hook.created_by)).load(conn)?;
    if !owner.is_empty() {
        return Ok(owner);
    }
    Ok(admins().order(users::id.asc()).load(conn)?)
}

/// Gives `worker`'s unsent claims back, due at once (on shutdown).
pub fn release(conn: &mut DbConnection, ids: &[i64], worker: &str) -> Result<usize, StoreError> {
    Ok(diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq_any(ids))
            .filter(webhook_deliveries::locked_by.eq(worker))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Sending)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending),
        webhook_deliveries::locked_by.eq(None::<String>),
        webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}

/// Most deliveries one [`prune`] removes (the rest wait for the next scan).
const PRUNE_BATCH: i64 = 1000;

/// Removes up to [`PRUNE_BATCH`] of the oldest deliveries that are done
/// (`delivered` or `failed`) and were written more than
/// `webhook_log_days` before `now`, with their attempts; returns how many.
/// Pending ones are kept whatever their age.
pub fn prune(
    conn: &mut DbConnection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let cut = to_db_time(now - Duration::days(settings.webhook_log_days));
    let old: Vec<i64> = webhook_deliveries::table
        .filter(
            webhook_deliveries::status.eq_any([DeliveryStatus::Delivered, DeliveryStatus::Failed]),
        )
        .filter(webhook_deliveries::created_at.lt(cut))
        .order(webhook_deliveries::id.asc())
        .select(webhook_deliveries::id)
        .limit(PRUNE_BATCH)
        .load(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(&old)))
        .execute(conn)?;
    Ok(
        diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&old)))
            .execute(conn)?,
    )
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Round {
    /// Deliveries claimed.
    pub claimed: usize,
    /// Deliveries the receivers took.
    pub delivered: usize,
}

/// One round: claims a batch, sends it with up to [`IN_FLIGHT`] in
/// flight, records each attempt as it ends. Once `stop` turns true it
/// starts no more sends and gives the unsent claims back.
pub async fn run_once(
    db: &Db,
    sender: &Sender,
    settings: &Arc<Settings>,
    clock: &Clock,
    worker: &str,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<Round> {
    let (w, s, c) = (worker.to_string(), settings.clone(), clock.clone());
    let claimed_at = clock.now();
    let claimed = db.write(move |conn| claim(conn, &w, &s, &c)).await?;
    let mut round = Round {
        claimed: claimed.len(),
        delivered: 0,
    };
    // The claims' leases end at `claimed_at + lease`; an attempt starts
    // only if it ends (at the latest) well before that.
    let last_start = claimed_at + lease(settings) - attempt_bound(settings) - Duration::seconds(10);
    let mut waiting = claimed.into_iter();
    let mut late = Vec::new();
    let mut in_flight: JoinSet<(Outbound, Attempt, DateTime<Utc>)> = JoinSet::new();
    loop {
        while in_flight.len() < IN_FLIGHT && !*stop.borrow() {
            let Some(out) = waiting.next() else { break };
            if clock.now() > last_start {
                late.push(out.delivery_id);
                continue;
            }
            let (sender, clock) = (sender.clone(), clock.clone());
            in_flight.spawn(async move {
                let started = clock.now();
                let attempt = sender.send(&out, started).await;
                (out, attempt, started)
            });
        }
        let Some(joined) = in_flight.join_next().await else {
            break;
        };
        let (out, attempt, started) = match joined {
            Ok(done) => done,
            // Its claim runs out and another round takes it.
            Err(e) => {
                tracing::error!(error = %e, "a webhook send failed unexpectedly");
                continue;
            }
        };
        if attempt.delivered() {
            round.delivered += 1;
        } else {
            tracing::info!(delivery = out.delivery_id, webhook = %out.webhook_id, error = ?attempt.error, "webhook not delivered");
        }
        let (w, s, now) = (worker.to_string(), settings.clone(), clock.now());
        let settled = db
            .write(move |conn| settle(conn, &w, &s, &out, &attempt, started, now))
            .await;
        if let Err(e) = settled {
            // The claim runs out and the delivery is sent again: at least once.
            tracing::warn!(error = %e, "could not record a webhook attempt");
        }
    }
    let unsent: Vec<i64> = late
        .into_iter()
        .chain(waiting.map(|o| o.delivery_id))
        .collect();
    if !unsent.is_empty() {
        let w = worker.to_string();
        db.write(move |conn| release(conn, &unsent, &w)).await?;
    }
    Ok(round)
}
