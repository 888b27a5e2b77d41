//! Complaint categories: listing, creating and changing them, and checking
//! their slugs.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::DbConnection;
use crate::db::models::{CategoryRow, NewCategory, to_db_time};
use crate::db::schema::categories;
use crate::domain::parse::Checker;
use crate::domain::{CategoryId, Priority};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};

/// A category as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "slug": "billing", "name": "Billing",
    "description": "Charges, refunds and invoices", "default_priority": "normal", "active": true,
    "auto_assign": true, "first_response_hours": 24
}))]
pub struct CategoryView {
    /// The category's id.
    pub id: uuid::Uuid,
    /// A short stable name for URLs and filters.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What belongs here.
    pub description: String,
    /// Priority of a case filed here unless the complainant says otherwise.
    pub default_priority: Priority,
    /// Whether new cases may be filed here.
    pub active: bool,
    /// Whether new cases (and appeals) here are given to a mediator
    /// automatically; otherwise a lead assigns them.
    pub auto_assign: bool,
    /// How soon a first answer is promised to a complainant here, in hours;
    /// `null`: by priority (urgent 2, high 8, normal 24, low 72).
    pub first_response_hours: Option<i32>,
}

impl From<CategoryRow> for CategoryView {
    fn from(c: CategoryRow) -> CategoryView {
        CategoryView {
            id: c.id.0,
            default_priority: c.default_priority,
            slug: c.slug,
            name: c.name,
            description: c.description,
            active: c.active,
            auto_assign: c.auto_assign,
            first_response_hours: c.first_response_hours,
        }
    }
}

page_of!(
    /// A page of categories.
    CategoryPage,
    CategoryView
);

/// Which categories to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryFilter {
    /// Include categories closed to new cases.
    pub include_inactive: Option<bool>,
}

/// A page of categories, by slug; only those open to new cases unless the
/// filter asks for every one.
pub fn list(
    conn: &mut DbConnection,
    filter: &CategoryFilter,
    page: &Page,
) -> ApiResult<CategoryPage> {
    let mut q = categories::table.into_boxed();
    if filter.include_inactive != Some(true) {
        q = q.filter(categories::active.eq(true));
    }
    if let Some(after) = &page.after {
        q = q.filter(categories::slug.gt(after.clone()));
    }
    let rows: Vec<CategoryRow> = q
        .order(categories::slug.asc())
        .limit(page.limit + 1)
        .load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |c| c.slug.clone());
    let items = rows.into_iter().map(CategoryView::from).collect();
    Ok(CategoryPage { items, next_cursor })
}

/// Checks hours to a first answer: 1 to 720.
fn first_response(c: &mut Checker, hours: Option<i64>) -> Option<i32> {
    match hours {
        None => None,
        Some(h) if (1..=720).contains(&h) => i32::try_from(h).ok(),
        Some(_) => {
            c.fail("first_response_hours", "must be 1 to 720");
            None
        }
    }
}

/// Checks a slug: 1 to 50 of `a-z 0-9 -`.
pub fn check_slug(c: &mut Checker, slug: &str) -> String {
    let s = slug.trim().to_ascii_lowercase();
    if s.is_empty() || s.len() > 50 || !s.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
    {
        c.fail("slug", "must be 1 to 50 of a-z, 0-9 and -");
    }
    s
}

/// A new category.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"slug": "billing", "name": "Billing", "description": "Charges, refunds and invoices", "default_priority": "normal"}))]
pub struct CreateCategory {
    /// Short stable name: 1 to 50 of a-z, 0-9 and -; unique.
    #[schema(pattern = r"^\s*[A-Za-z0-9-]{1,50}\s*$")]
    pub slug: String,
    /// Display name.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// What belongs here.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    /// Priority of cases filed here by default; `normal` when left out.
    pub default_priority: Option<Priority>,
    /// Give new cases and appeals here to a mediator automatically; `false` when left out.
    pub auto_assign: Option<bool>,
    /// Hours to a first answer promised here (1 to 720); by priority when left out.
    #[schema(minimum = 1, maximum = 720)]
    pub first_response_hours: Option<i64>,
}

/// A checked new category.
#[derive(Debug, Clone)]
pub struct CategoryInput {
    /// Its slug, lower-case.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What belongs here (may be empty).
    pub description: String,
    /// Priority of cases filed here by default.
    pub priority: Priority,
    /// Whether cases here are assigned automatically.
    pub auto_assign: bool,
    /// Hours to a first answer promised here.
    pub first_response_hours: Option<i32>,
}

impl CreateCategory {
    /// Checks every field at once.
    pub fn parse(self) -> ApiResult<CategoryInput> {
        let mut c = Checker::new();
        let slug = check_slug(&mut c, &self.slug);
        let name = c.text("name", &self.name, 100);
        let description = c
            .opt_text("description", Some(&self.description), 2000)
            .unwrap_or_default();
        let first_response_hours = first_response(&mut c, self.first_response_hours);
        c.finish()?;
        Ok(CategoryInput {
            slug,
            name,
            description,
            priority: self.default_priority.unwrap_or(Priority::Normal),
            auto_assign: self.auto_assign.unwrap_or(false),
            first_response_hours,
        })
    }
}

/// Creates a category, open to new cases; 409 if the slug is taken.
pub fn create(
    conn: &mut DbConnection,
    input: CategoryInput,
    now: DateTime<Utc>,
) -> ApiResult<CategoryView> {
    Ok(CategoryView::from(insert(conn, input, now)?))
}

/// Stores a category; 409 if the slug is taken.
pub fn insert(
    conn: &mut DbConnection,
    input: CategoryInput,
    now: DateTime<Utc>,
) -> ApiResult<CategoryRow> {
    let CategoryInput {
        slug,
        name,
        description,
        priority,
        auto_assign,
        first_response_hours,
    } = input;
    let taken: i64 = categories::table
        .filter(categories::slug.eq(&slug))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(format!(
            "a category with slug {slug} already exists"
        )));
    }
    let now = to_db_time(now);
    let id = CategoryId::new();
    diesel::insert_into(categories::table)
        .values(NewCategory {
            id,
            slug,
            name,
            description,
            default_priority: priority,
            active: true,
            created_at: now,
            updated_at: now,
            auto_assign,
            first_response_hours,
        })
        .execute(conn)?;
    Ok(categories::table.find(id).first(conn)?)
}

/// Changes to a category; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateCategory {
    /// Display name.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    /// What belongs here.
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Default priority of new cases.
    pub default_priority: Option<Priority>,
    /// Whether new cases may be filed here.
    pub active: Option<bool>,
    /// Whether new cases and appeals here are given to a mediator automatically.
    pub auto_assign: Option<bool>,
    /// Hours to a first answer promised here (1 to 720).
    #[schema(minimum = 1, maximum = 720)]
    pub first_response_hours: Option<i64>,
}

/// A checked change to a category.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = categories)]
pub struct CategoryChanges {
    name: Option<String>,
    description: Option<String>,
    default_priority: Option<String>,
    active: Option<bool>,
    auto_assign: Option<bool>,
    first_response_hours: Option<i32>,
    /// Set by [`update`].
    updated_at: Option<chrono::NaiveDateTime>,
}

impl UpdateCategory {
    /// Checks every field at once.
    pub fn parse(self) -> ApiResult<CategoryChanges> {
        let mut c = Checker::new();
        let changes = CategoryChanges {
            name: self.name.as_deref().map(|n| c.text("name", n, 100)),
            description: self
                .description
                .as_deref()
                .map(|d| c.opt_text("description", Some(d), 2000).unwrap_or_default()),
            default_priority: self.default_priority.map(|p| p.as_str().to_string()),
            active: self.active,
            auto_assign: self.auto_assign,
            first_response_hours: first_response(&mut c, self.first_response_hours),
            updated_at: None,
        };
        c.finish()?;
        Ok(changes)
    }
}

/// Applies a checked change to category `id`; existing cases keep their
/// priority.
pub fn update(
    conn: &mut DbConnection,
    id: CategoryId,
    mut changes: CategoryChanges,
    now: DateTime<Utc>,
) -> ApiResult<CategoryView> {
    changes.updated_at = Some(to_db_time(now));
    let n = diesel::update(categories::table.find(id))
        .set(&changes)
        .execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound("category"));
    }
    let row: CategoryRow = categories::table.find(id).first(conn)?;
    Ok(CategoryView::from(row))
}
