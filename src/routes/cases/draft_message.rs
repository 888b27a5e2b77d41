use actix_web::{post, web};

use crate::accounts::Caller;
use crate::cases::CaseContext;
use crate::cases::templates::{self, Draft, DraftRequest};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Draft a message from a template (the assigned mediator, leads, admins;
/// a read: a service token needs `cases:read`):
/// rendered in the recipient's language with the case's details filled in,
/// for the sender to edit and post (`POST /cases/{case_id}/messages`).
/// Nothing is stored.
#[utoipa::path(
    tag = "templates",
    operation_id = "draft_message",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    request_body = DraftRequest,
    responses((status = 200, description = "The draft", body = Draft), WriteErrors)
)]
#[post("/cases/{case_id}/drafts")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn draft_message(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<DraftRequest>,
) -> ApiResult<web::Json<Draft>> {
    // A draft is read from the case and stored nowhere.
    caller.require_scope(Scope::CasesRead)?;
    let (id, actor, env) = (CaseId(path.into_inner()), Actor::from(&caller), state.env());
    let req = body.into_inner();
    let draft = state
        .db
        .read(move |conn| {
            let (ctx, standing) = CaseContext::load_visible(conn, &actor, id, &env)?;
            templates::draft(conn, &ctx, &actor, &standing, req)
        })
        .await?;
    Ok(web::Json(draft))
}
