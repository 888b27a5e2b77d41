//! The plans of the other lists (users, tokens, the outbox, a case's
//! messages and timeline), as the code builds them, on a few thousand rows
//! each: each reads a page through an index that serves its filter and order.

use diesel::connection::SimpleConnection;
use ombud::accounts::tokens::Holders;
use ombud::accounts::users::UserFilter;
use ombud::db::DbConnection;
use ombud::domain::events::Visibility;
use ombud::domain::{CaseId, MailStatus, Party, Role, UserId};
use ombud::notify::admin::OutboxFilter;
use ombud::pagination::Page;

use super::cases::{CASES, seed, user};
use super::{at_each_stage, faults, plan, seeded};
use crate::helpers::on_each_backend;

const USERS: usize = 3000;
const TOKENS: usize = 3000;

/// Adds [`USERS`] users in every role, some deactivated, [`TOKENS`] tokens
/// (one in ten a service token), and for every seeded case three messages,
/// three timeline entries and two mails.
fn seed_the_rest(conn: &mut DbConnection) {
    let stamp = "'2025-01-01 00:00:00'";
    let roles = ["member", "member", "member", "mediator", "lead", "admin"];
    let users: Vec<String> = (1..=USERS)
        .map(|n| {
            let active = if n % 13 == 0 { "FALSE" } else { "TRUE" };
            format!(
                "('00000000-0000-7000-b000-{n:012}', 'more{n}@x.org', 'M', '{}', 'en', NULL, {active}, {stamp}, {stamp})",
                roles[n % roles.len()]
            )
        })
        .collect();
    let tokens: Vec<String> = (1..=TOKENS)
        .map(|n| {
            let kind = if n % 10 == 0 { "service" } else { "personal" };
            let holder = user(1 + n % 40);
            format!(
                "('00000000-0000-7000-c000-{n:012}', '{holder}', 't', '{kind}', '', 'h{n}', '{holder}', {stamp}, '2099-01-01 00:00:00', NULL, NULL)"
            )
        })
        .collect();
    let three = "(SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) n";
    conn.batch_execute(&format!(
        "INSERT INTO users (id, email, name, role, language, password_hash, active, created_at, updated_at) VALUES {};
         INSERT INTO api_tokens VALUES {};
         INSERT INTO messages (id, case_id, author_id, visibility, body, created_at)
         SELECT c.id || '-' || n.k, c.id, c.complainant_id,
                CASE n.k WHEN 1 THEN 'all_parties' WHEN 2 THEN 'complainant' ELSE 'internal' END,
                'b', c.created_at
         FROM cases c, {three};
         INSERT INTO timeline_events (case_id, actor_id, kind, visibility, data, created_at)
         SELECT c.id, c.complainant_id, 'case_filed',
                CASE n.k WHEN 1 THEN 'all_parties' WHEN 2 THEN 'respondent' ELSE 'internal' END,
                '{{}}', c.created_at
         FROM cases c, {three};
         INSERT INTO outbox (id, case_id, event, template, essential, recipient_user_id,
                recipient_email, recipient_name, language, subject, body_text, body_html,
                message_id, status, attempts, next_attempt_at, created_at, updated_at)
         SELECT c.id || '-' || n.k, c.id, 'case_filed', 'acknowledgement', TRUE, c.complainant_id,
                'x@x.org', 'x', 'en', 's', 'b', 'b', '<' || c.id || '-' || n.k || '@x>',
                CASE WHEN c.state = 'closed' THEN 'failed' WHEN n.k = 1 THEN 'sent' ELSE 'pending' END,
                0, c.created_at, c.created_at, c.created_at
         FROM cases c, {three} WHERE n.k < 3;",
        users.join(", "),
        tokens.join(", ")
    ))
    .expect("seed the other tables");
}

/// A plan per list: (what, table, rows in it, plan lines, ordered scan allowed).
type Checked = (String, &'static str, usize, Vec<String>, bool);

fn plans(conn: &mut DbConnection) -> Vec<Checked> {
    let pages = [
        Page::new(Some(20), None).unwrap(),
        Page {
            limit: 20,
            after: Some("00000000-0000-7000-8000-000000000500".into()),
        },
    ];
    let a_case = CaseId::from_db("00000000-0000-7000-8000-000000000042").unwrap();
    let mut out = Vec::new();
    for page in &pages {
        let which = if page.after.is_some() {
            "later"
        } else {
            "first"
        };
        for (what, filter) in [
            (
                "all",
                UserFilter {
                    role: None,
                    active: None,
                },
            ),
            (
                "members",
                UserFilter {
                    role: Some(Role::Member),
                    active: None,
                },
            ),
            (
                "deactivated",
                UserFilter {
                    role: None,
                    active: Some(false),
                },
            ),
            (
                "active admins",
                UserFilter {
                    role: Some(Role::Admin),
                    active: Some(true),
                },
            ),
        ] {
            let p = plan(conn, ombud::accounts::users::page_query(&filter, page));
            out.push((
                format!("users, {what}, {which} page"),
                "users",
                USERS,
                p,
                what == "all",
            ));
        }
        let holder = UserId::from_db(&user(3)).unwrap();
        for (what, holders) in [
            ("service", Holders::Services),
            ("a user's", Holders::User(holder)),
        ] {
            let p = plan(conn, ombud::accounts::tokens::page_query(holders, page));
            out.push((
                format!("tokens, {what}, {which} page"),
                "api_tokens",
                TOKENS,
                p,
                false,
            ));
        }
        for (what, filter) in [
            (
                "all",
                OutboxFilter {
                    status: None,
                    case_id: None,
                },
            ),
            (
                "failed",
                OutboxFilter {
                    status: Some(MailStatus::Failed),
                    case_id: None,
                },
            ),
            (
                "a case's",
                OutboxFilter {
                    status: None,
                    case_id: Some(a_case.0),
                },
            ),
        ] {
            let p = plan(conn, ombud::notify::admin::page_query(&filter, page));
            out.push((
                format!("outbox, {what}, {which} page"),
                "outbox",
                2 * CASES,
                p,
                what == "all",
            ));
        }
        for party in [None, Some(Party::Complainant)] {
            let readable = Visibility::readable_by(party);
            let p = plan(
                conn,
                ombud::cases::messages::page_query(a_case, readable, page),
            );
            out.push((
                format!("messages, {party:?}, {which} page"),
                "messages",
                3 * CASES,
                p,
                false,
            ));
            let readable = Visibility::readable_by(party);
            let after = page.after.as_ref().map(|_| 5);
            let p = plan(
                conn,
                ombud::cases::timeline::page_query(a_case, readable, after, 20),
            );
            out.push((
                format!("timeline, {party:?}, {which} page"),
                "timeline_events",
                3 * CASES,
                p,
                false,
            ));
        }
    }
    out
}

fn check(conn: &mut DbConnection, stage: &str) {
    let wrong: Vec<String> = plans(conn)
        .into_iter()
        .filter(|(_, table, rows, p, ordered)| !faults(p, table, *rows, *ordered).is_empty())
        .map(|(what, _, _, p, _)| format!("{what}:\n    {}", p.join("\n    ")))
        .collect();
    assert!(
        wrong.is_empty(),
        "{stage}: lists that read or sort a whole table:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn the_other_lists_read_through_indexes_that_serve_their_order() {
    on_each_backend(|app| async move {
        let mut conn = seeded(&app, |conn| {
            seed(conn);
            seed_the_rest(conn);
        });
        at_each_stage(&mut conn, app.backend, check);
    })
    .await;
}
