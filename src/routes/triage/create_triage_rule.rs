use actix_web::{HttpResponse, post, web};

use crate::accounts::Caller;
use crate::desk::triage_rules::{self, PutTriageRule, TriageRuleView};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Add a triage rule (admins). Every filing runs the enabled rules in
/// order: each whose conditions all hold sets the priority, adds tags or
/// holds the case for a lead, until one says `stop`. What matched is on
/// the case's timeline, for staff only.
#[utoipa::path(
    tag = "desk",
    operation_id = "create_triage_rule",
    request_body = PutTriageRule,
    responses((status = 201, description = "The stored rule", body = TriageRuleView), WriteErrors)
)]
#[post("/triage_rules")]
pub async fn create_triage_rule(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<PutTriageRule>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let input = body.into_inner().parse()?;
    let now = state.clock.now();
    let view = state
        .db
        .write(move |conn| triage_rules::create(conn, input, now))
        .await?;
    Ok(HttpResponse::Created().json(view))
}
