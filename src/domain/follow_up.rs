//! Follow-up: what the final ruling asks for, one obligation per remedy and
//! per sanction, and where each stands.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether an obligation is a remedy the respondent owes or a sanction on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum ObligationPart {
    /// A remedy (apology, correction, refund, other), due by its date.
    Remedy,
    /// A sanction (warning, content removal, restriction, suspension, ban),
    /// to be put in place within `sanction_due_hours` of follow-up starting.
    Sanction,
}

crate::domain::wire_names!(ObligationPart, "obligation part" {
    Remedy => "remedy",
    Sanction => "sanction",
});

/// Where an obligation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum ObligationStatus {
    /// Not done yet, and not yet due.
    Pending,
    /// Carried out (a sanction: put in place), with a note.
    Done,
    /// Its due date passed while it was pending (set by the scan); it can
    /// still be recorded done or waived.
    Overdue,
    /// No longer required, with the reason.
    Waived,
}

crate::domain::wire_names!(ObligationStatus, "obligation status" {
    Pending => "pending",
    Done => "done",
    Overdue => "overdue",
    Waived => "waived",
});

impl ObligationStatus {
    /// Still waiting on someone (pending or overdue).
    pub fn is_open(self) -> bool {
        matches!(self, ObligationStatus::Pending | ObligationStatus::Overdue)
    }
}

/// What staff may record of an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// It was carried out.
    Done,
    /// It is no longer required.
    Waived,
}

impl From<Resolution> for ObligationStatus {
    fn from(r: Resolution) -> ObligationStatus {
        match r {
            Resolution::Done => ObligationStatus::Done,
            Resolution::Waived => ObligationStatus::Waived,
        }
    }
}
