//! Full-text search over the cases a caller may see: their reference,
//! title and description, and the messages the caller may read. The index
//! (`search_docs`, migration 000300) holds one document per case and per
//! message, with who may read it; PostgreSQL finds words through a GIN
//! index on a `tsvector`, SQLite through FTS5. How text becomes words is
//! `domain::search`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Nullable, Text, Timestamp};

use crate::db::DbConnection;
use crate::db::prepared::Prepared;
use crate::domain::events::Visibility;
use crate::domain::search::{Term, normalize};
use crate::domain::{Actor, CaseId, MessageId, Role};
use crate::error::{ApiError, ApiResult};

/// The most matches one search ranks (after the filters); pages run
/// through these.
pub const MOST: i64 = 1000;

fn insert(
    conn: &mut DbConnection,
    case_id: &str,
    source_id: &str,
    scope: &str,
    text: &str,
) -> ApiResult<()> {
    // A document already there (the backfill met a new one) stays.
    let sql = match conn {
        DbConnection::Postgresql(_) => {
            "INSERT INTO search_docs (case_id, source_id, scope, body) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (source_id) DO NOTHING"
        }
        DbConnection::Sqlite(_) => {
            "INSERT INTO search_docs (case_id, source_id, scope, body) VALUES (?, ?, ?, ?) \
             ON CONFLICT (source_id) DO NOTHING"
        }
    };
    Prepared(
        diesel::sql_query(sql)
            .bind::<Text, _>(case_id)
            .bind::<Text, _>(source_id)
            .bind::<Text, _>(scope)
            .bind::<Text, _>(normalize(text)),
    )
    .execute(conn)?;
    Ok(())
}

fn case_text(reference: &str, title: &str, description: &str) -> String {
    format!("{reference} {title} {description}")
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
    let id = case_id.to_db();
    let text = case_text(reference, title, description);
    insert(conn, &id, &id, "case", &text)
}

/// Indexes a new message, for those who may read it (in the posting's
/// transaction).
pub fn index_message(
    conn: &mut DbConnection,
    case_id: CaseId,
    message_id: MessageId,
    visibility: Visibility,
    body: &str,
) -> ApiResult<()> {
    let (case, message) = (case_id.to_db(), message_id.to_db());
    insert(conn, &case, &message, visibility.as_str(), body)
}

/// Rows the backfill indexes per batch.
const BACKFILL_BATCH: i64 = 500;

/// Indexes one batch of what was stored before the search index existed
/// (the cases, then the messages, in id order, from where the last batch
/// ended); returns how many it indexed, 0 once all is done. Run by the
/// scanner; safe beside new writes and other processes (a document
/// already there is kept).
pub fn backfill(conn: &mut DbConnection) -> ApiResult<usize> {
    use crate::db::schema::{cases, messages};
    #[derive(QueryableByName)]
    struct State {
        #[diesel(sql_type = Text)]
        cases_after: String,
        #[diesel(sql_type = Text)]
        messages_after: String,
        #[diesel(sql_type = Bool)]
        done: bool,
    }
    let state: State = diesel::sql_query(
        "SELECT cases_after, messages_after, done FROM search_backfill WHERE id = 1",
    )
    .get_result(conn)?;
    if state.done {
        return Ok(0);
    }
    let rows: Vec<(String, String, String, String)> = cases::table
        .filter(cases::id.gt(&state.cases_after))
        .order(cases::id.asc())
        .limit(BACKFILL_BATCH)
        .select((
            cases::id,
            cases::reference,
            cases::title,
            cases::description,
        ))
        .load(conn)?;
    if let Some((last, ..)) = rows.last().cloned() {
        for (id, reference, title, description) in &rows {
            insert(
                conn,
                id,
                id,
                "case",
                &case_text(reference, title, description),
            )?;
        }
        set(conn, "cases_after", &last)?;
        return Ok(rows.len());
    }
    let rows: Vec<(String, String, String, String)> = messages::table
        .filter(messages::id.gt(&state.messages_after))
        .order(messages::id.asc())
        .limit(BACKFILL_BATCH)
        .select((
            messages::id,
            messages::case_id,
            messages::visibility,
            messages::body,
        ))
        .load(conn)?;
    match rows.last() {
        Some((last, ..)) => {
            let last = last.clone();
            for (id, case_id, visibility, body) in &rows {
                insert(conn, case_id, id, visibility, body)?;
            }
            set(conn, "messages_after", &last)?;
            Ok(rows.len())
        }
        None => {
            diesel::sql_query("UPDATE search_backfill SET done = TRUE WHERE id = 1")
                .execute(conn)?;
            Ok(0)
        }
    }
}

/// Sets the backfill's cursor `column` (one of two names) to `value`.
fn set(conn: &mut DbConnection, column: &str, value: &str) -> ApiResult<()> {
    let mark = if matches!(conn, DbConnection::Postgresql(_)) {
        "$1"
    } else {
        "?"
    };
    diesel::sql_query(format!(
        "UPDATE search_backfill SET {column} = {mark} WHERE id = 1"
    ))
    .bind::<Text, _>(value)
    .execute(conn)?;
    Ok(())
}

/// The list's filters, as a search applies them inside its query (so that
/// the best matches are counted after them).
#[derive(Debug, Default, Clone)]
pub struct Narrow {
    /// A state.
    pub state: Option<String>,
    /// A category slug.
    pub category: Option<String>,
    /// A priority.
    pub priority: Option<String>,
    /// The assigned mediator's id.
    pub mediator: Option<String>,
    /// A party's id (complainant or respondent).
    pub party: Option<String>,
    /// A tag (lower case).
    pub tag: Option<String>,
    /// Filed at or after.
    pub created_after: Option<NaiveDateTime>,
    /// Filed before.
    pub created_before: Option<NaiveDateTime>,
    /// A service-level deadline before.
    pub due_before: Option<NaiveDateTime>,
}

/// The query text for `terms`: PostgreSQL's tsquery or FTS5's MATCH. The
/// words hold only letters and digits (`domain::search`), so nothing in
/// them is syntax.
fn query_text(terms: &[Term], pg: bool) -> String {
    let one = |t: &Term| -> String {
        let prefix = |w: &str| w.chars().count() >= 2;
        match t {
            Term::Word(w) if pg && prefix(w) => format!("'{w}':*"),
            Term::Word(w) if pg => format!("'{w}'"),
            Term::Word(w) if prefix(w) => format!("\"{w}\"*"),
            Term::Word(w) => format!("\"{w}\""),
            Term::Run(pairs) => match pairs.as_slice() {
                [lone] if lone.chars().count() == 1 && pg => format!("'{lone}':*"),
                [lone] if lone.chars().count() == 1 => format!("\"{lone}\"*"),
                _ if pg => {
                    let quoted: Vec<String> = pairs.iter().map(|p| format!("'{p}'")).collect();
                    format!("({})", quoted.join(" <-> "))
                }
                _ => format!("\"{}\"", pairs.join(" ")),
            },
        }
    };
    let parts: Vec<String> = terms.iter().map(one).collect();
    parts.join(if pg { " & " } else { " " })
}

/// The cases `actor` may see, within `narrow`, with a document they may
/// read that holds every one of `terms`, best first, at most [`MOST`].
/// Who may see a case is the list's rule (members their own, mediators
/// theirs and those in intake, leads and admins all); who may read a
/// document: anyone who sees the case its own text and what is for both
/// parties; a party also what is for their side; staff who are not a party
/// everything.
pub fn ranked(
    conn: &mut DbConnection,
    actor: &Actor,
    terms: &[Term],
    narrow: &Narrow,
) -> ApiResult<Vec<CaseId>> {
    #[derive(QueryableByName)]
    struct Hit {
        #[diesel(sql_type = Text)]
        case_id: String,
        #[diesel(sql_type = Double)]
        #[allow(dead_code)]
        score: f64,
    }
    let (Some(me), Some(role)) = (actor.user.map(|u| u.to_db()), actor.role) else {
        return Err(ApiError::Forbidden(
            "search is for people and their tokens".into(),
        ));
    };
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
    let staff = role.is_staff();
    let reads = format!(
        "(d.scope IN ('case', 'all_parties') \
         OR (d.scope = 'complainant' AND c.complainant_id = $1) \
         OR (d.scope = 'respondent' AND c.respondent_id = $1){})",
        if staff {
            format!(" OR NOT {party}")
        } else {
            String::new()
        }
    );
    let narrowed = format!(
        "($3 IS NULL OR c.state = $3) \
         AND ($4 IS NULL OR c.category_id = (SELECT k.id FROM categories k WHERE k.slug = $4)) \
         AND ($5 IS NULL OR c.priority = $5) \
         AND ($6 IS NULL OR c.assigned_mediator_id = $6) \
         AND ($7 IS NULL OR c.complainant_id = $7 OR c.respondent_id = $7) \
         AND ($8 IS NULL OR EXISTS (SELECT 1 FROM case_tags t WHERE t.case_id = c.id AND t.tag = $8{})) \
         AND ($9 IS NULL OR c.created_at >= $9) AND ($10 IS NULL OR c.created_at < $10) \
         AND ($11 IS NULL OR c.sla_due < $11)",
        if staff { "" } else { " AND t.internal = FALSE" }
    );
    let sql = if pg {
        // Normalised by length (1): a dense match ranks above a long text
        // that mentions the words once.
        format!(
            "SELECT d.case_id, max(ts_rank(d.words, q.q, 1))::float8 AS score \
             FROM search_docs d JOIN cases c ON c.id = d.case_id, \
             (SELECT to_tsquery('simple', $2) AS q) q \
             WHERE d.words @@ q.q AND {sees} AND {reads} AND {narrowed} \
             GROUP BY d.case_id ORDER BY score DESC, d.case_id LIMIT {MOST}"
        )
    } else {
        // bm25 only where FTS5 drives the query alone: the matches first
        // (MATERIALIZED, or SQLite folds it into the join and refuses),
        // then their documents and cases.
        let mut sql = format!(
            "WITH m AS MATERIALIZED (\
             SELECT rowid AS doc, bm25(search_words) AS score FROM search_words \
             WHERE search_words MATCH $2) \
             SELECT d.case_id AS case_id, min(m.score) AS score FROM m \
             JOIN search_docs d ON d.id = m.doc JOIN cases c ON c.id = d.case_id \
             WHERE {sees} AND {reads} AND {narrowed} \
             GROUP BY d.case_id ORDER BY score ASC, d.case_id LIMIT {MOST}"
        );
        for n in (1..=11).rev() {
            sql = sql.replace(&format!("${n}"), &format!("?{n}"));
        }
        sql
    };
    let hits: Vec<Hit> = Prepared(
        diesel::sql_query(sql)
            .bind::<Text, _>(me)
            .bind::<Text, _>(query_text(terms, pg))
            .bind::<Nullable<Text>, _>(narrow.state.clone())
            .bind::<Nullable<Text>, _>(narrow.category.clone())
            .bind::<Nullable<Text>, _>(narrow.priority.clone())
            .bind::<Nullable<Text>, _>(narrow.mediator.clone())
            .bind::<Nullable<Text>, _>(narrow.party.clone())
            .bind::<Nullable<Text>, _>(narrow.tag.clone())
            .bind::<Nullable<Timestamp>, _>(narrow.created_after)
            .bind::<Nullable<Timestamp>, _>(narrow.created_before)
            .bind::<Nullable<Timestamp>, _>(narrow.due_before),
    )
    .load(conn)?;
    hits.into_iter()
        .map(|h| CaseId::from_db(&h.case_id).map_err(|e| anyhow::Error::from(e).into()))
        .collect()
}

/// Indexes case `id` again from what it holds now (after an erasure
/// rewrote its text): its own document and one per message not removed.
pub fn reindex_case(conn: &mut DbConnection, id: CaseId) -> ApiResult<()> {
    use crate::db::schema::{cases, messages};
    let sql = match conn {
        DbConnection::Postgresql(_) => "DELETE FROM search_docs WHERE case_id = $1",
        DbConnection::Sqlite(_) => "DELETE FROM search_docs WHERE case_id = ?",
    };
    diesel::sql_query(sql)
        .bind::<Text, _>(id.to_db())
        .execute(conn)?;
    let (reference, title, description): (String, String, String) = cases::table
        .find(id.to_db())
        .select((cases::reference, cases::title, cases::description))
        .first(conn)?;
    index_case(conn, id, &reference, &title, &description)?;
    let kept: Vec<(MessageId, Visibility, String)> = messages::table
        .filter(messages::case_id.eq(id))
        .filter(messages::redacted_at.is_null())
        .select((messages::id, messages::visibility, messages::body))
        .load(conn)?;
    for (message, visibility, body) in kept {
        index_message(conn, id, message, visibility, &body)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::query_terms;

    #[test]
    fn queries_are_written_for_each_engine() {
        let terms = query_terms("Refund a 调解服务 订").unwrap();
        assert_eq!(
            query_text(&terms, true),
            "'refund':* & 'a' & ('调解' <-> '解服' <-> '服务') & '订':*"
        );
        assert_eq!(
            query_text(&terms, false),
            "\"refund\"* \"a\" \"调解 解服 服务\" \"订\"*"
        );
    }
}
