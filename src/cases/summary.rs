//! How a case looks in a list: the summary, built for many cases at once
//! with one query for their people and one for their categories.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::context::facts_of;
use super::view::{PersonRef, moves, names, person, person_ref, respondent_id};
use crate::db::DbConnection;
use crate::db::models::{CaseRow, from_db_time};
use crate::db::schema::categories;
use crate::domain::waiting::WaitingOn;
use crate::domain::{Action, Actor, CaseState, CategoryId, Priority, Standing, UserId};
use crate::error::ApiResult;
use crate::state::Env;

/// A case in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "reference": "OMB-2026-000042", "title": "Order never arrived",
    "category": "delivery", "priority": "normal", "state": "intake",
    "complainant": {"id": "0192f0c4-2222-7a21-9d0b-5c1e8f2a3b4c", "name": "Ann Example"},
    "respondent": {"id": null, "name": "Shop Ltd"}, "mediator": null,
    "waiting_on": {"who": "lead", "what": "triage and assignment to a mediator", "deadline": null, "on_you": true},
    "allowed_actions": ["assign", "dismiss"], "version": 1,
    "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z"
}))]
pub struct CaseSummary {
    /// Case id.
    pub id: uuid::Uuid,
    /// Human reference.
    pub reference: String,
    /// Short title.
    pub title: String,
    /// Category slug.
    pub category: String,
    /// Priority.
    pub priority: Priority,
    /// Lifecycle state.
    pub state: CaseState,
    /// Who filed it.
    pub complainant: PersonRef,
    /// Who it is about.
    pub respondent: PersonRef,
    /// The assigned mediator.
    pub mediator: Option<PersonRef>,
    /// What the case is waiting for.
    pub waiting_on: Option<WaitingOn>,
    /// What the caller may do now.
    pub allowed_actions: Vec<Action>,
    /// When the first answer is due (none without a service-level policy).
    pub first_response_due: Option<DateTime<Utc>>,
    /// When a full answer is due.
    pub resolution_due: Option<DateTime<Utc>>,
    /// When staff first answered.
    pub first_response_at: Option<DateTime<Utc>>,
    /// Where the case stands against its service level (staff only, and
    /// only when a policy applies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_level: Option<super::service_clock::ServiceLevelView>,
    /// Version (`ETag` `"v{version}"`).
    pub version: i64,
    /// When it was filed.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// List summaries for `rows`, each for the actor's standing on it.
pub fn summaries(
    conn: &mut DbConnection,
    rows: Vec<CaseRow>,
    actor: &Actor,
    env: &Env,
) -> ApiResult<Vec<CaseSummary>> {
    let ids = rows
        .iter()
        .flat_map(|r| {
            [
                Some(r.complainant_id),
                r.respondent_id,
                r.assigned_mediator_id,
            ]
        })
        .flatten()
        .collect();
    let names = names(conn, ids)?;
    let wanted: Vec<CategoryId> = rows.iter().map(|r| r.category_id).collect();
    let cats: Vec<(CategoryId, String)> = categories::table
        .filter(categories::id.eq_any(wanted))
        .select((categories::id, categories::slug))
        .load(conn)?;
    let cats: HashMap<CategoryId, String> = cats.into_iter().collect();
    let name = |id: UserId| names.get(&id).cloned().unwrap_or_default();
    rows.into_iter()
        .map(|row| {
            let facts = facts_of(&row, env.now, env.settings.reopen_period_days);
            let standing = Standing::of(actor, &facts.people);
            let (allowed_actions, waiting_on) = moves(&facts, &standing);
            Ok(CaseSummary {
                id: row.id.0,
                category: cats.get(&row.category_id).cloned().unwrap_or_default(),
                priority: row.priority,
                state: facts.state,
                complainant: person_ref(row.complainant_id, &names),
                respondent: PersonRef {
                    id: respondent_id(&facts, &standing),
                    name: row.respondent_name.clone(),
                },
                mediator: person(facts.people.mediator, name),
                waiting_on,
                allowed_actions,
                first_response_due: row.first_response_due.map(from_db_time),
                resolution_due: row.resolution_due.map(from_db_time),
                first_response_at: row.first_response_at.map(from_db_time),
                service_level: super::service_clock::view(&row, &standing),
                version: row.version,
                created_at: from_db_time(row.created_at),
                updated_at: from_db_time(row.updated_at),
                reference: row.reference,
                title: row.title,
            })
        })
        .collect()
}
