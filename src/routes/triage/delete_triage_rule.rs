use actix_web::{HttpResponse, delete, web};

use crate::accounts::Caller;
use crate::desk::triage_rules;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Remove a triage rule (admins). Cases filed before keep what it did to them.
#[utoipa::path(
    tag = "desk",
    operation_id = "delete_triage_rule",
    params(("rule_id" = uuid::Uuid, Path, description = "The rule's id")),
    responses((status = 204, description = "Removed"), WriteErrors)
)]
#[delete("/triage_rules/{rule_id}")]
pub async fn delete_triage_rule(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let id = path.into_inner();
    state
        .db
        .write(move |conn| triage_rules::delete(conn, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
