//! Statistics for leads and admins: how many cases came in and where they
//! stand, how long the first and the full answer took (business time, as
//! each case's service level counts it) and how often within target, the
//! backlog by age, and each mediator's figures.
//!
//! Every figure is about the cases *filed* in the range asked for, except
//! the backlog and each mediator's open load, which are as of now. The
//! database does the counting: grouped counts and minute histograms
//! ([`totals`]), read from the totals kept per filing day and month where
//! they are fresh and counted from the cases elsewhere; what comes back is
//! a few rows per category, state, minute and mediator, added up here. The
//! times were measured when each case was answered and resolved
//! (`cases::service_level::settle`), so no calendar is walked here.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::DbConnection;
use crate::db::schema::{categories, users};
use crate::domain::{CaseState, Priority};
use crate::error::{ApiError, ApiResult};

pub mod totals;

use totals::Total;

/// The range and scope of the statistics.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// Cases filed at or after this time (RFC 3339); 30 days before `to`
    /// when left out.
    pub from: Option<DateTime<Utc>>,
    /// Cases filed before this time (RFC 3339); now when left out.
    pub to: Option<DateTime<Utc>>,
    /// Only cases of this category (slug).
    pub category: Option<String>,
}

/// How long something took, over the cases where it happened.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({"count": 120, "median_seconds": 2700, "p90_seconds": 10800,
    "with_target": 118, "within_target": 109, "share_within_target": 0.924}))]
pub struct Timing {
    /// How many cases it happened to.
    pub count: i64,
    /// The median time it took, in seconds of business time (nearest
    /// rank), in whole minutes: exact up to 255 minutes, beyond that
    /// rounded down to 8 significant bits (within 0.8 %).
    pub median_seconds: Option<i64>,
    /// The 90th percentile, the same way.
    pub p90_seconds: Option<i64>,
    /// Of the cases with a deadline for it, those decided: met, or past the
    /// deadline without it.
    pub with_target: i64,
    /// Of those, the ones met by the deadline.
    pub within_target: i64,
    /// `within_target / with_target` (none when nothing is decided).
    pub share_within_target: Option<f64>,
}

/// The figures of one category.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"category": "delivery", "filed": 240,
    "first_response": {"count": 120, "median_seconds": 2700, "p90_seconds": 10800, "with_target": 118, "within_target": 109, "share_within_target": 0.924},
    "resolution": {"count": 80, "median_seconds": 86400, "p90_seconds": 200000, "with_target": 80, "within_target": 70, "share_within_target": 0.875}}))]
pub struct CategoryFigures {
    /// The category's slug.
    pub category: String,
    /// Cases filed.
    pub filed: i64,
    /// The first answer.
    pub first_response: Timing,
    /// Resolution.
    pub resolution: Timing,
}

/// The figures of one mediator.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"mediator_id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "name": "Mia Mediator",
    "open": 7, "resolved": 31, "median_handling_seconds": 172800, "rulings": 20, "appealed": 3,
    "appeal_rate": 0.15, "appeals_decided": 3, "changed_on_appeal": 1, "overturn_rate": 0.333,
    "ratings": 12, "average_rating": 4.25}))]
pub struct MediatorFigures {
    /// The mediator.
    pub mediator_id: uuid::Uuid,
    /// Their name.
    pub name: String,
    /// Open cases assigned to them now (any filing date).
    pub open: i64,
    /// Cases of the range they resolved (ruled on, or held when settled,
    /// dismissed or withdrawn).
    pub resolved: i64,
    /// The median time from their assignment to resolution, in seconds
    /// (whole minutes, kept as the other medians).
    pub median_handling_seconds: Option<i64>,
    /// Cases of the range they ruled on.
    pub rulings: i64,
    /// Of those, the ones appealed.
    pub appealed: i64,
    /// `appealed / rulings`.
    pub appeal_rate: Option<f64>,
    /// Appeals against their rulings that were decided.
    pub appeals_decided: i64,
    /// Of those, the ones that amended or overturned the ruling.
    pub changed_on_appeal: i64,
    /// `changed_on_appeal / appeals_decided`.
    pub overturn_rate: Option<f64>,
    /// Feedback ratings on their cases.
    pub ratings: i64,
    /// The average rating (1 to 5).
    pub average_rating: Option<f64>,
}

/// Unresolved cases of one age, as of now.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"age": "1-3d", "count": 14}))]
pub struct BacklogBucket {
    /// The age since filing: `<1d`, `1-3d`, `3-7d`, `7-30d`, `>30d`.
    pub age: String,
    /// How many.
    pub count: i64,
}

/// Statistics over a range of filing dates.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "from": "2026-10-29T00:00:00Z", "to": "2026-11-28T00:00:00Z", "category": null, "filed": 240,
    "by_state": {"intake": 4, "investigation": 30, "closed": 206}, "by_priority": {"normal": 200, "high": 40},
    "by_category": {"delivery": 240},
    "first_response": {"count": 236, "median_seconds": 2700, "p90_seconds": 10800, "with_target": 230, "within_target": 212, "share_within_target": 0.922},
    "resolution": {"count": 206, "median_seconds": 86400, "p90_seconds": 200000, "with_target": 200, "within_target": 170, "share_within_target": 0.85},
    "backlog": [{"age": "<1d", "count": 3}, {"age": "1-3d", "count": 14}, {"age": "3-7d", "count": 9}, {"age": "7-30d", "count": 8}, {"age": ">30d", "count": 0}],
    "categories": [], "mediators": []
}))]
pub struct Statistics {
    /// The start of the range.
    pub from: DateTime<Utc>,
    /// Its end (not included).
    pub to: DateTime<Utc>,
    /// The category asked for, if one was.
    pub category: Option<String>,
    /// Cases filed in the range.
    pub filed: i64,
    /// Of those, how many are in each state now.
    pub by_state: BTreeMap<String, i64>,
    /// By priority (as it is now, after any escalation).
    pub by_priority: BTreeMap<String, i64>,
    /// By category slug.
    pub by_category: BTreeMap<String, i64>,
    /// The first answer.
    pub first_response: Timing,
    /// Resolution.
    pub resolution: Timing,
    /// Unresolved cases by age, as of now (any filing date).
    pub backlog: Vec<BacklogBucket>,
    /// Per category.
    pub categories: Vec<CategoryFigures>,
    /// Per mediator, for the cases they handled.
    pub mediators: Vec<MediatorFigures>,
}

/// A timestamp as an SQL literal both backends compare with a stored one:
/// the text diesel stores on SQLite (`%F %T%.f`), so that equal times
/// compare equal there too.
fn at(t: DateTime<Utc>) -> String {
    format!("'{}'", t.naive_utc().format("%Y-%m-%d %H:%M:%S%.f"))
}

/// The range (and category) as SQL conditions on `cases` aliased `c`. Only
/// values typed here go into the text: timestamps and a UUID.
struct Scope {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    category: Option<String>,
}

impl Scope {
    /// ` AND` the category asked for, if one was.
    fn in_category(&self) -> String {
        self.category
            .as_ref()
            .map(|id| format!(" AND c.category_id = '{id}'"))
            .unwrap_or_default()
    }

    /// The cases filed in the range (and the category).
    fn filed(&self) -> String {
        format!(
            "c.created_at >= {} AND c.created_at < {}{}",
            at(self.from),
            at(self.to),
            self.in_category()
        )
    }
}

/// Open cases per mediator.
#[derive(QueryableByName)]
struct OpenRow {
    #[diesel(sql_type = Text)]
    m: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct BacklogRow {
    #[diesel(sql_type = BigInt)]
    d1: i64,
    #[diesel(sql_type = BigInt)]
    d3: i64,
    #[diesel(sql_type = BigInt)]
    d7: i64,
    #[diesel(sql_type = BigInt)]
    d30: i64,
    #[diesel(sql_type = BigInt)]
    older: i64,
}

/// `1` where `cond` holds, summed as a 64-bit count on both backends.
fn count_if(cond: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT)")
}

/// The median and the 90th percentile by nearest rank (the value at rank
/// ⌈p·n⌉) of a histogram of whole minutes, kept to 8 significant bits.
#[derive(Debug, Default, Clone)]
struct Histogram(BTreeMap<i64, i64>);

impl Histogram {
    /// Adds `n` cases that took `minutes`, kept to 8 significant bits
    /// ([`totals::bucket`]).
    fn add(&mut self, minutes: i64, n: i64) {
        *self.0.entry(totals::bucket(minutes)).or_default() += n;
    }

    fn count(&self) -> i64 {
        self.0.values().sum()
    }

    /// The value at rank ⌈p·n/100⌉, in seconds.
    fn rank(&self, percent: i64) -> Option<i64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let want = (n * percent + 99) / 100;
        let mut seen = 0;
        for (minutes, k) in &self.0 {
            seen += k;
            if seen >= want {
                return Some(minutes * 60);
            }
        }
        None
    }
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 1000.0).round() / 1000.0)
}

fn timing(decided: i64, within: i64, times: &Histogram) -> Timing {
    Timing {
        count: times.count(),
        median_seconds: times.rank(50),
        p90_seconds: times.rank(90),
        with_target: decided,
        within_target: within,
        share_within_target: share(within, decided),
    }
}

/// Checks the query: a range of at most ten years that ends after it
/// starts, and a category that exists (400 otherwise, as for any
/// malformed query parameter).
fn scope_of(
    conn: &mut DbConnection,
    q: &StatisticsQuery,
    now: DateTime<Utc>,
) -> ApiResult<(Scope, HashMap<String, String>)> {
    let to = q.to.unwrap_or(now);
    let from = q.from.unwrap_or(to - Duration::days(30));
    use chrono::Datelike;
    for (field, t) in [("from", from), ("to", to)] {
        if !(1970..=9999).contains(&t.year()) {
            return Err(ApiError::BadRequest(format!(
                "`{field}` must be between 1970 and 9999"
            )));
        }
    }
    if from >= to {
        return Err(ApiError::BadRequest("`from` must be before `to`".into()));
    }
    if to - from > Duration::days(3660) {
        return Err(ApiError::BadRequest(
            "the range from `from` to `to` may span ten years at most".into(),
        ));
    }
    let slugs: HashMap<String, String> = categories::table
        .select((categories::id, categories::slug))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let category = match &q.category {
        None => None,
        Some(slug) => Some(
            slugs
                .iter()
                .find(|(_, s)| *s == slug)
                .map(|(id, _)| id.clone())
                .ok_or_else(|| ApiError::BadRequest("`category`: no such category".into()))?,
        ),
    };
    Ok((Scope { from, to, category }, slugs))
}

/// The statistics `q` asks for, as of `now`, read from one snapshot (the
/// periods, their totals and the cases counted live agree with each other;
/// on PostgreSQL a read-only repeatable-read transaction, on SQLite a read
/// transaction).
pub fn compute(
    conn: &mut DbConnection,
    q: &StatisticsQuery,
    now: DateTime<Utc>,
) -> ApiResult<Statistics> {
    use diesel::Connection;
    conn.transaction(|conn| {
        if let DbConnection::Postgresql(_) = conn {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(conn)?;
        }
        compute_in(conn, q, now)
    })
}

fn compute_in(
    conn: &mut DbConnection,
    q: &StatisticsQuery,
    now: DateTime<Utc>,
) -> ApiResult<Statistics> {
    let (scope, slugs) = scope_of(conn, q, now)?;
    let slug = |id: &str| slugs.get(id).cloned().unwrap_or_else(|| id.to_string());
    let totals = totals::of_range(conn, &scope)?;

    let mut stats = Statistics {
        from: scope.from,
        to: scope.to,
        category: q.category.clone(),
        filed: 0,
        by_state: BTreeMap::new(),
        by_priority: BTreeMap::new(),
        by_category: BTreeMap::new(),
        first_response: Timing::default(),
        resolution: Timing::default(),
        backlog: Vec::new(),
        categories: Vec::new(),
        mediators: Vec::new(),
    };
    /// A category's figures as they are added up.
    #[derive(Default)]
    struct Tally {
        filed: i64,
        outcome: [i64; 4],
        first: Histogram,
        resolved: Histogram,
    }
    let mut per_cat: BTreeMap<String, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for r in &totals {
        let cat = per_cat.entry(r.category_id.clone()).or_default();
        match r.kind {
            totals::FILED => {
                stats.filed += r.n;
                *stats.by_state.entry(r.k1.clone()).or_default() += r.n;
                *stats.by_priority.entry(r.k2.clone()).or_default() += r.n;
                for t in [&mut *cat, &mut all] {
                    t.filed += r.n;
                    for (k, bit) in [1, 2, 4, 8].into_iter().enumerate() {
                        if r.outcome & bit != 0 {
                            t.outcome[k] += r.n;
                        }
                    }
                }
            }
            totals::FIRST => {
                cat.first.add(r.minutes, r.n);
                all.first.add(r.minutes, r.n);
            }
            totals::RESOLVED => {
                cat.resolved.add(r.minutes, r.n);
                all.resolved.add(r.minutes, r.n);
            }
            _ => {}
        }
    }
    let figures = |t: &Tally| {
        (
            timing(t.outcome[0], t.outcome[1], &t.first),
            timing(t.outcome[2], t.outcome[3], &t.resolved),
        )
    };
    (stats.first_response, stats.resolution) = figures(&all);
    for (id, t) in &per_cat {
        if t.filed == 0 {
            continue;
        }
        let (first_response, resolution) = figures(t);
        stats.by_category.insert(slug(id), t.filed);
        stats.categories.push(CategoryFigures {
            category: slug(id),
            filed: t.filed,
            first_response,
            resolution,
        });
    }
    stats.backlog = backlog(conn, &scope, now)?;
    stats.mediators = mediators(conn, &scope, &totals)?;
    // Every state and priority is named, with 0 where there are none.
    for s in CaseState::ALL {
        stats.by_state.entry(s.as_str().to_string()).or_default();
    }
    for p in [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ] {
        stats.by_priority.entry(p.as_str().to_string()).or_default();
    }
    Ok(stats)
}

/// Unresolved cases by age as of `now`, read through `cases_state_created`.
fn backlog(
    conn: &mut DbConnection,
    scope: &Scope,
    now: DateTime<Utc>,
) -> ApiResult<Vec<BacklogBucket>> {
    let ago = |days: i64| at(now - Duration::days(days));
    let category = scope.in_category();
    let sql = format!(
        "SELECT {d1} AS d1, {d3} AS d3, {d7} AS d7, {d30} AS d30, {older} AS older
        FROM cases c WHERE c.state IN ('intake', 'assigned', 'investigation'){category}",
        d1 = count_if(&format!("c.created_at >= {}", ago(1))),
        d3 = count_if(&format!(
            "c.created_at < {} AND c.created_at >= {}",
            ago(1),
            ago(3)
        )),
        d7 = count_if(&format!(
            "c.created_at < {} AND c.created_at >= {}",
            ago(3),
            ago(7)
        )),
        d30 = count_if(&format!(
            "c.created_at < {} AND c.created_at >= {}",
            ago(7),
            ago(30)
        )),
        older = count_if(&format!("c.created_at < {}", ago(30))),
    );
    let r: BacklogRow = diesel::sql_query(sql).get_result(conn)?;
    Ok([
        ("<1d", r.d1),
        ("1-3d", r.d3),
        ("3-7d", r.d7),
        ("7-30d", r.d30),
        (">30d", r.older),
    ]
    .into_iter()
    .map(|(age, count)| BacklogBucket {
        age: age.into(),
        count,
    })
    .collect())
}

/// Each mediator's figures, from the range's `totals` and their open load
/// now: who handled a case is the mediator who ruled on it, else the one
/// who held it.
fn mediators(
    conn: &mut DbConnection,
    scope: &Scope,
    totals: &[Total],
) -> ApiResult<Vec<MediatorFigures>> {
    /// One mediator's figures as they are added up.
    #[derive(Default)]
    struct Tally {
        open: i64,
        resolved: i64,
        rulings: i64,
        handling: Histogram,
        appealed: i64,
        decided: i64,
        changed: i64,
        ratings: i64,
        rating_sum: i64,
    }
    let mut per: BTreeMap<String, Tally> = BTreeMap::new();
    // Open load now, through `cases_mediator_queue`.
    let open: Vec<OpenRow> = diesel::sql_query(format!(
        "SELECT c.assigned_mediator_id AS m, CAST(COUNT(*) AS BIGINT) AS n
        FROM cases c WHERE c.waiting_on <> 'nobody' AND c.assigned_mediator_id IS NOT NULL{}
        GROUP BY c.assigned_mediator_id",
        scope.in_category()
    ))
    .load(conn)?;
    for r in open {
        per.entry(r.m).or_default().open += r.n;
    }
    for r in totals {
        if r.k1.is_empty() || !matches!(r.kind, totals::HANDLED | totals::APPEALS | totals::RATINGS)
        {
            continue;
        }
        let t = per.entry(r.k1.clone()).or_default();
        match r.kind {
            totals::HANDLED => {
                t.resolved += r.n;
                t.rulings += r.n2;
                if r.minutes >= 0 {
                    t.handling.add(r.minutes, r.n);
                }
            }
            totals::APPEALS => {
                t.appealed += r.n;
                t.decided += r.n2;
                t.changed += r.n3;
            }
            _ => {
                t.ratings += r.n;
                t.rating_sum += r.n2;
            }
        }
    }
    let names: HashMap<String, String> = users::table
        .filter(users::id.eq_any(per.keys().cloned().collect::<Vec<_>>()))
        .select((users::id, users::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for (id, t) in per {
        let Ok(uuid) = uuid::Uuid::parse_str(&id) else {
            continue;
        };
        out.push(MediatorFigures {
            mediator_id: uuid,
            name: names.get(&id).cloned().unwrap_or_default(),
            open: t.open,
            resolved: t.resolved,
            median_handling_seconds: t.handling.rank(50),
            rulings: t.rulings,
            appealed: t.appealed,
            appeal_rate: share(t.appealed, t.rulings),
            appeals_decided: t.decided,
            changed_on_appeal: t.changed,
            overturn_rate: share(t.changed, t.decided),
            ratings: t.ratings,
            average_rating: (t.ratings > 0)
                .then(|| (t.rating_sum as f64 / t.ratings as f64 * 100.0).round() / 100.0),
        });
    }
    Ok(out)
}

/// The statistics as CSV: one figure per line, `section,key,metric,value`.
pub fn to_csv(s: &Statistics) -> String {
    let mut out = String::from("section,key,metric,value\n");
    let mut line = |section: &str, key: &str, metric: &str, value: String| {
        let quote = |v: &str| {
            // A cell a spreadsheet would take for a formula is kept as text.
            let v = if v.starts_with(['=', '+', '-', '@']) && v.parse::<f64>().is_err() {
                format!("'{v}")
            } else {
                v.to_string()
            };
            if v.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v
            }
        };
        out += &format!(
            "{},{},{},{}\n",
            quote(section),
            quote(key),
            quote(metric),
            quote(&value)
        );
    };
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let optf = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    line("range", "", "from", s.from.to_rfc3339());
    line("range", "", "to", s.to.to_rfc3339());
    line("cases", "", "filed", s.filed.to_string());
    for (k, v) in &s.by_state {
        line("state", k, "count", v.to_string());
    }
    for (k, v) in &s.by_priority {
        line("priority", k, "count", v.to_string());
    }
    for (k, v) in &s.by_category {
        line("category", k, "count", v.to_string());
    }
    let mut timing = |section: &str, key: &str, t: &Timing| {
        line(section, key, "count", t.count.to_string());
        line(section, key, "median_seconds", opt(t.median_seconds));
        line(section, key, "p90_seconds", opt(t.p90_seconds));
        line(section, key, "with_target", t.with_target.to_string());
        line(section, key, "within_target", t.within_target.to_string());
        line(
            section,
            key,
            "share_within_target",
            optf(t.share_within_target),
        );
    };
    timing("first_response", "", &s.first_response);
    timing("resolution", "", &s.resolution);
    for c in &s.categories {
        timing("first_response", &c.category, &c.first_response);
        timing("resolution", &c.category, &c.resolution);
    }
    for b in &s.backlog {
        line("backlog", &b.age, "count", b.count.to_string());
    }
    for m in &s.mediators {
        let key = m.mediator_id.to_string();
        line("mediator", &key, "name", m.name.clone());
        line("mediator", &key, "open", m.open.to_string());
        line("mediator", &key, "resolved", m.resolved.to_string());
        line(
            "mediator",
            &key,
            "median_handling_seconds",
            opt(m.median_handling_seconds),
        );
        line("mediator", &key, "rulings", m.rulings.to_string());
        line("mediator", &key, "appealed", m.appealed.to_string());
        line("mediator", &key, "appeal_rate", optf(m.appeal_rate));
        line(
            "mediator",
            &key,
            "appeals_decided",
            m.appeals_decided.to_string(),
        );
        line(
            "mediator",
            &key,
            "changed_on_appeal",
            m.changed_on_appeal.to_string(),
        );
        line("mediator", &key, "overturn_rate", optf(m.overturn_rate));
        line("mediator", &key, "ratings", m.ratings.to_string());
        line("mediator", &key, "average_rating", optf(m.average_rating));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_by_nearest_rank_to_the_minute() {
        let mut h = Histogram::default();
        assert_eq!(h.rank(50), None);
        // 1, 2, 2, 3, 10 minutes: rank ⌈2.5⌉ = 3 is 2 min, rank ⌈4.5⌉ = 5 is 10 min.
        for (m, n) in [(10, 1), (2, 2), (1, 1), (3, 1)] {
            h.add(m, n);
        }
        assert_eq!(h.count(), 5);
        assert_eq!(h.rank(50), Some(120));
        assert_eq!(h.rank(90), Some(600));
        // One value: it is every percentile.
        let mut one = Histogram::default();
        one.add(7, 1);
        assert_eq!((one.rank(50), one.rank(90)), (Some(420), Some(420)));
    }

    #[test]
    fn csv_keeps_formulas_as_text_and_quotes_what_needs_it() {
        let s = Statistics {
            from: "2026-11-01T00:00:00Z".parse().unwrap(),
            to: "2026-11-28T00:00:00Z".parse().unwrap(),
            category: None,
            filed: 1,
            by_state: BTreeMap::new(),
            by_priority: BTreeMap::new(),
            by_category: BTreeMap::new(),
            first_response: Timing::default(),
            resolution: Timing::default(),
            backlog: Vec::new(),
            categories: Vec::new(),
            mediators: vec![MediatorFigures {
                mediator_id: uuid::Uuid::nil(),
                name: "=HYPERLINK(\"x\"), Jr".into(),
                open: 0,
                resolved: 0,
                median_handling_seconds: None,
                rulings: 0,
                appealed: 0,
                appeal_rate: None,
                appeals_decided: 0,
                changed_on_appeal: 0,
                overturn_rate: None,
                ratings: 0,
                average_rating: None,
            }],
        };
        let csv = to_csv(&s);
        assert!(csv.starts_with("section,key,metric,value\n"));
        assert!(
            csv.contains("mediator,00000000-0000-0000-0000-000000000000,name,\"'=HYPERLINK(\"\"x\"\"), Jr\"\n"),
            "{csv}"
        );
    }
}
