use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::events::Visibility;
use crate::domain::{CaseId, MessageId, UserId};

use crate::db::schema::messages;

/// A message on a case; written and read with the same shape.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: MessageId,
    pub case_id: CaseId,
    pub author_id: UserId,
    pub visibility: Visibility,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub redacted_at: Option<NaiveDateTime>,
}
