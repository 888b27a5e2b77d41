//! The one place where something that happened to a case is recorded: its
//! timeline entry, the mail it causes and its webhook deliveries are
//! written here, inside the caller's transaction, so they commit with the
//! change that caused them or not at all.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use super::context::CaseContext;
use super::entry::TimelineEntry;
use super::seal;
use super::view::PersonRef;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::models::{from_db_time, to_db_time};
use crate::db::prepared::Prepared;
use crate::domain::CaseState;
use crate::domain::events::EventRecord;
use crate::error::ApiResult;
use crate::notify::{self, MailCase};
use crate::webhooks::deliveries::{self, Outgoing};

/// The body of a webhook delivery: one event of a case, with the case it
/// happened to and its timeline entry as staff see it (never more).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-bbbb-7a21-9d0b-5c1e8f2a3b4c", "type": "assign", "created_at": "2026-11-22T10:05:00Z",
    "case": {"id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "reference": "OMB-2026-000042", "category": "billing", "state": "assigned"},
    "entry": {
        "id": 7, "kind": "assign", "actor": {"id": "0192f0c4-5555-7a21-9d0b-5c1e8f2a3b4c", "name": "Lee Lead"},
        "visibility": "all_parties",
        "data": {"mediator_id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "mediator_name": "Mia Mediator", "from": "intake", "to": "assigned"},
        "at": "2026-11-22T10:05:00Z"
    }
}))]
pub struct WebhookEvent {
    /// The event's id (also header `Ombud-Event-Id`): the same on every
    /// retry and at every endpoint; drop a delivery whose id you have seen.
    pub id: uuid::Uuid,
    /// The event type: the timeline kind, or `ping` for a test delivery.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When it happened.
    pub created_at: DateTime<Utc>,
    /// The case; `null` for a ping.
    pub case: Option<WebhookCase>,
    /// The case's timeline entry for the event; `null` for a ping.
    pub entry: Option<TimelineEntry>,
}

/// The case an event happened to, as it stands after the event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookCase {
    /// The case id.
    pub id: uuid::Uuid,
    /// Its reference.
    pub reference: String,
    /// Its category's slug.
    pub category: String,
    /// Its state after the event.
    pub state: CaseState,
}

/// Records `record` on the case of `ctx`: the timeline entry, the mail and
/// the webhook deliveries. The caller holds the case's row lock (it
/// updated or inserted the case, or called `context::hold`): the events
/// of one case then commit one after the other, in the order of their
/// entries' and deliveries' ids, which is the order webhooks keep.
pub fn record(
    conn: &mut DbConnection,
    settings: &Settings,
    ctx: &CaseContext,
    record: &EventRecord,
) -> ApiResult<()> {
    let (kind, data) = record.timeline_parts().map_err(anyhow::Error::from)?;
    let visibility = record.event.visibility();
    let (entry_id, stored_at, hash) =
        insert_entry(conn, ctx, record, &kind, visibility.as_str(), &data)?;
    let case = MailCase {
        row: &ctx.row,
        facts: &ctx.facts,
        users: &ctx.users,
        ruling: ctx.ruling.as_ref(),
        category: &ctx.category,
        leads: ctx.setup.as_ref().map(|s| s.leads.as_slice()),
    };
    notify::enqueue(conn, settings, &case, record)?;
    // A filing knows from the setup whether any endpoint exists (read at
    // the generation it read with its case number); without one there is
    // nothing to deliver, nor an event body to build.
    if ctx.setup.as_ref().is_some_and(|s| !s.webhooks) {
        return Ok(());
    }
    let event = WebhookEvent {
        id: uuid::Uuid::now_v7(),
        event_type: kind.clone(),
        created_at: record.at,
        case: Some(WebhookCase {
            id: ctx.row.id.0,
            reference: ctx.row.reference.clone(),
            category: ctx.category.slug.clone(),
            state: ctx.facts.state,
        }),
        entry: Some(TimelineEntry {
            id: entry_id,
            kind: kind.clone(),
            actor: record.actor.map(|a| PersonRef {
                id: Some(a.0),
                name: ctx
                    .users
                    .get(&a)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
            }),
            visibility,
            data,
            // As stored (PostgreSQL keeps microseconds), so the entry is
            // the one the timeline shows.
            at: from_db_time(stored_at),
            hash: Some(hash),
        }),
    };
    let payload = serde_json::to_string(&event).map_err(anyhow::Error::from)?;
    deliveries::enqueue(
        conn,
        &Outgoing {
            event_id: event.id,
            kind: &kind,
            case_id: record.case_id,
            category_id: ctx.row.category_id,
            at: record.at,
            payload: &payload,
        },
    )?;
    Ok(())
}

/// Appends the timeline entry, sealed to the one before it (read, unless
/// `ctx` knows it); returns its id, its time as stored and its seal.
fn insert_entry(
    conn: &mut DbConnection,
    ctx: &CaseContext,
    record: &EventRecord,
    kind: &str,
    visibility: &str,
    data: &serde_json::Value,
) -> ApiResult<(i64, NaiveDateTime, String)> {
    #[derive(QueryableByName)]
    struct Inserted {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = Timestamp)]
        created_at: NaiveDateTime,
    }
    let sql = match conn {
        DbConnection::Postgresql(_) => {
            "INSERT INTO timeline_events \
             (case_id, actor_id, kind, visibility, data, created_at, prev_hash, hash, salt) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, created_at"
        }
        DbConnection::Sqlite(_) => {
            "INSERT INTO timeline_events \
             (case_id, actor_id, kind, visibility, data, created_at, prev_hash, hash, salt) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, created_at"
        }
    };
    let case_id = record.case_id.to_db();
    let actor_id = record.actor.map(|a| a.to_db());
    let data = data.to_string();
    let at = seal::stored_time(to_db_time(record.at));
    let known = ctx
        .chain_head
        .get()
        .filter(|_| record.case_id == ctx.row.id);
    let prev = match known {
        Some(known) => known,
        None => seal::head(conn, &case_id)?,
    };
    let salt = seal::new_salt();
    let hash = seal::seal(
        &prev,
        &seal::Content {
            case_id: &case_id,
            actor_id: actor_id.as_deref(),
            kind,
            visibility,
            data: &data,
            data_digest: None,
            at,
            salt: &salt,
        },
    );
    let inserted: Inserted = Prepared(
        diesel::sql_query(sql)
            .bind::<Text, _>(&case_id)
            .bind::<Nullable<Text>, _>(&actor_id)
            .bind::<Text, _>(kind)
            .bind::<Text, _>(visibility)
            .bind::<Text, _>(&data)
            .bind::<Timestamp, _>(at)
            .bind::<Text, _>(&prev)
            .bind::<Text, _>(&hash)
            .bind::<Text, _>(&salt),
    )
    .get_result(conn)?;
    if record.case_id == ctx.row.id {
        ctx.chain_head.moved_to(&hash);
    }
    Ok((inserted.id, inserted.created_at, hash))
}
