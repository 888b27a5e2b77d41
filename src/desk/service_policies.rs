//! Service-level policies: admins write them, leads and admins read them.
//! A policy gives cases of one priority (in one category, or in every
//! category without a policy of its own) a first-response and a resolution
//! target, counted on its business calendar. Filing reads them from the
//! process's copy of the setup (`db::setup`) and sets the case's deadlines.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::context::{corrupt, to_json};
use crate::db::DbConnection;
use crate::db::models::{ServicePolicyRow, from_db_time, to_db_time};
use crate::db::schema::{categories, service_policies};
use crate::domain::calendar::Calendar;
use crate::domain::parse::Checker;
use crate::domain::service_level::scope;
use crate::domain::{CategoryId, Priority};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, PageError, page_of};

/// The longest target: a year.
const MAX_MINUTES: i64 = 366 * 24 * 60;

/// A policy as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-6666-7a21-9d0b-5c1e8f2a3b4c", "priority": "high", "category": "delivery",
    "first_response_minutes": 60, "resolution_minutes": 960,
    "hours": "Mon-Fri 09:00-17:00", "time_zone": "Europe/Warsaw", "holidays": ["2026-12-25", "2026-12-26"],
    "warn_percent": 75, "created_at": "2026-11-28T09:00:00Z", "updated_at": "2026-11-28T09:00:00Z"
}))]
pub struct ServicePolicyView {
    /// The policy's id.
    pub id: uuid::Uuid,
    /// The priority it covers.
    pub priority: Priority,
    /// The category it covers (its slug); absent: every category without a policy of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// How long the first answer may take, in business minutes.
    pub first_response_minutes: i32,
    /// How long a full answer may take, in business minutes.
    pub resolution_minutes: i32,
    /// Working hours (`Mon-Fri 09:00-17:00; Sat 10:00-14:00`); empty: round the clock.
    pub hours: String,
    /// The time zone of the hours and holidays (IANA).
    pub time_zone: String,
    /// Days off, as local dates.
    pub holidays: Vec<String>,
    /// At what share of a target a warning is due, in percent.
    pub warn_percent: i32,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

page_of!(
    /// A page of service-level policies, by priority and category.
    ServicePolicyPage,
    ServicePolicyView
);

/// A policy to store (a new one, or the whole of one).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "priority": "high", "category": "delivery", "first_response_minutes": 60, "resolution_minutes": 960,
    "hours": "Mon-Fri 09:00-17:00", "time_zone": "Europe/Warsaw", "holidays": ["2026-12-25", "2026-12-26"]
}))]
pub struct PutServicePolicy {
    /// The priority it covers.
    pub priority: Priority,
    /// A category's slug; left out: every category without a policy of its own.
    #[schema(min_length = 1, max_length = 50)]
    pub category: Option<String>,
    /// How long the first answer may take, in business minutes (1 to 527040).
    #[schema(minimum = 1, maximum = 527040)]
    pub first_response_minutes: i64,
    /// How long a full answer may take, in business minutes (at least the first response).
    #[schema(minimum = 1, maximum = 527040)]
    pub resolution_minutes: i64,
    /// Working hours as `desk_hours` writes them; empty or left out: round the clock.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub hours: String,
    /// The time zone of the hours and holidays (IANA); `UTC` when left out.
    #[schema(max_length = 64)]
    pub time_zone: Option<String>,
    /// Days off, as local dates (`YYYY-MM-DD`), up to 400; only with working hours.
    #[serde(default)]
    #[schema(max_items = 400)]
    pub holidays: Vec<String>,
    /// At what share of a target a warning is due, in percent (1 to 99); 75 when left out.
    #[schema(minimum = 1, maximum = 99)]
    pub warn_percent: Option<i64>,
}

/// A checked policy.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    priority: Priority,
    category: Option<String>,
    first_response_minutes: i32,
    resolution_minutes: i32,
    hours: String,
    time_zone: String,
    holidays: Vec<String>,
    warn_percent: i32,
}

impl PutServicePolicy {
    /// Checks every field at once (the category is looked up on storing).
    pub fn parse(self) -> ApiResult<PolicyInput> {
        let mut c = Checker::new();
        let mut minutes = |field: &str, v: i64| {
            if (1..=MAX_MINUTES).contains(&v) {
                i32::try_from(v).unwrap_or(i32::MAX)
            } else {
                c.fail(field, format!("must be 1 to {MAX_MINUTES} minutes"));
                1
            }
        };
        let first = minutes("first_response_minutes", self.first_response_minutes);
        let resolution = minutes("resolution_minutes", self.resolution_minutes);
        if resolution < first {
            c.fail(
                "resolution_minutes",
                "a full answer cannot be due before the first",
            );
        }
        let warn = match self.warn_percent {
            None => 75,
            Some(p) if (1..=99).contains(&p) => p as i32,
            Some(_) => {
                c.fail("warn_percent", "must be 1 to 99");
                75
            }
        };
        let time_zone = self.time_zone.unwrap_or_else(|| "UTC".into());
        let hours = self.hours.trim().to_string();
        if self.holidays.len() > 400 {
            c.fail("holidays", "at most 400 days");
        } else {
            match Calendar::parse(&hours, &time_zone, &self.holidays) {
                Err(m) => c.fail("hours", m),
                // A target the calendar cannot reach would give cases no deadline.
                Ok(cal)
                    if cal
                        .add(Utc::now(), chrono::Duration::minutes(i64::from(resolution)))
                        .is_none() =>
                {
                    c.fail(
                        "resolution_minutes",
                        "these working hours do not reach this target within five years",
                    )
                }
                Ok(_) => {}
            }
        }
        let category = self.category.map(|s| s.trim().to_ascii_lowercase());
        c.finish()?;
        Ok(PolicyInput {
            priority: self.priority,
            category,
            first_response_minutes: first,
            resolution_minutes: resolution,
            hours,
            time_zone,
            holidays: self.holidays.iter().map(|d| d.trim().to_string()).collect(),
            warn_percent: warn,
        })
    }
}

fn view(conn: &mut DbConnection, row: &ServicePolicyRow) -> ApiResult<ServicePolicyView> {
    let category = match row.category_id {
        Some(id) => Some(
            categories::table
                .find(id)
                .select(categories::slug)
                .first::<String>(conn)?,
        ),
        None => None,
    };
    Ok(ServicePolicyView {
        id: uuid::Uuid::parse_str(&row.id).map_err(|_| corrupt("policy id"))?,
        priority: row.priority,
        category,
        first_response_minutes: row.first_response_minutes,
        resolution_minutes: row.resolution_minutes,
        hours: row.hours.clone(),
        time_zone: row.time_zone.clone(),
        holidays: serde_json::from_str(&row.holidays).map_err(|_| corrupt("policy holidays"))?,
        warn_percent: row.warn_percent,
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
    })
}

/// The category named by slug, or a 422 on `category`.
fn category_id(conn: &mut DbConnection, slug: Option<&str>) -> ApiResult<Option<CategoryId>> {
    let Some(slug) = slug else { return Ok(None) };
    let id: Option<CategoryId> = categories::table
        .filter(categories::slug.eq(slug))
        .select(categories::id)
        .first(conn)
        .optional()?;
    id.map(Some)
        .ok_or_else(|| ApiError::field("category", "no such category"))
}

/// The policies, by scope, a page at a time.
pub fn list(conn: &mut DbConnection, page: &Page) -> ApiResult<ServicePolicyPage> {
    let mut q = service_policies::table
        .order(service_policies::scope.asc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(after) = &page.after {
        if after.len() > 100 {
            return Err(PageError::Cursor.into());
        }
        q = q.filter(service_policies::scope.gt(after.clone()));
    }
    let rows: Vec<ServicePolicyRow> = q.load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |r| r.scope.clone());
    let items = rows
        .iter()
        .map(|r| view(conn, r))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(ServicePolicyPage { items, next_cursor })
}

fn taken(input: &PolicyInput) -> ApiError {
    ApiError::Conflict(format!(
        "a policy for {} cases in {} exists already; change that one",
        input.priority,
        input.category.as_deref().unwrap_or("every category")
    ))
}

/// Whether a policy covers `scope` already.
fn in_use(conn: &mut DbConnection, scope: &str) -> ApiResult<bool> {
    let n: i64 = service_policies::table
        .filter(service_policies::scope.eq(scope))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A write's outcome: two at once for one scope, the unique index lets one in.
fn stored(result: QueryResult<usize>, input: &PolicyInput) -> ApiResult<()> {
    match result {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(taken(input)),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

/// Stores a new policy; 409 if its priority and category have one.
pub fn create(
    conn: &mut DbConnection,
    input: PolicyInput,
    now: DateTime<Utc>,
) -> ApiResult<ServicePolicyView> {
    let category = category_id(conn, input.category.as_deref())?;
    let key = scope(input.priority, category);
    if in_use(conn, &key)? {
        return Err(taken(&input));
    }
    let at = to_db_time(now);
    let row = ServicePolicyRow {
        id: uuid::Uuid::now_v7().hyphenated().to_string(),
        scope: key,
        priority: input.priority,
        category_id: category,
        first_response_minutes: input.first_response_minutes,
        resolution_minutes: input.resolution_minutes,
        hours: input.hours.clone(),
        time_zone: input.time_zone.clone(),
        holidays: to_json(&input.holidays)?,
        warn_percent: input.warn_percent,
        created_at: at,
        updated_at: at,
    };
    stored(
        diesel::insert_into(service_policies::table)
            .values(&row)
            .execute(conn),
        &input,
    )?;
    view(conn, &row)
}

/// Replaces policy `id` whole; 404 if there is none. Cases filed before
/// keep the deadlines it gave them.
pub fn replace(
    conn: &mut DbConnection,
    id: uuid::Uuid,
    input: PolicyInput,
    now: DateTime<Utc>,
) -> ApiResult<ServicePolicyView> {
    let key = id.hyphenated().to_string();
    let current: Option<ServicePolicyRow> =
        service_policies::table.find(&key).first(conn).optional()?;
    let current = current.ok_or(ApiError::NotFound("service policy"))?;
    let category = category_id(conn, input.category.as_deref())?;
    let new_scope = scope(input.priority, category);
    if new_scope != current.scope && in_use(conn, &new_scope)? {
        return Err(taken(&input));
    }
    let row = ServicePolicyRow {
        scope: new_scope,
        priority: input.priority,
        category_id: category,
        first_response_minutes: input.first_response_minutes,
        resolution_minutes: input.resolution_minutes,
        hours: input.hours.clone(),
        time_zone: input.time_zone.clone(),
        holidays: to_json(&input.holidays)?,
        warn_percent: input.warn_percent,
        updated_at: to_db_time(now),
        ..current
    };
    stored(
        diesel::update(service_policies::table.find(&key))
            .set(&row)
            .execute(conn),
        &input,
    )?;
    view(conn, &row)
}

/// Removes policy `id`; 404 if there is none. Cases filed before keep
/// their deadlines.
pub fn delete(conn: &mut DbConnection, id: uuid::Uuid) -> ApiResult<()> {
    let n =
        diesel::delete(service_policies::table.find(id.hyphenated().to_string())).execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound("service policy"));
    }
    Ok(())
}
