use actix_web::{HttpRequest, HttpResponse, get, post, web};

use crate::accounts::Caller;
use crate::cases::follow_up::{ObligationList, ObligationView, RecordObligation, list, resolve};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::ApiResult;
use crate::routes::docs::{ReadErrors, WriteErrors};
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// The remedies and sanctions of the case's final ruling and where each
/// stands (`pending`, `done`, `overdue`, `waived`), for anyone who may see
/// the case. They exist from the moment the ruling is final (follow-up).
#[utoipa::path(
    tag = "cases",
    operation_id = "list_obligations",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    responses((status = 200, description = "The obligations", body = ObligationList), ReadErrors)
)]
#[get("/cases/{case_id}/obligations")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn list_obligations(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<ObligationList>> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let (actor, env) = (Actor::from(&caller), state.env());
    let items = state
        .db
        .read(move |conn| list(conn, &env, &actor, id))
        .await?;
    Ok(web::Json(items))
}

/// Record a remedy or sanction as `done` (with a note and, optionally, a
/// file of the case that shows it; a sanction also when it took effect) or
/// `waived` (with the reason): the assigned mediator, a lead or an admin,
/// while the case is in follow-up. Both parties are told. Once none is
/// pending or overdue the case closes by itself (`follow_up_auto_close`).
/// `409` when it is already done or waived, or the case is not in follow-up.
#[utoipa::path(
    tag = "cases",
    operation_id = "record_obligation",
    params(
        ("case_id" = uuid::Uuid, Path, description = "The case id"),
        ("obligation_id" = uuid::Uuid, Path, description = "The obligation id"),
        IdempotencyParams,
    ),
    request_body = RecordObligation,
    responses((status = 200, description = "Recorded", body = ObligationView), WriteErrors)
)]
#[post("/cases/{case_id}/obligations/{obligation_id}")]
#[tracing::instrument(skip_all, fields(case_id = %path.0))]
pub async fn record_obligation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    body: web::Json<RecordObligation>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let (case, oid) = path.into_inner();
    let id = CaseId(case);
    let route = format!("record_obligation:{id}:{oid}");
    let (key, fp) = idempotency::asked(&req, &route, &*body)?;
    let (actor, env, body) = (Actor::from(&caller), state.env(), body.into_inner());
    idempotency::create(&state, &caller, key, fp, move |conn| {
        Created::ok(resolve(conn, &env, &actor, id, oid, body)?)
    })
    .await
}
