use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::messages::{MessagePage, list};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// The messages on a case the caller may read, oldest first: staff read all;
/// each party reads what is for both parties and what is for their side.
#[utoipa::path(
    tag = "messages",
    operation_id = "list_messages",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), PageQuery),
    responses((status = 200, description = "A page of messages", body = MessagePage), ReadErrors)
)]
#[get("/cases/{case_id}/messages")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn list_messages(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    query: web::Query<PageQuery>,
) -> ApiResult<web::Json<MessagePage>> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let page = query.checked()?;
    let (actor, env) = (Actor::from(&caller), state.env());
    let messages = state
        .db
        .read(move |conn| list(conn, &env, &actor, id, &page))
        .await?;
    Ok(web::Json(messages))
}
