//! Query plans, checked in tests: the lists and scheduled scans must read
//! through indexes that serve their filters and order, however large the
//! tables grow. SQLite is checked as a fresh database plans (no
//! statistics) and again after ANALYZE; PostgreSQL after ANALYZE, as
//! autovacuum leaves it, on a few thousand rows (checking it with
//! `enable_seqscan = off` would prove nothing).

mod cases;
mod lists;
mod prepared;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::deserialize::{self, QueryableByName};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::row::NamedRow;
use diesel::sql_types::{Text, Untyped};
use diesel::{QueryResult, RunQueryDsl};
use ombud::db::{DbConnection, Manager, MultiBackend};

use crate::helpers::{Backend, TestApp};

/// A connection to `app`'s database, seeded by `seed`.
pub fn seeded(app: &TestApp, seed: impl FnOnce(&mut DbConnection)) -> DbConnection {
    let mut conn = Manager::new(&app.db.url, Duration::from_secs(5))
        .unwrap()
        .open()
        .unwrap();
    seed(&mut conn);
    conn
}

/// Runs `check` with the name of each stage: on SQLite without statistics
/// and after ANALYZE, on PostgreSQL after ANALYZE.
pub fn at_each_stage(
    conn: &mut DbConnection,
    backend: Backend,
    check: impl Fn(&mut DbConnection, &str),
) {
    if backend == Backend::Sqlite {
        check(conn, "SQLite without statistics");
    }
    conn.batch_execute("ANALYZE").unwrap();
    check(conn, &format!("{backend:?} after ANALYZE"));
}

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

pub fn plan<Q: QueryFragment<MultiBackend>>(conn: &mut DbConnection, query: Q) -> Vec<String> {
    let prefix = match conn {
        DbConnection::Sqlite(_) => "EXPLAIN QUERY PLAN ",
        DbConnection::Postgresql(_) => "EXPLAIN ",
    };
    let lines: Vec<Line> = Explain { prefix, query }.load(conn).expect("explain");
    lines.into_iter().map(|l| l.0).collect()
}

/// What is wrong with `plan` of a query on `table` (of `rows` rows), if
/// anything: a full read of the table or a sort of more than a sliver of
/// it. SQLite, which plans without knowing how many rows match, must not
/// sort at all; PostgreSQL may sort what a bitmap of two equalities found
/// when it expects few rows (under 5 % of the table). `ordered_scan`
/// allows walking a whole index in the list's order (an unfiltered list,
/// which stops after a page).
pub fn faults(plan: &[String], table: &str, rows: usize, ordered_scan: bool) -> Vec<String> {
    plan.iter()
        .filter(|line| {
            let line = line.trim();
            let scan = line.starts_with(&format!("SCAN {table}"))
                && !(ordered_scan && line.starts_with(&format!("SCAN {table} USING INDEX")));
            let big_sort = line.contains("Sort  (cost=") && estimated_rows(line) * 20 > rows;
            scan || line.contains("TEMP B-TREE")
                || line.contains(&format!("Seq Scan on {table}"))
                || big_sort
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
