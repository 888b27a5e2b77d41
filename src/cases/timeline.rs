//! The timeline of a case as a caller may read it.

use diesel::prelude::*;

use super::context::{CaseContext, corrupt};
use super::view::{names, person_ref};
use crate::db::models::{TimelineRow, from_db_time};
use crate::db::schema::timeline_events;
use crate::db::{DbConnection, MultiBackend};
use crate::domain::events::Visibility;
use crate::domain::{Actor, CaseId};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};
use crate::state::Env;

pub use super::entry::TimelineEntry;

page_of!(
    /// A page of timeline entries, oldest first.
    TimelinePage,
    TimelineEntry
);

/// The query behind [`list`]: case `id`'s entries of the `readable`
/// visibilities after entry `after`, oldest first, one more than `limit`.
pub fn page_query(
    id: CaseId,
    readable: Vec<Visibility>,
    after: Option<i64>,
    limit: i64,
) -> timeline_events::BoxedQuery<'static, MultiBackend> {
    let mut q = timeline_events::table
        .filter(timeline_events::case_id.eq(id))
        .filter(timeline_events::visibility.eq_any(readable))
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(timeline_events::id.gt(a));
    }
    q.order(timeline_events::id.asc()).limit(limit + 1)
}

/// The timeline of case `id`, oldest first, as far as the actor may see it.
pub fn list(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    page: &Page,
) -> ApiResult<TimelinePage> {
    let after = match &page.after {
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| ApiError::BadRequest("cursor is not one this API issued".into()))?,
        ),
        None => None,
    };
    let (_, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    let readable = Visibility::readable_by(standing.party());
    let rows: Vec<TimelineRow> = page_query(id, readable, after, page.limit).load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |e| e.id.to_string());
    // A party does not see the entries of files hidden from them (the
    // cursor still moves past them, so a page may hold fewer items).
    let hidden = match standing.party() {
        Some(_) if rows.iter().any(|e| e.kind.starts_with("evidence_")) => {
            super::evidence::hidden_from(conn, id, actor)?
        }
        _ => Vec::new(),
    };
    let names = names(conn, rows.iter().filter_map(|e| e.actor_id).collect())?;
    let items = rows
        .into_iter()
        .map(|e| {
            Ok(TimelineEntry {
                id: e.id,
                kind: e.kind,
                actor: e.actor_id.map(|a| person_ref(a, &names)),
                visibility: e.visibility,
                data: serde_json::from_str(&e.data).map_err(corrupt)?,
                at: from_db_time(e.created_at),
                hash: e.hash,
            })
        })
        .filter(|entry: &ApiResult<TimelineEntry>| {
            entry.as_ref().map_or(true, |e| {
                !e.data["evidence_id"]
                    .as_str()
                    .is_some_and(|f| hidden.iter().any(|h| h == f))
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(TimelinePage { items, next_cursor })
}
