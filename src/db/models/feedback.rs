use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::case_feedback;
use crate::domain::{CaseId, Party, UserId};

/// A party's rating of a closed case; written and read with the same shape.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_feedback)]
pub struct FeedbackRow {
    pub case_id: CaseId,
    pub party: Party,
    pub user_id: UserId,
    pub rating: i32,
    pub comment: String,
    pub created_at: NaiveDateTime,
}
