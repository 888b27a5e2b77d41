//! Privacy: what Ombud holds about a person, handed over (exports). Sits
//! above the case service, accounts and mail: it reads through them, as
//! the person would, and adds nothing they could not see.

pub mod erase;
pub mod export;
pub mod retention;

use diesel::prelude::*;

use crate::cases::seal;
use crate::db::DbConnection;
use crate::db::models::TimelineRow;
use crate::db::schema::{timeline_events, webhook_deliveries};
use crate::domain::CaseId;
use crate::error::ApiResult;

/// Rewrites the JSON that case `id` sent and recorded, its webhook
/// deliveries and its timeline's data, with `change` (`None`: leave it).
/// A timeline entry keeps its seal through [`seal::rewrite`]. Returns the
/// entries rewritten, for the record of the change to list.
fn rewrite_records(
    conn: &mut DbConnection,
    id: CaseId,
    change: impl Fn(&str) -> Option<String>,
) -> ApiResult<Vec<i64>> {
    let key = id.to_db();
    let payloads: Vec<(i64, String)> = webhook_deliveries::table
        .filter(webhook_deliveries::case_id.eq(&key))
        .select((webhook_deliveries::id, webhook_deliveries::payload))
        .load(conn)?;
    for (delivery, payload) in payloads {
        if let Some(payload) = change(&payload) {
            diesel::update(webhook_deliveries::table.find(delivery))
                .set(webhook_deliveries::payload.eq(payload))
                .execute(conn)?;
        }
    }
    let entries: Vec<TimelineRow> = timeline_events::table
        .filter(timeline_events::case_id.eq(&key))
        .order(timeline_events::id.asc())
        .select(TimelineRow::as_select())
        .load(conn)?;
    let mut rewritten = Vec::new();
    for row in entries {
        if let Some(data) = change(&row.data) {
            seal::rewrite(conn, &row, &data)?;
            rewritten.push(row.id);
        }
    }
    Ok(rewritten)
}
