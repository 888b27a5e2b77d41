//! Exhaustive checks of the lifecycle over every state x action x persona,
//! against a table written out by hand from the product brief.

use super::*;
use chrono::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Allowed,
    Forbidden,
    Conflict,
}

fn rel(role: Role) -> Relation {
    Relation {
        role: Some(role),
        ..Relation::default()
    }
}

fn personas() -> Vec<(&'static str, Relation)> {
    vec![
        (
            "complainant",
            Relation {
                complainant: true,
                ..rel(Role::Member)
            },
        ),
        (
            "respondent",
            Relation {
                respondent: true,
                ..rel(Role::Member)
            },
        ),
        (
            "assigned_mediator",
            Relation {
                assigned_mediator: true,
                ..rel(Role::Mediator)
            },
        ),
        (
            "ruling_mediator",
            Relation {
                assigned_mediator: true,
                ruling_mediator: true,
                ..rel(Role::Mediator)
            },
        ),
        ("other_mediator", rel(Role::Mediator)),
        ("lead", rel(Role::Lead)),
        (
            "ruling_lead",
            Relation {
                ruling_mediator: true,
                ..rel(Role::Lead)
            },
        ),
        ("admin", rel(Role::Admin)),
        ("member", rel(Role::Member)),
        (
            "lead_complainant",
            Relation {
                complainant: true,
                ..rel(Role::Lead)
            },
        ),
        ("system", Relation::system()),
    ]
}

/// Who may take each action, by persona name, transcribed from product.md.
fn who(action: Action) -> &'static [&'static str] {
    match action {
        Action::Assign | Action::Reopen => &["lead", "ruling_lead", "admin"],
        Action::StartInvestigation
        | Action::RequestInfo
        | Action::ProposeSettlement
        | Action::IssueRuling
        | Action::Close => &["assigned_mediator", "ruling_mediator"],
        Action::AcceptSettlement
        | Action::RejectSettlement
        | Action::AcceptRuling
        | Action::Appeal => &["complainant", "respondent", "lead_complainant"],
        Action::DecideAppeal => &["assigned_mediator", "lead", "admin"],
        Action::StartFollowUp => &["system"],
        Action::Withdraw => &["complainant", "lead_complainant"],
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
        Action::Withdraw | Action::Dismiss => &["intake", "assigned", "investigation"],
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

fn classify(r: Result<CaseState, Denial>) -> Expect {
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
    assert_eq!(checked, 9 * 15 * 11);
}

#[test]
fn targets_follow_the_brief() {
    let lead = rel(Role::Lead);
    let f = |s| favourable(s, Action::Assign);
    assert_eq!(
        decide(&lead, Action::Assign, &f(CaseState::Intake)),
        Ok(CaseState::Assigned)
    );
    assert_eq!(
        decide(&lead, Action::Assign, &f(CaseState::Assigned)),
        Ok(CaseState::Assigned)
    );
    assert_eq!(
        decide(&lead, Action::Assign, &f(CaseState::Investigation)),
        Ok(CaseState::Investigation)
    );
    assert_eq!(
        decide(&lead, Action::Assign, &f(CaseState::Appeal)),
        Ok(CaseState::Appeal)
    );
    for state in [
        CaseState::Intake,
        CaseState::Assigned,
        CaseState::Investigation,
    ] {
        assert_eq!(
            decide(&lead, Action::Dismiss, &f(state)),
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
    let c = Relation {
        complainant: true,
        ..rel(Role::Member)
    };
    let r = Relation {
        respondent: true,
        ..rel(Role::Member)
    };
    let mut f = favourable(CaseState::Ruling, Action::AcceptRuling);
    assert_eq!(decide(&c, Action::AcceptRuling, &f), Ok(CaseState::Ruling));
    f.accepted_ruling.set(Party::Complainant);
    assert!(matches!(
        decide(&c, Action::AcceptRuling, &f),
        Err(Denial::Conflict(_))
    ));
    assert!(matches!(
        decide(&c, Action::Appeal, &f),
        Err(Denial::Conflict(_))
    ));
    assert_eq!(
        decide(&r, Action::AcceptRuling, &f),
        Ok(CaseState::FollowUp)
    );
}

#[test]
fn appeals_are_once_per_party_within_the_window_and_only_when_appealable() {
    let c = Relation {
        complainant: true,
        ..rel(Role::Member)
    };
    let mut f = favourable(CaseState::Ruling, Action::Appeal);
    assert_eq!(decide(&c, Action::Appeal, &f), Ok(CaseState::Appeal));
    f.appealed.set(Party::Complainant);
    assert!(matches!(
        decide(&c, Action::Appeal, &f),
        Err(Denial::Conflict(_))
    ));
    let mut f = favourable(CaseState::Ruling, Action::Appeal);
    f.appeal_deadline = Some(now() - Duration::seconds(1));
    assert!(matches!(
        decide(&c, Action::Appeal, &f),
        Err(Denial::Conflict(_))
    ));
    let mut f = favourable(CaseState::Ruling, Action::Appeal);
    f.ruling_appealable = false;
    assert!(matches!(
        decide(&c, Action::Appeal, &f),
        Err(Denial::Conflict(_))
    ));
    // The system may not start follow-up while the window is open.
    let f = favourable(CaseState::Ruling, Action::Appeal);
    assert!(matches!(
        decide(&Relation::system(), Action::StartFollowUp, &f),
        Err(Denial::Conflict(_))
    ));
}

#[test]
fn settlement_needs_an_open_proposal_and_both_acceptances() {
    let c = Relation {
        complainant: true,
        ..rel(Role::Member)
    };
    let r = Relation {
        respondent: true,
        ..rel(Role::Member)
    };
    let mut f = favourable(CaseState::Investigation, Action::AcceptSettlement);
    assert_eq!(
        decide(&c, Action::AcceptSettlement, &f),
        Ok(CaseState::Investigation)
    );
    f.accepted_settlement.set(Party::Complainant);
    assert!(matches!(
        decide(&c, Action::RejectSettlement, &f),
        Err(Denial::Conflict(_))
    ));
    assert_eq!(
        decide(&r, Action::AcceptSettlement, &f),
        Ok(CaseState::FollowUp)
    );
    f.settlement_open = false;
    assert!(matches!(
        decide(&r, Action::AcceptSettlement, &f),
        Err(Denial::Conflict(_))
    ));
}

#[test]
fn reopen_only_within_the_period() {
    let lead = rel(Role::Lead);
    let mut f = favourable(CaseState::Closed, Action::Reopen);
    assert_eq!(
        decide(&lead, Action::Reopen, &f),
        Ok(CaseState::Investigation)
    );
    f.closed_at = Some(now() - Duration::days(31));
    assert!(matches!(
        decide(&lead, Action::Reopen, &f),
        Err(Denial::Conflict(_))
    ));
}

#[test]
fn visibility_by_role_and_relation() {
    let mediator = rel(Role::Mediator);
    assert!(mediator.can_view(CaseState::Intake));
    assert!(!mediator.can_view(CaseState::Assigned));
    let assigned = Relation {
        assigned_mediator: true,
        ..mediator
    };
    assert!(assigned.can_view(CaseState::Closed));
    assert!(!rel(Role::Member).can_view(CaseState::Intake));
    assert!(rel(Role::Lead).can_view(CaseState::Closed));
    let c = Relation {
        complainant: true,
        ..rel(Role::Member)
    };
    assert!(c.can_view(CaseState::Dismissed));
}
