use actix_web::{patch, web};

use super::CategoryView;
use crate::accounts::Caller;
use crate::cases::categories::{self, UpdateCategory};
use crate::domain::CategoryId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

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
    let id = CategoryId(path.into_inner());
    let changes = body.into_inner().parse()?;
    let view = state
        .db
        .write(move |conn| categories::update(conn, id, changes, now))
        .await?;
    Ok(web::Json(view))
}
