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
    "at": "2026-11-22T10:05:00Z",
    "hash": "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3b5d7f9e0a2c4b6d8f1e"
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
    /// The entry's seal: a SHA-256 (hex) of its content and of the seal of
    /// the entry before it in the case, whoever may see that one. Keep the
    /// newest you have seen to show later that the timeline was not cut
    /// short (`GET /cases/{case_id}/timeline/verify` checks the chain).
    /// `null` only for an entry recorded before sealing began and not yet
    /// sealed by the background job.
    pub hash: Option<String>,
}
