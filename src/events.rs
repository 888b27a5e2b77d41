//! The one place where something that happened to a case is recorded: the
//! timeline entry and the outbox rows of the mail it causes are written
//! here, inside the caller's transaction, so they commit with the change
//! that caused them or not at all.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::models::{NewTimelineEvent, to_db_time};
use crate::db::schema::timeline_events;
use crate::domain::{CaseId, UserId};
use crate::error::ApiResult;

/// Who may see a message or a timeline entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Both parties and staff.
    #[default]
    AllParties,
    /// The complainant and staff.
    Complainant,
    /// The respondent and staff.
    Respondent,
    /// Staff only.
    Internal,
}

impl Visibility {
    /// Every visibility.
    pub const ALL: [Visibility; 4] = [
        Visibility::AllParties,
        Visibility::Complainant,
        Visibility::Respondent,
        Visibility::Internal,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::AllParties => "all_parties",
            Visibility::Complainant => "complainant",
            Visibility::Respondent => "respondent",
            Visibility::Internal => "internal",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// [`Visibility::readable_by`] as stored names, for queries.
    pub fn readable_names(party: Option<crate::domain::Party>) -> Vec<&'static str> {
        Visibility::readable_by(party)
            .into_iter()
            .map(Visibility::as_str)
            .collect()
    }

    /// The visibilities a viewer may read: staff read all; a party reads what
    /// is for both parties and what is for their side.
    pub fn readable_by(party: Option<crate::domain::Party>) -> Vec<Visibility> {
        use crate::domain::Party;
        match party {
            None => Visibility::ALL.to_vec(),
            Some(Party::Complainant) => vec![Visibility::AllParties, Visibility::Complainant],
            Some(Party::Respondent) => vec![Visibility::AllParties, Visibility::Respondent],
        }
    }
}

/// Something that happened to a case.
#[derive(Debug, Clone)]
pub struct CaseEvent {
    /// The case.
    pub case_id: CaseId,
    /// Who did it; `None` for the system.
    pub actor: Option<UserId>,
    /// What happened (`case_filed`, an action name, `message_posted`).
    pub kind: String,
    /// Who may see the timeline entry.
    pub visibility: Visibility,
    /// Details, shown on the timeline.
    pub data: serde_json::Value,
    /// When.
    pub at: DateTime<Utc>,
}

/// Records `event` in the caller's transaction: its timeline entry and the
/// mail it causes.
pub fn record(conn: &mut DbConnection, settings: &Settings, event: &CaseEvent) -> ApiResult<()> {
    diesel::insert_into(timeline_events::table)
        .values(NewTimelineEvent {
            case_id: event.case_id.to_db(),
            actor_id: event.actor.map(UserId::to_db),
            kind: event.kind.clone(),
            visibility: event.visibility.as_str().to_string(),
            data: event.data.to_string(),
            created_at: to_db_time(event.at),
        })
        .execute(conn)?;
    crate::notify::enqueue(conn, settings, event)?;
    Ok(())
}
