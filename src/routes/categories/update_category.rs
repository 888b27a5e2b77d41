use actix_web::{patch, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::CategoryView;
use crate::accounts::Caller;
use crate::db::models::{CategoryRow, to_db_time};
use crate::db::schema::categories;
use crate::domain::parse::Checker;
use crate::domain::{CategoryId, Priority};
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

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
}

#[derive(AsChangeset)]
#[diesel(table_name = categories)]
struct CategoryChanges {
    name: Option<String>,
    description: Option<String>,
    default_priority: Option<String>,
    active: Option<bool>,
    updated_at: chrono::NaiveDateTime,
}

/// Update a category (admins). Existing cases keep their priority.
#[utoipa::path(
    tag = "categories",
    operation_id = "update_category",
    params(("category_id" = uuid::Uuid, Path, description = "The category's id")),
    request_body = UpdateCategory,
    responses((status = 200, description = "The updated category", body = CategoryView), WriteErrors)
)]
#[patch("/categories/{category_id}")]
pub async fn update_category(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<UpdateCategory>,
) -> ApiResult<web::Json<CategoryView>> {
    let now = state.clock.now();
    caller.require_admin()?;
    let id = CategoryId(path.into_inner()).to_db();
    let body = body.into_inner();
    let mut c = Checker::new();
    let changes = CategoryChanges {
        name: body.name.as_deref().map(|n| c.text("name", n, 100)),
        description: body
            .description
            .as_deref()
            .map(|d| c.opt_text("description", Some(d), 2000).unwrap_or_default()),
        default_priority: body.default_priority.map(|p| p.as_str().to_string()),
        active: body.active,
        updated_at: to_db_time(now),
    };
    c.finish()?;
    let row: CategoryRow = state
        .db
        .write(move |conn| {
            let n = diesel::update(categories::table.find(&id))
                .set(&changes)
                .execute(conn)?;
            if n == 0 {
                return Err(ApiError::NotFound("category"));
            }
            Ok(categories::table.find(&id).first(conn)?)
        })
        .await?;
    Ok(web::Json(CategoryView::from(row)))
}
