use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::list::{CaseFilter, CasePage, list};
use crate::domain::{Actor, Scope};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// List the cases the caller may see: members their own, mediators theirs
/// and those in intake, leads and admins all.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_cases",
    params(CaseFilter, PageQuery),
    responses((status = 200, description = "A page of cases", body = CasePage), ReadErrors)
)]
#[get("/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<CaseFilter>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<CasePage>> {
    caller.require_scope(Scope::CasesRead)?;
    let (filter, page) = (filter.into_inner(), page.checked()?);
    let (actor, env) = (Actor::from(&caller), state.env());
    let cases = state
        .db
        .read(move |conn| list(conn, &env, &actor, filter, &page))
        .await?;
    Ok(web::Json(cases))
}
