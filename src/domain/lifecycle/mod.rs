//! The case lifecycle: states, actions, the one transition table, and the
//! one function that decides whether an actor may take an action on a case,
//! what state follows and what else changes.
//!
//! Everything here is pure. The case service gathers [`CaseFacts`] and a
//! [`Standing`], calls [`decide`], applies the [`Effect`]s it returns and
//! persists the result.

mod facts;
mod standing;
mod table;
mod types;

pub use facts::{CaseFacts, Effect, InfoRequest};
pub use standing::{Actor, Roles, Standing};
pub use table::{TABLE, To, Transition, Who};
pub use types::{Action, CaseState, Party, PerParty};

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// The actor may never take this action on this case (HTTP 403).
    Forbidden(String),
    /// The actor could, but not now: the state or a rule forbids it (HTTP 409).
    Conflict(String),
}

/// What taking an action means for the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The state the case moves to.
    pub next: CaseState,
    /// What else changes, as the lifecycle itself requires; an action adds
    /// the effects that carry its input (the mediator, the question, the ruling).
    pub effects: Vec<Effect>,
}

/// Who may take an action on a case, whatever its state. `Err` explains why not.
pub fn permitted(standing: &Standing, action: Action) -> Result<(), String> {
    let who = table::who(action);
    if who.admits(standing) {
        Ok(())
    } else {
        Err(who.refusal(action, standing))
    }
}

/// Decides whether someone of `standing` may take `action` on a case
/// described by `facts`, and what follows.
pub fn decide(standing: &Standing, action: Action, facts: &CaseFacts) -> Result<Decision, Denial> {
    permitted(standing, action).map_err(Denial::Forbidden)?;
    let state = facts.state;
    let Some(row) = table::transition(action, state) else {
        return Err(Denial::Conflict(format!(
            "`{}` is not possible while the case is {}",
            action.as_str(),
            state.as_str()
        )));
    };
    let party = standing.party();
    guard(action, party, facts).map_err(|m| Denial::Conflict(m.to_string()))?;
    let both = |done: PerParty| party.is_some_and(|p| done.get(p.other()));
    let next = match row.to {
        table::To::Stays => state,
        table::To::Goes(to) => to,
        table::To::WhenBoth(to) => {
            let done = match action {
                Action::AcceptSettlement => facts.accepted_settlement,
                _ => facts.accepted_ruling,
            };
            if both(done) { to } else { state }
        }
    };
    Ok(Decision {
        next,
        effects: effects(action, party, next),
    })
}

/// The rules beyond who and from where; `Err` is a 409 with its reason.
fn guard(action: Action, party: Option<Party>, f: &CaseFacts) -> Result<(), &'static str> {
    let party_only = |what| party.ok_or(what);
    match action {
        Action::Reopen => match f.closed_at.map(|c| c + f.reopen_period) {
            Some(until) if f.now <= until => Ok(()),
            _ => Err("the reopen period of this case has ended"),
        },
        Action::AcceptSettlement | Action::RejectSettlement => {
            let party = party_only("only a party may answer a settlement proposal")?;
            if !f.settlement_open {
                return Err("no settlement proposal is open");
            }
            if f.accepted_settlement.get(party) {
                return Err("you have already accepted this settlement proposal");
            }
            Ok(())
        }
        Action::AcceptRuling => {
            let party = party_only("only a party may accept a ruling")?;
            if f.accepted_ruling.get(party) {
                return Err("you have already accepted this ruling");
            }
            Ok(())
        }
        Action::Appeal => {
            let party = party_only("only a party may appeal")?;
            if !f.ruling_appealable {
                return Err("this ruling is final and cannot be appealed");
            }
            if f.appealed.get(party) {
                return Err("each party may appeal only once");
            }
            if f.accepted_ruling.get(party) {
                return Err("you accepted this ruling and can no longer appeal it");
            }
            match f.appeal_deadline {
                Some(deadline) if f.now <= deadline => Ok(()),
                _ => Err("the appeal window has closed"),
            }
        }
        Action::IssueRuling if f.grouped => {
            Err("this case is grouped under a lead case: the ruling on the lead case applies to it")
        }
        Action::StartFollowUp => match f.appeal_deadline {
            Some(deadline) if f.now > deadline => Ok(()),
            _ => Err("the appeal window is still open"),
        },
        Action::Assign
        | Action::AutoAssign
        | Action::Claim
        | Action::StartInvestigation
        | Action::RequestInfo
        | Action::ProposeSettlement
        | Action::IssueRuling
        | Action::ApplyGroupRuling
        | Action::DecideAppeal
        | Action::Close
        | Action::Withdraw
        | Action::Dismiss => Ok(()),
    }
}

/// The effects the lifecycle itself requires of `action`.
fn effects(action: Action, party: Option<Party>, next: CaseState) -> Vec<Effect> {
    let by_party = |make: fn(Party) -> Effect| party.map(make).into_iter().collect::<Vec<_>>();
    match action {
        Action::AcceptSettlement => {
            let mut out = by_party(Effect::AcceptSettlement);
            if next == CaseState::FollowUp {
                out.push(Effect::Settle);
            }
            out
        }
        Action::RejectSettlement => vec![Effect::CloseSettlement],
        Action::AcceptRuling => by_party(Effect::AcceptRuling),
        Action::Appeal => by_party(Effect::UseAppeal),
        Action::DecideAppeal => vec![Effect::FinaliseRuling],
        Action::Close => vec![Effect::MarkClosed],
        Action::Reopen => vec![Effect::Reopen],
        Action::IssueRuling | Action::ApplyGroupRuling | Action::Withdraw | Action::Dismiss => {
            vec![Effect::ClearInfoRequest, Effect::CloseSettlement]
        }
        Action::Assign
        | Action::AutoAssign
        | Action::Claim
        | Action::StartInvestigation
        | Action::RequestInfo
        | Action::ProposeSettlement
        | Action::StartFollowUp => Vec::new(),
    }
}

/// The actions someone of `standing` may take now, in [`Action::ALL`] order.
pub fn allowed_actions(standing: &Standing, facts: &CaseFacts) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| decide(standing, *a, facts).is_ok())
        .collect()
}

#[cfg(test)]
mod tests;
