//! Listing the cases a caller may see, filtered and paged.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::summary::{CaseSummary, summaries};
use crate::db::DbConnection;
use crate::db::models::{CaseRow, to_db_time};
use crate::db::schema::{cases, categories};
use crate::domain::{Actor, CaseState, Priority, Role};
use crate::error::ApiResult;
use crate::pagination::{self, Page, page_of};
use crate::state::Env;

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
}

/// The cases `actor` may see that match `f`, newest first: members their
/// own, mediators theirs and those in intake, leads and admins all.
pub fn list(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    f: CaseFilter,
    page: &Page,
) -> ApiResult<CasePage> {
    let me = actor.user.map(|u| u.to_db()).unwrap_or_default();
    let mut q = cases::table.into_boxed();
    let party = cases::complainant_id
        .eq(me.clone())
        .or(cases::respondent_id.eq(me.clone()));
    q = match actor.role.unwrap_or(Role::Admin) {
        Role::Member => q.filter(party),
        Role::Mediator => q.filter(
            party
                .or(cases::assigned_mediator_id.eq(me.clone()))
                .or(cases::ruling_mediator_id.eq(me.clone()))
                .or(cases::state.eq(CaseState::Intake)),
        ),
        Role::Lead | Role::Admin => q,
    };
    if let Some(s) = f.state {
        q = q.filter(cases::state.eq(s));
    }
    if let Some(slug) = f.category {
        let ids = categories::table
            .filter(categories::slug.eq(slug))
            .select(categories::id);
        q = q.filter(cases::category_id.eq_any(ids));
    }
    if let Some(p) = f.priority {
        q = q.filter(cases::priority.eq(p));
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
    if let Some(b) = page.after.clone() {
        q = q.filter(cases::id.lt(b));
    }
    let rows: Vec<CaseRow> = q.order(cases::id.desc()).limit(page.limit + 1).load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |c| c.id.to_db());
    let items = summaries(conn, rows, actor, env)?;
    Ok(CasePage { items, next_cursor })
}
