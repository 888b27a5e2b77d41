//! The words of the lifecycle: states, actions and the two parties.

use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

/// Where a case is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
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

    /// The states an action may be taken from, read off [`super::TABLE`].
    pub fn from_states(self) -> Vec<CaseState> {
        let mut states: Vec<CaseState> = super::TABLE
            .iter()
            .filter(|t| t.action == self)
            .flat_map(|t| t.from.iter().copied())
            .collect();
        states.sort_by_key(|s| CaseState::ALL.iter().position(|x| x == s));
        states.dedup();
        states
    }

    /// Every state the action can lead to from `from`, read off
    /// [`super::TABLE`], for documentation and diagrams.
    pub fn possible_targets(self, from: CaseState) -> Vec<CaseState> {
        super::TABLE
            .iter()
            .filter(|t| t.action == self && t.from.contains(&from))
            .flat_map(|t| t.to.targets(from))
            .collect()
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
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
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
