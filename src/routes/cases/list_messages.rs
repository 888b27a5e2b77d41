use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::accounts::Caller;
use crate::cases::messages::{MessagePage, ThreadList, list, threads};
use crate::domain::events::Visibility;
use crate::domain::{Actor, CaseId, Scope};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// Which thread of the caucus to read.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// One thread only: `all_parties` (joint), `complainant` or `respondent`
    /// (that party with the mediator), `internal` (staff's notes). A thread
    /// the caller may not read is an empty page.
    pub thread: Option<Visibility>,
}

/// The messages on a case the caller may read, oldest first: staff read all;
/// each party reads what is for both parties and what is for their side.
/// `thread` keeps one thread of the caucus.
#[utoipa::path(
    tag = "messages",
    operation_id = "list_messages",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ThreadQuery, PageQuery),
    responses((status = 200, description = "A page of messages", body = MessagePage), ReadErrors)
)]
#[get("/cases/{case_id}/messages")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn list_messages(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    query: web::Query<PageQuery>,
    thread: web::Query<ThreadQuery>,
) -> ApiResult<web::Json<MessagePage>> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let page = query.checked()?;
    let (actor, env, thread) = (Actor::from(&caller), state.env(), thread.thread);
    let messages = state
        .db
        .read(move |conn| list(conn, &env, &actor, id, thread, &page))
        .await?;
    Ok(web::Json(messages))
}

/// The caucus at a glance: each thread of a case the caller may read (the
/// joint one, each party's with the mediator, staff's notes), with how many
/// messages it holds and the latest, so a working view can show them apart.
#[utoipa::path(
    tag = "messages",
    operation_id = "list_threads",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    responses((status = 200, description = "The threads", body = ThreadList), ReadErrors)
)]
#[get("/cases/{case_id}/threads")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn list_threads(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<ThreadList>> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let (actor, env) = (Actor::from(&caller), state.env());
    let threads = state
        .db
        .read(move |conn| threads(conn, &env, &actor, id))
        .await?;
    Ok(web::Json(threads))
}
