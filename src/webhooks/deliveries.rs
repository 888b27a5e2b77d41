//! Deliveries: written for each case event and matching endpoint in the
//! event's own transaction; a ping on request; the log admins read.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::models::{AttemptRow, DeliveryRow, from_db_time, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::{webhook_attempts, webhook_deliveries};
use crate::db::{DbConnection, StoreError};
use crate::domain::{CaseId, CategoryId, DeliveryStatus, WebhookId, WebhookStatus};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};

/// An event of a case, ready to go to the endpoints that want it.
#[derive(Debug)]
pub struct Outgoing<'a> {
    /// The event's id (the same at every endpoint and on every retry).
    pub event_id: uuid::Uuid,
    /// Its type (the timeline kind).
    pub kind: &'a str,
    /// The case.
    pub case_id: CaseId,
    /// The case's category, for endpoints that filter by it.
    pub category_id: CategoryId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The body every endpoint receives (a `WebhookEvent`).
    pub payload: &'a str,
}

/// Writes one delivery of `event` per endpoint that wants its type and
/// category, in the caller's transaction: one statement, which writes
/// nothing when no endpoint matches. An endpoint that is disabled gets its
/// delivery `held`, to go out in order when it is enabled. Returns how
/// many were written.
///
/// The caller holds the case's row lock (it updated or inserted the case,
/// or took [`crate::cases::context::hold`]'s lock): deliveries are sent in
/// the order of their ids, and the lock makes the transactions of one
/// case take their ids and commit in the same order.
pub fn enqueue(conn: &mut DbConnection, event: &Outgoing) -> Result<usize, StoreError> {
    let sql = match conn {
        DbConnection::Postgresql(_) => {
            "INSERT INTO webhook_deliveries \
             (endpoint_id, event_id, event_type, case_id, payload, status, attempts, next_attempt_at, created_at) \
             SELECT e.id, $1, $2, $3, $4, \
             CASE WHEN e.status = 'active' THEN 'pending' ELSE 'held' END, 0, $5, $5 \
             FROM webhook_endpoints e \
             WHERE (e.events = '*' OR position(' ' || $2 || ' ' IN ' ' || e.events || ' ') > 0) \
             AND (e.category_id IS NULL OR e.category_id = $6) ORDER BY e.id"
        }
        DbConnection::Sqlite(_) => {
            "INSERT INTO webhook_deliveries \
             (endpoint_id, event_id, event_type, case_id, payload, status, attempts, next_attempt_at, created_at) \
             SELECT e.id, ?1, ?2, ?3, ?4, \
             CASE WHEN e.status = 'active' THEN 'pending' ELSE 'held' END, 0, ?5, ?5 \
             FROM webhook_endpoints e \
             WHERE (e.events = '*' OR instr(' ' || e.events || ' ', ' ' || ?2 || ' ') > 0) \
             AND (e.category_id IS NULL OR e.category_id = ?6) ORDER BY e.id"
        }
    };
    let written = Prepared(
        diesel::sql_query(sql)
            .bind::<Text, _>(event.event_id.hyphenated().to_string())
            .bind::<Text, _>(event.kind)
            .bind::<Text, _>(event.case_id.to_db())
            .bind::<Text, _>(event.payload)
            .bind::<Timestamp, _>(to_db_time(event.at))
            .bind::<Text, _>(event.category_id.to_db()),
    )
    .execute(conn)?;
    if written > 0 {
        crate::db::signal::webhook_written();
    }
    Ok(written)
}

/// A delivery as the log shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1042, "webhook_id": "0192f0c4-aaaa-7a21-9d0b-5c1e8f2a3b4c",
    "event_id": "0192f0c4-bbbb-7a21-9d0b-5c1e8f2a3b4c", "event_type": "issue_ruling",
    "case_id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "status": "pending", "attempts": 2,
    "next_attempt_at": "2026-12-06T10:02:00Z", "last_status": 503,
    "last_error": "the receiver answered 503", "created_at": "2026-12-06T10:00:00Z", "delivered_at": null
}))]
pub struct DeliveryView {
    /// The delivery's id; deliveries of one case to one endpoint go out in its order.
    pub id: i64,
    /// The endpoint.
    pub webhook_id: uuid::Uuid,
    /// The event's id (header `Ombud-Event-Id`): the same on every retry,
    /// for the receiver to drop duplicates.
    pub event_id: uuid::Uuid,
    /// The event type (header `Ombud-Event-Type`).
    pub event_type: String,
    /// The case; `null` for a ping.
    pub case_id: Option<uuid::Uuid>,
    /// Where it is.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: i32,
    /// When it may next be tried (while pending).
    pub next_attempt_at: DateTime<Utc>,
    /// The HTTP status of the last answer, if there was one.
    pub last_status: Option<i32>,
    /// What went wrong last, if anything did.
    pub last_error: Option<String>,
    /// When it was written (with its event).
    pub created_at: DateTime<Utc>,
    /// When the receiver accepted it.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"started_at": "2026-12-06T10:01:00Z", "duration_ms": 212, "status_code": 503, "error": "the receiver answered 503"}))]
pub struct DeliveryAttempt {
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub duration_ms: i32,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong, if anything did.
    pub error: Option<String>,
}

/// A delivery with its body and every attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1042, "webhook_id": "0192f0c4-aaaa-7a21-9d0b-5c1e8f2a3b4c",
    "event_id": "0192f0c4-bbbb-7a21-9d0b-5c1e8f2a3b4c", "event_type": "ping",
    "case_id": null, "status": "delivered", "attempts": 2,
    "next_attempt_at": "2026-12-06T10:00:00Z", "last_status": 200,
    "last_error": null, "created_at": "2026-12-06T10:00:00Z", "delivered_at": "2026-12-06T10:01:00Z",
    "payload": {"id": "0192f0c4-bbbb-7a21-9d0b-5c1e8f2a3b4c", "type": "ping", "created_at": "2026-12-06T10:00:00Z", "case": null, "entry": null},
    "attempt_log": [
        {"started_at": "2026-12-06T10:00:00Z", "duration_ms": 10003, "status_code": null, "error": "the receiver did not answer in time"},
        {"started_at": "2026-12-06T10:01:00Z", "duration_ms": 48, "status_code": 200, "error": null}
    ]
}))]
pub struct DeliveryDetail {
    /// The delivery.
    #[serde(flatten)]
    pub delivery: DeliveryView,
    /// The body sent (a WebhookEvent).
    pub payload: serde_json::Value,
    /// Every attempt, oldest first.
    pub attempt_log: Vec<DeliveryAttempt>,
}

page_of!(
    /// A page of deliveries, newest first.
    DeliveryPage,
    DeliveryView
);

/// Which deliveries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
}

fn view(r: DeliveryRow) -> ApiResult<DeliveryView> {
    Ok(DeliveryView {
        id: r.id,
        webhook_id: r.endpoint_id.0,
        event_id: uuid::Uuid::parse_str(&r.event_id).map_err(anyhow::Error::from)?,
        event_type: r.event_type,
        case_id: r.case_id.map(|c| c.0),
        status: r.status,
        attempts: r.attempts,
        next_attempt_at: from_db_time(r.next_attempt_at),
        last_status: r.last_status,
        last_error: r.last_error,
        created_at: from_db_time(r.created_at),
        delivered_at: r.delivered_at.map(from_db_time),
    })
}

/// The deliveries of endpoint `id`, newest first.
pub fn list(
    conn: &mut DbConnection,
    id: WebhookId,
    filter: &DeliveryFilter,
    page: &Page,
) -> ApiResult<DeliveryPage> {
    super::endpoints::find(conn, id)?;
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .into_boxed();
    if let Some(status) = filter.status {
        q = q.filter(webhook_deliveries::status.eq(status));
    }
    if let Some(after) = &page.after {
        let after: i64 = after
            .parse()
            .map_err(|_| ApiError::BadRequest("cursor is not one this API issued".into()))?;
        q = q.filter(webhook_deliveries::id.lt(after));
    }
    let rows: Vec<DeliveryRow> = q
        .order(webhook_deliveries::id.desc())
        .limit(page.limit + 1)
        .load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |d| d.id.to_string());
    Ok(DeliveryPage {
        items: rows.into_iter().map(view).collect::<ApiResult<_>>()?,
        next_cursor,
    })
}

fn find(conn: &mut DbConnection, id: WebhookId, delivery: i64) -> ApiResult<DeliveryRow> {
    webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(delivery))
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("delivery"))
}

/// Delivery `delivery` of endpoint `id`, with its body and attempts.
pub fn get(conn: &mut DbConnection, id: WebhookId, delivery: i64) -> ApiResult<DeliveryDetail> {
    let row = find(conn, id, delivery)?;
    let attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(delivery))
        .order(webhook_attempts::id.asc())
        .load(conn)?;
    let payload = serde_json::from_str(&row.payload).map_err(anyhow::Error::from)?;
    Ok(DeliveryDetail {
        delivery: view(row)?,
        payload,
        attempt_log: attempts
            .into_iter()
            .map(|a| DeliveryAttempt {
                started_at: from_db_time(a.started_at),
                duration_ms: a.duration_ms,
                status_code: a.status_code,
                error: a.error,
            })
            .collect(),
    })
}

/// Sends a delivery that was given up (`failed`) again, as a new delivery
/// of the same event (the same `event_id` and body), last in line for its
/// case; the failed one stays in the log. 409 for a delivery in any other
/// state, or one already sent again.
pub fn retry(
    conn: &mut DbConnection,
    id: WebhookId,
    delivery: i64,
    now: DateTime<Utc>,
) -> ApiResult<DeliveryView> {
    let endpoint = super::endpoints::find(conn, id)?;
    // A no-op update takes the failed row's lock: of two retries at once,
    // the second waits here and then finds the first one's copy.
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq(delivery)))
        .set(webhook_deliveries::attempts.eq(webhook_deliveries::attempts))
        .execute(conn)?;
    let row = find(conn, id, delivery)?;
    if row.status != DeliveryStatus::Failed {
        return Err(ApiError::Conflict(format!(
            "only a failed delivery can be sent again; this one is {}",
            row.status
        )));
    }
    let copies = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .filter(webhook_deliveries::event_id.eq(&row.event_id))
        .filter(webhook_deliveries::id.gt(delivery));
    if let Some(copy) = copies
        .select(webhook_deliveries::id)
        .first::<i64>(conn)
        .optional()?
    {
        return Err(ApiError::Conflict(format!(
            "this delivery was sent again already, as delivery {copy}"
        )));
    }
    let at = to_db_time(now);
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::endpoint_id.eq(id),
            webhook_deliveries::event_id.eq(&row.event_id),
            webhook_deliveries::event_type.eq(&row.event_type),
            webhook_deliveries::case_id.eq(row.case_id),
            webhook_deliveries::payload.eq(&row.payload),
            webhook_deliveries::status.eq(waiting(endpoint.status)),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(at),
            webhook_deliveries::created_at.eq(at),
        ))
        .execute(conn)?;
    crate::db::signal::webhook_written();
    let copy: DeliveryRow = copies.order(webhook_deliveries::id.desc()).first(conn)?;
    view(copy)
}

/// How a new delivery to an endpoint in `status` waits.
fn waiting(status: WebhookStatus) -> DeliveryStatus {
    match status {
        WebhookStatus::Active => DeliveryStatus::Pending,
        WebhookStatus::Disabled => DeliveryStatus::Held,
    }
}

/// Queues a `ping` to endpoint `id` (409 if it is disabled): a delivery
/// like any other, signed, retried and logged, with no case.
pub fn ping(conn: &mut DbConnection, id: WebhookId, now: DateTime<Utc>) -> ApiResult<DeliveryView> {
    let endpoint = super::endpoints::find(conn, id)?;
    if endpoint.status != WebhookStatus::Active {
        return Err(ApiError::Conflict(
            "the endpoint is disabled; enable it (PATCH active: true) to ping it".into(),
        ));
    }
    let event_id = uuid::Uuid::now_v7();
    let payload = serde_json::json!({
        "id": event_id, "type": "ping", "created_at": now, "case": null, "entry": null,
    })
    .to_string();
    let at = to_db_time(now);
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::endpoint_id.eq(id),
            webhook_deliveries::event_id.eq(event_id.hyphenated().to_string()),
            webhook_deliveries::event_type.eq("ping"),
            webhook_deliveries::case_id.eq(None::<CaseId>),
            webhook_deliveries::payload.eq(payload),
            webhook_deliveries::status.eq(DeliveryStatus::Pending),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(at),
            webhook_deliveries::created_at.eq(at),
        ))
        .execute(conn)?;
    crate::db::signal::webhook_written();
    let row: DeliveryRow = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .filter(webhook_deliveries::event_id.eq(event_id.hyphenated().to_string()))
        .first(conn)?;
    view(row)
}
