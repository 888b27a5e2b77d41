//! Complaint categories: creating them and checking their slugs.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::{CategoryRow, NewCategory, to_db_time};
use crate::db::schema::categories;
use crate::domain::parse::Checker;
use crate::domain::{CategoryId, Priority};
use crate::error::{ApiError, ApiResult};

/// Checks a slug: 1 to 50 of `a-z 0-9 -`.
pub fn check_slug(c: &mut Checker, slug: &str) -> String {
    let s = slug.trim().to_ascii_lowercase();
    if s.is_empty() || s.len() > 50 || !s.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
    {
        c.fail("slug", "must be 1 to 50 of a-z, 0-9 and -");
    }
    s
}

/// Stores a category; 409 if the slug is taken.
pub fn insert(
    conn: &mut DbConnection,
    slug: String,
    name: String,
    description: String,
    priority: Priority,
    now: DateTime<Utc>,
) -> ApiResult<CategoryRow> {
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
        })
        .execute(conn)?;
    Ok(categories::table.find(id).first(conn)?)
}
