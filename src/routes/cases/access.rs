//! Who is acting on a case and how they relate to it; the facts the
//! lifecycle needs, read off a stored case.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::auth::Caller;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::models::{CaseRow, from_db_time};
use crate::db::schema::cases;
use crate::domain::lifecycle::PerParty;
use crate::domain::waiting::InfoRequest;
use crate::domain::{CaseFacts, CaseId, CaseState, Relation, Role, UserId};
use crate::error::{ApiError, ApiResult};

/// Whoever takes an action: a signed-in user, or the system itself.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user; `None` for the system.
    pub user: Option<UserId>,
    /// Their role; `None` for the system.
    pub role: Option<Role>,
}

impl Actor {
    /// The system, for background jobs.
    pub fn system() -> Actor {
        Actor {
            user: None,
            role: None,
        }
    }
}

impl From<&Caller> for Actor {
    fn from(c: &Caller) -> Actor {
        Actor {
            user: Some(c.user_id),
            role: Some(c.role),
        }
    }
}

/// How `actor` stands to the case in `row`.
pub fn relation(actor: &Actor, row: &CaseRow) -> Relation {
    let Some(me) = actor.user.map(UserId::to_db) else {
        return Relation::system();
    };
    let is = |v: &Option<String>| v.as_deref() == Some(me.as_str());
    Relation {
        role: actor.role,
        complainant: row.complainant_id == me,
        respondent: is(&row.respondent_id),
        assigned_mediator: is(&row.assigned_mediator_id),
        ruling_mediator: is(&row.ruling_mediator_id),
    }
}

/// The state of a stored case.
pub fn state_of(row: &CaseRow) -> ApiResult<CaseState> {
    row.state
        .parse()
        .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))
}

/// What the lifecycle needs to know about the case, as of `now`.
pub fn facts(row: &CaseRow, now: DateTime<Utc>, settings: &Settings) -> ApiResult<CaseFacts> {
    Ok(CaseFacts {
        state: state_of(row)?,
        now,
        appeal_deadline: row.appeal_deadline.map(from_db_time),
        ruling_appealable: row.ruling_appealable,
        appealed: PerParty {
            complainant: row.appealed_complainant,
            respondent: row.appealed_respondent,
        },
        accepted_ruling: PerParty {
            complainant: row.ruling_accepted_complainant,
            respondent: row.ruling_accepted_respondent,
        },
        settlement_open: row.settlement_open,
        accepted_settlement: PerParty {
            complainant: row.settlement_accepted_complainant,
            respondent: row.settlement_accepted_respondent,
        },
        closed_at: row.closed_at.map(from_db_time),
        reopen_period: Duration::days(settings.reopen_period_days),
    })
}

/// The open request for information, if any.
pub fn info_request(row: &CaseRow) -> Option<InfoRequest> {
    let party = row.info_party.as_deref()?.parse().ok()?;
    Some(InfoRequest {
        party,
        deadline: from_db_time(row.info_deadline?),
    })
}

/// Loads a case the actor may see; 404 otherwise, exactly as if it did not exist.
pub fn load_visible(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
) -> ApiResult<(CaseRow, Relation)> {
    let row: Option<CaseRow> = cases::table.find(id.to_db()).first(conn).optional()?;
    let row = row.ok_or(ApiError::NotFound("case"))?;
    let rel = relation(actor, &row);
    if !rel.can_view(state_of(&row)?) {
        return Err(ApiError::NotFound("case"));
    }
    Ok((row, rel))
}
