//! Several rows in one `INSERT`, on both backends.
//!
//! Diesel inserts one row per statement through the multi-backend
//! connection, so a filing that mails three people sent three `INSERT`s to
//! the outbox, and a delivery round one per mail sent to the attempts log.
//! Here the rows travel as one JSON array bound as one parameter, and the
//! database unpacks it (`json_to_recordset` on PostgreSQL, `json_each` on
//! SQLite): one round trip whatever the number of rows, and one SQL text
//! per table, so the statement is prepared once per connection
//! ([`Prepared`]).
//!
//! Values are written as the columns store them: timestamps in diesel's
//! SQLite text form (`%F %T%.f`, which PostgreSQL reads too), so that a row
//! written here compares with one written by diesel; booleans as JSON
//! booleans (SQLite keeps 1 and 0).

use std::sync::OnceLock;

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use serde_json::Value;

use super::DbConnection;
use super::prepared::Prepared;

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
    sqlite: OnceLock<String>,
}

impl BulkInsert {
    /// An insert into `table` of `columns`.
    pub const fn new(table: &'static str, columns: &'static [(&'static str, Col)]) -> Self {
        Self {
            table,
            columns,
            postgres: OnceLock::new(),
            sqlite: OnceLock::new(),
        }
    }

    /// The statement for `conn`'s backend, written the first time only.
    fn sql(&self, conn: &DbConnection) -> &str {
        let names = || {
            let names: Vec<&str> = self.columns.iter().map(|(n, _)| *n).collect();
            names.join(", ")
        };
        match conn {
            DbConnection::Postgresql(_) => self.postgres.get_or_init(|| {
                let names = names();
                let record: Vec<String> = self
                    .columns
                    .iter()
                    .map(|(n, t)| format!("{n} {}", t.pg()))
                    .collect();
                format!(
                    "INSERT INTO {} ({names}) SELECT {names} FROM json_to_recordset($1::json) AS r({})",
                    self.table,
                    record.join(", ")
                )
            }),
            DbConnection::Sqlite(_) => self.sqlite.get_or_init(|| {
                let names = names();
                let values: Vec<String> = self
                    .columns
                    .iter()
                    .map(|(n, _)| format!("json_extract(value, '$.{n}')"))
                    .collect();
                format!(
                    "INSERT INTO {} ({names}) SELECT {} FROM json_each(?) ORDER BY key",
                    self.table,
                    values.join(", ")
                )
            }),
        }
    }

    /// Inserts `rows` in one statement; returns how many were written.
    pub fn execute(&self, conn: &mut DbConnection, rows: Vec<Value>) -> diesel::QueryResult<usize> {
        if rows.is_empty() {
            return Ok(0);
        }
        let json = Value::Array(rows).to_string();
        let sql = self.sql(conn).to_owned();
        Prepared(diesel::sql_query(sql).bind::<Text, _>(json)).execute(conn)
    }
}

/// A timestamp as the columns store it (see the module docs).
pub fn time(t: chrono::NaiveDateTime) -> String {
    t.format("%F %T%.f").to_string()
}
