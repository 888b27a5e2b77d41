use actix_web::{HttpResponse, post, web};

use super::CategoryView;
use crate::accounts::Caller;
use crate::cases::categories::{self, CreateCategory};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

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
    let input = body.into_inner().parse()?;
    let now = state.clock.now();
    let view = state
        .db
        .write(move |conn| categories::create(conn, input, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/categories/{}", view.id)))
        .json(view))
}
