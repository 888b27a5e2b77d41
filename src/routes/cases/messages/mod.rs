//! Messages on a case, each with a visibility.

pub mod list_messages;
pub mod post_message;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::view::PersonRef;
use crate::events::Visibility;

/// A message as its reader sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-4444-7a21-9d0b-5c1e8f2a3b4c",
    "author": {"id": "0192f0c4-2222-7a21-9d0b-5c1e8f2a3b4c", "name": "Ann Example"},
    "visibility": "all_parties", "body": "The tracking number is 00340434.", "created_at": "2026-11-23T09:00:00Z"
}))]
pub struct MessageView {
    /// Message id.
    pub id: uuid::Uuid,
    /// Who wrote it.
    pub author: PersonRef,
    /// Who may read it.
    pub visibility: Visibility,
    /// The text.
    pub body: String,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}
