use actix_web::{get, web};

use crate::accounts::Caller;
use crate::desk::may_list;
use crate::desk::profiles::{self, MediatorFilter, MediatorPage};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// List mediator profiles with their load now (leads and admins), by user id.
#[utoipa::path(
    tag = "desk",
    operation_id = "list_mediators",
    params(MediatorFilter, PageQuery),
    responses((status = 200, description = "A page of mediator profiles", body = MediatorPage), ReadErrors)
)]
#[get("/mediators")]
pub async fn list_mediators(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<MediatorFilter>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<MediatorPage>> {
    may_list(&caller)?;
    let (filter, page, now) = (filter.into_inner(), page.checked()?, state.clock.now());
    let list = state
        .db
        .read(move |conn| profiles::list(conn, &filter, &page, now))
        .await?;
    Ok(web::Json(list))
}
