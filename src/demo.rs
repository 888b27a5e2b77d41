//! `ombud demo`: users in every role and a case in every state, made through
//! the same code the API runs, so a newcomer has something real to explore.

use std::sync::Arc;

use chrono::{Duration, Utc};
use diesel::prelude::*;

use crate::config::Settings;
use crate::db::schema::users;
use crate::db::{Db, DbConnection};
use crate::domain::parse::Email;
use crate::domain::ruling::{
    AppealDecision, DismissalReason, Outcome, Remedy, RemedyKind, Sanction, SanctionKind,
};
use crate::domain::{Action, CaseId, CaseState, Party, Priority, Role, Scope, UserId};
use crate::error::{ApiError, ApiResult};
use crate::routes::auth::TokenKind;
use crate::routes::cases::access::Actor;
use crate::routes::cases::actions::{self as act, Apply, NoteBody, take};
use crate::routes::cases::file_case::{FileCase, RespondentInput, file};
use crate::routes::categories::create_category;
use crate::routes::users::{UserInput, insert};

/// The password of every demo user.
pub const PASSWORD: &str = "ombud-demo-password";

struct People {
    admin: Actor,
    lead: Actor,
    mia: Actor,
    max: Actor,
    ann: Actor,
    bob: Actor,
    bob_id: UserId,
}

fn user(
    conn: &mut DbConnection,
    local: &str,
    name: &str,
    role: Role,
    hash: &str,
) -> ApiResult<Actor> {
    let email =
        Email::parse(&format!("{local}@demo.ombud.test")).map_err(|e| anyhow::anyhow!(e))?;
    let row = insert(
        conn,
        UserInput {
            email,
            name: name.into(),
            role,
            language: "en".into(),
            password_hash: Some(hash.into()),
        },
    )?;
    Ok(Actor {
        user: Some(UserId::from_db(&row.id).map_err(anyhow::Error::from)?),
        role: Some(role),
    })
}

fn step(
    conn: &mut DbConnection,
    s: &Settings,
    who: &Actor,
    id: CaseId,
    action: Action,
    apply: ApiResult<Apply>,
) -> ApiResult<()> {
    take(conn, who, id, action, None, s, &apply?).map(|_| ())
}

fn note() -> NoteBody {
    NoteBody::default()
}

fn ruling(s: &Settings, p: &People, conn: &mut DbConnection, id: CaseId) -> ApiResult<()> {
    step(
        conn,
        s,
        &p.lead,
        id,
        Action::Assign,
        act::assign::apply(
            act::assign::AssignBody {
                mediator_id: p.mia.user.map(|u| u.0).unwrap_or_default(),
                note: None,
            },
            s,
        ),
    )?;
    step(
        conn,
        s,
        &p.mia,
        id,
        Action::StartInvestigation,
        act::start_investigation::apply(note(), s),
    )?;
    let body = act::issue_ruling::IssueRulingBody {
        outcome: Outcome::Upheld,
        rationale: "The order was paid for and never delivered.".into(),
        rules_cited: vec!["R-4.2".into()],
        sanctions: vec![Sanction {
            kind: SanctionKind::Warning,
            duration_days: None,
            note: None,
        }],
        remedies: vec![Remedy {
            kind: RemedyKind::Refund,
            description: "Refund the order in full".into(),
            due_at: Utc::now() + Duration::days(14),
        }],
        appealable: Some(true),
    };
    step(
        conn,
        s,
        &p.mia,
        id,
        Action::IssueRuling,
        act::issue_ruling::apply(body, s),
    )
}

fn case(conn: &mut DbConnection, p: &People, title: &str, category: &str) -> ApiResult<CaseId> {
    file(
        conn,
        &p.ann,
        FileCase {
            title: title.into(),
            description: format!("{title}. Filed by the demo so there is something to look at."),
            category: category.into(),
            priority: None,
            language: None,
            channel: None,
            tags: vec!["demo".into()],
            respondent: RespondentInput {
                user_id: p.bob_id.0.into(),
                name: None,
                email: None,
            },
        },
    )
}

/// Seeds the demo data, or says it is already there.
pub fn seed(db: &Db, settings: &Arc<Settings>) -> anyhow::Result<()> {
    let hash = crate::auth::password::hash(PASSWORD)?;
    let s = settings.clone();
    let result = db.write_blocking(move |conn| {
        let present: i64 = users::table
            .filter(users::email.eq("admin@demo.ombud.test"))
            .count()
            .get_result(conn)?;
        if present > 0 {
            return Ok(None);
        }
        let admin = user(conn, "admin", "Ada Admin", Role::Admin, &hash)?;
        let bob = user(conn, "bob", "Bob's Shop", Role::Member, &hash)?;
        let p = People {
            lead: user(conn, "lead", "Lee Lead", Role::Lead, &hash)?,
            mia: user(conn, "mia", "Mia Mediator", Role::Mediator, &hash)?,
            max: user(conn, "max", "Max Mediator", Role::Mediator, &hash)?,
            ann: user(conn, "ann", "Ann Complainant", Role::Member, &hash)?,
            bob_id: bob.user.ok_or_else(|| anyhow::anyhow!("demo user"))?,
            bob,
            admin,
        };
        create_category::insert(
            conn,
            "delivery".into(),
            "Delivery".into(),
            "Orders that never came or came broken".into(),
            Priority::Normal,
        )?;
        create_category::insert(
            conn,
            "billing".into(),
            "Billing".into(),
            "Charges, refunds and invoices".into(),
            Priority::High,
        )?;
        create_category::insert(
            conn,
            "conduct".into(),
            "Conduct".into(),
            "Harassment and abuse in the community".into(),
            Priority::Urgent,
        )?;
        let s = &*s;
        let mediator = p.mia.user.map(|u| u.0).unwrap_or_default();
        let assign = |conn: &mut DbConnection, id| {
            step(
                conn,
                s,
                &p.lead,
                id,
                Action::Assign,
                act::assign::apply(
                    act::assign::AssignBody {
                        mediator_id: mediator,
                        note: None,
                    },
                    s,
                ),
            )
        };

        case(conn, &p, "Parcel left in the rain", "delivery")?;
        let id = case(conn, &p, "Charged twice for one order", "billing")?;
        assign(conn, id)?;
        let id = case(conn, &p, "Insulting replies to my reviews", "conduct")?;
        assign(conn, id)?;
        step(
            conn,
            s,
            &p.mia,
            id,
            Action::StartInvestigation,
            act::start_investigation::apply(note(), s),
        )?;
        step(
            conn,
            s,
            &p.mia,
            id,
            Action::RequestInfo,
            act::request_info::apply(
                act::request_info::RequestInfoBody {
                    party: Party::Respondent,
                    question: "Please explain the replies of 3 November.".into(),
                    deadline: Utc::now() + Duration::days(5),
                },
                s,
            ),
        )?;
        let id = case(conn, &p, "Order 1001 never arrived", "delivery")?;
        ruling(s, &p, conn, id)?;
        let id = case(conn, &p, "Order 1002 never arrived", "delivery")?;
        ruling(s, &p, conn, id)?;
        step(
            conn,
            s,
            &p.bob,
            id,
            Action::Appeal,
            act::appeal::apply(
                act::appeal::AppealBody {
                    grounds: "The courier's receipt shows delivery.".into(),
                },
                s,
            ),
        )?;
        let id = case(conn, &p, "Order 1003 never arrived", "delivery")?;
        ruling(s, &p, conn, id)?;
        step(
            conn,
            s,
            &p.bob,
            id,
            Action::Appeal,
            act::appeal::apply(
                act::appeal::AppealBody {
                    grounds: "The parcel was delivered.".into(),
                },
                s,
            ),
        )?;
        step(
            conn,
            s,
            &p.lead,
            id,
            Action::Assign,
            act::assign::apply(
                act::assign::AssignBody {
                    mediator_id: p.max.user.map(|u| u.0).unwrap_or_default(),
                    note: Some("Appeal review".into()),
                },
                s,
            ),
        )?;
        step(
            conn,
            s,
            &p.max,
            id,
            Action::DecideAppeal,
            act::decide_appeal::apply(
                act::decide_appeal::DecideAppealBody {
                    decision: AppealDecision::Uphold,
                    rationale: "The receipt is for another parcel.".into(),
                    outcome: None,
                    rules_cited: vec![],
                    sanctions: vec![],
                    remedies: vec![],
                },
                s,
            ),
        )?;
        let id = case(conn, &p, "Order 1004 never arrived", "delivery")?;
        ruling(s, &p, conn, id)?;
        step(
            conn,
            s,
            &p.ann,
            id,
            Action::AcceptRuling,
            act::accept_ruling::apply(note(), s),
        )?;
        step(
            conn,
            s,
            &p.bob,
            id,
            Action::AcceptRuling,
            act::accept_ruling::apply(note(), s),
        )?;
        step(
            conn,
            s,
            &p.mia,
            id,
            Action::Close,
            act::close::apply(note(), s),
        )?;
        let id = case(conn, &p, "Wrong colour delivered", "delivery")?;
        step(
            conn,
            s,
            &p.ann,
            id,
            Action::Withdraw,
            act::withdraw::apply(
                NoteBody {
                    note: Some("The shop swapped it.".into()),
                },
                s,
            ),
        )?;
        let id = case(conn, &p, "Charged twice (again)", "billing")?;
        step(
            conn,
            s,
            &p.lead,
            id,
            Action::Dismiss,
            act::dismiss::apply(
                act::dismiss::DismissBody {
                    reason: DismissalReason::Duplicate,
                    detail: "Same as the earlier billing case.".into(),
                },
                s,
            ),
        )?;

        let admin_id = p.admin.user.ok_or_else(|| anyhow::anyhow!("demo user"))?;
        let token = crate::routes::auth::issue(
            conn,
            admin_id,
            admin_id,
            "demo".into(),
            TokenKind::Personal,
            &Scope::ALL,
            Duration::hours(s.token_ttl_hours),
        )?;
        Ok(Some(token.token))
    });
    match result {
        Ok(None) => {
            println!("demo data is already present; sign in as admin@demo.ombud.test / {PASSWORD}")
        }
        Ok(Some(token)) => {
            println!(
                "demo data created: a case in each of the {} states",
                CaseState::ALL.len()
            );
            println!("users (password {PASSWORD}):");
            for (email, role) in [
                ("admin", "admin"),
                ("lead", "lead"),
                ("mia", "mediator"),
                ("max", "mediator"),
                ("ann", "member, complainant"),
                ("bob", "member, respondent"),
            ] {
                println!("  {email}@demo.ombud.test  ({role})");
            }
            println!("admin token (shown once): {token}");
        }
        Err(e) => return Err(anyhow::anyhow!("demo failed: {}", describe(e))),
    }
    Ok(())
}

fn describe(e: ApiError) -> String {
    format!("{e} ({})", e.kind())
}
