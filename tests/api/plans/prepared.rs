//! PostgreSQL prepares the statements a filing sends once per connection
//! and then only executes them: parsing and planning them again on every
//! filing took as much of the database's time as the work itself
//! (docs/benchmarks.md). SQLite keeps its compiled statements the same way,
//! but shows no list of them to check.

use std::sync::Arc;

use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use ombud::cases::file::{FileCase, file};
use ombud::db::DbConnection;
use ombud::domain::{Actor, UserId};
use ombud::error::ApiError;
use ombud::state::Env;
use serde_json::json;

use super::seeded;
use crate::helpers::{Backend, on_each_backend};

#[derive(QueryableByName)]
struct Statement {
    #[diesel(sql_type = Text)]
    statement: String,
}

/// The statements kept prepared on `conn`, sorted.
fn kept(conn: &mut DbConnection) -> Vec<String> {
    let rows: Vec<Statement> = diesel::sql_query("SELECT statement FROM pg_prepared_statements")
        .load(conn)
        .unwrap();
    let mut all: Vec<String> = rows.into_iter().map(|r| r.statement).collect();
    all.sort();
    all
}

#[tokio::test]
async fn postgresql_keeps_the_statements_of_a_filing_prepared() {
    on_each_backend(|app| async move {
        if app.backend != Backend::Postgres {
            return; // nothing to look at: see the module docs
        }
        let category = app.category().await;
        let mut conn = seeded(&app, |_| {});
        let env = Env::new(Arc::new(app.settings.clone()), chrono::Utc::now());
        let actor = Actor::user(UserId::from_db(&app.admin.id).unwrap(), app.admin.role);
        let file_one = |conn: &mut DbConnection, n: usize| {
            let body: FileCase = serde_json::from_value(json!({
                "title": format!("Complaint {n}"), "description": "What happened.",
                "category": category,
                "respondent": {"name": "Shop Ltd", "email": "shop@example.org"},
            }))
            .unwrap();
            conn.transaction(|c| file(c, &env, &actor, body).map(|_| ()))
                .map_err(|e: ApiError| e.to_string())
                .expect("filed");
        };
        file_one(&mut conn, 0);
        let first = kept(&mut conn);
        for sent in [
            "INSERT INTO \"cases\"",
            "INSERT INTO timeline_events ",
            "INSERT INTO outbox ",
            "SELECT nextval('case_number_seq')",
        ] {
            assert!(
                first.iter().any(|s| s.starts_with(sent)),
                "{sent} is not kept prepared; kept: {first:#?}"
            );
        }
        // No webhook endpoint exists, so a filing offers its events to none
        // (the kept setup says so) and reads no seal back (it knows them).
        for skipped in [
            "INSERT INTO webhook_deliveries ",
            "SELECT \"timeline_events\".\"hash\"",
        ] {
            assert!(
                !first.iter().any(|s| s.starts_with(skipped)),
                "{skipped} was sent; kept: {first:#?}"
            );
        }
        for n in 1..4 {
            file_one(&mut conn, n);
        }
        assert_eq!(
            kept(&mut conn),
            first,
            "later filings prepared statements again"
        );
    })
    .await;
}
