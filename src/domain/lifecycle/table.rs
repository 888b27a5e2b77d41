//! The transition table: for each action, the states it starts from, who
//! may take it and where it leads. `from_states`, `possible_targets`, the
//! permissions of [`super::permitted`] and so `allowed_actions` and the
//! lifecycle diagram are all read off this one table.

use super::standing::Standing;
use super::types::{Action, CaseState};
use crate::domain::Role;

/// Who may take an action, as a rule over the actor's standing on the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A lead or an admin who is not a party to the case.
    Supervisor,
    /// The mediator the case is assigned to.
    InCharge,
    /// The assigned mediator, a lead or an admin.
    InChargeOrSupervisor,
    /// The assigned mediator, or background jobs (a case whose every
    /// obligation is resolved closes by itself).
    InChargeOrSystem,
    /// The assigned mediator, a lead or an admin, but never the one who ruled.
    AppealReviewer,
    /// A mediator or lead who is not a party (admins configure; they do
    /// not take cases).
    CaseTaker,
    /// Either party.
    Party,
    /// The complainant, or background jobs (a complainant silent past a
    /// final request for information, where the desk withdraws for them).
    ComplainantOrSystem,
    /// Background jobs, never a person.
    System,
}

impl Who {
    /// Whether someone of `standing` fits the rule.
    pub fn admits(self, s: &Standing) -> bool {
        match self {
            Who::Supervisor => s.is_supervisor(),
            Who::InCharge => s.is_in_charge(),
            Who::InChargeOrSupervisor => s.is_in_charge() || s.is_supervisor(),
            Who::InChargeOrSystem => s.is_in_charge() || *s == Standing::System,
            Who::AppealReviewer => (s.is_in_charge() || s.is_supervisor()) && !s.ruled(),
            Who::CaseTaker => matches!(
                s,
                Standing::Staff {
                    role: Role::Mediator | Role::Lead,
                    ..
                }
            ),
            Who::Party => s.party().is_some(),
            Who::ComplainantOrSystem => {
                s.party() == Some(super::Party::Complainant) || *s == Standing::System
            }
            Who::System => *s == Standing::System,
        }
    }

    /// Why someone of `standing` may not take `action`.
    pub fn refusal(self, action: Action, s: &Standing) -> String {
        match self {
            Who::Supervisor => format!("only a lead or an admin may {}", action.as_str()),
            Who::InCharge | Who::InChargeOrSystem => {
                format!("only the assigned mediator may {}", action.as_str())
            }
            Who::InChargeOrSupervisor => format!(
                "only the assigned mediator, a lead or an admin may {}",
                action.as_str()
            ),
            Who::AppealReviewer if s.ruled() => {
                "the mediator who ruled may not decide the appeal".into()
            }
            Who::AppealReviewer => {
                "only a lead, an admin or the mediator assigned to the appeal may decide it".into()
            }
            Who::CaseTaker => format!("only a mediator or a lead may {}", action.as_str()),
            Who::Party => format!("only a party to the case may {}", action.as_str()),
            Who::ComplainantOrSystem => {
                format!("only the complainant may {}", action.as_str())
            }
            Who::System => match action {
                Action::AutoAssign => {
                    "only the desk assigns automatically; a lead may `assign`".into()
                }
                Action::ApplyGroupRuling => {
                    "a group's ruling is applied when its lead case is ruled".into()
                }
                _ => "follow-up starts by itself when the appeal window closes".into(),
            },
        }
    }
}

/// Where a transition leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    /// The case stays in the state it is in.
    Stays,
    /// The case moves to this state.
    Goes(CaseState),
    /// The case stays until both parties have done it, then moves to this state.
    WhenBoth(CaseState),
}

impl To {
    /// The states this can lead to from `from`.
    pub fn targets(self, from: CaseState) -> Vec<CaseState> {
        match self {
            To::Stays => vec![from],
            To::Goes(to) => vec![to],
            To::WhenBoth(to) => vec![from, to],
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    /// The action.
    pub action: Action,
    /// The states it may be taken from.
    pub from: &'static [CaseState],
    /// Who may take it.
    pub who: Who,
    /// Where it leads.
    pub to: To,
}

const fn row(action: Action, from: &'static [CaseState], who: Who, to: To) -> Transition {
    Transition {
        action,
        from,
        who,
        to,
    }
}

use CaseState::{
    Appeal, Assigned, Closed, Dismissed, FollowUp, Intake, Investigation, Ruling, Withdrawn,
};
const BEFORE_RULING: &[CaseState] = &[Intake, Assigned, Investigation];

/// The lifecycle of a case, as in the product brief.
pub const TABLE: &[Transition] = &[
    row(
        Action::Assign,
        &[Intake],
        Who::Supervisor,
        To::Goes(Assigned),
    ),
    row(
        Action::Assign,
        &[Assigned, Investigation, Appeal, FollowUp],
        Who::Supervisor,
        To::Stays,
    ),
    row(
        Action::AutoAssign,
        &[Intake],
        Who::System,
        To::Goes(Assigned),
    ),
    row(
        Action::AutoAssign,
        &[Assigned, Investigation, Appeal, FollowUp],
        Who::System,
        To::Stays,
    ),
    row(Action::Claim, &[Intake], Who::CaseTaker, To::Goes(Assigned)),
    row(
        Action::StartInvestigation,
        &[Assigned],
        Who::InCharge,
        To::Goes(Investigation),
    ),
    row(
        Action::RequestInfo,
        &[Investigation],
        Who::InCharge,
        To::Stays,
    ),
    row(
        Action::ProposeSettlement,
        &[Investigation],
        Who::InCharge,
        To::Stays,
    ),
    row(
        Action::AcceptSettlement,
        &[Investigation],
        Who::Party,
        To::WhenBoth(FollowUp),
    ),
    row(
        Action::RejectSettlement,
        &[Investigation],
        Who::Party,
        To::Stays,
    ),
    row(
        Action::IssueRuling,
        &[Investigation],
        Who::InCharge,
        To::Goes(Ruling),
    ),
    row(
        Action::ApplyGroupRuling,
        BEFORE_RULING,
        Who::System,
        To::Goes(Ruling),
    ),
    row(
        Action::AcceptRuling,
        &[Ruling],
        Who::Party,
        To::WhenBoth(FollowUp),
    ),
    row(Action::Appeal, &[Ruling], Who::Party, To::Goes(Appeal)),
    row(
        Action::DecideAppeal,
        &[Appeal],
        Who::AppealReviewer,
        To::Goes(FollowUp),
    ),
    row(
        Action::StartFollowUp,
        &[Ruling],
        Who::System,
        To::Goes(FollowUp),
    ),
    row(
        Action::Close,
        &[FollowUp],
        Who::InChargeOrSystem,
        To::Goes(Closed),
    ),
    row(
        Action::Reopen,
        &[Closed],
        Who::Supervisor,
        To::Goes(Investigation),
    ),
    row(
        Action::Withdraw,
        BEFORE_RULING,
        Who::ComplainantOrSystem,
        To::Goes(Withdrawn),
    ),
    row(
        Action::Dismiss,
        BEFORE_RULING,
        Who::InChargeOrSupervisor,
        To::Goes(Dismissed),
    ),
];

impl Action {
    /// Actions only background work takes (no API operation).
    pub fn by_system_only(self) -> bool {
        who(self) == Who::System
    }
}

/// Who may take `action` (the same for every row of one action).
pub fn who(action: Action) -> Who {
    TABLE
        .iter()
        .find(|t| t.action == action)
        .map_or(Who::System, |t| t.who)
}

/// The row for `action` taken from `state`, if there is one.
pub fn transition(action: Action, state: CaseState) -> Option<&'static Transition> {
    TABLE
        .iter()
        .find(|t| t.action == action && t.from.contains(&state))
}
