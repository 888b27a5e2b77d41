//! The orders a list of cases can be read in (newest, oldest, most urgent
//! first), where a page of each ended (its cursor), and how a query is
//! put in order after a cursor, for the lists (`list.rs`) and the queues
//! (`queue.rs`).

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, SmallInt, Text, Timestamp};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::MultiBackend;
use crate::db::models::CaseRow;
use crate::db::schema::cases;
use crate::domain::CaseId;
use crate::pagination::PageError;

/// One query of a list or a queue, as `list::queries` and
/// `queue::queries` build it.
pub type CaseQuery = cases::BoxedQuery<'static, MultiBackend>;

/// A query of case ids (what a scan finds due).
pub type CaseIds = cases::BoxedQuery<'static, MultiBackend, Text>;

/// The order of a list of cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    /// Newest first (by filing time).
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
    /// Most urgent first: highest priority, then the earliest deadline the
    /// case waits on (cases with none after those with one), then oldest.
    Urgent,
    /// Earliest service-level deadline first (the next one not yet met):
    /// only cases whose clock is running.
    Deadline,
}

/// Where a page ended: the sort key of its last case.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Position {
    /// Newest or oldest first: the filing time and id.
    Time {
        oldest_first: bool,
        created_at: NaiveDateTime,
        id: String,
    },
    /// Most urgent first.
    Urgent(UrgentKey),
    /// Earliest service-level deadline first: the deadline and id.
    Deadline { due: NaiveDateTime, id: String },
}

/// A case's place in the most-urgent-first order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct UrgentKey {
    pub rank: i16,
    pub due_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub id: String,
}

/// A case's place in the most-urgent-first order, to sort in memory as
/// the database does (an id compares as its stored text does).
pub(super) fn urgent_place(row: &CaseRow) -> (i16, NaiveDateTime, NaiveDateTime, CaseId) {
    (row.priority_rank, row.due_at, row.created_at, row.id)
}

/// Puts the rows that several queries read into `sort` order.
pub(super) fn arrange(rows: &mut [CaseRow], sort: CaseSort) {
    match sort {
        CaseSort::Newest => rows.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id))),
        CaseSort::Oldest => rows.sort_by_key(|r| (r.created_at, r.id)),
        CaseSort::Urgent => rows.sort_by_key(urgent_place),
        CaseSort::Deadline => rows.sort_by_key(|r| (r.sla_due, r.id)),
    }
}

/// Keeps each case once, where it comes first. The queries of a page read
/// apart, so a case found by two of them may have changed in between and
/// come with two different places in the order.
pub(super) fn once_each<T>(rows: &mut Vec<T>, id: impl Fn(&T) -> CaseId) {
    let mut seen = HashSet::new();
    rows.retain(|r| seen.insert(id(r)));
}

impl UrgentKey {
    pub(super) fn of(row: &CaseRow) -> UrgentKey {
        UrgentKey {
            rank: row.priority_rank,
            due_at: row.due_at,
            created_at: row.created_at,
            id: row.id.to_db(),
        }
    }

    pub(super) fn encode(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.rank,
            self.due_at.format(CURSOR_TIME),
            self.created_at.format(CURSOR_TIME),
            self.id
        )
    }

    pub(super) fn decode(text: &str) -> Result<UrgentKey, PageError> {
        let mut parts = text.split('|');
        let (Some(rank), Some(due), Some(created), Some(id), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(PageError::Cursor);
        };
        Ok(UrgentKey {
            rank: rank.parse().map_err(|_| PageError::Cursor)?,
            due_at: time(due)?,
            created_at: time(created)?,
            id: uuid_text(id)?,
        })
    }

    /// `q`, cases after this one in the urgent order only: one row
    /// comparison, which both backends read as a range of the index that
    /// gives the order.
    pub(super) fn after(&self, q: CaseQuery) -> CaseQuery {
        q.filter(
            sql::<Bool>("(cases.priority_rank, cases.due_at, cases.created_at, cases.id) > (")
                .bind::<SmallInt, _>(self.rank)
                .sql(", ")
                .bind::<Timestamp, _>(self.due_at)
                .sql(", ")
                .bind::<Timestamp, _>(self.created_at)
                .sql(", ")
                .bind::<Text, _>(self.id.clone())
                .sql(")"),
        )
    }
}

/// The filing time in a cursor, to the nanosecond (what SQLite stores).
const CURSOR_TIME: &str = "%Y-%m-%dT%H:%M:%S%.9f";

fn time(text: &str) -> Result<NaiveDateTime, PageError> {
    NaiveDateTime::parse_from_str(text, CURSOR_TIME).map_err(|_| PageError::Cursor)
}

fn uuid_text(text: &str) -> Result<String, PageError> {
    let id = uuid::Uuid::parse_str(text).map_err(|_| PageError::Cursor)?;
    Ok(id.hyphenated().to_string())
}

impl Position {
    pub(super) fn of(sort: CaseSort, row: &CaseRow) -> Position {
        match sort {
            CaseSort::Newest | CaseSort::Oldest => Position::Time {
                oldest_first: sort == CaseSort::Oldest,
                created_at: row.created_at,
                id: row.id.to_db(),
            },
            CaseSort::Urgent => Position::Urgent(UrgentKey::of(row)),
            // Only cases with a running deadline are listed in this order.
            CaseSort::Deadline => Position::Deadline {
                due: row
                    .sla_due
                    .unwrap_or_else(crate::domain::waiting::no_deadline),
                id: row.id.to_db(),
            },
        }
    }

    /// The cursor: `time|id` newest first (as before sorting existed),
    /// `o:time|id` oldest first, `u:rank|due|time|id` most urgent first,
    /// `d:due|id` earliest deadline first.
    pub(super) fn encode(&self) -> String {
        match self {
            Position::Time {
                oldest_first,
                created_at,
                id,
            } => {
                let prefix = if *oldest_first { "o:" } else { "" };
                format!("{prefix}{}|{id}", created_at.format(CURSOR_TIME))
            }
            Position::Urgent(key) => format!("u:{}", key.encode()),
            Position::Deadline { due, id } => format!("d:{}|{id}", due.format(CURSOR_TIME)),
        }
    }

    /// Reads a cursor issued for a list in `sort` order; one issued for
    /// another order is refused.
    pub(super) fn decode(sort: CaseSort, cursor: &str) -> Result<Position, PageError> {
        let (prefix, rest) = match cursor.split_once(':') {
            Some((p @ ("o" | "u" | "d"), rest)) => (p, rest),
            _ => ("", cursor),
        };
        match (sort, prefix) {
            (CaseSort::Newest, "") | (CaseSort::Oldest, "o") => {
                let (time_text, id) = rest.split_once('|').ok_or(PageError::Cursor)?;
                Ok(Position::Time {
                    oldest_first: sort == CaseSort::Oldest,
                    created_at: time(time_text)?,
                    id: uuid_text(id)?,
                })
            }
            (CaseSort::Urgent, "u") => Ok(Position::Urgent(UrgentKey::decode(rest)?)),
            (CaseSort::Deadline, "d") => {
                let (due, id) = rest.split_once('|').ok_or(PageError::Cursor)?;
                Ok(Position::Deadline {
                    due: time(due)?,
                    id: uuid_text(id)?,
                })
            }
            _ => Err(PageError::Cursor),
        }
    }
}

/// `q` after `after` and in `sort` order.
pub(super) fn in_order(mut q: CaseQuery, sort: CaseSort, after: Option<&Position>) -> CaseQuery {
    match after {
        Some(Position::Time {
            oldest_first: false,
            created_at,
            id,
        }) => {
            // The `<=` bounds the index range; the OR only settles ties.
            q = q.filter(cases::created_at.le(*created_at)).filter(
                cases::created_at
                    .lt(*created_at)
                    .or(cases::id.lt(id.clone())),
            );
        }
        Some(Position::Time {
            oldest_first: true,
            created_at,
            id,
        }) => {
            q = q.filter(cases::created_at.ge(*created_at)).filter(
                cases::created_at
                    .gt(*created_at)
                    .or(cases::id.gt(id.clone())),
            );
        }
        Some(Position::Urgent(key)) => q = key.after(q),
        Some(Position::Deadline { due, id }) => {
            // The `>=` bounds the index range; the OR only settles ties.
            q = q
                .filter(cases::sla_due.ge(*due))
                .filter(cases::sla_due.gt(*due).or(cases::id.gt(id.clone())));
        }
        None => {}
    }
    match sort {
        CaseSort::Newest => q.order((cases::created_at.desc(), cases::id.desc())),
        CaseSort::Oldest => q.order((cases::created_at.asc(), cases::id.asc())),
        CaseSort::Urgent => q.order((
            cases::priority_rank.asc(),
            cases::due_at.asc(),
            cases::created_at.asc(),
            cases::id.asc(),
        )),
        // Read through the partial index `cases_sla_due`.
        CaseSort::Deadline => q
            .filter(cases::sla_due.is_not_null())
            .order((cases::sla_due.asc(), cases::id.asc())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
            .and_then(|d| d.and_hms_nano_opt(10, 0, 0, 123_456_789))
            .unwrap();
        let id = uuid::Uuid::now_v7().hyphenated().to_string();
        for (sort, oldest_first) in [(CaseSort::Newest, false), (CaseSort::Oldest, true)] {
            let p = Position::Time {
                oldest_first,
                created_at: t,
                id: id.clone(),
            };
            assert_eq!(Position::decode(sort, &p.encode()).unwrap(), p);
        }
        let urgent = Position::Urgent(UrgentKey {
            rank: 1,
            due_at: crate::domain::waiting::no_deadline(),
            created_at: t,
            id: id.clone(),
        });
        assert_eq!(
            Position::decode(CaseSort::Urgent, &urgent.encode()).unwrap(),
            urgent
        );
        // A cursor of one order is refused by the others.
        let newest = format!("{}|{id}", t.format(CURSOR_TIME));
        assert!(Position::decode(CaseSort::Oldest, &newest).is_err());
        assert!(Position::decode(CaseSort::Urgent, &newest).is_err());
        assert!(Position::decode(CaseSort::Newest, &urgent.encode()).is_err());
        for bad in [
            "",
            "x|y",
            "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c",
            "u:1|2|3",
            "o:",
        ] {
            for sort in [CaseSort::Newest, CaseSort::Oldest, CaseSort::Urgent] {
                assert!(Position::decode(sort, bad).is_err(), "{bad}");
            }
        }
    }
}
