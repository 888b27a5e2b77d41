use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::CaseContext;
use crate::cases::templates::{self, TemplateView};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// The response templates suggested for a case (staff who may see it):
/// those triage suggested when it was filed, then those for its category.
#[utoipa::path(
    tag = "templates",
    operation_id = "list_case_templates",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    responses((status = 200, description = "The suggested templates", body = [TemplateView]), ReadErrors)
)]
#[get("/cases/{case_id}/templates")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn list_case_templates(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<Vec<TemplateView>>> {
    caller.require_scope(Scope::CasesRead)?;
    let (id, actor, env) = (CaseId(path.into_inner()), Actor::from(&caller), state.env());
    let list = state
        .db
        .read(move |conn| {
            let (ctx, standing) = CaseContext::load_visible(conn, &actor, id, &env)?;
            if standing.party().is_some() {
                return Err(ApiError::Forbidden(
                    "templates are for mediators, leads and admins".into(),
                ));
            }
            templates::suggested(conn, &ctx)
        })
        .await?;
    Ok(web::Json(list))
}
