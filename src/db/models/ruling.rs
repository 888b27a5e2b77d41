use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{appeals, rulings};

/// A ruling; written once, never changed.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rulings)]
pub struct RulingRow {
    pub id: String,
    pub case_id: String,
    pub mediator_id: Option<String>,
    pub kind: String,
    pub outcome: String,
    pub rationale: String,
    pub rules_cited: String,
    pub sanctions: String,
    pub remedies: String,
    pub appealable: bool,
    pub created_at: NaiveDateTime,
}

/// An appeal and, once decided, its decision.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = appeals)]
pub struct AppealRow {
    pub id: String,
    pub case_id: String,
    pub party: String,
    pub appellant_id: String,
    pub grounds: String,
    pub decision: Option<String>,
    pub decision_rationale: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}
