//! What a ruling holds: outcome, sanctions, remedies; and the appeal decision
//! and dismissal reasons.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How the complaint was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Outcome {
    /// The complaint is upheld.
    Upheld,
    /// The complaint is upheld in part.
    PartiallyUpheld,
    /// The complaint is not upheld.
    NotUpheld,
    /// Both parties accepted a settlement.
    Settled,
}

crate::domain::wire_names!(Outcome, "outcome" {
    Upheld => "upheld",
    PartiallyUpheld => "partially_upheld",
    NotUpheld => "not_upheld",
    Settled => "settled",
});

/// A sanction on the respondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SanctionKind {
    /// A formal warning.
    Warning,
    /// Removal of the content complained about.
    ContentRemoval,
    /// A temporary restriction (needs `duration_days`).
    Restriction,
    /// A temporary suspension (needs `duration_days`).
    Suspension,
    /// A permanent ban.
    Ban,
}

/// One sanction of a ruling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "suspension", "duration_days": 7, "note": "No posting for a week"}))]
pub struct Sanction {
    /// What kind of sanction.
    pub kind: SanctionKind,
    /// How long it lasts, in days; required for restriction and suspension, refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 3650)]
    pub duration_days: Option<u32>,
    /// A note on the sanction, shown to both parties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

impl Sanction {
    /// Checks the duration rule; returns the problem, if any.
    pub fn check(&self) -> Result<(), String> {
        let needs = matches!(
            self.kind,
            SanctionKind::Restriction | SanctionKind::Suspension
        );
        match (needs, self.duration_days) {
            (true, None) => Err("restriction and suspension need duration_days".into()),
            (true, Some(d)) if !(1..=3650).contains(&d) => {
                Err("duration_days must be between 1 and 3650".into())
            }
            (false, Some(_)) => Err("only restriction and suspension take duration_days".into()),
            _ if self.note.as_ref().is_some_and(|n| n.chars().count() > 2000) => {
                Err("note must be at most 2000 characters".into())
            }
            _ => Ok(()),
        }
    }
}

/// A remedy the respondent owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    /// An apology.
    Apology,
    /// A correction of what was said or published.
    Correction,
    /// A refund.
    Refund,
    /// Anything else, described.
    Other,
}

/// One remedy of a ruling, with a due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "refund", "description": "Refund the order in full", "due_at": "2026-12-15T00:00:00Z"}))]
pub struct Remedy {
    /// What kind of remedy.
    pub kind: RemedyKind,
    /// What exactly is owed.
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
}

impl Remedy {
    /// Checks the description as free text (see `Checker::text`).
    pub fn check(&self) -> Result<(), String> {
        super::parse::Checker::one_text("description", &self.description, 2000)
            .map(|_| ())
            .map_err(|errors| {
                let what = errors
                    .first()
                    .map(|e| e.message.as_str())
                    .unwrap_or_default();
                format!("description {what}")
            })
    }
}

/// How an appeal was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum AppealDecision {
    /// The ruling stands.
    Uphold,
    /// The ruling is changed (needs a new outcome).
    Amend,
    /// The ruling is reversed (needs a new outcome).
    Overturn,
}

crate::domain::wire_names!(AppealDecision, "appeal decision" {
    Uphold => "uphold",
    Amend => "amend",
    Overturn => "overturn",
});

/// Why a case was dismissed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DismissalReason {
    /// Not something this service handles.
    OutOfScope,
    /// The same complaint was filed before.
    Duplicate,
    /// The complaint is abusive or made in bad faith.
    Abusive,
    /// Anything else, explained in the detail.
    Other,
}

crate::domain::wire_names!(DismissalReason, "dismissal reason" {
    OutOfScope => "out_of_scope",
    Duplicate => "duplicate",
    Abusive => "abusive",
    Other => "other",
});
