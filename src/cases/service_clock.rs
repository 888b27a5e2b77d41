//! A case's service-level clock as stored: read into the pure
//! `domain::service_level::Clock`, what every save derives from it
//! (`sla_due`, `sla_next_at`, `sla_outcome`), and where the case stands as
//! staff see it. A leaf: the save (`context.rs`) reads it, and it reads
//! nothing of the case service.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::models::{CaseRow, from_db_time};
use crate::domain::Standing;
use crate::domain::service_level::{Clock, Fired, Target, TargetStatus};

/// The service-level clock of a stored case.
pub fn clock_of(row: &CaseRow) -> Clock {
    let pair = |due: Option<NaiveDateTime>, warn: Option<NaiveDateTime>| {
        due.map(|d| (from_db_time(d), warn.map(from_db_time)))
    };
    Clock {
        first_response: pair(row.first_response_due, row.first_response_warn_at),
        resolution: pair(row.resolution_due, row.resolution_warn_at),
        answered_at: row.first_response_at.map(from_db_time),
        resolved_at: row.resolved_at.map(from_db_time),
        paused: row.sla_paused_since.is_some(),
        fired: Fired(row.sla_fired),
    }
}

/// The columns a save derives from the clock: the next deadline not yet
/// met (`sla_due`) and when the scanner next has something to record
/// (`sla_next_at`), and each target's result for the statistics
/// (`sla_outcome`).
pub fn marks(row: &CaseRow) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>, i16) {
    let clock = clock_of(row);
    (clock.next_due(), clock.next_check(), clock.outcome())
}

/// Where a case stands against its service level, as staff see it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"first_response": "met", "resolution": "warning", "resolved_at": null}))]
pub struct ServiceLevelView {
    /// The first answer: `running`, `paused`, `warning` (the policy's share
    /// of the target has gone by), `breached`, `met` or `met_late`.
    pub first_response: TargetStatus,
    /// The full answer, the same way.
    pub resolution: TargetStatus,
    /// When the case was resolved (ruled, settled, dismissed or withdrawn).
    pub resolved_at: Option<DateTime<Utc>>,
}

/// The service-level status of a case for staff (`None` for a party, or
/// without a policy).
pub fn view(row: &CaseRow, standing: &Standing) -> Option<ServiceLevelView> {
    if !matches!(standing, Standing::Staff { .. } | Standing::System) {
        return None;
    }
    let clock = clock_of(row);
    Some(ServiceLevelView {
        first_response: clock.status(Target::FirstResponse)?,
        resolution: clock.status(Target::Resolution)?,
        resolved_at: row.resolved_at.map(from_db_time),
    })
}
