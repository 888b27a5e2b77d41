use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::context::CaseContext;
use crate::cases::seal::{self, TimelineCheck};
use crate::cases::timeline::{TimelinePage, list};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::{ApiError, ApiResult};
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

/// Check a case's timeline: every entry matches its seal and follows the
/// one before it (staff).
///
/// Reads every entry, whoever may see it, and names the first that does
/// not check out: `altered` (its content no longer matches its seal),
/// `out_of_chain` (an entry before it was removed, inserted or altered) or
/// `unsealed` (its seal was removed). `head` is the newest entry's seal:
/// compare it with one kept elsewhere (a webhook's `entry.hash`, an earlier
/// check) to see that no newer entry was removed. `ombud verify` checks
/// every case from the command line.
#[utoipa::path(
    tag = "timeline",
    operation_id = "verify_timeline",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    responses((status = 200, description = "The check of the timeline", body = TimelineCheck), ReadErrors)
)]
#[get("/cases/{case_id}/timeline/verify")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn verify_timeline(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<TimelineCheck>> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let (actor, env) = (Actor::from(&caller), state.env());
    let checked = state
        .db
        .read(move |conn| {
            let (_, standing) = CaseContext::load_visible(conn, &actor, id, &env)?;
            if standing.party().is_some() {
                return Err(ApiError::Forbidden(
                    "only staff check a case's timeline (it covers entries parties do not see)"
                        .into(),
                ));
            }
            seal::check(conn, id)
        })
        .await?;
    Ok(web::Json(checked))
}
