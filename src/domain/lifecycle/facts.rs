//! What the lifecycle knows about a case, and the effects an action has on
//! it beyond its state, applied in one place ([`CaseFacts::apply`]).

use chrono::{DateTime, Duration, Utc};

use super::standing::Roles;
use super::types::{CaseState, Party, PerParty};
use crate::domain::UserId;

/// An open request for information to one party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfoRequest {
    /// The party asked.
    pub party: Party,
    /// The deadline for the answer.
    pub deadline: DateTime<Utc>,
    /// A final request: the complainant was told that without an answer
    /// by the deadline the case is withdrawn.
    pub last: bool,
}

/// Everything about a case that actions read or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// The current state.
    pub state: CaseState,
    /// The current time, as the caller sees it.
    pub now: DateTime<Utc>,
    /// The people the case names.
    pub people: Roles,
    /// The open request for information.
    pub info_request: Option<InfoRequest>,
    /// When the appeal window of the latest ruling closes.
    pub appeal_deadline: Option<DateTime<Utc>>,
    /// Whether the latest ruling may be appealed at all.
    pub ruling_appealable: bool,
    /// Which parties have used their one appeal against the current ruling.
    pub appealed: PerParty,
    /// Which parties have accepted the latest ruling.
    pub accepted_ruling: PerParty,
    /// Whether a settlement proposal is open.
    pub settlement_open: bool,
    /// The terms of the latest settlement proposal.
    pub settlement_terms: Option<String>,
    /// Which parties have accepted the open settlement proposal.
    pub accepted_settlement: PerParty,
    /// When the case was closed, if it is.
    pub closed_at: Option<DateTime<Utc>>,
    /// How long after closing a lead may reopen.
    pub reopen_period: Duration,
    /// Whether the case is grouped under a lead case (whose ruling it gets).
    pub grouped: bool,
    /// The next service-level deadline not yet met, while one runs: what
    /// staff are waited on by.
    pub service_due: Option<DateTime<Utc>>,
}

impl CaseFacts {
    /// Facts of a freshly filed case in `state`, with no ruling or settlement.
    pub fn new(state: CaseState, now: DateTime<Utc>, reopen_period: Duration) -> Self {
        CaseFacts {
            state,
            now,
            people: Roles::default(),
            info_request: None,
            appeal_deadline: None,
            ruling_appealable: false,
            appealed: PerParty::default(),
            accepted_ruling: PerParty::default(),
            settlement_open: false,
            settlement_terms: None,
            accepted_settlement: PerParty::default(),
            closed_at: None,
            reopen_period,
            grouped: false,
            service_due: None,
        }
    }

    /// Until when a lead may reopen the case, if it is closed.
    pub fn reopen_until(&self) -> Option<DateTime<Utc>> {
        match self.state {
            CaseState::Closed => self.closed_at.map(|c| c + self.reopen_period),
            _ => None,
        }
    }

    /// Makes one effect happen.
    pub fn apply(&mut self, effect: &Effect) {
        match effect {
            Effect::Assign(mediator) => self.people.mediator = Some(*mediator),
            Effect::AskParty(request) => self.info_request = Some(*request),
            Effect::ClearInfoRequest => self.info_request = None,
            Effect::OpenSettlement(terms) => {
                self.settlement_open = true;
                self.settlement_terms = Some(terms.clone());
                self.accepted_settlement = PerParty::default();
            }
            Effect::AcceptSettlement(party) => self.accepted_settlement.set(*party),
            Effect::CloseSettlement => {
                self.settlement_open = false;
                self.accepted_settlement = PerParty::default();
            }
            Effect::Rule {
                by,
                appealable,
                appeal_deadline,
            } => {
                self.people.ruling_mediator = *by;
                self.ruling_appealable = *appealable;
                self.appeal_deadline = Some(*appeal_deadline);
                self.accepted_ruling = PerParty::default();
                self.appealed = PerParty::default();
            }
            Effect::AcceptRuling(party) => self.accepted_ruling.set(*party),
            Effect::UseAppeal(party) => self.appealed.set(*party),
            Effect::FinaliseRuling => {
                self.ruling_appealable = false;
                self.appeal_deadline = None;
            }
            Effect::Settle => {
                self.people.ruling_mediator = self.people.mediator;
                self.ruling_appealable = false;
                self.accepted_ruling = PerParty {
                    complainant: true,
                    respondent: true,
                };
                self.settlement_open = false;
                self.info_request = None;
            }
            Effect::MarkClosed => self.closed_at = Some(self.now),
            Effect::Reopen => {
                self.closed_at = None;
                self.ruling_appealable = false;
                self.appeal_deadline = None;
                self.accepted_ruling = PerParty::default();
                self.appealed = PerParty::default();
                self.settlement_open = false;
                self.info_request = None;
            }
        }
    }
}

/// What an action changes on a case besides its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The case is given to this mediator.
    Assign(UserId),
    /// A party is asked for information by a deadline.
    AskParty(InfoRequest),
    /// The open information request is answered or moot.
    ClearInfoRequest,
    /// Settlement terms are put to both parties (earlier answers are void).
    OpenSettlement(String),
    /// A party accepts the open settlement proposal.
    AcceptSettlement(Party),
    /// The settlement proposal closes unanswered.
    CloseSettlement,
    /// A ruling is issued: earlier answers and appeals are void and the
    /// appeal window runs until `appeal_deadline`.
    Rule {
        /// The mediator who ruled.
        by: Option<UserId>,
        /// Whether it may be appealed.
        appealable: bool,
        /// When the appeal window closes (now, for a final ruling).
        appeal_deadline: DateTime<Utc>,
    },
    /// A party accepts the ruling.
    AcceptRuling(Party),
    /// A party uses their one appeal against the ruling.
    UseAppeal(Party),
    /// The ruling becomes final: no appeal is possible any more.
    FinaliseRuling,
    /// Both parties accepted the settlement: it is a final ruling of the
    /// assigned mediator that both have accepted.
    Settle,
    /// The case is closed now.
    MarkClosed,
    /// A closed case is reopened: the investigation starts afresh.
    Reopen,
}
