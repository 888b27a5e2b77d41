use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::{CategoryId, Priority};

use crate::db::schema::categories;

/// A category as stored.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub default_priority: Priority,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub auto_assign: bool,
    pub first_response_hours: Option<i32>,
}

/// A category to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = categories)]
pub struct NewCategory {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub default_priority: Priority,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub auto_assign: bool,
    pub first_response_hours: Option<i32>,
}
