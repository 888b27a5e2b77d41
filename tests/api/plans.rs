//! The plans of the queries behind `GET /cases` and the follow-up scan, as
//! the code builds them, on a table of a few thousand cases: none reads the
//! whole of `cases` or sorts it, so a page costs the same at any size, and
//! the scan reads only what is due.
//! SQLite is checked as a fresh database plans (no statistics) and again
//! after ANALYZE; PostgreSQL after ANALYZE, as autovacuum leaves it.
//! Checking PostgreSQL with `enable_seqscan = off` would prove nothing.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::deserialize::{self, QueryableByName};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::row::NamedRow;
use diesel::sql_types::{Text, Untyped};
use diesel::{QueryResult, RunQueryDsl};
use ombud::cases::list::{CaseFilter, queries};
use ombud::db::{DbConnection, Manager, MultiBackend};
use ombud::domain::{Actor, CaseState, Priority, Role, UserId};
use ombud::pagination::Page;
use serde_json::Value;

use crate::helpers::{Backend, TestApp, on_each_backend};

/// `EXPLAIN` (PostgreSQL) or `EXPLAIN QUERY PLAN` (SQLite) of a query,
/// with its bound values.
struct Explain<Q> {
    prefix: &'static str,
    query: Q,
}

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(self.prefix);
        self.query.walk_ast(out.reborrow())
    }
}

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Explain<Q> {
    type SqlType = Untyped;
}

impl<Q> RunQueryDsl<DbConnection> for Explain<Q> {}

/// One line of a plan.
struct Line(String);

impl QueryableByName<MultiBackend> for Line {
    fn build<'a>(row: &impl NamedRow<'a, MultiBackend>) -> deserialize::Result<Self> {
        NamedRow::get::<Text, String>(row, "detail")
            .or_else(|_| NamedRow::get::<Text, String>(row, "QUERY PLAN"))
            .map(Line)
    }
}

fn plan<Q: QueryFragment<MultiBackend>>(conn: &mut DbConnection, query: Q) -> Vec<String> {
    let prefix = match conn {
        DbConnection::Sqlite(_) => "EXPLAIN QUERY PLAN ",
        DbConnection::Postgresql(_) => "EXPLAIN ",
    };
    let lines: Vec<Line> = Explain { prefix, query }.load(conn).expect("explain");
    lines.into_iter().map(|l| l.0).collect()
}

/// Cases seeded.
const CASES: usize = 3000;

/// What is wrong with `plan`, if anything: a full read of `cases` or a sort
/// of more than a sliver of it. SQLite, which plans without knowing how
/// many rows match, must not sort at all; PostgreSQL may sort what a
/// bitmap of two equalities found when it expects few rows (under 5 % of
/// the table). `ordered_scan` allows walking the whole `(created_at, id)`
/// index in order (the unfiltered list, which stops after a page).
fn faults(plan: &[String], ordered_scan: bool) -> Vec<String> {
    plan.iter()
        .filter(|line| {
            let line = line.trim();
            let scan = line.starts_with("SCAN cases")
                && !(ordered_scan && line == "SCAN cases USING INDEX cases_created");
            let big_sort = line.contains("Sort  (cost=") && estimated_rows(line) * 20 > CASES;
            scan || line.contains("TEMP B-TREE") || line.contains("Seq Scan on cases") || big_sort
        })
        .cloned()
        .collect()
}

/// The `rows=` estimate of a PostgreSQL plan line.
fn estimated_rows(line: &str) -> usize {
    line.split("rows=")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// Ids of seeded users: members 1-40, mediators 41-46.
fn user(n: usize) -> String {
    format!("00000000-0000-7000-9000-{n:012}")
}

/// Adds 40 members, 6 mediators, 4 categories and [`CASES`] cases spread over
/// every state, priority, category, party and mediator.
fn seed(conn: &mut DbConnection) {
    let stamp = "'2025-01-01 00:00:00'";
    let users: Vec<String> = (1..=46)
        .map(|n| {
            let role = if n > 40 { "mediator" } else { "member" };
            format!(
                "('{}', 'seed{n}@x.org', 'Seed {n}', '{role}', 'en', NULL, TRUE, {stamp}, {stamp})",
                user(n)
            )
        })
        .collect();
    let mut sql = format!(
        "INSERT INTO users (id, email, name, role, language, password_hash, active, created_at, updated_at) VALUES {};",
        users.join(", ")
    );
    let categories: Vec<String> = (1..=4)
        .map(|n| format!("('00000000-0000-7000-a000-{n:012}', 'c{n}', 'C{n}', '', 'normal', TRUE, {stamp}, {stamp})"))
        .collect();
    sql += &format!(
        "INSERT INTO categories (id, slug, name, description, default_priority, active, created_at, updated_at) VALUES {};",
        categories.join(", ")
    );
    let states = CaseState::ALL;
    let priorities = ["low", "normal", "high", "urgent"];
    for chunk in (0..CASES).collect::<Vec<_>>().chunks(500) {
        let rows: Vec<String> = chunk
            .iter()
            .map(|&i| {
                let state = states[i % states.len()].as_str();
                let assigned = if state == "intake" {
                    "NULL".to_string()
                } else {
                    format!("'{}'", user(41 + i % 6))
                };
                let ruled = if matches!(state, "ruling" | "appeal" | "follow_up" | "closed") {
                    format!("'{}'", user(41 + (i + 1) % 6))
                } else {
                    "NULL".into()
                };
                // Ruled cases: a few due, most not yet.
                let deadline = match (state, i % 5) {
                    ("ruling", 0) => "'2025-06-01 00:00:00'",
                    ("ruling" | "appeal", _) => "'2099-01-01 00:00:00'",
                    _ => "NULL",
                };
                let created = minutes(i);
                format!(
                    "('00000000-0000-7000-8000-{i:012}', 'OMB-2025-{i:06}', 't', 'd', \
                     '00000000-0000-7000-a000-{cat:012}', '{prio}', 'en', 'web', '[]', '{state}', \
                     '{complainant}', '{respondent}', 'r', NULL, {assigned}, {ruled}, NULL, NULL, \
                     FALSE, NULL, FALSE, FALSE, FALSE, {deadline}, FALSE, FALSE, FALSE, FALSE, NULL, 1, \
                     {created}, {created})",
                    cat = 1 + i % 4,
                    prio = priorities[i % 4],
                    complainant = user(1 + i % 40),
                    respondent = user(1 + (i * 7 + 3) % 40),
                )
            })
            .collect();
        sql += &format!("INSERT INTO cases VALUES {};", rows.join(", "));
    }
    conn.batch_execute(&sql).expect("seed");
}

/// Minute `i` after 2025-01-01, as the text both backends take for a timestamp.
fn minutes(i: usize) -> String {
    let t = chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap()
        + chrono::Duration::minutes(i as i64);
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"))
}

fn actor(n: usize, role: Role) -> Actor {
    Actor::user(UserId::from_db(&user(n)).unwrap(), role)
}

/// A cursor from the middle of the list, issued by the API.
async fn cursor(app: &TestApp) -> String {
    let page: Value = app
        .get("/cases?limit=50", &app.admin)
        .await
        .json()
        .await
        .unwrap();
    page["next_cursor"].as_str().unwrap().to_string()
}

/// Every filter, alone and in the pairs that share a column's index.
fn filters() -> Vec<(&'static str, CaseFilter)> {
    let party = uuid::Uuid::parse_str(&user(7)).unwrap();
    let mediator = uuid::Uuid::parse_str(&user(42)).unwrap();
    let time = |t: &str| Some(t.parse().unwrap());
    let with = |edit: &dyn Fn(&mut CaseFilter)| {
        let mut f = CaseFilter::default();
        edit(&mut f);
        f
    };
    vec![
        ("no filter", CaseFilter::default()),
        ("state=intake", with(&|f| f.state = Some(CaseState::Intake))),
        (
            "state=investigation",
            with(&|f| f.state = Some(CaseState::Investigation)),
        ),
        ("category", with(&|f| f.category = Some("c2".into()))),
        ("priority", with(&|f| f.priority = Some(Priority::Urgent))),
        ("mediator_id", with(&|f| f.mediator_id = Some(mediator))),
        ("party_id", with(&|f| f.party_id = Some(party))),
        (
            "created_after",
            with(&|f| f.created_after = time("2025-01-02T00:00:00Z")),
        ),
        (
            "created range and state",
            with(&|f| {
                f.state = Some(CaseState::Closed);
                f.created_after = time("2025-01-01T10:00:00Z");
                f.created_before = time("2025-01-02T00:00:00Z");
            }),
        ),
        (
            "state and mediator_id",
            with(&|f| {
                f.state = Some(CaseState::Assigned);
                f.mediator_id = Some(mediator);
            }),
        ),
    ]
}

/// Every list a caller can ask for, as (what, actor, filter, ordered scan allowed).
fn lists() -> Vec<(String, Actor, CaseFilter, bool)> {
    let mut all = Vec::new();
    for (who, actor) in [
        ("member", actor(3, Role::Member)),
        ("mediator", actor(41, Role::Mediator)),
        ("lead", actor(1, Role::Lead)),
        ("admin", Actor::system()),
    ] {
        for (what, f) in filters() {
            let staff_unfiltered = matches!(who, "lead" | "admin")
                && f.state.is_none()
                && f.category.is_none()
                && f.priority.is_none()
                && f.mediator_id.is_none()
                && f.party_id.is_none();
            all.push((format!("{who}, {what}"), actor, f, staff_unfiltered));
        }
    }
    all
}

fn check_lists(conn: &mut DbConnection, cursor: &str, stage: &str) {
    let mut wrong = Vec::new();
    for (what, actor, f, ordered_scan) in lists() {
        for (page, which) in [
            (Page::new(Some(20), None).unwrap(), "first page"),
            (Page::new(Some(20), Some(cursor)).unwrap(), "later page"),
        ] {
            for q in queries(&actor, &f, &page).unwrap() {
                let p = plan(conn, q);
                if !faults(&p, ordered_scan).is_empty() {
                    wrong.push(format!("{what}, {which}:\n    {}", p.join("\n    ")));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{stage}: lists that read or sort the whole table:\n{}",
        wrong.join("\n")
    );
}

fn check_follow_up_scan(conn: &mut DbConnection, stage: &str) {
    let now = chrono::Utc::now().naive_utc();
    let p = plan(conn, ombud::jobs::follow_up::due(now));
    assert!(
        faults(&p, false).is_empty() && p.iter().any(|l| l.contains("cases_ruling_due")),
        "{stage}: the follow-up scan does not read through cases_ruling_due:\n{}",
        p.join("\n")
    );
}

#[tokio::test]
async fn lists_and_the_follow_up_scan_read_through_indexes_that_serve_their_order() {
    on_each_backend(|app| async move {
        let mut conn = Manager::new(&app.db.url, Duration::from_secs(5))
            .unwrap()
            .open()
            .unwrap();
        seed(&mut conn);
        let cursor = cursor(&app).await;
        if app.backend == Backend::Sqlite {
            check_lists(&mut conn, &cursor, "SQLite without statistics");
            check_follow_up_scan(&mut conn, "SQLite without statistics");
        }
        conn.batch_execute("ANALYZE").unwrap();
        let stage = format!("{:?} after ANALYZE", app.backend);
        check_lists(&mut conn, &cursor, &stage);
        check_follow_up_scan(&mut conn, &stage);
    })
    .await;
}
