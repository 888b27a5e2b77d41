use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::messages;

/// A message on a case; written and read with the same shape.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: String,
    pub case_id: String,
    pub author_id: String,
    pub visibility: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}
