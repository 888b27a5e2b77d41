use actix_web::{HttpRequest, HttpResponse, get, post, web};

use crate::accounts::Caller;
use crate::cases::feedback::{FeedbackList, FeedbackView, GiveFeedback, give, list};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::ApiResult;
use crate::routes::docs::{ReadErrors, WriteErrors};
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// Rate how a closed case was handled, from 1 to 5 with an optional
/// comment: each party, once (`409` after). The mail that tells the
/// parties the case is closed links here. Staff see the rating on the
/// timeline (`feedback_given`).
#[utoipa::path(
    tag = "cases",
    operation_id = "give_feedback",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), IdempotencyParams),
    request_body = GiveFeedback,
    responses((status = 201, description = "Recorded", body = FeedbackView), WriteErrors)
)]
#[post("/cases/{case_id}/feedback")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn give_feedback(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<GiveFeedback>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let id = CaseId(path.into_inner());
    let (key, fp) = idempotency::asked(&req, &format!("give_feedback:{id}"), &*body)?;
    let (actor, env, body) = (Actor::from(&caller), state.env(), body.into_inner());
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let view = give(conn, &env, &actor, id, body)?;
        Created::new(view, format!("/api/v1/cases/{id}/feedback"))
    })
    .await
}

/// The ratings of a case: both parties' for staff, their own for a party.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_feedback",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    responses((status = 200, description = "The ratings", body = FeedbackList), ReadErrors)
)]
#[get("/cases/{case_id}/feedback")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn list_feedback(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<FeedbackList>> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let (actor, env) = (Actor::from(&caller), state.env());
    let ratings = state
        .db
        .read(move |conn| list(conn, &env, &actor, id))
        .await?;
    Ok(web::Json(ratings))
}
