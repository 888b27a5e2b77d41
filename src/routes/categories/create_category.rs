use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::CategoryView;
use crate::accounts::Caller;
use crate::cases::categories::{check_slug, insert};
use crate::domain::Priority;
use crate::domain::parse::Checker;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

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
    let slug = check_slug(&mut c, &body.slug);
    let name = c.text("name", &body.name, 100);
    let description = c
        .opt_text("description", Some(&body.description), 2000)
        .unwrap_or_default();
    c.finish()?;
    let priority = body.default_priority.unwrap_or(Priority::Normal);
    let now = state.clock.now();
    let row = state
        .db
        .write(move |conn| insert(conn, slug, name, description, priority, now))
        .await?;
    let view = CategoryView::from(row);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/categories/{}", view.id)))
        .json(view))
}
