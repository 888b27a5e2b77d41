use actix_web::{HttpResponse, get, web};

use super::access::{Actor, load_visible};
use super::view::{CaseView, case_view};
use crate::auth::Caller;
use crate::domain::{CaseId, Scope};
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::routes::extract::etag;
use crate::startup::AppState;

/// One case, as the caller may see it, with what they may do now.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_case",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    responses((status = 200, description = "The case", body = CaseView, headers(("ETag" = String, description = "Pass as If-Match on actions"))), ReadErrors)
)]
#[get("/cases/{case_id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let actor = Actor::from(&caller);
    let settings = state.settings.clone();
    let view = state
        .db
        .read(move |conn| {
            let (row, rel) = load_visible(conn, &actor, id)?;
            case_view(conn, row, &rel, &settings)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(view.version)))
        .json(view))
}
