use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::CategoryView;
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::db::models::{CategoryRow, NewCategory, to_db_time};
use crate::db::schema::categories;
use crate::domain::parse::Checker;
use crate::domain::{CategoryId, Priority};
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::WriteErrors;
use crate::startup::AppState;

/// A new category.
#[derive(Debug, Deserialize, ToSchema)]
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
}

/// Stores a category; shared with the CLI's demo data.
pub fn insert(
    conn: &mut DbConnection,
    slug: String,
    name: String,
    description: String,
    priority: Priority,
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
    let now = to_db_time(Utc::now());
    let id = CategoryId::new().to_db();
    diesel::insert_into(categories::table)
        .values(NewCategory {
            id: id.clone(),
            slug,
            name,
            description,
            default_priority: priority.as_str().into(),
            active: true,
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    Ok(categories::table.find(id).first(conn)?)
}

/// Create a category (admins).
#[utoipa::path(
    tag = "categories",
    operation_id = "create_category",
    request_body = CreateCategory,
    responses((status = 201, description = "Created", body = CategoryView), WriteErrors)
)]
#[post("/categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateCategory>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.into_inner();
    let mut c = Checker::new();
    let slug = super::check_slug(&mut c, &body.slug);
    let name = c.text("name", &body.name, 100);
    let description = c
        .opt_text("description", Some(&body.description), 2000)
        .unwrap_or_default();
    c.finish()?;
    let priority = body.default_priority.unwrap_or(Priority::Normal);
    let row = state
        .db
        .write(move |conn| insert(conn, slug, name, description, priority))
        .await?;
    let view = CategoryView::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/categories/{}", view.id)))
        .json(view))
}
