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
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::models::{DeliveryRow, UserRow, WebhookRow, from_db_time, to_db_time};
use crate::db::schema::{users, webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::db::{Db, DbConnection, StoreError};
use crate::domain::{DeliveryStatus, WebhookStatus};
use crate::webhooks::sender::{Attempt, Outbound, Sender};

/// Most deliveries one worker claims at a time.
pub const BATCH: i64 = 50;
/// Most deliveries one worker has in flight at once.
pub const IN_FLIGHT: usize = 8;

/// How long a claim lasts: longer than any one attempt can take.
fn lease(settings: &Settings) -> Duration {
    let timeout = i64::try_from(settings.webhook_timeout_seconds).unwrap_or(60);
    Duration::seconds(timeout.saturating_mul(2).saturating_add(30))
}

/// Claims up to [`BATCH`] due deliveries for `worker`: first gives back
/// the claims of workers that stopped (their lease ran out), then takes
/// the oldest due deliveries that are first in line for their case and
/// endpoint, of active endpoints not held back.
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
         AND p.case_id = d.case_id AND p.status IN ('pending', 'sending') AND p.id < d.id) \
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
    let give_up_after = Duration::hours(settings.webhook_disable_after_hours);
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
        diesel::update(endpoint.filter(webhook_endpoints::failures.gt(0)))
            .set((
                webhook_endpoints::failures.eq(0),
                webhook_endpoints::failing_since.eq(None::<NaiveDateTime>),
                webhook_endpoints::retry_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        return Ok(());
    }
    let Some(hook) = endpoint.first::<WebhookRow>(conn).optional()? else {
        return Ok(());
    };
    let attempts = row.attempts + 1;
    let first_failed = row.first_failed_at.map_or(now, from_db_time);
    // Given up only if the endpoint took other deliveries since this one
    // first failed: while the whole endpoint fails, its deliveries wait
    // for it to be disabled and enabled again, and none is dropped.
    let endpoint_works = hook
        .failing_since
        .is_none_or(|since| from_db_time(since) > first_failed);
    let given_up = now - first_failed >= give_up_after && endpoint_works;
    let base = settings.webhook_retry_seconds;
    diesel::update(mine)
        .set((
            webhook_deliveries::status.eq(if given_up {
                DeliveryStatus::Failed
            } else {
                DeliveryStatus::Pending
            }),
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
    let failures = hook.failures + 1;
    let since = hook.failing_since.map_or(now, from_db_time);
    let disable = hook.status == WebhookStatus::Active && now - since >= give_up_after;
    let error = attempt.error.clone().unwrap_or_default();
    diesel::update(endpoint)
        .set((
            webhook_endpoints::failures.eq(failures),
            webhook_endpoints::failing_since.eq(to_db_time(since)),
            webhook_endpoints::retry_at
                .eq(to_db_time(now + super::delivery::backoff(failures, base))),
        ))
        .execute(conn)?;
    if disable {
        diesel::update(endpoint)
            .set((
                webhook_endpoints::status.eq(WebhookStatus::Disabled),
                webhook_endpoints::disabled_reason.eq(format!(
                    "every attempt failed since {} (the last: {error})",
                    since.format("%Y-%m-%d %H:%M UTC")
                )),
                webhook_endpoints::updated_at.eq(at),
            ))
            .execute(conn)?;
        tracing::warn!(webhook = %hook.id, url = %hook.url, "disabled a webhook endpoint that kept failing");
        let owner: Option<UserRow> = users::table
            .find(hook.created_by)
            .filter(users::active.eq(true))
            .first(conn)
            .optional()?;
        if let Some(owner) = owner {
            let disabled = crate::notify::DisabledWebhook {
                id: hook.id.0,
                url: &hook.url,
                since,
                error: &error,
            };
            crate::notify::enqueue_webhook_disabled(conn, settings, &owner, &disabled, now)
                .map_err(|e| StoreError::Failed(anyhow::anyhow!("{e}")))?;
        }
    }
    Ok(())
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
    let claimed = db.write(move |conn| claim(conn, &w, &s, &c)).await?;
    let mut round = Round {
        claimed: claimed.len(),
        delivered: 0,
    };
    let mut waiting = claimed.into_iter();
    let mut in_flight: JoinSet<(Outbound, Attempt, DateTime<Utc>)> = JoinSet::new();
    loop {
        while in_flight.len() < IN_FLIGHT && !*stop.borrow() {
            let Some(out) = waiting.next() else { break };
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
            tracing::info!(delivery = out.delivery_id, url = %out.url, error = ?attempt.error, "webhook not delivered");
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
    let unsent: Vec<i64> = waiting.map(|o| o.delivery_id).collect();
    if !unsent.is_empty() {
        let w = worker.to_string();
        db.write(move |conn| release(conn, &unsent, &w)).await?;
    }
    Ok(round)
}
