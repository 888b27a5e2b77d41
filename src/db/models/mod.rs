//! Rows as read (`X`) and forms as written (`NewX`, `XChanges`).

mod case;
mod category;
mod desk;
mod evidence;
mod feedback;
mod message;
mod obligation;
mod outbox;
mod ruling;
mod service_policy;
mod timeline;
mod token;
mod user;
mod webhook;

pub use case::{CaseChanges, CaseRow, NewCase};
pub use category::{CategoryRow, NewCategory};
pub use desk::{CaseTagRow, ConflictRow, ProfileRow, RuleVersionRow, TemplateRow, TriageRuleRow};
pub use evidence::EvidenceRow;
pub use feedback::FeedbackRow;
pub use message::MessageRow;
pub use obligation::ObligationRow;
pub use outbox::OutboxRow;
pub use ruling::{AppealRow, RulingRow};
pub use service_policy::ServicePolicyRow;
pub use timeline::TimelineRow;
pub use token::{NewToken, TokenRow};
pub use user::{NewUser, UserRow};
pub use webhook::{AttemptRow, DeliveryRow, WebhookRow};

use chrono::{DateTime, NaiveDateTime, Utc};

/// Timestamps are stored as UTC without a zone.
pub fn to_db_time(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// Reads a stored UTC timestamp.
pub fn from_db_time(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}
