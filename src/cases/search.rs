//! Full-text search over the cases a caller may see: their reference,
//! title and description, and the messages the caller may read. The index
//! (`search_docs`, migration 000300) holds one document per case and per
//! message, with who may read it; PostgreSQL finds words through a GIN
//! index on a `tsvector`, SQLite through FTS5. How text becomes words is
//! `domain::search`.

use diesel::prelude::*;
use diesel::sql_types::{Double, Text};

use crate::db::DbConnection;
use crate::db::prepared::Prepared;
use crate::domain::events::Visibility;
use crate::domain::search::normalize;
use crate::domain::{Actor, CaseId, Role};
use crate::error::ApiResult;

/// The most matches one search ranks; filters and pages apply to these.
pub const MOST: i64 = 1000;

fn insert(conn: &mut DbConnection, case_id: CaseId, scope: &str, text: &str) -> ApiResult<()> {
    let sql = match conn {
        DbConnection::Postgresql(_) => {
            "INSERT INTO search_docs (case_id, scope, body) VALUES ($1, $2, $3)"
        }
        DbConnection::Sqlite(_) => {
            "INSERT INTO search_docs (case_id, scope, body) VALUES (?, ?, ?)"
        }
    };
    Prepared(
        diesel::sql_query(sql)
            .bind::<Text, _>(case_id.to_db())
            .bind::<Text, _>(scope)
            .bind::<Text, _>(normalize(text)),
    )
    .execute(conn)?;
    Ok(())
}

/// Indexes a new case's reference, title and description (in the
/// filing's transaction).
pub fn index_case(
    conn: &mut DbConnection,
    case_id: CaseId,
    reference: &str,
    title: &str,
    description: &str,
) -> ApiResult<()> {
    insert(
        conn,
        case_id,
        "case",
        &format!("{reference} {title} {description}"),
    )
}

/// Indexes a new message, for those who may read it (in the posting's
/// transaction).
pub fn index_message(
    conn: &mut DbConnection,
    case_id: CaseId,
    visibility: Visibility,
    body: &str,
) -> ApiResult<()> {
    insert(conn, case_id, visibility.as_str(), body)
}

/// The cases `actor` may see with a document they may read holding every
/// one of `words` (each as the beginning of a word), best first, at most
/// [`MOST`]. Who may see a case is the list's rule (members their own,
/// mediators theirs and those in intake, leads and admins all); who may
/// read a document: anyone who sees the case its own text and what is for
/// both parties; a party also what is for their side; staff who are not
/// a party everything.
pub fn ranked(conn: &mut DbConnection, actor: &Actor, words: &[String]) -> ApiResult<Vec<CaseId>> {
    #[derive(QueryableByName)]
    struct Hit {
        #[diesel(sql_type = Text)]
        case_id: String,
        #[diesel(sql_type = Double)]
        #[allow(dead_code)]
        score: f64,
    }
    let me = actor.user.map(|u| u.to_db()).unwrap_or_default();
    let role = actor.role.unwrap_or(Role::Admin);
    let pg = matches!(conn, DbConnection::Postgresql(_));
    // `$1` is the caller's id wherever it appears (SQLite: `?1`).
    let party = "(c.complainant_id = $1 OR COALESCE(c.respondent_id, '') = $1)";
    let sees = match role {
        Role::Member => party.to_string(),
        Role::Mediator => format!(
            "({party} OR c.assigned_mediator_id = $1 OR c.ruling_mediator_id = $1 OR c.state = 'intake')"
        ),
        Role::Lead | Role::Admin => "TRUE".to_string(),
    };
    let staff = if role.is_staff() {
        format!(" OR NOT {party}")
    } else {
        String::new()
    };
    let reads = format!(
        "(d.scope IN ('case', 'all_parties') \
         OR (d.scope = 'complainant' AND c.complainant_id = $1) \
         OR (d.scope = 'respondent' AND c.respondent_id = $1){staff})"
    );
    let sql = if pg {
        format!(
            "SELECT d.case_id, max(ts_rank(d.words, q.q))::float8 AS score \
             FROM search_docs d JOIN cases c ON c.id = d.case_id, \
             (SELECT to_tsquery('simple', $2) AS q) q \
             WHERE d.words @@ q.q AND {sees} AND {reads} \
             GROUP BY d.case_id ORDER BY score DESC, d.case_id LIMIT {MOST}"
        )
    } else {
        format!(
            // bm25 only where FTS5 drives the query alone: the matches
            // first, then their documents and cases.
            // (MATERIALIZED, or SQLite folds it into the join and refuses).
            "WITH m AS MATERIALIZED (\
             SELECT rowid AS doc, bm25(search_words) AS score FROM search_words \
             WHERE search_words MATCH $2) \
             SELECT d.case_id AS case_id, min(m.score) AS score FROM m \
             JOIN search_docs d ON d.id = m.doc JOIN cases c ON c.id = d.case_id \
             WHERE {sees} AND {reads} \
             GROUP BY d.case_id ORDER BY score ASC, d.case_id LIMIT {MOST}"
        )
        .replace("$1", "?1")
        .replace("$2", "?2")
    };
    let query = if pg {
        words
            .iter()
            .map(|w| format!("'{w}':*"))
            .collect::<Vec<_>>()
            .join(" & ")
    } else {
        words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let hits: Vec<Hit> = Prepared(
        diesel::sql_query(sql)
            .bind::<Text, _>(me)
            .bind::<Text, _>(query),
    )
    .load(conn)?;
    hits.into_iter()
        .map(|h| CaseId::from_db(&h.case_id).map_err(|e| anyhow::Error::from(e).into()))
        .collect()
}
