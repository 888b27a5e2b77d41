//! Statements the database prepares once per connection and then only
//! executes.
//!
//! Diesel keeps a prepared statement per connection for most queries, but
//! never for an `INSERT` (its values may be the `DEFAULT` keyword), an
//! `UPDATE` (its columns may vary) or a raw `sql_query`: those are parsed
//! and planned again on every execution. On PostgreSQL that costs as much
//! as the work itself: the filing's statements in pgbench ran at 1,650
//! filings/s prepared and 900 unprepared on the same database
//! (docs/benchmarks.md). [`Prepared`] marks a statement as safe to keep.
//! The cache is keyed by the statement's SQL text, so a `DEFAULT` in place
//! of a value, or another set of columns, is another statement, not a
//! wrong one.
//!
//! Only for statements whose SQL text has a bounded number of shapes: a
//! value written into the text (rather than bound), or an `IN` list whose
//! length varies, would prepare a new statement per value and grow each
//! connection's cache without end.
//!
//! How: diesel asks a statement whether it may be kept by walking it in a
//! pass of its own, in which a part that says no (an insert's values) makes
//! the answer no. A query run through the multi-backend connection is
//! walked behind a reference, which does not forward an override of that
//! question, so [`Prepared`] answers in the walk itself: it walks its
//! statement only in the passes that write SQL or collect bind values, and
//! in the others (may it be kept; does it do anything) answers yes and yes.
//! Which pass it is shows only in which part of the pass a cast of it
//! touches (`AstPassHelper`, diesel's interface for multi-backend
//! connections).

use std::cell::Cell;

use diesel::QueryResult;
use diesel::RunQueryDsl;
use diesel::backend::Backend;
use diesel::internal::derives::multiconnection::AstPassHelper;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};

use super::{DbConnection, MultiBackend};

/// `query`, prepared once per connection (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct Prepared<Q>(pub Q);

type Builder = <MultiBackend as Backend>::QueryBuilder;

/// Gives `f` the higher-ranked signature a cast asks for.
fn same_builder<F: Fn(&mut Builder) -> &mut Builder>(f: F) -> F {
    f
}

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let writes_sql = Cell::new(false);
        let mut pass = pass.cast_database::<MultiBackend>(
            |collector| collector,
            same_builder(|builder| {
                writes_sql.set(true);
                builder
            }),
            |backend| backend,
            |lookup| lookup,
        );
        if writes_sql.get() || pass.bind_collector().is_some() || pass.debug_binds().is_some() {
            self.0.walk_ast(pass)
        } else {
            // "May it be kept?" stays yes; "does it do anything?" becomes yes.
            pass.push_sql("");
            Ok(())
        }
    }
}

impl<Q> QueryId for Prepared<Q> {
    // No static id: the cache is keyed by the SQL text and the bind types.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> RunQueryDsl<DbConnection> for Prepared<Q> {}
