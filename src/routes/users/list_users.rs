use actix_web::{get, web};

use crate::accounts::Caller;
use crate::accounts::users::{self, UserFilter, UserPage};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

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
    users::may_list(&caller)?;
    let filter = filter.into_inner();
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| users::list(conn, &filter, &page))
        .await?;
    Ok(web::Json(list))
}
