//! The case lifecycle: states, actions, and the one function that decides
//! whether a caller may take an action on a case and what state follows.
//!
//! Everything here is pure. Handlers gather [`CaseFacts`] and a [`Relation`]
//! from the database, call [`decide`], and persist what it returns.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

use super::role::Role;

/// Where a case is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Filed and acknowledged; awaiting triage and assignment.
    Intake,
    /// A mediator owns it; the first-response clock is running.
    Assigned,
    /// Statements, evidence, dialogue, optional settlement talks.
    Investigation,
    /// A ruling has been issued; the appeal window is open.
    Ruling,
    /// A party appealed; a different mediator reviews the ruling.
    Appeal,
    /// Ruling final; remedies and sanctions are being complied with.
    FollowUp,
    /// Done; a lead can reopen it within the reopen period.
    Closed,
    /// The complainant withdrew it before a ruling.
    Withdrawn,
    /// Out of scope, duplicate or abusive.
    Dismissed,
}

impl CaseState {
    /// Every state, in lifecycle order.
    pub const ALL: [CaseState; 9] = [
        CaseState::Intake,
        CaseState::Assigned,
        CaseState::Investigation,
        CaseState::Ruling,
        CaseState::Appeal,
        CaseState::FollowUp,
        CaseState::Closed,
        CaseState::Withdrawn,
        CaseState::Dismissed,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Intake => "intake",
            CaseState::Assigned => "assigned",
            CaseState::Investigation => "investigation",
            CaseState::Ruling => "ruling",
            CaseState::Appeal => "appeal",
            CaseState::FollowUp => "follow_up",
            CaseState::Closed => "closed",
            CaseState::Withdrawn => "withdrawn",
            CaseState::Dismissed => "dismissed",
        }
    }

    /// No action leaves these states except `reopen` from `closed`.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseState::Closed | CaseState::Withdrawn | CaseState::Dismissed
        )
    }
}

impl FromStr for CaseState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseState::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown case state `{s}`"))
    }
}

impl std::fmt::Display for CaseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that can be done to a case. Each is one API operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Give the case to a mediator (or to another one).
    Assign,
    /// The assigned mediator begins the investigation.
    StartInvestigation,
    /// Ask a party for information by a deadline.
    RequestInfo,
    /// Put settlement terms to both parties.
    ProposeSettlement,
    /// A party accepts the open settlement proposal.
    AcceptSettlement,
    /// A party rejects the open settlement proposal.
    RejectSettlement,
    /// The assigned mediator rules.
    IssueRuling,
    /// A party accepts the ruling.
    AcceptRuling,
    /// A party appeals the ruling, with grounds.
    Appeal,
    /// Someone other than the ruling mediator decides the appeal.
    DecideAppeal,
    /// The system moves a ruled case on when the appeal window closes.
    StartFollowUp,
    /// The mediator closes the case after follow-up.
    Close,
    /// A lead reopens a closed case within the reopen period.
    Reopen,
    /// The complainant withdraws the complaint.
    Withdraw,
    /// The case is dismissed with a reason.
    Dismiss,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 15] = [
        Action::Assign,
        Action::StartInvestigation,
        Action::RequestInfo,
        Action::ProposeSettlement,
        Action::AcceptSettlement,
        Action::RejectSettlement,
        Action::IssueRuling,
        Action::AcceptRuling,
        Action::Appeal,
        Action::DecideAppeal,
        Action::StartFollowUp,
        Action::Close,
        Action::Reopen,
        Action::Withdraw,
        Action::Dismiss,
    ];

    /// Actions that must name the case version they were decided on
    /// (`If-Match`): accepting a settlement accepts the terms one read.
    pub fn needs_if_match(self) -> bool {
        matches!(self, Action::AcceptSettlement)
    }

    /// The wire name, also the last segment of the action's URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Assign => "assign",
            Action::StartInvestigation => "start_investigation",
            Action::RequestInfo => "request_info",
            Action::ProposeSettlement => "propose_settlement",
            Action::AcceptSettlement => "accept_settlement",
            Action::RejectSettlement => "reject_settlement",
            Action::IssueRuling => "issue_ruling",
            Action::AcceptRuling => "accept_ruling",
            Action::Appeal => "appeal",
            Action::DecideAppeal => "decide_appeal",
            Action::StartFollowUp => "start_follow_up",
            Action::Close => "close",
            Action::Reopen => "reopen",
            Action::Withdraw => "withdraw",
            Action::Dismiss => "dismiss",
        }
    }

    /// The states an action may be taken from.
    pub fn from_states(self) -> &'static [CaseState] {
        use CaseState::*;
        match self {
            Action::Assign => &[Intake, Assigned, Investigation, Appeal, FollowUp],
            Action::StartInvestigation => &[Assigned],
            Action::RequestInfo
            | Action::ProposeSettlement
            | Action::AcceptSettlement
            | Action::RejectSettlement
            | Action::IssueRuling => &[Investigation],
            Action::AcceptRuling | Action::Appeal | Action::StartFollowUp => &[Ruling],
            Action::DecideAppeal => &[Appeal],
            Action::Close => &[FollowUp],
            Action::Reopen => &[Closed],
            Action::Withdraw | Action::Dismiss => &[Intake, Assigned, Investigation],
        }
    }

    /// Every state the action can lead to, for documentation and diagrams.
    pub fn possible_targets(self, from: CaseState) -> Vec<CaseState> {
        use CaseState::*;
        match self {
            Action::Assign => match from {
                Intake | Assigned => vec![Assigned],
                other => vec![other],
            },
            Action::StartInvestigation => vec![Investigation],
            Action::RequestInfo | Action::ProposeSettlement | Action::RejectSettlement => {
                vec![Investigation]
            }
            Action::AcceptSettlement => vec![Investigation, FollowUp],
            Action::IssueRuling => vec![Ruling],
            Action::AcceptRuling => vec![Ruling, FollowUp],
            Action::Appeal => vec![Appeal],
            Action::DecideAppeal | Action::StartFollowUp => vec![FollowUp],
            Action::Close => vec![Closed],
            Action::Reopen => vec![Investigation],
            Action::Withdraw => vec![Withdrawn],
            Action::Dismiss => vec![Dismissed],
        }
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown action `{s}`"))
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two sides of a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The person who filed the complaint.
    Complainant,
    /// The person or organisation complained about.
    Respondent,
}

impl Party {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Complainant => "complainant",
            Party::Respondent => "respondent",
        }
    }

    /// The other side.
    pub fn other(self) -> Party {
        match self {
            Party::Complainant => Party::Respondent,
            Party::Respondent => Party::Complainant,
        }
    }
}

impl FromStr for Party {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "complainant" => Ok(Party::Complainant),
            "respondent" => Ok(Party::Respondent),
            _ => Err(format!("unknown party `{s}`")),
        }
    }
}

/// A yes/no per party.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerParty {
    /// For the complainant.
    pub complainant: bool,
    /// For the respondent.
    pub respondent: bool,
}

impl PerParty {
    /// The flag for one party.
    pub fn get(self, party: Party) -> bool {
        match party {
            Party::Complainant => self.complainant,
            Party::Respondent => self.respondent,
        }
    }

    /// Sets the flag for one party.
    pub fn set(&mut self, party: Party) {
        match party {
            Party::Complainant => self.complainant = true,
            Party::Respondent => self.respondent = true,
        }
    }
}

/// How the caller stands to one case: their role and their relation to it.
/// `role == None` is the system itself (background jobs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Relation {
    /// The caller's service-wide role; `None` for the system.
    pub role: Option<Role>,
    /// The caller filed the case.
    pub complainant: bool,
    /// The caller is the respondent (with an account).
    pub respondent: bool,
    /// The caller is the mediator the case is assigned to.
    pub assigned_mediator: bool,
    /// The caller issued the ruling under appeal (or the latest ruling).
    pub ruling_mediator: bool,
}

impl Relation {
    /// The system actor of background jobs.
    pub fn system() -> Self {
        Relation::default()
    }

    /// The side the caller is on, if they are a party.
    pub fn party(&self) -> Option<Party> {
        if self.complainant {
            Some(Party::Complainant)
        } else if self.respondent {
            Some(Party::Respondent)
        } else {
            None
        }
    }

    /// Staff powers on this case: a staff role, and not a party to it (a
    /// mediator who files a complaint is a complainant on that case, nothing more).
    fn staff(&self) -> bool {
        self.party().is_none() && self.role.is_some_and(Role::is_staff)
    }

    fn supervisor(&self) -> bool {
        self.party().is_none() && self.role.is_some_and(Role::is_supervisor)
    }

    fn mediator_in_charge(&self) -> bool {
        self.staff() && self.assigned_mediator
    }

    /// Whether the caller may see the case at all, in the given state.
    pub fn can_view(&self, state: CaseState) -> bool {
        match self.role {
            None => true,
            Some(_) if self.party().is_some() => true,
            Some(role) if role.is_supervisor() => true,
            Some(Role::Mediator) => {
                self.assigned_mediator || self.ruling_mediator || state == CaseState::Intake
            }
            Some(_) => false,
        }
    }
}

/// What the lifecycle needs to know about a case beyond its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// The current state.
    pub state: CaseState,
    /// The current time, as the caller sees it.
    pub now: DateTime<Utc>,
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
    /// Which parties have accepted the open settlement proposal.
    pub accepted_settlement: PerParty,
    /// When the case was closed, if it is.
    pub closed_at: Option<DateTime<Utc>>,
    /// How long after closing a lead may reopen.
    pub reopen_period: Duration,
}

impl CaseFacts {
    /// Facts of a freshly filed case in `state`, with no ruling or settlement.
    pub fn new(state: CaseState, now: DateTime<Utc>, reopen_period: Duration) -> Self {
        CaseFacts {
            state,
            now,
            appeal_deadline: None,
            ruling_appealable: false,
            appealed: PerParty::default(),
            accepted_ruling: PerParty::default(),
            settlement_open: false,
            accepted_settlement: PerParty::default(),
            closed_at: None,
            reopen_period,
        }
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// The caller may never take this action on this case (HTTP 403).
    Forbidden(String),
    /// The caller could, but not now: the state or a rule forbids it (HTTP 409).
    Conflict(String),
}

/// Who may take an action on a case, whatever its state. `Err` explains why not.
pub fn permitted(rel: &Relation, action: Action) -> Result<(), String> {
    let ok = match action {
        Action::Assign | Action::Reopen => rel.supervisor(),
        Action::StartInvestigation
        | Action::RequestInfo
        | Action::ProposeSettlement
        | Action::IssueRuling
        | Action::Close => rel.mediator_in_charge(),
        Action::AcceptSettlement
        | Action::RejectSettlement
        | Action::AcceptRuling
        | Action::Appeal => rel.party().is_some(),
        Action::DecideAppeal => {
            (rel.supervisor() || rel.mediator_in_charge()) && !rel.ruling_mediator
        }
        Action::StartFollowUp => rel.role.is_none(),
        Action::Withdraw => rel.complainant,
        Action::Dismiss => rel.supervisor() || rel.mediator_in_charge(),
    };
    if ok {
        return Ok(());
    }
    Err(match action {
        Action::Assign => "only a lead or an admin may assign a case".into(),
        Action::Reopen => "only a lead or an admin may reopen a case".into(),
        Action::StartInvestigation
        | Action::RequestInfo
        | Action::ProposeSettlement
        | Action::IssueRuling
        | Action::Close => format!("only the assigned mediator may {}", action.as_str()),
        Action::AcceptSettlement
        | Action::RejectSettlement
        | Action::AcceptRuling
        | Action::Appeal => format!("only a party to the case may {}", action.as_str()),
        Action::DecideAppeal if rel.ruling_mediator => {
            "the mediator who ruled may not decide the appeal".into()
        }
        Action::DecideAppeal => {
            "only a lead, an admin or the mediator assigned to the appeal may decide it".into()
        }
        Action::StartFollowUp => "follow-up starts by itself when the appeal window closes".into(),
        Action::Withdraw => "only the complainant may withdraw a case".into(),
        Action::Dismiss => "only the assigned mediator, a lead or an admin may dismiss".into(),
    })
}

/// Decides whether `rel` may take `action` on a case described by `facts`,
/// and returns the state the case moves to.
pub fn decide(rel: &Relation, action: Action, facts: &CaseFacts) -> Result<CaseState, Denial> {
    permitted(rel, action).map_err(Denial::Forbidden)?;
    let state = facts.state;
    if !action.from_states().contains(&state) {
        return Err(Denial::Conflict(format!(
            "`{}` is not possible while the case is {}",
            action.as_str(),
            state.as_str()
        )));
    }
    let conflict = |msg: &str| Err(Denial::Conflict(msg.to_string()));
    let party = rel.party();
    match action {
        Action::Assign => Ok(match state {
            CaseState::Intake | CaseState::Assigned => CaseState::Assigned,
            other => other,
        }),
        Action::StartInvestigation | Action::RequestInfo | Action::ProposeSettlement => {
            Ok(CaseState::Investigation)
        }
        Action::Reopen => {
            let open_until = facts.closed_at.map(|c| c + facts.reopen_period);
            match open_until {
                Some(until) if facts.now <= until => Ok(CaseState::Investigation),
                _ => conflict("the reopen period of this case has ended"),
            }
        }
        Action::AcceptSettlement | Action::RejectSettlement => {
            let Some(party) = party else {
                return conflict("only a party may answer a settlement proposal");
            };
            if !facts.settlement_open {
                return conflict("no settlement proposal is open");
            }
            if facts.accepted_settlement.get(party) {
                return conflict("you have already accepted this settlement proposal");
            }
            if action == Action::AcceptSettlement && facts.accepted_settlement.get(party.other()) {
                Ok(CaseState::FollowUp)
            } else {
                Ok(CaseState::Investigation)
            }
        }
        Action::IssueRuling => Ok(CaseState::Ruling),
        Action::AcceptRuling => {
            let Some(party) = party else {
                return conflict("only a party may accept a ruling");
            };
            if facts.accepted_ruling.get(party) {
                return conflict("you have already accepted this ruling");
            }
            if facts.accepted_ruling.get(party.other()) {
                Ok(CaseState::FollowUp)
            } else {
                Ok(CaseState::Ruling)
            }
        }
        Action::Appeal => {
            let Some(party) = party else {
                return conflict("only a party may appeal");
            };
            if !facts.ruling_appealable {
                return conflict("this ruling is final and cannot be appealed");
            }
            if facts.appealed.get(party) {
                return conflict("each party may appeal only once");
            }
            if facts.accepted_ruling.get(party) {
                return conflict("you accepted this ruling and can no longer appeal it");
            }
            match facts.appeal_deadline {
                Some(deadline) if facts.now <= deadline => Ok(CaseState::Appeal),
                _ => conflict("the appeal window has closed"),
            }
        }
        Action::DecideAppeal => Ok(CaseState::FollowUp),
        Action::StartFollowUp => match facts.appeal_deadline {
            Some(deadline) if facts.now > deadline => Ok(CaseState::FollowUp),
            _ => conflict("the appeal window is still open"),
        },
        Action::Close => Ok(CaseState::Closed),
        Action::Withdraw => Ok(CaseState::Withdrawn),
        Action::Dismiss => Ok(CaseState::Dismissed),
    }
}

/// The actions the caller may take now, in [`Action::ALL`] order.
pub fn allowed_actions(rel: &Relation, facts: &CaseFacts) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| decide(rel, *a, facts).is_ok())
        .collect()
}

#[cfg(test)]
mod tests;
