//! One entry of a case's timeline as the API shows it: in the timeline
//! and, as staff see it, in a webhook's body. A leaf: the timeline, the
//! recording of events and the views all use it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::view::PersonRef;
use crate::domain::events::Visibility;

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "kind": "assign", "actor": {"id": "0192f0c4-5555-7a21-9d0b-5c1e8f2a3b4c", "name": "Lee Lead"},
    "visibility": "all_parties",
    "data": {"mediator_id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "mediator_name": "Mia Mediator", "from": "intake", "to": "assigned"},
    "at": "2026-11-22T10:05:00Z"
}))]
pub struct TimelineEntry {
    /// Position in the timeline (increasing).
    pub id: i64,
    /// What happened: `case_filed`, an action name, `message_posted`, `info_provided`.
    pub kind: String,
    /// Who did it; `null` for the system.
    pub actor: Option<PersonRef>,
    /// Who may see this entry.
    pub visibility: Visibility,
    /// Details; actions carry `from` and `to` states.
    pub data: serde_json::Value,
    /// When.
    pub at: DateTime<Utc>,
}
