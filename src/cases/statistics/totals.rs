//! The figures the statistics add up, as rows of one shape ([`Total`]):
//! counted from the cases filed in a range ([`live`]), or read from the
//! totals kept per filing day and month ([`rolled_up`]), which the scanner
//! writes once a period has ended ([`roll_up`]) and the database marks
//! stale whenever a case of the period changes in a way they count (the
//! triggers of migration `000280_statistics_totals`). A range is counted
//! from the fewest rows that cover it ([`Cover`]): a month's totals where
//! the whole month is inside and fresh, else a day's, else the cases.
//!
//! Minutes are kept to 8 significant bits ([`bucket`]): exact up to 255
//! minutes, within 0.8 % (rounded down) beyond, so that a month holds a
//! few hundred rows per category rather than one per distinct time. The
//! same rounding applies to figures counted from the cases, so a period
//! gives the same answer before and after it is rolled up.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, SmallInt, Text};
use serde_json::json;

use super::{Scope, at, count_if};
use crate::db::DbConnection;
use crate::db::bulk::{BulkInsert, Col};
use crate::error::ApiResult;

/// Cases filed, by category, state (`k1`), priority (`k2`) and each
/// target's result (`outcome`, the bits of `cases.sla_outcome`).
pub(super) const FILED: i16 = 1;
/// First answers by category and whole minutes.
pub(super) const FIRST: i16 = 2;
/// Resolutions by category and whole minutes.
pub(super) const RESOLVED: i16 = 3;
/// By category, mediator who handled the case (`k1`) and minutes from
/// their assignment to resolution (`-1`: not resolved): `n` resolved,
/// `n2` ruled on.
pub(super) const HANDLED: i16 = 4;
/// By category and the mediator who ruled (`k1`): `n` cases appealed,
/// `n2` appeals decided, `n3` appeals that amended or overturned.
pub(super) const APPEALS: i16 = 5;
/// By category and the mediator who handled the case (`k1`): `n`
/// ratings, `n2` their sum.
pub(super) const RATINGS: i16 = 6;

/// One figure: what it counts (`kind` and the key columns) and the counts.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub(super) struct Total {
    #[diesel(sql_type = SmallInt)]
    pub kind: i16,
    #[diesel(sql_type = Text)]
    pub category_id: String,
    #[diesel(sql_type = Text)]
    pub k1: String,
    #[diesel(sql_type = Text)]
    pub k2: String,
    #[diesel(sql_type = SmallInt)]
    pub outcome: i16,
    /// Whole minutes, `-1` where there are none.
    #[diesel(sql_type = BigInt)]
    pub minutes: i64,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
    #[diesel(sql_type = BigInt)]
    pub n2: i64,
    #[diesel(sql_type = BigInt)]
    pub n3: i64,
}

/// `minutes` to 8 significant bits, rounded down: exact below 256.
pub(super) fn bucket(minutes: i64) -> i64 {
    if minutes < 256 {
        return minutes;
    }
    let drop = 64 - minutes.leading_zeros() - 8;
    (minutes >> drop) << drop
}

/// `rows` with minutes in buckets and equal keys added up.
pub(super) fn merged(rows: Vec<Total>) -> Vec<Total> {
    type Key = (i16, String, String, String, i16, i64);
    let mut out: HashMap<Key, Total> = HashMap::new();
    for mut r in rows {
        if r.minutes >= 0 {
            r.minutes = bucket(r.minutes);
        }
        let key = (
            r.kind,
            r.category_id.clone(),
            r.k1.clone(),
            r.k2.clone(),
            r.outcome,
            r.minutes,
        );
        match out.get_mut(&key) {
            Some(t) => {
                t.n += r.n;
                t.n2 += r.n2;
                t.n3 += r.n3;
            }
            None => {
                out.insert(key, r);
            }
        }
    }
    out.into_values().collect()
}

/// The figures of the cases filed in `scope`, counted from the cases: a
/// few grouped passes over the covering index `cases_stats`, and the
/// appeals and ratings through their own tables.
pub(super) fn live(conn: &mut DbConnection, scope: &Scope) -> ApiResult<Vec<Total>> {
    let filed = scope.filed();
    let handler = "COALESCE(c.ruling_mediator_id, c.assigned_mediator_id)";
    let none = "CAST('' AS TEXT)";
    let zero = "CAST(0 AS BIGINT)";
    let queries = [
        // The counts, with the first answer's minutes (split below).
        format!(
            "SELECT CAST({FILED} AS SMALLINT) AS kind, c.category_id, c.state AS k1, c.priority AS k2,
                c.sla_outcome AS outcome, CAST(COALESCE(c.first_response_seconds / 60, -1) AS BIGINT) AS minutes,
                CAST(COUNT(*) AS BIGINT) AS n, {zero} AS n2, {zero} AS n3
            FROM cases c WHERE {filed}
            GROUP BY c.category_id, c.state, c.priority, c.sla_outcome, c.first_response_seconds / 60"
        ),
        format!(
            "SELECT CAST({RESOLVED} AS SMALLINT) AS kind, c.category_id, {none} AS k1, {none} AS k2,
                CAST(0 AS SMALLINT) AS outcome, CAST(c.resolution_seconds / 60 AS BIGINT) AS minutes,
                CAST(COUNT(*) AS BIGINT) AS n, {zero} AS n2, {zero} AS n3
            FROM cases c WHERE {filed} AND c.resolution_seconds IS NOT NULL
            GROUP BY c.category_id, c.resolution_seconds / 60"
        ),
        // Who handled what: cases resolved (`resolution_seconds` is set
        // with `resolved_at`, and in the covering index), cases ruled.
        format!(
            "SELECT CAST({HANDLED} AS SMALLINT) AS kind, c.category_id, {handler} AS k1, {none} AS k2,
                CAST(0 AS SMALLINT) AS outcome, CAST(COALESCE(c.handling_seconds / 60, -1) AS BIGINT) AS minutes,
                {resolved} AS n, {ruled} AS n2, {zero} AS n3
            FROM cases c WHERE {filed} AND {handler} IS NOT NULL
            GROUP BY c.category_id, {handler}, c.handling_seconds / 60",
            resolved = count_if("c.resolution_seconds IS NOT NULL"),
            ruled = count_if("c.ruling_mediator_id IS NOT NULL"),
        ),
        // Appeals against each mediator's rulings, and the ratings, from
        // the range's cases (read first, through the index on the filing
        // time: joined freely, SQLite's planner walks every case or every
        // rating instead).
        format!(
            "WITH r AS MATERIALIZED (SELECT c.id, c.category_id, c.ruling_mediator_id AS m
                FROM cases c WHERE {filed} AND c.ruling_mediator_id IS NOT NULL)
            SELECT CAST({APPEALS} AS SMALLINT) AS kind, r.category_id, r.m AS k1,
                {none} AS k2, CAST(0 AS SMALLINT) AS outcome, CAST(-1 AS BIGINT) AS minutes,
                CAST(COUNT(DISTINCT a.case_id) AS BIGINT) AS n, {decided} AS n2, {changed} AS n3
            FROM r JOIN appeals a ON a.case_id = r.id
            GROUP BY r.category_id, r.m",
            decided = count_if("a.decision IS NOT NULL"),
            changed = count_if("a.decision IN ('amend', 'overturn')"),
        ),
        format!(
            "WITH r AS MATERIALIZED (SELECT c.id, c.category_id, COALESCE({handler}, '') AS m
                FROM cases c WHERE {filed})
            SELECT CAST({RATINGS} AS SMALLINT) AS kind, r.category_id, r.m AS k1,
                {none} AS k2, CAST(0 AS SMALLINT) AS outcome, CAST(-1 AS BIGINT) AS minutes,
                CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(f.rating), 0) AS BIGINT) AS n2,
                {zero} AS n3
            FROM r JOIN case_feedback f ON f.case_id = r.id
            GROUP BY r.category_id, r.m"
        ),
    ];
    let mut out = Vec::new();
    for sql in queries {
        let rows: Vec<Total> = diesel::sql_query(sql).load(conn)?;
        for r in rows {
            if r.kind == FILED && r.minutes >= 0 {
                out.push(Total {
                    kind: FIRST,
                    k1: String::new(),
                    k2: String::new(),
                    outcome: 0,
                    ..r.clone()
                });
            }
            out.push(if r.kind == FILED {
                Total { minutes: -1, ..r }
            } else {
                r
            });
        }
    }
    Ok(out)
}

/// A day's or a month's name: `2026-11-24`, `2026-11`.
fn day_name(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn month_name(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// The first day of `d`'s month.
fn first_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.day0()))
}

/// The first day of the month after `d`'s.
fn next_month(d: NaiveDate) -> NaiveDate {
    first_of(first_of(d) + Duration::days(31))
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// How a range is counted: the periods whose totals are read, and the
/// stretches counted from the cases.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Cover {
    pub periods: Vec<String>,
    pub live: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Cover {
    /// `[from, to)` from the periods in `fresh`: whole months where they
    /// are fresh and inside the range, else whole days, else the cases
    /// (the partial days at either end, and what is not rolled up).
    pub fn of(from: DateTime<Utc>, to: DateTime<Utc>, fresh: &HashSet<String>) -> Cover {
        let mut cover = Cover::default();
        let first = if midnight(from.date_naive()) == from {
            from.date_naive()
        } else {
            from.date_naive() + Duration::days(1)
        };
        let last = to.date_naive();
        if first >= last {
            cover.add_live(from, to);
            return cover;
        }
        cover.add_live(from, midnight(first));
        let mut d = first;
        while d < last {
            if d.day() == 1 && next_month(d) <= last && fresh.contains(&month_name(d)) {
                cover.periods.push(month_name(d));
                d = next_month(d);
                continue;
            }
            if fresh.contains(&day_name(d)) {
                cover.periods.push(day_name(d));
            } else {
                cover.add_live(midnight(d), midnight(d + Duration::days(1)));
            }
            d += Duration::days(1);
        }
        cover.add_live(midnight(last), to);
        cover
    }

    /// Adds `[from, to)` to the stretches counted live, joined to the last
    /// one where they meet.
    fn add_live(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        if from >= to {
            return;
        }
        match self.live.last_mut() {
            Some(last) if last.1 == from => last.1 = to,
            _ => self.live.push((from, to)),
        }
    }
}

#[derive(QueryableByName)]
struct PeriodRow {
    #[diesel(sql_type = Text)]
    period: String,
    #[diesel(sql_type = Bool)]
    stale: bool,
}

/// The periods that have totals, and whether they are stale, between the
/// month of `from` and the day of `to` (names sort by time, a month just
/// before its first day).
fn periods(
    conn: &mut DbConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Vec<PeriodRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT period, stale FROM statistics_periods WHERE period >= '{}' AND period <= '{}'",
        month_name(from.date_naive()),
        day_name(to.date_naive()),
    ))
    .load(conn)?)
}

/// The figures of the cases filed in `scope`: from the fresh totals that
/// cover it, and from the cases for the rest.
pub(super) fn of_range(conn: &mut DbConnection, scope: &Scope) -> ApiResult<Vec<Total>> {
    let fresh: HashSet<String> = periods(conn, scope.from, scope.to)?
        .into_iter()
        .filter(|p| !p.stale)
        .map(|p| p.period)
        .collect();
    let cover = Cover::of(scope.from, scope.to, &fresh);
    let mut out = rolled_up(conn, &cover.periods, scope.category.as_deref())?;
    for (from, to) in cover.live {
        let part = Scope {
            from,
            to,
            category: scope.category.clone(),
        };
        out.extend(live(conn, &part)?);
    }
    Ok(out)
}

/// The totals of `periods` added up in the database (of one category, if
/// asked).
fn rolled_up(
    conn: &mut DbConnection,
    periods: &[String],
    category: Option<&str>,
) -> ApiResult<Vec<Total>> {
    if periods.is_empty() {
        return Ok(Vec::new());
    }
    // Names made here from dates, and a category id read from the table.
    let names: Vec<String> = periods.iter().map(|p| format!("'{p}'")).collect();
    let category = category
        .map(|id| format!(" AND category_id = '{id}'"))
        .unwrap_or_default();
    Ok(diesel::sql_query(format!(
        "SELECT kind, category_id, k1, k2, outcome, minutes, CAST(SUM(n) AS BIGINT) AS n,
            CAST(SUM(n2) AS BIGINT) AS n2, CAST(SUM(n3) AS BIGINT) AS n3
        FROM statistics_totals WHERE period IN ({}){category}
        GROUP BY kind, category_id, k1, k2, outcome, minutes",
        names.join(", ")
    ))
    .load(conn)?)
}

static TOTALS: BulkInsert = BulkInsert::new(
    "statistics_totals",
    &[
        ("period", Col::Text),
        ("kind", Col::Int),
        ("category_id", Col::Text),
        ("k1", Col::Text),
        ("k2", Col::Text),
        ("outcome", Col::Int),
        ("minutes", Col::BigInt),
        ("n", Col::BigInt),
        ("n2", Col::BigInt),
        ("n3", Col::BigInt),
    ],
);

/// Most periods one scan rolls up; the rest wait for the next.
const PERIODS_PER_SCAN: usize = 100;

/// On PostgreSQL, takes the lock of `period` (a day's or a month's) that
/// the writers' trigger takes shared: held, no transaction that changed a
/// case of the period is open, and new ones wait until this one ends.
/// Only if it is free at once (else `false`, and the next scan tries
/// again), so that writers never queue behind a roll-up that waits.
/// SQLite's one writer at a time does this already.
fn lock(conn: &mut DbConnection, period: &str, month: bool) -> ApiResult<bool> {
    #[derive(QueryableByName)]
    struct Taken {
        #[diesel(sql_type = Bool)]
        ok: bool,
    }
    if let DbConnection::Postgresql(_) = conn {
        let space = if month { 1937006965 } else { 1937006964 };
        let taken: Taken = diesel::sql_query(format!(
            "SELECT pg_try_advisory_xact_lock({space}, hashtext('{period}') & 255) AS ok"
        ))
        .get_result(conn)?;
        return Ok(taken.ok);
    }
    Ok(true)
}

/// Marks `period` fresh as of `now` with no totals yet.
fn start(conn: &mut DbConnection, period: &str, now: DateTime<Utc>) -> ApiResult<()> {
    diesel::sql_query(format!(
        "INSERT INTO statistics_periods (period, stale, computed_at) VALUES ('{period}', FALSE, {now})
        ON CONFLICT (period) DO UPDATE SET stale = FALSE, computed_at = excluded.computed_at",
        now = at(now)
    ))
    .execute(conn)?;
    diesel::sql_query(format!(
        "DELETE FROM statistics_totals WHERE period = '{period}'"
    ))
    .execute(conn)?;
    Ok(())
}

/// Writes the totals of day `d` from its cases (in a transaction); says
/// whether it did.
fn roll_day(conn: &mut DbConnection, d: NaiveDate, now: DateTime<Utc>) -> ApiResult<bool> {
    let name = day_name(d);
    if !lock(conn, &name, false)? {
        return Ok(false);
    }
    start(conn, &name, now)?;
    let day = Scope {
        from: midnight(d),
        to: midnight(d + Duration::days(1)),
        category: None,
    };
    let rows = merged(live(conn, &day)?)
        .into_iter()
        .map(|t| {
            json!({"period": name, "kind": t.kind, "category_id": t.category_id, "k1": t.k1,
                "k2": t.k2, "outcome": t.outcome, "minutes": t.minutes, "n": t.n, "n2": t.n2,
                "n3": t.n3})
        })
        .collect();
    TOTALS.execute(conn, rows)?;
    Ok(true)
}

/// Writes the totals of the month starting `d` from its days' (in a
/// transaction), if every day's are there and fresh; says whether it did.
fn roll_month(conn: &mut DbConnection, d: NaiveDate, now: DateTime<Utc>) -> ApiResult<bool> {
    let name = month_name(d);
    if !lock(conn, &name, true)? {
        return Ok(false);
    }
    let (first, last) = (day_name(d), day_name(next_month(d) - Duration::days(1)));
    let days = format!("period >= '{first}' AND period <= '{last}'");
    let fresh: Vec<PeriodRow> = diesel::sql_query(format!(
        "SELECT period, stale FROM statistics_periods WHERE {days} AND NOT stale"
    ))
    .load(conn)?;
    if fresh.len() as i64 != (next_month(d) - d).num_days() {
        return Ok(false);
    }
    start(conn, &name, now)?;
    diesel::sql_query(format!(
        "INSERT INTO statistics_totals (period, kind, category_id, k1, k2, outcome, minutes, n, n2, n3)
        SELECT '{name}', kind, category_id, k1, k2, outcome, minutes, SUM(n), SUM(n2), SUM(n3)
        FROM statistics_totals WHERE {days}
        GROUP BY kind, category_id, k1, k2, outcome, minutes"
    ))
    .execute(conn)?;
    Ok(true)
}

/// What a scan has to roll up at `now`: the days that have ended since the
/// month of the first case, and the months whose days are all fresh, whose
/// totals are missing or stale; the most recent first, at most
/// [`PERIODS_PER_SCAN`] of each.
#[derive(Debug, Default, PartialEq)]
pub struct Due {
    pub days: Vec<NaiveDate>,
    pub months: Vec<NaiveDate>,
}

/// Reads what is [`Due`].
pub fn due(conn: &mut DbConnection, now: DateTime<Utc>) -> ApiResult<Due> {
    #[derive(QueryableByName)]
    struct First {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
        at: Option<chrono::NaiveDateTime>,
    }
    let first: First =
        diesel::sql_query("SELECT MIN(created_at) AS at FROM cases").get_result(conn)?;
    let Some(first) = first.at else {
        return Ok(Due::default());
    };
    let first = first_of(first.date());
    let today = now.date_naive();
    let fresh: BTreeSet<String> = periods(conn, midnight(first), now)?
        .into_iter()
        .filter(|p| !p.stale)
        .map(|p| p.period)
        .collect();
    let mut due = Due::default();
    let mut d = today - Duration::days(1);
    while d >= first && due.days.len() < PERIODS_PER_SCAN {
        if !fresh.contains(&day_name(d)) {
            due.days.push(d);
        }
        d -= Duration::days(1);
    }
    // Months before this one whose days are all fresh.
    let mut m = first_of(today);
    while m > first && due.months.len() < PERIODS_PER_SCAN {
        let end = m;
        m = first_of(m - Duration::days(1));
        let days_fresh = m
            .iter_days()
            .take_while(|d| *d < end)
            .all(|d| fresh.contains(&day_name(d)));
        if days_fresh && !fresh.contains(&month_name(m)) {
            due.months.push(m);
        }
    }
    Ok(due)
}

/// Rolls up one day (`month` false) or month, in the transaction it is
/// given; says whether it did.
pub fn roll(
    conn: &mut DbConnection,
    start: NaiveDate,
    month: bool,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    if month {
        roll_month(conn, start, now)
    } else {
        roll_day(conn, start, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn minutes_keep_eight_significant_bits() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(255), 255);
        assert_eq!(bucket(256), 256);
        assert_eq!(bucket(257), 256);
        assert_eq!(bucket(300), 300);
        assert_eq!(bucket(301), 300);
        assert_eq!(bucket(2881), 2880);
        // Within 0.8 %, rounded down, however long.
        for m in [1_000, 4_321, 99_999, 5_000_000] {
            let b = bucket(m);
            assert!(b <= m && (m - b) * 128 <= m, "{m} -> {b}");
        }
    }

    #[test]
    fn a_range_is_covered_by_fresh_months_then_days_then_the_cases() {
        let fresh: HashSet<String> = [
            "2026-09",
            "2026-10",
            "2026-10-01",
            "2026-11-01",
            "2026-11-03",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        // From noon on 30 August to noon on 4 November.
        let c = Cover::of(t("2026-08-30T12:00:00Z"), t("2026-11-04T12:00:00Z"), &fresh);
        assert_eq!(
            c.periods,
            ["2026-09", "2026-10", "2026-11-01", "2026-11-03"]
        );
        assert_eq!(
            c.live,
            [
                (t("2026-08-30T12:00:00Z"), t("2026-09-01T00:00:00Z")),
                (t("2026-11-02T00:00:00Z"), t("2026-11-03T00:00:00Z")),
                (t("2026-11-04T00:00:00Z"), t("2026-11-04T12:00:00Z")),
            ]
        );
        // A month only partly inside is read by its days.
        let c = Cover::of(t("2026-10-01T00:00:00Z"), t("2026-10-31T00:00:00Z"), &fresh);
        assert_eq!(c.periods, ["2026-10-01"]);
        assert_eq!(
            c.live,
            [(t("2026-10-02T00:00:00Z"), t("2026-10-31T00:00:00Z"))]
        );
        // Within one day: the cases alone.
        let c = Cover::of(t("2026-10-01T01:00:00Z"), t("2026-10-01T02:00:00Z"), &fresh);
        assert!(c.periods.is_empty());
        assert_eq!(
            c.live,
            [(t("2026-10-01T01:00:00Z"), t("2026-10-01T02:00:00Z"))]
        );
    }

    #[test]
    fn merging_adds_up_equal_keys_after_rounding_the_minutes() {
        let row = |minutes, n| Total {
            kind: RESOLVED,
            category_id: "c".into(),
            k1: String::new(),
            k2: String::new(),
            outcome: 0,
            minutes,
            n,
            n2: 0,
            n3: 0,
        };
        let mut m = merged(vec![row(300, 1), row(301, 2), row(-1, 4), row(-1, 1)]);
        m.sort_by_key(|t| t.minutes);
        assert_eq!(m, vec![row(-1, 5), row(300, 3)]);
    }
}
