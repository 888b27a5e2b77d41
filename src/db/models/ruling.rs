use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::ruling::{AppealDecision, Outcome};
use crate::domain::{CaseId, Party, UserId};

use crate::db::schema::{appeals, rulings};

/// A ruling; written once, never changed.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rulings)]
pub struct RulingRow {
    pub id: String,
    pub case_id: CaseId,
    pub mediator_id: Option<UserId>,
    pub kind: String,
    pub outcome: Outcome,
    pub rationale: String,
    pub rules_cited: String,
    pub sanctions: String,
    pub remedies: String,
    pub appealable: bool,
    pub created_at: NaiveDateTime,
    /// JSON array of the rule versions cited, as they read.
    pub cited_rules: String,
}

/// An appeal and, once decided, its decision.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = appeals)]
pub struct AppealRow {
    pub id: String,
    pub case_id: CaseId,
    pub party: Party,
    pub appellant_id: UserId,
    pub grounds: String,
    pub decision: Option<AppealDecision>,
    pub decision_rationale: Option<String>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}
