use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::desk::triage_rules::{self, PutTriageRule, TriageRuleView};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// Add a triage rule (admins). Every filing runs the enabled rules in
/// order: each whose conditions all hold sets the priority, adds tags or
/// holds the case for a lead, until one says `stop`. What matched is on
/// the case's timeline, for staff only.
#[utoipa::path(
    tag = "desk",
    operation_id = "create_triage_rule",
    params(IdempotencyParams),
    request_body = PutTriageRule,
    responses((status = 201, description = "The stored rule", body = TriageRuleView), WriteErrors)
)]
#[post("/triage_rules")]
pub async fn create_triage_rule(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<PutTriageRule>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (key, fp) = idempotency::asked(&req, "create_triage_rule", &*body)?;
    let input = body.into_inner().parse()?;
    let now = state.clock.now();
    idempotency::create(&state, &caller, key, fp, move |conn| {
        Created::unlocated(triage_rules::create(conn, input, now)?)
    })
    .await
}
