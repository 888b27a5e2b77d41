use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::list::CasePage;
use crate::cases::queue::queue;
use crate::domain::{Actor, Scope};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// The caller's working list: their open cases, those whose move is theirs
/// first, each part most urgent first (highest priority, then the earliest
/// deadline the case waits on, then oldest). A member sees the cases they
/// filed or answer; a mediator the cases assigned to them; a lead or an
/// admin first the cases waiting on a lead (new cases to assign, appeals to
/// decide), then the cases assigned to them. Each case's `waiting_on` says
/// whose move it is and by when.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_queue",
    params(PageQuery),
    responses((status = 200, description = "A page of the caller's queue", body = CasePage), ReadErrors)
)]
#[get("/queue")]
pub async fn get_queue(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<CasePage>> {
    caller.require_scope(Scope::CasesRead)?;
    let page = page.checked()?;
    let (actor, env) = (Actor::from(&caller), state.env());
    let cases = state
        .db
        .read(move |conn| queue(conn, &env, &actor, &page))
        .await?;
    Ok(web::Json(cases))
}
