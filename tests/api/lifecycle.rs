//! Every action for every persona in every state, generated from the domain
//! table and checked against the API: the status, `allowed_actions`, and that
//! a refused action changes nothing.

use chrono::{Duration, Utc};
use ombud::domain::Role;
use ombud::domain::lifecycle::{Action, CaseFacts, CaseState, Denial, Standing, decide};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, body_for, case_in, on_each_backend, problem};

/// How each persona stands to a case built by `case_in`.
fn standing(persona: &str, state: CaseState) -> Standing {
    let ruled = matches!(
        state,
        CaseState::Ruling | CaseState::Appeal | CaseState::FollowUp | CaseState::Closed
    );
    let assigned = !matches!(
        state,
        CaseState::Intake | CaseState::Withdrawn | CaseState::Dismissed
    );
    let staff = |role, assigned, ruled| Standing::Staff {
        role,
        assigned,
        ruled,
    };
    match persona {
        "complainant" => Standing::Party(ombud::domain::Party::Complainant),
        "respondent" => Standing::Party(ombud::domain::Party::Respondent),
        "assigned_mediator" => staff(Role::Mediator, assigned, ruled),
        "other_mediator" => staff(Role::Mediator, false, false),
        "lead" => staff(Role::Lead, false, false),
        "admin" => staff(Role::Admin, false, false),
        "member" => Standing::Outsider,
        other => panic!("unknown persona {other}"),
    }
}

/// The facts of a case built by `case_in`: a fresh appealable ruling, no
/// settlement proposal, closed just now.
fn facts(state: CaseState) -> CaseFacts {
    let now = Utc::now();
    let mut f = CaseFacts::new(state, now, Duration::days(30));
    f.ruling_appealable = true;
    f.appeal_deadline = Some(now + Duration::days(14));
    f.closed_at = Some(now);
    if state == CaseState::Appeal {
        f.appealed.complainant = true;
    }
    f
}

/// What the API should answer: a status, and the state after success.
fn expected(persona: &str, action: Action, state: CaseState) -> (StatusCode, Option<CaseState>) {
    let standing = standing(persona, state);
    if !standing.can_view(state) {
        return (StatusCode::NOT_FOUND, None);
    }
    match decide(&standing, action, &facts(state)) {
        Ok(decision) => (StatusCode::OK, Some(decision.next)),
        Err(Denial::Forbidden(_)) => (StatusCode::FORBIDDEN, None),
        Err(Denial::Conflict(_)) => (StatusCode::CONFLICT, None),
    }
}

/// The actions with an API operation (start_follow_up, auto_assign and
/// apply_group_ruling belong to the system).
fn api_actions() -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| !a.by_system_only())
        .collect()
}

async fn check_state(app: &TestApp, cast: &Cast, state: CaseState) -> usize {
    let id = case_in(app, cast, state.as_str()).await;
    let before = app.case(&cast.lead, &id).await;
    let mut checked = 0;
    for (persona, user) in cast.personas() {
        // allowed_actions must be exactly what the domain allows.
        let res = app.get(&format!("/cases/{id}"), user).await;
        if expected(persona, Action::Withdraw, state).0 == StatusCode::NOT_FOUND {
            assert_eq!(
                res.status(),
                StatusCode::NOT_FOUND,
                "{persona} must not see a case in {state}"
            );
        } else {
            let view: Value = res.json().await.expect("json");
            let want: Vec<&str> = api_actions()
                .into_iter()
                .filter(|a| expected(persona, *a, state).0 == StatusCode::OK)
                .map(Action::as_str)
                .collect();
            let got: Vec<&str> = view["allowed_actions"]
                .as_array()
                .expect("array")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(
                got, want,
                "allowed_actions of {persona} in {state} on {:?}",
                app.backend
            );
        }
        for action in api_actions() {
            let (status, next) = expected(persona, action, state);
            let body = body_for(action.as_str(), cast);
            if status == StatusCode::OK {
                // Take it on a fresh case in the same state, so the shared one stays put.
                let fresh = case_in(app, cast, state.as_str()).await;
                let after = app.act_ok(user, &fresh, action.as_str(), body).await;
                let want = next.expect("a target state");
                assert_eq!(
                    after["state"],
                    want.as_str(),
                    "{persona} {action} from {state}"
                );
            } else {
                let res = app.act(user, &id, action.as_str(), body).await;
                assert_eq!(
                    res.status(),
                    status,
                    "{persona} {action} in {state} on {:?}",
                    app.backend
                );
                let p = problem(res).await;
                assert_eq!(p["status"], status.as_u16());
            }
            checked += 1;
        }
    }
    let after = app.case(&cast.lead, &id).await;
    assert_eq!(
        after["version"], before["version"],
        "refused actions changed the case in {state}"
    );
    assert_eq!(after["state"], before["state"]);
    checked
}

#[tokio::test]
async fn every_action_for_every_persona_in_every_state() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        // Everyone who may claim has a profile that lets them: the matrix
        // checks the lifecycle; the desk's own rules have their own tests.
        for who in [&cast.mediator, &cast.other_mediator, &cast.lead] {
            cast.give_profile(&app, who, json!({"capacity": 1000}))
                .await;
        }
        let mut checked = 0;
        for state in CaseState::ALL {
            checked += check_state(&app, &cast, state).await;
        }
        assert_eq!(checked, 9 * 7 * 15);
    })
    .await;
}

#[tokio::test]
async fn start_follow_up_and_auto_assign_have_no_operation() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "ruling").await;
        for action in ["start_follow_up", "auto_assign"] {
            let res = app.act(&cast.lead, &id, action, json!({})).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
            problem(res).await;
        }
    })
    .await;
}
