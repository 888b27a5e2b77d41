use actix_web::{put, web};

use crate::accounts::Caller;
use crate::desk::triage_rules::{self, PutTriageRule, TriageRuleView};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Replace a triage rule whole (admins); it keeps its place unless a
/// `position` is given. Cases filed before keep what it did to them.
#[utoipa::path(
    tag = "desk",
    operation_id = "put_triage_rule",
    params(("rule_id" = uuid::Uuid, Path, description = "The rule's id")),
    request_body = PutTriageRule,
    responses((status = 200, description = "The stored rule", body = TriageRuleView), WriteErrors)
)]
#[put("/triage_rules/{rule_id}")]
pub async fn put_triage_rule(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<PutTriageRule>,
) -> ApiResult<web::Json<TriageRuleView>> {
    caller.require_admin()?;
    let input = body.into_inner().parse()?;
    let (id, now) = (path.into_inner(), state.clock.now());
    let view = state
        .db
        .write(move |conn| triage_rules::replace(conn, id, input, now))
        .await?;
    Ok(web::Json(view))
}
