use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::evidence;
use crate::domain::events::Visibility;
use crate::domain::{CaseId, EvidenceId, UserId};

/// A piece of evidence on a case; written and read with the same shape.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: EvidenceId,
    pub case_id: CaseId,
    pub uploaded_by: UserId,
    pub visibility: Visibility,
    pub file_name: String,
    pub description: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
    pub hidden_at: Option<NaiveDateTime>,
    pub hidden_by: Option<UserId>,
    pub hidden_reason: Option<String>,
    pub redacted_at: Option<NaiveDateTime>,
}
