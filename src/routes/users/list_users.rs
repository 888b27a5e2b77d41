use actix_web::{get, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::UserView;
use crate::accounts::Caller;
use crate::db::StoreError;
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::domain::{Role, Scope};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, PageQuery, page_of};
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

page_of!(
    /// A page of users.
    UserPage,
    UserView
);

/// Filters for listing users.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) users.
    pub active: Option<bool>,
}

/// List users (staff), oldest first; leads use it to find mediators to assign.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    params(UserFilter, PageQuery),
    responses((status = 200, description = "A page of users", body = UserPage), ReadErrors)
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<UserFilter>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<UserPage>> {
    caller.require_scope(Scope::DirectoryRead)?;
    if !caller.role.is_staff() {
        return Err(ApiError::Forbidden("only staff may list users".into()));
    }
    let f = filter.into_inner();
    let Page { limit, after } = page.checked()?;
    let rows: Vec<UserRow> = state
        .db
        .read(move |conn| -> Result<_, StoreError> {
            let mut q = users::table.into_boxed();
            if let Some(role) = f.role {
                q = q.filter(users::role.eq(role));
            }
            if let Some(active) = f.active {
                q = q.filter(users::active.eq(active));
            }
            if let Some(after) = after {
                q = q.filter(users::id.gt(after));
            }
            Ok(q.order(users::id.asc()).limit(limit + 1).load(conn)?)
        })
        .await?;
    let (rows, next_cursor) = pagination::split(rows, limit, |u| u.id.to_db());
    let items = rows.into_iter().map(UserView::from).collect();
    Ok(web::Json(UserPage { items, next_cursor }))
}
