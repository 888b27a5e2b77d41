use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::events::Visibility;
use crate::domain::{CaseId, UserId};

use crate::db::schema::timeline_events;

/// A timeline event as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = timeline_events)]
pub struct TimelineRow {
    pub id: i64,
    pub case_id: CaseId,
    pub actor_id: Option<UserId>,
    pub kind: String,
    pub visibility: Visibility,
    pub data: String,
    pub created_at: NaiveDateTime,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub data_digest: Option<String>,
    pub salt: Option<String>,
}
