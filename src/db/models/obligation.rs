use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::obligations;
use crate::domain::follow_up::{ObligationPart, ObligationStatus};
use crate::domain::{CaseId, EvidenceId, UserId};

/// A remedy or sanction of a case's final ruling and where it stands;
/// written and read with the same shape.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = obligations)]
pub struct ObligationRow {
    pub id: String,
    pub case_id: CaseId,
    pub ruling_id: String,
    pub part: ObligationPart,
    pub position: i32,
    pub kind: String,
    pub description: String,
    pub duration_days: Option<i32>,
    pub due_at: NaiveDateTime,
    pub status: ObligationStatus,
    pub note: Option<String>,
    pub evidence_id: Option<EvidenceId>,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub updated_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
