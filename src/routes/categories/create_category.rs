use actix_web::{HttpRequest, HttpResponse, post, web};

use super::CategoryView;
use crate::accounts::Caller;
use crate::cases::categories::{self, CreateCategory};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// Create a category (admins).
#[utoipa::path(
    tag = "categories",
    operation_id = "create_category",
    params(IdempotencyParams),
    request_body = CreateCategory,
    responses((status = 201, description = "Created", body = CategoryView), WriteErrors)
)]
#[post("/categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<CreateCategory>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (key, fp) = idempotency::asked(&req, "create_category", &*body)?;
    let input = body.into_inner().parse()?;
    let now = state.clock.now();
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let view = categories::create(conn, input, now)?;
        let location = format!("/api/v1/categories/{}", view.id);
        Created::new(view, location)
    })
    .await
}
