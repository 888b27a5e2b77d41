use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::service_policies;
use crate::domain::{CategoryId, Priority};

/// A service-level policy; written and read with the same shape.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = service_policies)]
pub struct ServicePolicyRow {
    pub id: String,
    /// `<priority>/<category id or *>`: one policy per pair.
    pub scope: String,
    pub priority: Priority,
    pub category_id: Option<CategoryId>,
    pub first_response_minutes: i32,
    pub resolution_minutes: i32,
    /// Working hours as `desk_hours` writes them; empty: round the clock.
    pub hours: String,
    pub time_zone: String,
    /// JSON array of local dates (`YYYY-MM-DD`).
    pub holidays: String,
    pub warn_percent: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
