use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::access::Actor;
use super::view::{CaseSummary, summaries};
use crate::auth::Caller;
use crate::db::models::{CaseRow, to_db_time};
use crate::db::schema::{cases, categories};
use crate::domain::{CaseState, Priority, Role, Scope};
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::routes::pagination::{self, page_of};
use crate::startup::AppState;

page_of!(
    /// A page of cases, newest first.
    CasePage,
    CaseSummary
);

/// Filters for listing cases; all optional and combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    /// Only cases in this state.
    pub state: Option<CaseState>,
    /// Only cases in this category (slug).
    pub category: Option<String>,
    /// Only cases of this priority.
    pub priority: Option<Priority>,
    /// Only cases assigned to this mediator.
    pub mediator_id: Option<uuid::Uuid>,
    /// Only cases where this user is complainant or respondent.
    pub party_id: Option<uuid::Uuid>,
    /// Only cases filed at or after this time (RFC 3339).
    pub created_after: Option<DateTime<Utc>>,
    /// Only cases filed before this time (RFC 3339).
    pub created_before: Option<DateTime<Utc>>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List the cases the caller may see: members their own, mediators theirs
/// and those in intake, leads and admins all.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_cases",
    params(CaseFilter),
    responses((status = 200, description = "A page of cases", body = CasePage), ReadErrors)
)]
#[get("/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<CaseFilter>,
) -> ApiResult<web::Json<CasePage>> {
    caller.require_scope(Scope::CasesRead)?;
    let f = filter.into_inner();
    let limit = pagination::limit(f.limit)?;
    let before = pagination::decode(f.cursor.as_deref())?;
    let actor = Actor::from(&caller);
    let settings = state.settings.clone();
    let me = caller.user_id.to_db();
    let role = caller.role;
    let page = state
        .db
        .read(move |conn| {
            let mut q = cases::table.into_boxed();
            let party = cases::complainant_id
                .eq(me.clone())
                .or(cases::respondent_id.eq(me.clone()));
            q = match role {
                Role::Member => q.filter(party),
                Role::Mediator => q.filter(
                    party
                        .or(cases::assigned_mediator_id.eq(me.clone()))
                        .or(cases::ruling_mediator_id.eq(me.clone()))
                        .or(cases::state.eq(CaseState::Intake.as_str())),
                ),
                Role::Lead | Role::Admin => q,
            };
            if let Some(s) = f.state {
                q = q.filter(cases::state.eq(s.as_str()));
            }
            if let Some(slug) = f.category {
                let ids = categories::table
                    .filter(categories::slug.eq(slug))
                    .select(categories::id);
                q = q.filter(cases::category_id.eq_any(ids));
            }
            if let Some(p) = f.priority {
                q = q.filter(cases::priority.eq(p.as_str()));
            }
            if let Some(m) = f.mediator_id {
                q = q.filter(cases::assigned_mediator_id.eq(m.hyphenated().to_string()));
            }
            if let Some(p) = f.party_id {
                let p = p.hyphenated().to_string();
                q = q.filter(
                    cases::complainant_id
                        .eq(p.clone())
                        .or(cases::respondent_id.eq(p)),
                );
            }
            if let Some(t) = f.created_after {
                q = q.filter(cases::created_at.ge(to_db_time(t)));
            }
            if let Some(t) = f.created_before {
                q = q.filter(cases::created_at.lt(to_db_time(t)));
            }
            if let Some(b) = before {
                q = q.filter(cases::id.lt(b));
            }
            let rows: Vec<CaseRow> = q.order(cases::id.desc()).limit(limit + 1).load(conn)?;
            let (rows, next_cursor) = pagination::split(rows, limit, |c| c.id.clone());
            let items = summaries(conn, rows, &actor, &settings)?;
            Ok(CasePage { items, next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}
