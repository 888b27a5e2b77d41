use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::db::models::{TimelineRow, from_db_time};
use crate::db::schema::timeline_events;
use crate::domain::{CaseId, Scope};
use crate::error::{ApiError, ApiResult};
use crate::events::Visibility;
use crate::routes::cases::access::{Actor, load_visible};
use crate::routes::cases::view::{PersonRef, names, person_ref};
use crate::routes::docs::ReadErrors;
use crate::routes::pagination::{self, page_of};
use crate::startup::AppState;

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "kind": "assign", "actor": {"id": "0192f0c4-5555-7a21-9d0b-5c1e8f2a3b4c", "name": "Lee Lead"},
    "visibility": "all_parties",
    "data": {"mediator_id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "mediator_name": "Mia Mediator", "from": "intake", "to": "assigned"},
    "at": "2026-11-22T10:05:00Z"
}))]
pub struct TimelineEntry {
    /// Position in the timeline (increasing).
    pub id: i64,
    /// What happened: `case_filed`, an action name, `message_posted`, `info_provided`.
    pub kind: String,
    /// Who did it; absent for the system.
    pub actor: Option<PersonRef>,
    /// Who may see this entry.
    pub visibility: Visibility,
    /// Details; actions carry `from` and `to` states.
    pub data: serde_json::Value,
    /// When.
    pub at: DateTime<Utc>,
}

page_of!(
    /// A page of timeline entries, oldest first.
    TimelinePage,
    TimelineEntry
);

/// Paging through a timeline.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The timeline of a case, oldest first, filtered by what the caller may see.
#[utoipa::path(
    tag = "timeline",
    operation_id = "list_timeline",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), TimelineQuery),
    responses((status = 200, description = "A page of the timeline", body = TimelinePage), ReadErrors)
)]
#[get("/cases/{case_id}/timeline")]
pub async fn list_timeline(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    query: web::Query<TimelineQuery>,
) -> ApiResult<web::Json<TimelinePage>> {
    caller.require_scope(Scope::CasesRead)?;
    let case_id = CaseId(path.into_inner());
    let limit = pagination::limit(query.limit)?;
    let after = match pagination::decode(query.cursor.as_deref())? {
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| ApiError::BadRequest("cursor is not one this API issued".into()))?,
        ),
        None => None,
    };
    let actor = Actor::from(&caller);
    let page = state
        .db
        .read(move |conn| {
            let (_, rel) = load_visible(conn, &actor, case_id)?;
            let readable = Visibility::readable_names(rel.party());
            let mut q = timeline_events::table
                .filter(timeline_events::case_id.eq(case_id.to_db()))
                .filter(timeline_events::visibility.eq_any(readable))
                .into_boxed();
            if let Some(a) = after {
                q = q.filter(timeline_events::id.gt(a));
            }
            let rows: Vec<TimelineRow> = q
                .order(timeline_events::id.asc())
                .limit(limit + 1)
                .load(conn)?;
            let (rows, next_cursor) = pagination::split(rows, limit, |e| e.id.to_string());
            let names = names(
                conn,
                rows.iter().filter_map(|e| e.actor_id.clone()).collect(),
            )?;
            let items = rows
                .into_iter()
                .map(|e| {
                    let actor = e
                        .actor_id
                        .as_deref()
                        .map(|a| person_ref(a, &names))
                        .transpose()?;
                    Ok(TimelineEntry {
                        id: e.id,
                        kind: e.kind,
                        actor,
                        visibility: Visibility::parse(&e.visibility)
                            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("bad visibility")))?,
                        data: serde_json::from_str(&e.data).map_err(anyhow::Error::from)?,
                        at: from_db_time(e.created_at),
                    })
                })
                .collect::<ApiResult<_>>()?;
            Ok(TimelinePage { items, next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}
