//! The plans of the queries behind `GET /cases` and the follow-up scan, as
//! the code builds them, on a table of a few thousand cases: none reads the
//! whole of `cases` or sorts it, so a page costs the same at any size, and
//! the scan reads only what is due.

use diesel::connection::SimpleConnection;
use ombud::cases::list::{CaseFilter, CaseSort, queries};
use ombud::db::DbConnection;
use ombud::domain::{Actor, CaseState, Priority, Role, UserId};
use ombud::pagination::Page;
use serde_json::Value;

use super::{at_each_stage, faults, plan, seeded};
use crate::helpers::{TestApp, on_each_backend};

/// Cases seeded.
pub const CASES: usize = 3000;

/// Ids of seeded users: members 1-40, mediators 41-46.
pub fn user(n: usize) -> String {
    format!("00000000-0000-7000-9000-{n:012}")
}

/// Adds 40 members, 6 mediators, 4 categories and [`CASES`] cases spread over
/// every state, priority, category, party and mediator.
pub fn seed(conn: &mut DbConnection) {
    seed_cases(conn, CASES);
}

/// Like [`seed`], with `cases` cases.
fn seed_cases(conn: &mut DbConnection, cases: usize) {
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
    for chunk in (0..cases).collect::<Vec<_>>().chunks(500) {
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
                let waiting = match state {
                    "intake" | "appeal" => "lead",
                    "assigned" | "investigation" | "follow_up" => "mediator",
                    "ruling" => "parties",
                    _ => "nobody",
                };
                let due = match deadline {
                    "NULL" => "'9999-12-31 00:00:00'",
                    d => d,
                };
                // A third of the cases before a ruling have a running
                // service-level clock.
                let (sla_due, sla_next) =
                    if matches!(state, "intake" | "assigned" | "investigation") && i % 3 == 0 {
                        (minutes(i + 24 * 60), minutes(i + 12 * 60))
                    } else {
                        ("NULL".into(), "NULL".into())
                    };
                format!(
                    "('00000000-0000-7000-8000-{i:012}', 'OMB-2025-{i:06}', 't', 'd', \
                     '00000000-0000-7000-a000-{cat:012}', '{prio}', 'en', 'web', '[]', '{state}', \
                     '{complainant}', '{respondent}', 'r', NULL, {assigned}, {ruled}, NULL, NULL, \
                     FALSE, NULL, FALSE, FALSE, FALSE, {deadline}, FALSE, FALSE, FALSE, FALSE, NULL, 1, \
                     {created}, {created}, '{waiting}', {rank}, {due}, '[]', '[]', '[]', NULL, 0, \
                     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, {sla_next}, {sla_due}, 0, \
                     NULL, NULL, NULL, NULL, NULL, FALSE, 0, NULL, NULL)",
                    rank = 3 - i % 4,
                    cat = 1 + i % 4,
                    prio = priorities[i % 4],
                    complainant = user(1 + i % 40),
                    respondent = user(1 + (i * 7 + 3) % 40),
                )
            })
            .collect();
        sql += &format!("INSERT INTO cases VALUES {};", rows.join(", "));
        // Every tenth case has one of ten tags.
        let tags: Vec<String> = chunk
            .iter()
            .filter(|&&i| i % 10 == 0)
            .map(|&i| {
                format!(
                    "('00000000-0000-7000-8000-{i:012}', 't{}', FALSE)",
                    (i / 10) % 10
                )
            })
            .collect();
        if !tags.is_empty() {
            sql += &format!("INSERT INTO case_tags VALUES {};", tags.join(", "));
        }
        // Cases in follow-up or closed: a ruling with a remedy and a
        // sanction; most are done, a few pending, some of those past due.
        let ruled: Vec<usize> = chunk
            .iter()
            .copied()
            .filter(|&i| matches!(states[i % states.len()].as_str(), "follow_up" | "closed"))
            .collect();
        if !ruled.is_empty() {
            let rulings: Vec<String> = ruled
                .iter()
                .map(|&i| {
                    format!(
                        "('00000000-0000-7000-b000-{i:012}', '00000000-0000-7000-8000-{i:012}', NULL, \
                         'ruling', 'upheld', 'r', '[]', '[]', '[]', FALSE, {stamp}, '[]')"
                    )
                })
                .collect();
            sql += &format!("INSERT INTO rulings VALUES {};", rulings.join(", "));
            let obligations: Vec<String> = ruled
                .iter()
                .flat_map(|&i| {
                    ["remedy", "sanction"].into_iter().enumerate().map(move |(k, part)| {
                        let (status, due) = match (i + k) % 10 {
                            0 => ("pending", "'2025-02-01 00:00:00'"),
                            1 | 2 => ("pending", "'2099-01-01 00:00:00'"),
                            3 => ("overdue", "'2025-02-01 00:00:00'"),
                            4 => ("waived", "'2025-02-01 00:00:00'"),
                            _ => ("done", "'2025-02-01 00:00:00'"),
                        };
                        format!(
                            "('00000000-0000-7000-c000-{k}{i:011}', '00000000-0000-7000-8000-{i:012}', \
                             '00000000-0000-7000-b000-{i:012}', '{part}', 0, 'refund', 'd', NULL, {due}, \
                             '{status}', NULL, NULL, NULL, NULL, NULL, {stamp}, {stamp})"
                        )
                    })
                })
                .collect();
            sql += &format!("INSERT INTO obligations VALUES {};", obligations.join(", "));
        }
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

/// A cursor from the middle of the list in `sort` order, issued by the API.
async fn cursor(app: &TestApp, sort: &str) -> String {
    let page: Value = app
        .get(&format!("/cases?limit=50&sort={sort}"), &app.admin)
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
        ("tag", with(&|f| f.tag = Some("t3".into()))),
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

fn check_lists(conn: &mut DbConnection, cursors: &[(CaseSort, String)], stage: &str) {
    let mut wrong = Vec::new();
    for (sort, cursor) in cursors {
        for (what, actor, mut f, ordered_scan) in lists() {
            f.sort = Some(*sort);
            for (page, which) in [
                (Page::new(Some(20), None).unwrap(), "first page"),
                (Page::new(Some(20), Some(cursor)).unwrap(), "later page"),
            ] {
                for q in queries(&actor, &f, &page).unwrap() {
                    let p = plan(conn, q);
                    let mut found = faults(&p, "cases", CASES, ordered_scan);
                    if f.tag.is_some() {
                        // A tag is read through `case_tags_tag` and only its
                        // own cases are sorted: the cost follows how many
                        // cases carry the tag, not the table (docs/api.md).
                        let through_tags = p.iter().any(|l| l.contains("case_tags_tag"));
                        found.retain(|l| {
                            !(through_tags && (l.contains("TEMP B-TREE") || l.contains("Sort")))
                        });
                    }
                    if !found.is_empty() {
                        wrong.push(format!(
                            "{what}, {sort:?}, {which}:\n    {}",
                            p.join("\n    ")
                        ));
                    }
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

/// Every queue reads a queue index (open cases only), in order.
fn check_queues(conn: &mut DbConnection, stage: &str) {
    let later = format!(
        "q:1|2|9999-12-31T00:00:00.000000000|2025-01-01T00:10:00.000000000|{}",
        "00000000-0000-7000-8000-000000000010"
    );
    let mut wrong = Vec::new();
    for (who, actor) in [
        ("member", actor(3, Role::Member)),
        ("mediator", actor(41, Role::Mediator)),
        ("lead", actor(42, Role::Lead)),
    ] {
        for (page, which) in [
            (Page::new(Some(20), None).unwrap(), "first page"),
            (
                Page {
                    limit: 20,
                    after: Some(later.clone()),
                },
                "later page",
            ),
        ] {
            for (part, q) in ombud::cases::queue::queries(&actor, &page).unwrap() {
                let p = plan(conn, q);
                if !faults(&p, "cases", CASES, false).is_empty()
                    || !p.iter().any(|l| l.contains("_queue"))
                {
                    wrong.push(format!(
                        "{who}, part {part}, {which}:\n    {}",
                        p.join("\n    ")
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{stage}: queues that do not read a queue index in order:\n{}",
        wrong.join("\n")
    );
}

fn check_follow_up_scan(conn: &mut DbConnection, stage: &str) {
    let now = chrono::Utc::now().naive_utc();
    let p = plan(conn, ombud::jobs::follow_up::due(now, 200));
    assert!(
        faults(&p, "cases", CASES, false).is_empty()
            && p.iter().any(|l| l.contains("cases_ruling_due")),
        "{stage}: the follow-up scan does not read through cases_ruling_due:\n{}",
        p.join("\n")
    );
}

fn check_obligation_scan(conn: &mut DbConnection, stage: &str) {
    let now = chrono::Utc::now().naive_utc();
    let p = plan(conn, ombud::cases::obligations::due(now, 200));
    // About two of every nine cases hold two obligations each.
    let rows = CASES * 2 * 2 / 9;
    assert!(
        faults(&p, "obligations", rows, false).is_empty()
            && p.iter().any(|l| l.contains("obligations_due")),
        "{stage}: the overdue scan does not read through obligations_due:\n{}",
        p.join("\n")
    );
}

fn check_duplicate_suggestions(conn: &mut DbConnection, stage: &str) {
    use diesel::prelude::*;
    use ombud::db::models::CaseRow;
    use ombud::db::schema::cases;
    let row: CaseRow = cases::table
        .find("00000000-0000-7000-8000-000000000042")
        .first(conn)
        .expect("a seeded case");
    let q = ombud::cases::related::suggestions(&row, &[row.id], None, chrono::Duration::days(30));
    let p = plan(conn, q);
    assert!(
        faults(&p, "cases", CASES, false).is_empty()
            && p.iter().any(|l| l.contains("cases_same_respondent")),
        "{stage}: likely duplicates are not read through cases_same_respondent:\n{}",
        p.join("\n")
    );
}

fn check_service_level_scan(conn: &mut DbConnection, stage: &str) {
    let now = chrono::Utc::now().naive_utc();
    let p = plan(conn, ombud::cases::service_scan::due(now, 200));
    assert!(
        faults(&p, "cases", CASES, false).is_empty()
            && p.iter().any(|l| l.contains("cases_sla_next")),
        "{stage}: the service-level scan does not read through cases_sla_next:\n{}",
        p.join("\n")
    );
}

/// What breaches soonest, as a lead asks for it (`sort=deadline`, with and
/// without `due_before`, first and later page), reads the running clocks
/// through `cases_sla_due` in order.
fn check_deadline_list(conn: &mut DbConnection, cursor: &str, stage: &str) {
    let lead = actor(1, Role::Lead);
    let mut wrong = Vec::new();
    for due_before in [None, Some("2025-01-03T00:00:00Z".parse().unwrap())] {
        let f = CaseFilter {
            sort: Some(CaseSort::Deadline),
            due_before,
            ..CaseFilter::default()
        };
        for page in [
            Page::new(Some(20), None).unwrap(),
            Page::new(Some(20), Some(cursor)).unwrap(),
        ] {
            for q in queries(&lead, &f, &page).unwrap() {
                let p = plan(conn, q);
                if !faults(&p, "cases", CASES, false).is_empty()
                    || !p.iter().any(|l| l.contains("cases_sla_due"))
                {
                    wrong.push(p.join("\n    "));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{stage}: the deadline order does not read cases_sla_due in order:\n{}",
        wrong.join("\n")
    );
}

fn check_info_request_scan(conn: &mut DbConnection, stage: &str) {
    let now = chrono::Utc::now().naive_utc();
    let p = plan(conn, ombud::cases::info_requests::due(now, 200));
    assert!(
        faults(&p, "cases", CASES, false).is_empty()
            && p.iter().any(|l| l.contains("cases_info_due")),
        "{stage}: the information request scan does not read through cases_info_due:\n{}",
        p.join("\n")
    );
}

#[tokio::test]
async fn lists_queues_and_the_follow_up_scan_read_through_indexes_that_serve_their_order() {
    on_each_backend(|app| async move {
        let mut conn = seeded(&app, seed);
        let mut cursors = Vec::new();
        for (sort, name) in [
            (CaseSort::Newest, "newest"),
            (CaseSort::Oldest, "oldest"),
            (CaseSort::Urgent, "urgent"),
        ] {
            cursors.push((sort, cursor(&app, name).await));
        }
        let deadline_cursor = cursor(&app, "deadline").await;
        at_each_stage(&mut conn, app.backend, |conn, stage| {
            check_lists(conn, &cursors, stage);
            check_service_level_scan(conn, stage);
            check_deadline_list(conn, &deadline_cursor, stage);
            check_queues(conn, stage);
            check_follow_up_scan(conn, stage);
            check_info_request_scan(conn, stage);
            check_obligation_scan(conn, stage);
            check_duplicate_suggestions(conn, stage);
        });
    })
    .await;
}

/// Cases seeded for the skewed test: enough that PostgreSQL, without
/// statistics on the list columns, expects more matches than a page.
const SKEWED: usize = 20_000;

/// Skews [`seed`]'s cases the way a real centre can: the oldest nine
/// tenths all assigned to one mediator, in one category, at normal
/// priority; the newest tenth unassigned, in intake, in another category,
/// urgent. A planner that trusts how common a value is would walk the
/// filing-time index from the newest end and filter, reading the whole
/// newest tenth before the first match.
fn skew(conn: &mut DbConnection) {
    let newest = format!("'00000000-0000-7000-8000-{:012}'", SKEWED * 9 / 10);
    conn.batch_execute(&format!(
        "UPDATE cases SET assigned_mediator_id = '{mediator}', state = 'assigned',
                category_id = '00000000-0000-7000-a000-000000000001', priority = 'normal',
                priority_rank = 2, waiting_on = 'mediator'
          WHERE id < {newest};
         UPDATE cases SET assigned_mediator_id = NULL, ruling_mediator_id = NULL, state = 'intake',
                category_id = '00000000-0000-7000-a000-000000000002', priority = 'urgent',
                priority_rank = 0, waiting_on = 'lead'
          WHERE id >= {newest};",
        mediator = user(41),
    ))
    .expect("skew");
}

#[tokio::test]
async fn a_filter_on_a_common_value_reads_its_own_index_however_the_values_lie_in_time() {
    on_each_backend(|app| async move {
        let mut conn = seeded(&app, |conn| {
            seed_cases(conn, SKEWED);
            skew(conn);
        });
        let lead = actor(1, Role::Lead);
        let mediator = uuid::Uuid::parse_str(&user(41)).unwrap();
        let cases: [(&str, CaseFilter); 4] = [
            (
                "cases_mediator_created",
                CaseFilter {
                    mediator_id: Some(mediator),
                    ..CaseFilter::default()
                },
            ),
            (
                "cases_state_created",
                CaseFilter {
                    state: Some(CaseState::Assigned),
                    ..CaseFilter::default()
                },
            ),
            (
                "cases_category_created",
                CaseFilter {
                    category: Some("c1".into()),
                    ..CaseFilter::default()
                },
            ),
            (
                "cases_priority_created",
                CaseFilter {
                    priority: Some(Priority::Normal),
                    ..CaseFilter::default()
                },
            ),
        ];
        at_each_stage(&mut conn, app.backend, |conn, stage| {
            let mut wrong = Vec::new();
            for (index, f) in &cases {
                let page = Page::new(Some(20), None).unwrap();
                for q in queries(&lead, f, &page).unwrap() {
                    let p = plan(conn, q);
                    if !p.iter().any(|l| l.contains(index)) {
                        wrong.push(format!("{index}:\n    {}", p.join("\n    ")));
                    }
                }
            }
            assert!(
                wrong.is_empty(),
                "{stage}: lists that do not read their filter's index:\n{}",
                wrong.join("\n")
            );
        });
    })
    .await;
}
