//! Managing triage rules: admins write them, leads and admins read them.
//! They run on filing (`cases::triage`), in `position` order (ties by id).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::context::to_json;
use crate::cases::triage::rule_of;
use crate::db::DbConnection;
use crate::db::models::{TriageRuleRow, from_db_time, to_db_time};
use crate::db::schema::{categories, response_templates, triage_rules};
use crate::domain::parse::Checker;
use crate::domain::triage::{Actions, Conditions, check};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, PageError, page_of};

/// The most rules a service keeps (each filing runs them all).
pub const MAX_RULES: i64 = 200;

/// A triage rule as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-5555-7a21-9d0b-5c1e8f2a3b4c", "position": 10, "name": "Lost parcels are urgent",
    "enabled": true,
    "conditions": {"categories": ["delivery"], "keywords": ["parcel", "посылк", "paczk", "包裹"]},
    "actions": {"set_priority": "urgent", "add_tags": ["lost-parcel"]},
    "created_at": "2026-11-28T09:00:00Z", "updated_at": "2026-11-28T09:00:00Z"
}))]
pub struct TriageRuleView {
    /// The rule's id.
    pub id: uuid::Uuid,
    /// Its place in the order (lower runs first; ties by id).
    pub position: i32,
    /// What it is for.
    pub name: String,
    /// Whether it runs.
    pub enabled: bool,
    /// When it applies.
    pub conditions: Conditions,
    /// What it does.
    pub actions: Actions,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

page_of!(
    /// A page of triage rules, in the order they run.
    TriageRulePage,
    TriageRuleView
);

/// A triage rule to store (a new one, or the whole of one).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Lost parcels are urgent", "position": 10,
    "conditions": {"categories": ["delivery"], "keywords": ["parcel", "посылк", "paczk", "包裹"]},
    "actions": {"set_priority": "urgent", "add_tags": ["lost-parcel"]}
}))]
pub struct PutTriageRule {
    /// What it is for, 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// Its place in the order, 0 to 10000; after every other rule when left out.
    #[schema(minimum = 0, maximum = 10000)]
    pub position: Option<i64>,
    /// Whether it runs; `true` when left out.
    pub enabled: Option<bool>,
    /// When it applies; every filing when left out.
    #[serde(default)]
    pub conditions: Conditions,
    /// What it does: at least one of a priority, tags or holding the case.
    pub actions: Actions,
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct RuleInput {
    name: String,
    position: Option<i32>,
    enabled: bool,
    conditions: Conditions,
    actions: Actions,
}

impl PutTriageRule {
    /// Checks every field at once (category slugs are looked up on storing).
    pub fn parse(self) -> ApiResult<RuleInput> {
        let mut c = Checker::new();
        let name = c.text("name", &self.name, 200);
        let position = match self.position {
            None => None,
            Some(p) if (0..=10_000).contains(&p) => i32::try_from(p).ok(),
            Some(_) => {
                c.fail("position", "must be 0 to 10000");
                None
            }
        };
        let (conditions, actions) = check(&mut c, self.conditions, self.actions);
        c.finish()?;
        Ok(RuleInput {
            name,
            position,
            enabled: self.enabled.unwrap_or(true),
            conditions,
            actions,
        })
    }
}

fn view(row: &TriageRuleRow) -> ApiResult<TriageRuleView> {
    let rule = rule_of(row)?;
    Ok(TriageRuleView {
        id: rule.id,
        position: row.position,
        name: rule.name,
        enabled: row.enabled,
        conditions: rule.conditions,
        actions: rule.actions,
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
    })
}

/// 422 on `conditions.categories[i]` for a slug no category has, and on
/// `actions.suggest_templates[i]` for a code no template has.
fn check_categories(conn: &mut DbConnection, input: &RuleInput) -> ApiResult<()> {
    let known: Vec<String> = categories::table
        .filter(categories::slug.eq_any(input.conditions.categories.clone()))
        .select(categories::slug)
        .load(conn)?;
    let templates: Vec<String> = response_templates::table
        .filter(response_templates::code.eq_any(input.actions.suggest_templates.clone()))
        .select(response_templates::code)
        .load(conn)?;
    let mut c = Checker::new();
    for (i, slug) in input.conditions.categories.iter().enumerate() {
        if !known.contains(slug) {
            c.fail(format!("conditions.categories[{i}]"), "no such category");
        }
    }
    for (i, code) in input.actions.suggest_templates.iter().enumerate() {
        if !templates.contains(code) {
            c.fail(
                format!("actions.suggest_templates[{i}]"),
                "no such template",
            );
        }
    }
    c.finish()?;
    Ok(())
}

/// The rules in the order they run, a page at a time.
pub fn list(conn: &mut DbConnection, page: &Page) -> ApiResult<TriageRulePage> {
    let mut q = triage_rules::table
        .order((triage_rules::position.asc(), triage_rules::id.asc()))
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(after) = &page.after {
        let (pos, id) = after
            .split_once('|')
            .and_then(|(p, id)| {
                let id = uuid::Uuid::parse_str(id).ok()?;
                Some((p.parse::<i32>().ok()?, id.hyphenated().to_string()))
            })
            .ok_or(PageError::Cursor)?;
        q = q.filter(
            triage_rules::position
                .gt(pos)
                .or(triage_rules::position.eq(pos).and(triage_rules::id.gt(id))),
        );
    }
    let rows: Vec<TriageRuleRow> = q.load(conn)?;
    let (rows, next_cursor) =
        pagination::split(rows, page.limit, |r| format!("{}|{}", r.position, r.id));
    let items = rows.iter().map(view).collect::<ApiResult<Vec<_>>>()?;
    Ok(TriageRulePage { items, next_cursor })
}

/// Stores a new rule; 409 past [`MAX_RULES`].
pub fn create(
    conn: &mut DbConnection,
    input: RuleInput,
    now: DateTime<Utc>,
) -> ApiResult<TriageRuleView> {
    check_categories(conn, &input)?;
    let count: i64 = triage_rules::table.count().get_result(conn)?;
    if count >= MAX_RULES {
        return Err(ApiError::Conflict(format!(
            "at most {MAX_RULES} triage rules; remove or merge some first"
        )));
    }
    let position = match input.position {
        Some(p) => p,
        None => {
            let last: Option<i32> = triage_rules::table
                .select(diesel::dsl::max(triage_rules::position))
                .first(conn)?;
            last.map_or(0, |p| (p + 10).min(10_000))
        }
    };
    let at = to_db_time(now);
    let row = TriageRuleRow {
        id: uuid::Uuid::now_v7().hyphenated().to_string(),
        position,
        name: input.name,
        enabled: input.enabled,
        conditions: to_json(&input.conditions)?,
        actions: to_json(&input.actions)?,
        created_at: at,
        updated_at: at,
    };
    diesel::insert_into(triage_rules::table)
        .values(&row)
        .execute(conn)?;
    view(&row)
}

/// Replaces rule `id` whole (keeping its place if none is given); 404 if
/// there is none.
pub fn replace(
    conn: &mut DbConnection,
    id: uuid::Uuid,
    input: RuleInput,
    now: DateTime<Utc>,
) -> ApiResult<TriageRuleView> {
    check_categories(conn, &input)?;
    let key = id.hyphenated().to_string();
    let current: Option<TriageRuleRow> = triage_rules::table.find(&key).first(conn).optional()?;
    let current = current.ok_or(ApiError::NotFound("triage rule"))?;
    let row = TriageRuleRow {
        position: input.position.unwrap_or(current.position),
        name: input.name,
        enabled: input.enabled,
        conditions: to_json(&input.conditions)?,
        actions: to_json(&input.actions)?,
        updated_at: to_db_time(now),
        ..current
    };
    diesel::update(triage_rules::table.find(&key))
        .set((
            triage_rules::position.eq(row.position),
            triage_rules::name.eq(&row.name),
            triage_rules::enabled.eq(row.enabled),
            triage_rules::conditions.eq(&row.conditions),
            triage_rules::actions.eq(&row.actions),
            triage_rules::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    view(&row)
}

/// Removes rule `id`; 404 if there is none. What it did to cases filed
/// before stays on their timelines.
pub fn delete(conn: &mut DbConnection, id: uuid::Uuid) -> ApiResult<()> {
    let n = diesel::delete(triage_rules::table.find(id.hyphenated().to_string())).execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound("triage rule"));
    }
    Ok(())
}
