//! Several rows in one `INSERT`, on both backends.
//!
//! Diesel inserts one row per statement through the multi-backend
//! connection, so a filing that mails three people sent three `INSERT`s to
//! the outbox, and a delivery round one per mail sent to the attempts log.
//! On PostgreSQL the rows travel as one JSON array bound as one parameter,
//! which the database unpacks (`json_to_recordset`): one round trip
//! whatever the number of rows, and one SQL text per table, so the
//! statement is prepared once per connection ([`Prepared`]). On SQLite,
//! where a statement is a call, not a round trip, the rows are bound value
//! by value into a `VALUES` list of up to [`SQLITE_ROWS`] rows (one
//! prepared statement per row count): unpacking JSON there meant parsing
//! each row again for each column, a fifth of the writer's time in a
//! filing, whose three mails carry their bodies.
//!
//! Values are written as the columns store them: timestamps in diesel's
//! SQLite text form (`%F %T%.f`, which PostgreSQL reads too), so that a row
//! written here compares with one written by diesel; booleans as JSON
//! booleans (SQLite keeps 1 and 0).

use std::sync::OnceLock;

use diesel::RunQueryDsl;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use serde_json::Value;

use super::prepared::Prepared;
use super::{DbConnection, MultiBackend};

/// The most rows in one SQLite `INSERT`; more are inserted in several.
/// With at most 62 columns a statement stays within SQLite's oldest limit
/// of 999 bound values.
pub const SQLITE_ROWS: usize = 16;

/// The type of a column, as PostgreSQL's record definition names it.
#[derive(Debug, Clone, Copy)]
pub enum Col {
    /// `TEXT`.
    Text,
    /// `BOOLEAN`.
    Bool,
    /// `INTEGER`.
    Int,
    /// `BIGINT`.
    BigInt,
    /// `TIMESTAMP` (without time zone, UTC).
    Time,
}

impl Col {
    fn pg(self) -> &'static str {
        match self {
            Col::Text => "text",
            Col::Bool => "boolean",
            Col::Int => "integer",
            Col::BigInt => "bigint",
            Col::Time => "timestamp",
        }
    }
}

/// An insert of many rows into `table`, each row a JSON object keyed by
/// the column names (a missing key is `NULL`).
pub struct BulkInsert {
    table: &'static str,
    columns: &'static [(&'static str, Col)],
    postgres: OnceLock<String>,
    /// The statement for 1 to [`SQLITE_ROWS`] rows.
    sqlite: OnceLock<Vec<String>>,
}

impl BulkInsert {
    /// An insert into `table` of `columns`.
    pub const fn new(table: &'static str, columns: &'static [(&'static str, Col)]) -> Self {
        assert!(
            columns.len() * SQLITE_ROWS <= 999,
            "too many columns for one SQLite statement"
        );
        Self {
            table,
            columns,
            postgres: OnceLock::new(),
            sqlite: OnceLock::new(),
        }
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| *n).collect();
        names.join(", ")
    }

    /// PostgreSQL's statement, written the first time only.
    fn postgres(&self) -> &str {
        self.postgres.get_or_init(|| {
            let record: Vec<String> = self
                .columns
                .iter()
                .map(|(n, t)| format!("{n} {}", t.pg()))
                .collect();
            format!(
                "INSERT INTO {} ({names}) SELECT {names} FROM json_to_recordset($1::json) AS r({})",
                self.table,
                record.join(", "),
                names = self.names(),
            )
        })
    }

    /// SQLite's statement for `n` rows (1 to [`SQLITE_ROWS`]).
    fn sqlite(&self, n: usize) -> &str {
        let all = self.sqlite.get_or_init(|| {
            let row = format!("({})", vec!["?"; self.columns.len()].join(", "));
            (1..=SQLITE_ROWS)
                .map(|n| {
                    format!(
                        "INSERT INTO {} ({}) VALUES {}",
                        self.table,
                        self.names(),
                        vec![row.as_str(); n].join(", ")
                    )
                })
                .collect()
        });
        &all[n - 1]
    }

    /// Inserts `rows` (on SQLite, in statements of up to [`SQLITE_ROWS`]);
    /// returns how many were written.
    pub fn execute(&self, conn: &mut DbConnection, rows: Vec<Value>) -> diesel::QueryResult<usize> {
        if rows.is_empty() {
            return Ok(0);
        }
        if let DbConnection::Postgresql(_) = conn {
            let json = Value::Array(rows).to_string();
            let sql = self.postgres().to_owned();
            return Prepared(diesel::sql_query(sql).bind::<Text, _>(json)).execute(conn);
        }
        // Every value is bound before any statement runs, so a row built
        // wrong writes nothing.
        let mut statements = Vec::new();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Value> = rows.by_ref().take(SQLITE_ROWS).collect();
            let mut query = diesel::sql_query(self.sqlite(chunk.len())).into_boxed();
            for row in chunk {
                let Value::Object(mut row) = row else {
                    return Err(wrong("a row that is not an object"));
                };
                for &(name, col) in self.columns {
                    query = bind(query, col, row.remove(name))?;
                }
            }
            statements.push(query);
        }
        let mut written = 0;
        for query in statements {
            written += Prepared(query).execute(conn)?;
        }
        Ok(written)
    }
}

type Bound<'a> = BoxedSqlQuery<'a, MultiBackend, SqlQuery>;

/// Binds `value` as a `col` (`NULL` when missing or null).
fn bind(query: Bound<'_>, col: Col, value: Option<Value>) -> diesel::QueryResult<Bound<'_>> {
    let value = value.filter(|v| !v.is_null());
    let not = |what: &str| wrong(&format!("{value:?} for a {what} column"));
    Ok(match col {
        Col::Text | Col::Time => {
            let v = match value {
                Some(Value::String(s)) => Some(s),
                None => None,
                Some(_) => return Err(not("text")),
            };
            query.bind::<Nullable<Text>, _>(v)
        }
        Col::Bool => {
            let v = value
                .as_ref()
                .map(|v| v.as_bool().ok_or_else(|| not("boolean")));
            query.bind::<Nullable<Bool>, _>(v.transpose()?)
        }
        Col::Int => {
            let int = |v: &Value| v.as_i64().and_then(|n| i32::try_from(n).ok());
            let v = value.as_ref().map(|v| int(v).ok_or_else(|| not("integer")));
            query.bind::<Nullable<Integer>, _>(v.transpose()?)
        }
        Col::BigInt => {
            let v = value
                .as_ref()
                .map(|v| v.as_i64().ok_or_else(|| not("bigint")));
            query.bind::<Nullable<BigInt>, _>(v.transpose()?)
        }
    })
}

/// A row our own code built wrong.
fn wrong(what: &str) -> diesel::result::Error {
    diesel::result::Error::SerializationError(format!("bulk insert: {what}").into())
}

/// A timestamp as the columns store it (see the module docs).
pub fn time(t: chrono::NaiveDateTime) -> String {
    t.format("%F %T%.f").to_string()
}
