use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::cases::file::{FileCase, file};
use crate::cases::{CaseView, case_view};
use crate::domain::{Actor, Scope};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::extract::idempotency_key;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// File a complaint. It starts in `intake` with a new reference, and the
/// filing is the first entry of its timeline. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "cases",
    operation_id = "file_case",
    request_body = FileCase,
    params(IdempotencyParams),
    responses((status = 201, description = "Filed", body = CaseView, headers(("ETag" = String, description = "The case version"), ("Location" = String, description = "The case URL"))), WriteErrors)
)]
#[post("/cases")]
pub async fn file_case(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<FileCase>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let key = idempotency_key(&req)?;
    let fp = idempotency::fingerprint("file_case", &*body);
    let (actor, env, body) = (Actor::from(&caller), state.env(), body.into_inner());
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let ctx = file(conn, &env, &actor, body)?;
        let view = case_view(&ctx, &ctx.standing(&actor))?;
        let location = format!("/api/v1/cases/{}", view.id);
        Created::new(view, location)
    })
    .await
}
