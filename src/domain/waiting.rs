//! What a case is waiting for, derived from its state: the answer to
//! "whose move is it?" that every case representation carries.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::lifecycle::{CaseFacts, CaseState, Party, PerParty, Standing};

/// Who the case is waiting on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitingWho {
    /// The complainant.
    Complainant,
    /// The respondent.
    Respondent,
    /// Both parties.
    Parties,
    /// The assigned mediator.
    Mediator,
    /// A lead (triage, assignment, appeal decisions).
    Lead,
}

crate::domain::wire_names!(WaitingWho, "waiting on" {
    Complainant => "complainant",
    Respondent => "respondent",
    Parties => "parties",
    Mediator => "mediator",
    Lead => "lead",
});

/// What a case that has ended waits on, as stored (`cases.waiting_on`).
pub const NOBODY: &str = "nobody";

/// The deadline stored for a case that waits on none (`cases.due_at`), so
/// that "most urgent" is one ascending order with every deadline first.
pub fn no_deadline() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .unwrap_or(chrono::NaiveDate::MAX)
        .and_time(chrono::NaiveTime::MIN)
}

/// Whose move a case waits for and the deadline it waits on, as stored
/// for the queues and the urgent order (`cases.waiting_on`, `cases.due_at`).
pub fn queue_slot(facts: &CaseFacts) -> (&'static str, chrono::NaiveDateTime) {
    match waiting_on(facts, &Standing::System) {
        Some(w) => (
            w.who.as_str(),
            w.deadline.map_or_else(no_deadline, |d| d.naive_utc()),
        ),
        None => (NOBODY, no_deadline()),
    }
}

/// What the case needs next, from whom, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"who": "respondent", "what": "information requested by the mediator", "deadline": "2026-12-01T17:00:00Z", "on_you": false}))]
pub struct WaitingOn {
    /// Who must act.
    pub who: WaitingWho,
    /// What they must do.
    pub what: String,
    /// When it is due, if there is a deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// Whether the caller is (one of) the ones being waited on.
    pub on_you: bool,
}

/// Derives what the case is waiting on, as seen by someone of `standing`.
pub fn waiting_on(facts: &CaseFacts, standing: &Standing) -> Option<WaitingOn> {
    let parties_left = |done: PerParty| match (done.complainant, done.respondent) {
        (false, false) => WaitingWho::Parties,
        (true, false) => WaitingWho::Respondent,
        _ => WaitingWho::Complainant,
    };
    let (who, what, deadline) = match facts.state {
        // Staff are waited on by the service level's next deadline, if any.
        CaseState::Intake => (
            WaitingWho::Lead,
            "triage and assignment to a mediator",
            facts.service_due,
        ),
        CaseState::Assigned => (
            WaitingWho::Mediator,
            "the mediator to start the investigation",
            facts.service_due,
        ),
        CaseState::Investigation => match facts.info_request {
            Some(req) => (
                match req.party {
                    Party::Complainant => WaitingWho::Complainant,
                    Party::Respondent => WaitingWho::Respondent,
                },
                "information requested by the mediator",
                Some(req.deadline),
            ),
            None if facts.settlement_open => (
                parties_left(facts.accepted_settlement),
                "an answer to the settlement proposal",
                None,
            ),
            None => (
                WaitingWho::Mediator,
                "the investigation and a ruling",
                facts.service_due,
            ),
        },
        CaseState::Ruling => (
            parties_left(facts.accepted_ruling),
            "acceptance or appeal of the ruling",
            facts.appeal_deadline,
        ),
        // A lead decides, or the mediator a lead gave the appeal to (never the one who ruled).
        CaseState::Appeal => match facts.people.mediator {
            Some(m) if Some(m) != facts.people.ruling_mediator => {
                (WaitingWho::Mediator, "a decision on the appeal", None)
            }
            _ => (WaitingWho::Lead, "a decision on the appeal", None),
        },
        CaseState::FollowUp => (
            WaitingWho::Mediator,
            "follow-up on compliance and closing",
            None,
        ),
        CaseState::Closed | CaseState::Withdrawn | CaseState::Dismissed => return None,
    };
    let on_you = match who {
        WaitingWho::Complainant => standing.party() == Some(Party::Complainant),
        WaitingWho::Respondent => standing.party() == Some(Party::Respondent),
        WaitingWho::Parties => standing.party().is_some(),
        WaitingWho::Mediator => standing.is_in_charge(),
        WaitingWho::Lead => standing.is_supervisor(),
    };
    Some(WaitingOn {
        who,
        what: what.to_string(),
        deadline,
        on_you,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Role, UserId};
    use chrono::Duration;

    #[test]
    fn no_deadline_is_the_one_the_migration_stores() {
        assert_eq!(no_deadline().to_string(), "9999-12-31 00:00:00");
    }

    #[test]
    fn an_appeal_waits_on_the_mediator_a_lead_gave_it_to() {
        let (ruled, reviewer) = (UserId::new(), UserId::new());
        let mut f = CaseFacts::new(CaseState::Appeal, Utc::now(), Duration::days(30));
        f.people.mediator = Some(ruled);
        f.people.ruling_mediator = Some(ruled);
        let lead = Standing::Staff {
            role: Role::Lead,
            assigned: false,
            ruled: false,
        };
        let w = waiting_on(&f, &lead).unwrap();
        assert_eq!((w.who, w.on_you), (WaitingWho::Lead, true));
        f.people.mediator = Some(reviewer);
        let them = Standing::Staff {
            role: Role::Mediator,
            assigned: true,
            ruled: false,
        };
        let w = waiting_on(&f, &them).unwrap();
        assert_eq!((w.who, w.on_you), (WaitingWho::Mediator, true));
    }
}
