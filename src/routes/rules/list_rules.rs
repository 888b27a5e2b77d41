use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::rulebook::{self, RulePage};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// List the community's rules, the latest version of each, by code (anyone signed in).
#[utoipa::path(
    tag = "rules",
    operation_id = "list_rules",
    params(PageQuery),
    responses((status = 200, description = "A page of rules", body = RulePage), ReadErrors)
)]
#[get("/rules")]
pub async fn list_rules(
    state: web::Data<AppState>,
    // Anyone signed in, whatever their token's scopes: filing names a
    // category, rulings cite rules.
    _caller: Caller,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<RulePage>> {
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| rulebook::list(conn, &page))
        .await?;
    Ok(web::Json(list))
}
