use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::categories::{self, CategoryFilter, CategoryPage};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// List categories, by slug (anyone signed in, whatever the token's scopes).
#[utoipa::path(
    tag = "categories",
    operation_id = "list_categories",
    params(CategoryFilter, PageQuery),
    responses((status = 200, description = "A page of categories", body = CategoryPage), ReadErrors)
)]
#[get("/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    // Anyone signed in, whatever their token's scopes: filing names a
    // category, rulings cite rules.
    _caller: Caller,
    filter: web::Query<CategoryFilter>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<CategoryPage>> {
    let filter = filter.into_inner();
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| categories::list(conn, &filter, &page))
        .await?;
    Ok(web::Json(list))
}
