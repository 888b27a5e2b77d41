//! The words of the lifecycle: states, actions and the two parties.

use serde::{Deserialize, Serialize};
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

crate::domain::wire_names!(CaseState, "case state" {
    Intake => "intake",
    Assigned => "assigned",
    Investigation => "investigation",
    Ruling => "ruling",
    Appeal => "appeal",
    FollowUp => "follow_up",
    Closed => "closed",
    Withdrawn => "withdrawn",
    Dismissed => "dismissed",
});

impl CaseState {
    /// Before a ruling, a settlement or an end: the case still waits for
    /// its full answer (a service level's resolution).
    pub fn is_unresolved(self) -> bool {
        matches!(
            self,
            CaseState::Intake | CaseState::Assigned | CaseState::Investigation
        )
    }

    /// No action leaves these states except `reopen` from `closed`.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseState::Closed | CaseState::Withdrawn | CaseState::Dismissed
        )
    }
}

/// Something that can be done to a case. Each is one API operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Give the case to a mediator (or to another one).
    Assign,
    /// The desk gives the case to an eligible mediator by itself.
    AutoAssign,
    /// A mediator takes an unassigned case they are eligible for.
    Claim,
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
    /// The ruling on a group's lead case is applied to a grouped case (by
    /// the system, in the same transaction as the ruling).
    ApplyGroupRuling,
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

crate::domain::wire_names!(Action, "action" {
    Assign => "assign",
    AutoAssign => "auto_assign",
    Claim => "claim",
    StartInvestigation => "start_investigation",
    RequestInfo => "request_info",
    ProposeSettlement => "propose_settlement",
    AcceptSettlement => "accept_settlement",
    RejectSettlement => "reject_settlement",
    IssueRuling => "issue_ruling",
    ApplyGroupRuling => "apply_group_ruling",
    AcceptRuling => "accept_ruling",
    Appeal => "appeal",
    DecideAppeal => "decide_appeal",
    StartFollowUp => "start_follow_up",
    Close => "close",
    Reopen => "reopen",
    Withdraw => "withdraw",
    Dismiss => "dismiss",
});

impl Action {
    /// Actions that must name the case version they were decided on
    /// (`If-Match`): accepting a settlement accepts the terms one read.
    pub fn needs_if_match(self) -> bool {
        matches!(self, Action::AcceptSettlement)
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

crate::domain::wire_names!(Party, "party" {
    Complainant => "complainant",
    Respondent => "respondent",
});

impl Party {
    /// The other side.
    pub fn other(self) -> Party {
        match self {
            Party::Complainant => Party::Respondent,
            Party::Respondent => Party::Complainant,
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
