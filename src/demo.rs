//! `ombud demo`: users in every role and a case in every state, made through
//! the same code the API runs, so a newcomer has something real to explore.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::accounts::tokens::{Grant, TokenKind, issue};
use crate::accounts::users::{UserInput, insert};
use crate::cases::actions::{self as act, NoteBody};
use crate::cases::file::{FileCase, RespondentInput, file};
use crate::cases::follow_up;
use crate::cases::{CaseAction, Expected, take};
use crate::config::Settings;
use crate::db::models::UserRow;
use crate::db::schema::{cases, categories, users};
use crate::db::{Db, DbConnection};
use crate::domain::follow_up::Resolution;
use crate::domain::parse::Email;
use crate::domain::ruling::{
    AppealDecision, DismissalReason, Outcome, Remedy, RemedyKind, Sanction, SanctionKind,
};
use crate::domain::{Actor, CaseId, CaseState, Party, Priority, Role, Scope, UserId};
use crate::error::ApiResult;
use crate::state::Env;

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
    env: &'a Env,
    people: Vec<Actor>,
}

impl Seeder<'_> {
    fn who(&self, local: &str) -> Actor {
        let i = PEOPLE.iter().position(|p| p.0 == local).unwrap_or(0);
        self.people[i]
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
            rules_cited: vec![],
            respondent: RespondentInput {
                user_id: Some(self.id_of("bob")),
                name: None,
                email: None,
            },
        };
        let ann = self.who("ann");
        Ok(file(self.conn, self.env, &ann, body)?.id())
    }

    /// Takes action `A` with `body`, parsed as the API parses it.
    fn act<A: CaseAction>(&mut self, who: &str, id: CaseId, body: A::Body) -> ApiResult<()> {
        let actor = self.who(who);
        let input = A::parse(body, self.env)?;
        take(self.conn, self.env, &actor, id, &Expected::Absent, input).map(|_| ())
    }

    fn assign(&mut self, id: CaseId, mediator: &str) -> ApiResult<()> {
        let body = act::assign::AssignBody {
            mediator_id: self.id_of(mediator),
            note: None,
        };
        self.act::<act::assign::Assign>("lead", id, body)
    }

    fn investigate(&mut self, title: &str, category: &str) -> ApiResult<CaseId> {
        let id = self.file(title, category)?;
        self.assign(id, "mia")?;
        self.act::<act::start_investigation::StartInvestigation>("mia", id, NoteBody::default())?;
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
                due_at: self.env.now + Duration::days(14),
            }],
            appealable: Some(true),
        };
        self.act::<act::issue_ruling::IssueRuling>("mia", id, body)?;
        Ok(id)
    }

    fn appealed(&mut self, title: &str) -> ApiResult<CaseId> {
        let id = self.ruled(title)?;
        let body = act::appeal::AppealBody {
            grounds: "The courier's receipt shows delivery.".into(),
        };
        self.act::<act::appeal::Appeal>("bob", id, body)?;
        Ok(id)
    }

    /// One case in each of the nine states.
    fn cases(&mut self) -> ApiResult<()> {
        self.file("Parcel left in the rain", "delivery")?;

        let id = self.file("Charged twice for one order", "billing")?;
        self.assign(id, "mia")?;

        let id = self.investigate("Insulting replies to my reviews", "conduct")?;
        let question = act::request_info::RequestInfoBody {
            party: Party::Respondent,
            question: "Please explain the replies of 3 November.".into(),
            deadline: self.env.now + Duration::days(5),
            last: false,
        };
        self.act::<act::request_info::RequestInfo>("mia", id, question)?;

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
        self.act::<act::decide_appeal::DecideAppeal>("max", id, decision)?;

        let id = self.ruled("Order 1004 never arrived")?;
        for party in ["ann", "bob"] {
            self.act::<act::accept_ruling::AcceptRuling>(party, id, NoteBody::default())?;
        }
        // Mia records the refund and the warning; the last one closes the
        // case (unless `follow_up_auto_close` is off; then she closes it).
        let mia = self.who("mia");
        for item in follow_up::list(self.conn, self.env, &mia, id)?.items {
            let done = follow_up::RecordObligation {
                status: Resolution::Done,
                note: "Seen done by the mediator.".into(),
                evidence_id: None,
                started_at: None,
            };
            follow_up::resolve(self.conn, self.env, &mia, id, item.id, done)?;
        }
        if !self.env.settings.follow_up_auto_close {
            self.act::<act::close::Close>("mia", id, NoteBody::default())?;
        }

        let id = self.file("Wrong colour delivered", "delivery")?;
        let note = NoteBody {
            note: Some("The shop swapped it.".into()),
        };
        self.act::<act::withdraw::Withdraw>("ann", id, note)?;

        let id = self.file("Charged twice (again)", "billing")?;
        let reason = act::dismiss::DismissBody {
            reason: DismissalReason::Duplicate,
            detail: "Same as the earlier billing case.".into(),
        };
        self.act::<act::dismiss::Dismiss>("lead", id, reason)
    }
}

/// The demo community's rulebook (the demo's rulings cite ).
fn rules(conn: &mut DbConnection, admin: UserId, now: DateTime<Utc>) -> ApiResult<()> {
    use crate::cases::rulebook::{PublishRule, publish};
    let texts = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(l, t)| (l.to_string(), t.to_string()))
            .collect()
    };
    for (code, title, text) in [
        (
            "R-4.2",
            [
                ("en", "Goods paid for are delivered"),
                ("pl", "Opłacony towar jest dostarczany"),
            ],
            [
                (
                    "en",
                    "A seller delivers goods paid for within 14 days, or refunds them in full.",
                ),
                (
                    "pl",
                    "Sprzedawca dostarcza opłacony towar w ciągu 14 dni albo zwraca całą kwotę.",
                ),
            ],
        ),
        (
            "R-7.1",
            [("en", "Be civil"), ("pl", "Zachowuj kulturę")],
            [
                (
                    "en",
                    "No insults, threats or harassment, in public or in private messages.",
                ),
                (
                    "pl",
                    "Bez obelg, gróźb i nękania, publicznie i w wiadomościach prywatnych.",
                ),
            ],
        ),
    ] {
        let input = PublishRule {
            code: code.into(),
            title: texts(&title),
            text: texts(&text),
        }
        .parse()?;
        publish(conn, admin, input, now)?;
    }
    Ok(())
}

/// Adds the demo categories that are missing; returns how many it added.
fn categories(conn: &mut DbConnection, env: &Env) -> ApiResult<usize> {
    let mut added = 0;
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
        let present: i64 = categories::table
            .filter(categories::slug.eq(slug))
            .count()
            .get_result(conn)?;
        if present == 0 {
            let input = crate::cases::categories::CategoryInput {
                slug: slug.into(),
                name: name.into(),
                description: description.into(),
                priority,
                auto_assign: false,
                first_response_hours: None,
            };
            crate::cases::categories::insert(conn, input, env.now)?;
            added += 1;
        }
    }
    Ok(added)
}

/// The demo user with this address, made if missing; whether it was made.
fn person(
    conn: &mut DbConnection,
    env: &Env,
    email: Email,
    name: &str,
    role: Role,
    hash: &str,
) -> ApiResult<(Actor, bool)> {
    let found: Option<UserRow> = users::table
        .filter(users::email.eq(email.as_str()))
        .first(conn)
        .optional()?;
    let (row, made) = match found {
        Some(row) => (row, false),
        None => {
            let input = UserInput {
                email,
                name: name.into(),
                role,
                language: "en".into(),
                password_hash: Some(hash.to_string()),
            };
            (insert(conn, input, env.now)?, true)
        }
    };
    Ok((Actor::user(row.id, row.role), made))
}

/// What `seed` did.
enum Seeded {
    /// Everything was there already.
    Present,
    /// Something was added; a new token for the demo admin.
    Added(String),
}

/// Seeds the demo data, adding only what is missing (so it also runs on a
/// database someone has already used), or says it is all there.
pub fn seed(db: &Db, settings: &Arc<Settings>) -> anyhow::Result<()> {
    let hash = crate::accounts::password::hash(PASSWORD)?;
    let env = Env::new(settings.clone(), chrono::Utc::now());
    let result = db.write_blocking(move |conn| -> ApiResult<Seeded> {
        let mut people = Vec::new();
        let mut added = 0;
        for (local, name, role) in PEOPLE {
            let email = Email::parse(&format!("{local}@demo.ombud.test"))
                .map_err(|e| anyhow::anyhow!(e))?;
            let (actor, made) = person(conn, &env, email, name, role, &hash)?;
            added += usize::from(made);
            people.push(actor);
        }
        added += categories(conn, &env)?;
        let mut seeder = Seeder {
            conn,
            env: &env,
            people,
        };
        let ann = seeder
            .who("ann")
            .user
            .map(UserId::to_db)
            .unwrap_or_default();
        let filed: i64 = cases::table
            .filter(cases::complainant_id.eq(ann))
            .count()
            .get_result(seeder.conn)?;
        if filed == 0 {
            let admin = seeder.who("admin").user.unwrap_or_default();
            rules(seeder.conn, admin, env.now)?;
            seeder.cases()?;
            added += 1;
        }
        if added == 0 {
            return Ok(Seeded::Present);
        }
        let admin = seeder.who("admin").user.unwrap_or_default();
        let ttl = Duration::hours(env.settings.token_ttl_hours);
        let token = issue(
            seeder.conn,
            Grant {
                user: admin,
                created_by: admin,
                name: "demo".into(),
                kind: TokenKind::Personal,
                scopes: &Scope::ALL,
                lifetime: ttl,
            },
            env.now,
        )?;
        Ok(Seeded::Added(token.token))
    });
    match result {
        Ok(Seeded::Present) => {
            println!("demo data is already present; sign in as admin@demo.ombud.test / {PASSWORD}")
        }
        Ok(Seeded::Added(token)) => {
            let states = CaseState::ALL.len();
            println!(
                "demo data added where missing: users, categories and a case in each of the {states} states"
            );
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
