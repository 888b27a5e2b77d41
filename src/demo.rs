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
use crate::error::ApiResult;
use crate::routes::auth::TokenKind;
use crate::routes::cases::access::Actor;
use crate::routes::cases::actions::{self as act, Apply, NoteBody, take};
use crate::routes::cases::file_case::{FileCase, RespondentInput, file};
use crate::routes::categories::create_category;
use crate::routes::users::{UserInput, insert};

/// The password of every demo user.
pub const PASSWORD: &str = "ombud-demo-password";

/// The demo users: (local part of the email, name, role).
const PEOPLE: [(&str, &str, Role); 6] = [
    ("admin", "Ada Admin", Role::Admin),
    ("lead", "Lee Lead", Role::Lead),
    ("mia", "Mia Mediator", Role::Mediator),
    ("max", "Max Mediator", Role::Mediator),
    ("ann", "Ann Complainant", Role::Member),
    ("bob", "Bob's Shop", Role::Member),
];

/// Seeds within one transaction, through the API's own functions.
struct Seeder<'a> {
    conn: &'a mut DbConnection,
    settings: &'a Settings,
    people: Vec<Actor>,
}

impl Seeder<'_> {
    fn who(&self, local: &str) -> Actor {
        let i = PEOPLE.iter().position(|p| p.0 == local).unwrap_or(0);
        self.people[i].clone()
    }

    fn id_of(&self, local: &str) -> uuid::Uuid {
        self.who(local).user.map(|u| u.0).unwrap_or_default()
    }

    fn file(&mut self, title: &str, category: &str) -> ApiResult<CaseId> {
        let body = FileCase {
            title: title.into(),
            description: format!("{title}. Filed by the demo so there is something to look at."),
            category: category.into(),
            priority: None,
            language: None,
            channel: None,
            tags: vec!["demo".into()],
            respondent: RespondentInput {
                user_id: Some(self.id_of("bob")),
                name: None,
                email: None,
            },
        };
        file(self.conn, self.settings, &self.who("ann"), body)
    }

    fn act(
        &mut self,
        who: &str,
        id: CaseId,
        action: Action,
        apply: ApiResult<Apply>,
    ) -> ApiResult<()> {
        let actor = self.who(who);
        take(self.conn, &actor, id, action, None, self.settings, &apply?).map(|_| ())
    }

    fn assign(&mut self, id: CaseId, mediator: &str) -> ApiResult<()> {
        let body = act::assign::AssignBody {
            mediator_id: self.id_of(mediator),
            note: None,
        };
        let apply = act::assign::apply(body, self.settings);
        self.act("lead", id, Action::Assign, apply)
    }

    fn investigate(&mut self, title: &str, category: &str) -> ApiResult<CaseId> {
        let id = self.file(title, category)?;
        self.assign(id, "mia")?;
        let apply = act::start_investigation::apply(NoteBody::default(), self.settings);
        self.act("mia", id, Action::StartInvestigation, apply)?;
        Ok(id)
    }

    fn ruled(&mut self, title: &str) -> ApiResult<CaseId> {
        let id = self.investigate(title, "delivery")?;
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
        let apply = act::issue_ruling::apply(body, self.settings);
        self.act("mia", id, Action::IssueRuling, apply)?;
        Ok(id)
    }

    fn appealed(&mut self, title: &str) -> ApiResult<CaseId> {
        let id = self.ruled(title)?;
        let body = act::appeal::AppealBody {
            grounds: "The courier's receipt shows delivery.".into(),
        };
        let apply = act::appeal::apply(body, self.settings);
        self.act("bob", id, Action::Appeal, apply)?;
        Ok(id)
    }

    /// One case in each of the nine states.
    fn cases(&mut self) -> ApiResult<()> {
        let s = self.settings;
        self.file("Parcel left in the rain", "delivery")?;

        let id = self.file("Charged twice for one order", "billing")?;
        self.assign(id, "mia")?;

        let id = self.investigate("Insulting replies to my reviews", "conduct")?;
        let question = act::request_info::RequestInfoBody {
            party: Party::Respondent,
            question: "Please explain the replies of 3 November.".into(),
            deadline: Utc::now() + Duration::days(5),
        };
        self.act(
            "mia",
            id,
            Action::RequestInfo,
            act::request_info::apply(question, s),
        )?;

        self.ruled("Order 1001 never arrived")?;
        self.appealed("Order 1002 never arrived")?;

        let id = self.appealed("Order 1003 never arrived")?;
        self.assign(id, "max")?;
        let decision = act::decide_appeal::DecideAppealBody {
            decision: AppealDecision::Uphold,
            rationale: "The receipt is for another parcel.".into(),
            outcome: None,
            rules_cited: vec![],
            sanctions: vec![],
            remedies: vec![],
        };
        self.act(
            "max",
            id,
            Action::DecideAppeal,
            act::decide_appeal::apply(decision, s),
        )?;

        let id = self.ruled("Order 1004 never arrived")?;
        for party in ["ann", "bob"] {
            let apply = act::accept_ruling::apply(NoteBody::default(), s);
            self.act(party, id, Action::AcceptRuling, apply)?;
        }
        self.act(
            "mia",
            id,
            Action::Close,
            act::close::apply(NoteBody::default(), s),
        )?;

        let id = self.file("Wrong colour delivered", "delivery")?;
        let note = NoteBody {
            note: Some("The shop swapped it.".into()),
        };
        self.act("ann", id, Action::Withdraw, act::withdraw::apply(note, s))?;

        let id = self.file("Charged twice (again)", "billing")?;
        let reason = act::dismiss::DismissBody {
            reason: DismissalReason::Duplicate,
            detail: "Same as the earlier billing case.".into(),
        };
        self.act("lead", id, Action::Dismiss, act::dismiss::apply(reason, s))
    }
}

fn categories(conn: &mut DbConnection) -> ApiResult<()> {
    for (slug, name, description, priority) in [
        (
            "delivery",
            "Delivery",
            "Orders that never came or came broken",
            Priority::Normal,
        ),
        (
            "billing",
            "Billing",
            "Charges, refunds and invoices",
            Priority::High,
        ),
        (
            "conduct",
            "Conduct",
            "Harassment and abuse in the community",
            Priority::Urgent,
        ),
    ] {
        create_category::insert(conn, slug.into(), name.into(), description.into(), priority)?;
    }
    Ok(())
}

/// Seeds the demo data, or says it is already there.
pub fn seed(db: &Db, settings: &Arc<Settings>) -> anyhow::Result<()> {
    let hash = crate::auth::password::hash(PASSWORD)?;
    let settings = settings.clone();
    let result = db.write_blocking(move |conn| {
        let present: i64 = users::table
            .filter(users::email.eq("admin@demo.ombud.test"))
            .count()
            .get_result(conn)?;
        if present > 0 {
            return Ok(None);
        }
        let mut people = Vec::new();
        for (local, name, role) in PEOPLE {
            let email = Email::parse(&format!("{local}@demo.ombud.test"))
                .map_err(|e| anyhow::anyhow!(e))?;
            let input = UserInput {
                email,
                name: name.into(),
                role,
                language: "en".into(),
                password_hash: Some(hash.clone()),
            };
            let row = insert(conn, input)?;
            let id = UserId::from_db(&row.id).map_err(anyhow::Error::from)?;
            people.push(Actor {
                user: Some(id),
                role: Some(role),
            });
        }
        categories(conn)?;
        let mut seeder = Seeder {
            conn,
            settings: &settings,
            people,
        };
        seeder.cases()?;
        let admin = seeder.who("admin").user.unwrap_or_default();
        let ttl = Duration::hours(settings.token_ttl_hours);
        let token = crate::routes::auth::issue(
            seeder.conn,
            admin,
            admin,
            "demo".into(),
            TokenKind::Personal,
            &Scope::ALL,
            ttl,
        )?;
        Ok(Some(token.token))
    });
    match result {
        Ok(None) => {
            println!("demo data is already present; sign in as admin@demo.ombud.test / {PASSWORD}")
        }
        Ok(Some(token)) => {
            let states = CaseState::ALL.len();
            println!("demo data created: a case in each of the {states} states");
            println!("users (password {PASSWORD}):");
            for (local, name, role) in PEOPLE {
                println!("  {local}@demo.ombud.test  {name} ({role})");
            }
            println!("admin token (shown once): {token}");
        }
        Err(e) => anyhow::bail!("demo failed: {e} ({})", e.kind()),
    }
    Ok(())
}
