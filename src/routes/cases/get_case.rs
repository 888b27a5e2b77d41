use actix_web::{HttpResponse, get, web};

use crate::accounts::Caller;
use crate::cases::{self, CaseView, etag};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// One case, as the caller may see it, with what they may do now.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_case",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    responses((status = 200, description = "The case", body = CaseView, headers(("ETag" = String, description = "Pass as If-Match on actions"))), ReadErrors)
)]
#[get("/cases/{case_id}")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn get_case(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let (actor, env) = (Actor::from(&caller), state.env());
    let view = state
        .db
        .read(move |conn| cases::get(conn, &env, &actor, id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(view.version)))
        .json(view))
}
