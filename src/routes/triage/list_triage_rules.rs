use actix_web::{get, web};

use crate::accounts::Caller;
use crate::desk::may_list;
use crate::desk::triage_rules::{self, TriageRulePage};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// List the triage rules in the order they run (leads and admins).
#[utoipa::path(
    tag = "desk",
    operation_id = "list_triage_rules",
    params(PageQuery),
    responses((status = 200, description = "A page of triage rules", body = TriageRulePage), ReadErrors)
)]
#[get("/triage_rules")]
pub async fn list_triage_rules(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<TriageRulePage>> {
    may_list(&caller)?;
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| triage_rules::list(conn, &page))
        .await?;
    Ok(web::Json(list))
}
