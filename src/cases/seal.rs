//! The tamper-evident timeline. Each entry is sealed when it is recorded:
//! its hash covers what it says (case, actor, kind, visibility, time and a
//! digest of its data) and the hash of the entry before it in its case
//! (`prev_hash`, empty for the first). Altering an entry breaks its own
//! seal; removing, reordering or slipping in one breaks the link of the
//! entry after it. Removing the newest entries leaves a shorter chain that
//! still holds: the head (the newest hash, shown on every entry and in
//! every webhook) kept elsewhere shows that. See docs/security.md.

use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::models::TimelineRow;
use crate::db::schema::{cases, timeline_events};
use crate::domain::CaseId;
use crate::error::ApiResult;

/// What an entry's seal covers, as stored.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    /// The case's id as stored.
    pub case_id: &'a str,
    /// The actor's id as stored, if any.
    pub actor_id: Option<&'a str>,
    /// The entry's kind.
    pub kind: &'a str,
    /// Its visibility.
    pub visibility: &'a str,
    /// Its data, the JSON text as stored.
    pub data: &'a str,
    /// The digest of the data it was sealed with, kept when the data was
    /// rewritten since (an erasure); `None`: the digest of `data`.
    pub data_digest: Option<&'a str>,
    /// Its time as stored (whole microseconds: see [`stored_time`]).
    pub at: NaiveDateTime,
    /// Its random value ([`new_salt`]).
    pub salt: &'a str,
}

/// A new entry's random value: 128 bits, hex.
pub fn new_salt() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The SHA-256 of an entry's data, hex.
pub fn digest(data: &str) -> String {
    format!("{:x}", Sha256::digest(data.as_bytes()))
}

/// The kind of the entry that records an erasure; its data's
/// `redacted_entries` lists the entries whose data it rewrote.
pub const ERASURE_KIND: &str = "personal_data_erased";

/// The kind of the entry that records a case's content removed at the end
/// of its retention period (its data lists `redacted_entries` too).
pub const ANONYMISED_KIND: &str = "case_anonymised";

/// Rewrites entry `id`'s data (an erasure: names replaced, file names
/// removed), keeping the digest it was sealed with so its seal and the
/// chain still check. The caller records the rewrite in an erasure entry.
pub fn rewrite(conn: &mut DbConnection, row: &TimelineRow, data: &str) -> ApiResult<()> {
    let sealed_with = row.data_digest.clone().unwrap_or_else(|| digest(&row.data));
    diesel::update(timeline_events::table.find(row.id))
        .set((
            timeline_events::data.eq(data),
            timeline_events::data_digest.eq(sealed_with),
        ))
        .execute(conn)?;
    Ok(())
}

/// A time as both databases store it: whole microseconds. An entry is
/// stored at this time, so its seal covers what is read back.
pub fn stored_time(at: NaiveDateTime) -> NaiveDateTime {
    at.trunc_subsecs(6)
}

/// The seal of `content` following an entry sealed `prev` ("" for the
/// first): SHA-256, hex, over length-prefixed fields (no two contents
/// share an encoding).
pub fn seal(prev: &str, content: &Content) -> String {
    let data = content
        .data_digest
        .map_or_else(|| digest(content.data), str::to_string);
    let at = content.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let mut h = Sha256::new();
    for field in [
        "ombud-timeline-v1",
        prev,
        content.salt,
        content.case_id,
        content.actor_id.unwrap_or(""),
        content.kind,
        content.visibility,
        &at,
        &data,
    ] {
        h.update(field.len().to_string().as_bytes());
        h.update(b":");
        h.update(field.as_bytes());
        h.update(b";");
    }
    format!("{:x}", h.finalize())
}

/// The seal of the newest entry of case `id` ("" when it has none yet, or
/// when that entry awaits sealing after an upgrade). The caller holds the
/// case's row (as every recording does), so no entry slips in between.
pub fn head(conn: &mut DbConnection, id: &str) -> ApiResult<String> {
    let newest: Option<Option<String>> = timeline_events::table
        .filter(timeline_events::case_id.eq(id))
        .order(timeline_events::id.desc())
        .select(timeline_events::hash)
        .first(conn)
        .optional()?;
    Ok(newest.flatten().unwrap_or_default())
}

/// Why an entry does not check out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Break {
    /// Its content no longer matches its seal: it was altered.
    Altered,
    /// It does not follow the entry before it: an entry before it was
    /// removed, inserted or altered, or entries were reordered.
    OutOfChain,
    /// It carries no seal although sealing is done: its seal was removed.
    Unsealed,
    /// Its data was rewritten but no erasure entry after it records that.
    RedactedWithoutRecord,
}

/// The first entry of a case that does not check out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BrokenEntry {
    /// The entry's id (its position in the timeline).
    pub id: i64,
    /// What is wrong with it.
    pub problem: Break,
}

/// The check of one case's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "case_id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "reference": "OMB-2026-000042",
    "entries": 12, "intact": true, "first_broken": null, "awaiting_seal": 0,
    "head": "5b0e7c3f9d7a4e1c2b8f6a0d3e9c1b7a5f4e2d0c8b6a4f2e0d9c7b5a3f1e0d2c"
}))]
pub struct TimelineCheck {
    /// The case.
    pub case_id: uuid::Uuid,
    /// Its reference.
    pub reference: String,
    /// How many entries were checked (every entry, whoever may see it).
    pub entries: i64,
    /// Whether every sealed entry matches its seal and follows the one
    /// before it.
    pub intact: bool,
    /// The first entry that does not check out; `null` when intact.
    pub first_broken: Option<BrokenEntry>,
    /// Entries recorded before sealing began that the background job has
    /// not sealed yet (only just after an upgrade; then 0).
    pub awaiting_seal: i64,
    /// Entries whose data an erasure rewrote (names replaced, removed
    /// text): their seal and place in the chain still check, against the
    /// digest of the data they were sealed with; what they said cannot.
    pub redacted: i64,
    /// The seal of the newest entry: kept elsewhere, it shows later
    /// whether newer entries were removed. `null` with no sealed entry.
    pub head: Option<String>,
}

const CHUNK: i64 = 1000;

/// Checks case `id`'s whole timeline, a chunk of entries at a time.
pub fn check(conn: &mut DbConnection, id: CaseId) -> ApiResult<TimelineCheck> {
    let reference: String = cases::table
        .find(id.to_db())
        .select(cases::reference)
        .first(conn)?;
    let (sealing_done, last_legacy) = sealing_state(conn)?;
    let mut verdict = TimelineCheck {
        case_id: id.0,
        reference,
        entries: 0,
        intact: true,
        first_broken: None,
        awaiting_seal: 0,
        redacted: 0,
        head: None,
    };
    // Rewritten entries, until an erasure entry after them lists them.
    let mut unrecorded = std::collections::BTreeSet::new();
    let mut prev = String::new();
    let mut after = 0_i64;
    loop {
        let rows: Vec<TimelineRow> = timeline_events::table
            .filter(timeline_events::case_id.eq(id.to_db()))
            .filter(timeline_events::id.gt(after))
            .order(timeline_events::id.asc())
            .limit(CHUNK)
            .select(TimelineRow::as_select())
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in &rows {
            verdict.entries += 1;
            let problem = match (&row.hash, &row.prev_hash) {
                (Some(hash), Some(linked)) => {
                    let case_id = row.case_id.to_db();
                    let actor_id = row.actor_id.map(|a| a.to_db());
                    let content = Content {
                        case_id: &case_id,
                        actor_id: actor_id.as_deref(),
                        kind: &row.kind,
                        visibility: row.visibility.as_str(),
                        data: &row.data,
                        data_digest: row.data_digest.as_deref(),
                        at: row.created_at,
                        salt: row.salt.as_deref().unwrap_or_default(),
                    };
                    if row.data_digest.is_some() {
                        verdict.redacted += 1;
                        unrecorded.insert(row.id);
                    }
                    // Only a record as it was written counts (a rewritten one
                    // could be made to list anything), and only for entries
                    // before it.
                    if (row.kind == ERASURE_KIND || row.kind == ANONYMISED_KIND)
                        && row.data_digest.is_none()
                    {
                        for listed in recorded(&row.data).into_iter().filter(|l| *l < row.id) {
                            unrecorded.remove(&listed);
                        }
                    }
                    let problem = if seal(linked, &content) != *hash {
                        Some(Break::Altered)
                    } else if *linked != prev {
                        Some(Break::OutOfChain)
                    } else {
                        None
                    };
                    prev = hash.clone();
                    verdict.head = Some(hash.clone());
                    problem
                }
                _ if sealing_done || row.id > last_legacy => Some(Break::Unsealed),
                _ => {
                    verdict.awaiting_seal += 1;
                    None
                }
            };
            if let (Some(problem), None) = (problem, &verdict.first_broken) {
                verdict.intact = false;
                verdict.first_broken = Some(BrokenEntry {
                    id: row.id,
                    problem,
                });
            }
        }
    }
    if let (Some(&id), None) = (unrecorded.first(), &verdict.first_broken) {
        verdict.intact = false;
        verdict.first_broken = Some(BrokenEntry {
            id,
            problem: Break::RedactedWithoutRecord,
        });
    }
    Ok(verdict)
}

/// The entries an erasure entry's data says it rewrote.
fn recorded(data: &str) -> Vec<i64> {
    serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|d| {
            d["redacted_entries"]
                .as_array()
                .map(|ids| ids.iter().filter_map(serde_json::Value::as_i64).collect())
        })
        .unwrap_or_default()
}

/// Whether the one-time sealing is done, and the newest entry recorded
/// before sealing began.
fn sealing_state(conn: &mut DbConnection) -> ApiResult<(bool, i64)> {
    #[derive(QueryableByName)]
    struct State {
        #[diesel(sql_type = Bool)]
        done: bool,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        last_legacy: i64,
    }
    let state: State =
        diesel::sql_query("SELECT done, last_legacy FROM timeline_seal_backfill WHERE id = 1")
            .get_result(conn)?;
    Ok((state.done, state.last_legacy))
}

const BACKFILL_CASES: i64 = 50;

/// Seals the entries of up to [`BACKFILL_CASES`] cases recorded before
/// sealing began (each case's whole chain, holding its row); 0 when all
/// are sealed. Run by the scanner after an upgrade, once.
pub fn backfill(conn: &mut DbConnection) -> ApiResult<usize> {
    #[derive(QueryableByName)]
    struct State {
        #[diesel(sql_type = Text)]
        cases_after: String,
        #[diesel(sql_type = Bool)]
        done: bool,
    }
    let state: State =
        diesel::sql_query("SELECT cases_after, done FROM timeline_seal_backfill WHERE id = 1")
            .get_result(conn)?;
    if state.done {
        return Ok(0);
    }
    let ids: Vec<String> = cases::table
        .filter(cases::id.gt(&state.cases_after))
        .order(cases::id.asc())
        .limit(BACKFILL_CASES)
        .select(cases::id)
        .load(conn)?;
    let Some(last) = ids.last().cloned() else {
        diesel::sql_query("UPDATE timeline_seal_backfill SET done = TRUE WHERE id = 1")
            .execute(conn)?;
        return Ok(0);
    };
    for id in &ids {
        if let Ok(uuid) = id.parse::<uuid::Uuid>() {
            super::context::hold(conn, CaseId(uuid))?;
        }
        let rows: Vec<TimelineRow> = timeline_events::table
            .filter(timeline_events::case_id.eq(id))
            .order(timeline_events::id.asc())
            .select(TimelineRow::as_select())
            .load(conn)?;
        let mut prev = String::new();
        for row in rows {
            let actor_id = row.actor_id.map(|a| a.to_db());
            let salt = row.salt.clone().unwrap_or_else(new_salt);
            let hash = seal(
                &prev,
                &Content {
                    case_id: id,
                    actor_id: actor_id.as_deref(),
                    kind: &row.kind,
                    visibility: row.visibility.as_str(),
                    data: &row.data,
                    data_digest: row.data_digest.as_deref(),
                    at: row.created_at,
                    salt: &salt,
                },
            );
            diesel::update(timeline_events::table.find(row.id))
                .set((
                    timeline_events::prev_hash.eq(&prev),
                    timeline_events::hash.eq(&hash),
                    timeline_events::salt.eq(&salt),
                ))
                .execute(conn)?;
            prev = hash;
        }
    }
    diesel::sql_query(match conn {
        DbConnection::Postgresql(_) => {
            "UPDATE timeline_seal_backfill SET cases_after = $1 WHERE id = 1"
        }
        DbConnection::Sqlite(_) => "UPDATE timeline_seal_backfill SET cases_after = ? WHERE id = 1",
    })
    .bind::<Text, _>(&last)
    .execute(conn)?;
    Ok(ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(data: &str) -> Content<'_> {
        Content {
            case_id: "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c",
            actor_id: None,
            kind: "case_filed",
            visibility: "all_parties",
            data,
            data_digest: None,
            salt: "5f1c",
            at: chrono::DateTime::from_timestamp(1_800_000_000, 123_456_000)
                .unwrap()
                .naive_utc(),
        }
    }

    #[test]
    fn a_seal_covers_the_content_and_the_entry_before() {
        let first = seal("", &content("{}"));
        assert_eq!(first.len(), 64);
        assert_eq!(
            first,
            seal("", &content("{}")),
            "the same content seals the same"
        );
        assert_ne!(first, seal("", &content("{ }")));
        assert_ne!(first, seal("x", &content("{}")));
        let mut salted = content("{}");
        salted.salt = "9e2d";
        assert_ne!(first, seal("", &salted), "the random value is covered");
        let mut digested = content("{ }");
        let sealed_with = digest("{}");
        digested.data_digest = Some(&sealed_with);
        assert_eq!(
            first,
            seal("", &digested),
            "rewritten data keeps its seal by its digest"
        );
        let mut moved = content("{}");
        moved.at += chrono::Duration::microseconds(1);
        assert_ne!(first, seal("", &moved));
        // Fields cannot be shifted into one another.
        let mut a = content("{}");
        a.kind = "ab";
        a.visibility = "c";
        let mut b = content("{}");
        b.kind = "a";
        b.visibility = "bc";
        assert_ne!(seal("", &a), seal("", &b));
    }

    #[test]
    fn stored_times_are_whole_microseconds() {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 123_456_789)
            .unwrap()
            .naive_utc();
        assert_eq!(
            stored_time(at).and_utc().timestamp_subsec_nanos(),
            123_456_000
        );
    }
}
