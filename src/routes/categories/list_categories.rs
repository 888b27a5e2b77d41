use actix_web::{get, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::CategoryView;
use crate::accounts::Caller;
use crate::db::StoreError;
use crate::db::models::CategoryRow;
use crate::db::schema::categories;
use crate::error::ApiResult;
use crate::pagination::{self, Page, PageQuery, page_of};
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

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

/// List categories, by slug.
#[utoipa::path(
    tag = "categories",
    operation_id = "list_categories",
    params(CategoryFilter, PageQuery),
    responses((status = 200, description = "A page of categories", body = CategoryPage), ReadErrors)
)]
#[get("/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<CategoryFilter>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<CategoryPage>> {
    caller.require_scope(crate::domain::Scope::DirectoryRead)?;
    let f = filter.into_inner();
    let Page { limit, after } = page.checked()?;
    let rows: Vec<CategoryRow> = state
        .db
        .read(move |conn| -> Result<_, StoreError> {
            let mut q = categories::table.into_boxed();
            if f.include_inactive != Some(true) {
                q = q.filter(categories::active.eq(true));
            }
            if let Some(after) = after {
                q = q.filter(categories::slug.gt(after));
            }
            Ok(q.order(categories::slug.asc())
                .limit(limit + 1)
                .load(conn)?)
        })
        .await?;
    let (rows, next_cursor) = pagination::split(rows, limit, |c| c.slug.clone());
    let items = rows.into_iter().map(CategoryView::from).collect();
    Ok(web::Json(CategoryPage { items, next_cursor }))
}
