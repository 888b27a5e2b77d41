use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::timeline::{TimelinePage, list};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// The timeline of a case, oldest first, filtered by what the caller may see.
#[utoipa::path(
    tag = "timeline",
    operation_id = "list_timeline",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), PageQuery),
    responses((status = 200, description = "A page of the timeline", body = TimelinePage), ReadErrors)
)]
#[get("/cases/{case_id}/timeline")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn list_timeline(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    query: web::Query<PageQuery>,
) -> ApiResult<web::Json<TimelinePage>> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let page = query.checked()?;
    let (actor, env) = (Actor::from(&caller), state.env());
    let timeline = state
        .db
        .read(move |conn| list(conn, &env, &actor, id, &page))
        .await?;
    Ok(web::Json(timeline))
}
