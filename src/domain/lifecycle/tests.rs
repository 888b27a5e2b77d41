//! Exhaustive checks of the lifecycle over every state x action x persona,
//! against a table written out by hand from the product brief.

use super::*;
use crate::domain::{Role, UserId};
use chrono::TimeZone;
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Allowed,
    Forbidden,
    Conflict,
}

fn staff(role: Role, assigned: bool, ruled: bool) -> Standing {
    Standing::Staff {
        role,
        assigned,
        ruled,
    }
}

const C: Standing = Standing::Party(Party::Complainant);
const R: Standing = Standing::Party(Party::Respondent);

/// The next state, as `decide` has it.
fn next(s: &Standing, action: Action, facts: &CaseFacts) -> Result<CaseState, Denial> {
    decide(s, action, facts).map(|d| d.next)
}

fn personas() -> Vec<(&'static str, Standing)> {
    let (u1, u2, u3) = (UserId::new(), UserId::new(), UserId::new());
    let people = Roles {
        complainant: Some(u1),
        respondent: Some(u2),
        mediator: Some(u3),
        ruling_mediator: Some(u3),
    };
    // A lead who filed the complaint is only a complainant on it.
    let lead_complainant = Standing::of(&Actor::user(u1, Role::Lead), &people);
    assert_eq!(lead_complainant, C);
    vec![
        ("complainant", C),
        ("respondent", R),
        ("assigned_mediator", staff(Role::Mediator, true, false)),
        ("ruling_mediator", staff(Role::Mediator, true, true)),
        ("other_mediator", staff(Role::Mediator, false, false)),
        ("lead", staff(Role::Lead, false, false)),
        ("ruling_lead", staff(Role::Lead, false, true)),
        ("admin", staff(Role::Admin, false, false)),
        (
            "member",
            Standing::of(&Actor::user(UserId::new(), Role::Member), &people),
        ),
        ("lead_complainant", lead_complainant),
        ("system", Standing::of(&Actor::system(), &people)),
    ]
}

/// Who may take each action, by persona name, transcribed from product.md.
fn who(action: Action) -> &'static [&'static str] {
    match action {
        Action::Assign | Action::Reopen => &["lead", "ruling_lead", "admin"],
        Action::StartInvestigation
        | Action::RequestInfo
        | Action::ProposeSettlement
        | Action::IssueRuling => &["assigned_mediator", "ruling_mediator"],
        // The case also closes by itself once every obligation is resolved.
        Action::Close => &["assigned_mediator", "ruling_mediator", "system"],
        Action::AcceptSettlement
        | Action::RejectSettlement
        | Action::AcceptRuling
        | Action::Appeal => &["complainant", "respondent", "lead_complainant"],
        Action::DecideAppeal => &["assigned_mediator", "lead", "admin"],
        Action::StartFollowUp | Action::AutoAssign | Action::ApplyGroupRuling => &["system"],
        // Eligibility beyond the lifecycle (skills, capacity) is the desk's.
        Action::Claim => &[
            "assigned_mediator",
            "ruling_mediator",
            "other_mediator",
            "lead",
            "ruling_lead",
        ],
        // The desk withdraws for a complainant silent past a final request.
        Action::Withdraw => &["complainant", "lead_complainant", "system"],
        Action::Dismiss => &[
            "assigned_mediator",
            "ruling_mediator",
            "lead",
            "ruling_lead",
            "admin",
        ],
    }
}

/// From which states, transcribed from product.md.
fn from(action: Action) -> &'static [&'static str] {
    match action {
        Action::Assign => &["intake", "assigned", "investigation", "appeal", "follow_up"],
        Action::AutoAssign => &["intake", "assigned", "investigation", "appeal", "follow_up"],
        Action::Claim => &["intake"],
        Action::StartInvestigation => &["assigned"],
        Action::RequestInfo
        | Action::ProposeSettlement
        | Action::AcceptSettlement
        | Action::RejectSettlement
        | Action::IssueRuling => &["investigation"],
        Action::AcceptRuling | Action::Appeal | Action::StartFollowUp => &["ruling"],
        Action::DecideAppeal => &["appeal"],
        Action::Close => &["follow_up"],
        Action::Reopen => &["closed"],
        Action::Withdraw | Action::Dismiss | Action::ApplyGroupRuling => {
            &["intake", "assigned", "investigation"]
        }
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// Facts under which every guard passes for `action`.
fn favourable(state: CaseState, action: Action) -> CaseFacts {
    let mut f = CaseFacts::new(state, now(), Duration::days(30));
    f.ruling_appealable = true;
    f.settlement_open = true;
    f.closed_at = Some(now() - Duration::days(1));
    f.appeal_deadline = Some(if action == Action::StartFollowUp {
        now() - Duration::seconds(1)
    } else {
        now() + Duration::days(7)
    });
    f
}

fn classify(r: Result<Decision, Denial>) -> Expect {
    match r {
        Ok(_) => Expect::Allowed,
        Err(Denial::Forbidden(_)) => Expect::Forbidden,
        Err(Denial::Conflict(_)) => Expect::Conflict,
    }
}

#[test]
fn every_state_action_and_persona_matches_the_brief() {
    let mut checked = 0;
    for state in CaseState::ALL {
        for action in Action::ALL {
            for (name, r) in personas() {
                let expected = if !who(action).contains(&name) {
                    Expect::Forbidden
                } else if !from(action).contains(&state.as_str()) {
                    Expect::Conflict
                } else {
                    Expect::Allowed
                };
                let got = classify(decide(&r, action, &favourable(state, action)));
                assert_eq!(got, expected, "{name} {action} in {state}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 9 * 18 * 11);
}

#[test]
fn a_grouped_case_gets_its_ruling_only_from_its_lead_case() {
    let mediator = staff(Role::Mediator, true, false);
    let mut f = favourable(CaseState::Investigation, Action::IssueRuling);
    assert!(decide(&mediator, Action::IssueRuling, &f).is_ok());
    f.grouped = true;
    assert!(matches!(
        decide(&mediator, Action::IssueRuling, &f),
        Err(Denial::Conflict(_))
    ));
    assert!(!allowed_actions(&mediator, &f).contains(&Action::IssueRuling));
    let next = decide(&Standing::System, Action::ApplyGroupRuling, &f).map(|d| d.next);
    assert_eq!(next, Ok(CaseState::Ruling));
    assert!(matches!(
        decide(&mediator, Action::ApplyGroupRuling, &f),
        Err(Denial::Forbidden(_))
    ));
}

#[test]
fn targets_follow_the_brief() {
    let lead = staff(Role::Lead, false, false);
    let f = |s| favourable(s, Action::Assign);
    assert_eq!(
        next(&lead, Action::Assign, &f(CaseState::Intake)),
        Ok(CaseState::Assigned)
    );
    assert_eq!(
        next(&lead, Action::Assign, &f(CaseState::Assigned)),
        Ok(CaseState::Assigned)
    );
    assert_eq!(
        next(&lead, Action::Assign, &f(CaseState::Investigation)),
        Ok(CaseState::Investigation)
    );
    assert_eq!(
        next(&lead, Action::Assign, &f(CaseState::Appeal)),
        Ok(CaseState::Appeal)
    );
    for state in [
        CaseState::Intake,
        CaseState::Assigned,
        CaseState::Investigation,
    ] {
        assert_eq!(
            next(&lead, Action::Dismiss, &f(state)),
            Ok(CaseState::Dismissed)
        );
    }
    for state in CaseState::ALL {
        for action in Action::ALL {
            if action.from_states().contains(&state) {
                assert!(!action.possible_targets(state).is_empty());
            }
        }
    }
}

#[test]
fn ruling_accepted_by_both_moves_to_follow_up() {
    let c = C;
    let r = R;
    let mut f = favourable(CaseState::Ruling, Action::AcceptRuling);
    assert_eq!(next(&c, Action::AcceptRuling, &f), Ok(CaseState::Ruling));
    f.accepted_ruling.set(Party::Complainant);
    assert!(matches!(
        next(&c, Action::AcceptRuling, &f),
        Err(Denial::Conflict(_))
    ));
    assert!(matches!(
        next(&c, Action::Appeal, &f),
        Err(Denial::Conflict(_))
    ));
    assert_eq!(next(&r, Action::AcceptRuling, &f), Ok(CaseState::FollowUp));
}

#[test]
fn appeals_are_once_per_party_within_the_window_and_only_when_appealable() {
    let c = C;
    let mut f = favourable(CaseState::Ruling, Action::Appeal);
    assert_eq!(next(&c, Action::Appeal, &f), Ok(CaseState::Appeal));
    f.appealed.set(Party::Complainant);
    assert!(matches!(
        next(&c, Action::Appeal, &f),
        Err(Denial::Conflict(_))
    ));
    let mut f = favourable(CaseState::Ruling, Action::Appeal);
    f.appeal_deadline = Some(now() - Duration::seconds(1));
    assert!(matches!(
        next(&c, Action::Appeal, &f),
        Err(Denial::Conflict(_))
    ));
    let mut f = favourable(CaseState::Ruling, Action::Appeal);
    f.ruling_appealable = false;
    assert!(matches!(
        next(&c, Action::Appeal, &f),
        Err(Denial::Conflict(_))
    ));
    // The system may not start follow-up while the window is open.
    let f = favourable(CaseState::Ruling, Action::Appeal);
    assert!(matches!(
        next(&Standing::System, Action::StartFollowUp, &f),
        Err(Denial::Conflict(_))
    ));
}

#[test]
fn settlement_needs_an_open_proposal_and_both_acceptances() {
    let c = C;
    let r = R;
    let mut f = favourable(CaseState::Investigation, Action::AcceptSettlement);
    assert_eq!(
        next(&c, Action::AcceptSettlement, &f),
        Ok(CaseState::Investigation)
    );
    f.accepted_settlement.set(Party::Complainant);
    assert!(matches!(
        next(&c, Action::RejectSettlement, &f),
        Err(Denial::Conflict(_))
    ));
    assert_eq!(
        next(&r, Action::AcceptSettlement, &f),
        Ok(CaseState::FollowUp)
    );
    f.settlement_open = false;
    assert!(matches!(
        next(&r, Action::AcceptSettlement, &f),
        Err(Denial::Conflict(_))
    ));
}

#[test]
fn reopen_only_within_the_period() {
    let lead = staff(Role::Lead, false, false);
    let mut f = favourable(CaseState::Closed, Action::Reopen);
    assert_eq!(
        next(&lead, Action::Reopen, &f),
        Ok(CaseState::Investigation)
    );
    f.closed_at = Some(now() - Duration::days(31));
    assert!(matches!(
        next(&lead, Action::Reopen, &f),
        Err(Denial::Conflict(_))
    ));
}

#[test]
fn visibility_by_role_and_relation() {
    let mediator = staff(Role::Mediator, false, false);
    assert!(mediator.can_view(CaseState::Intake));
    assert!(!mediator.can_view(CaseState::Assigned));
    assert!(staff(Role::Mediator, true, false).can_view(CaseState::Closed));
    assert!(staff(Role::Mediator, false, true).can_view(CaseState::Closed));
    assert!(!Standing::Outsider.can_view(CaseState::Intake));
    assert!(staff(Role::Lead, false, false).can_view(CaseState::Closed));
    assert!(C.can_view(CaseState::Dismissed));
}

#[test]
fn only_parties_and_those_who_speak_for_the_service_may_post() {
    assert!(C.may_post().is_ok());
    assert!(R.may_post().is_ok());
    assert!(staff(Role::Mediator, true, false).may_post().is_ok());
    assert!(staff(Role::Lead, false, false).may_post().is_ok());
    assert!(staff(Role::Admin, false, false).may_post().is_ok());
    assert!(staff(Role::Mediator, false, false).may_post().is_err());
    assert!(staff(Role::Mediator, false, true).may_post().is_err());
    assert!(Standing::Outsider.may_post().is_err());
}

#[test]
fn effects_are_applied_in_one_place() {
    let (c, r) = (C, R);
    let mut f = favourable(CaseState::Investigation, Action::AcceptSettlement);
    f.people.mediator = Some(UserId::new());
    let d = decide(&c, Action::AcceptSettlement, &f).unwrap();
    assert_eq!(
        d.effects,
        vec![Effect::AcceptSettlement(Party::Complainant)]
    );
    for e in &d.effects {
        f.apply(e);
    }
    let d = decide(&r, Action::AcceptSettlement, &f).unwrap();
    assert_eq!(d.next, CaseState::FollowUp);
    assert_eq!(
        d.effects,
        vec![Effect::AcceptSettlement(Party::Respondent), Effect::Settle]
    );
    for e in &d.effects {
        f.apply(e);
    }
    assert!(!f.settlement_open && !f.ruling_appealable);
    assert_eq!(f.people.ruling_mediator, f.people.mediator);
    assert!(f.accepted_ruling.complainant && f.accepted_ruling.respondent);
    let d = decide(&staff(Role::Lead, false, false), Action::Reopen, &{
        let mut g = favourable(CaseState::Closed, Action::Reopen);
        g.appealed.set(Party::Respondent);
        g
    })
    .unwrap();
    assert_eq!(d.effects, vec![Effect::Reopen]);
    let mut g = favourable(CaseState::Closed, Action::Reopen);
    g.apply(&Effect::Reopen);
    assert_eq!(g.closed_at, None);
    assert_eq!(g.appealed, PerParty::default());
}

#[test]
fn the_table_names_every_action() {
    for action in Action::ALL {
        assert!(
            TABLE.iter().any(|t| t.action == action),
            "{action} has no row"
        );
        let whos: Vec<Who> = TABLE
            .iter()
            .filter(|t| t.action == action)
            .map(|t| t.who)
            .collect();
        assert!(
            whos.windows(2).all(|w| w[0] == w[1]),
            "{action}: one rule of who"
        );
    }
}
