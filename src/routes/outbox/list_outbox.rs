use actix_web::{get, web};

use crate::accounts::Caller;
use crate::domain::Scope;
use crate::error::ApiResult;
use crate::notify::admin::{self, MailPage, OutboxFilter};
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// List the outbox (admins; a service token needs `admin` and
/// `cases:read`), newest first.
#[utoipa::path(
    tag = "outbox",
    operation_id = "list_outbox",
    params(OutboxFilter, PageQuery),
    responses((status = 200, description = "A page of mail", body = MailPage), ReadErrors)
)]
#[get("/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<OutboxFilter>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<MailPage>> {
    caller.require_admin_and(Scope::CasesRead)?;
    let filter = filter.into_inner();
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| admin::list(conn, &filter, &page))
        .await?;
    Ok(web::Json(list))
}
