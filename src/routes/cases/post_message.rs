use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::cases::messages::{MessageView, PostMessage, check, post};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::extract::idempotency_key;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// Post a message on a case (the parties, the assigned mediator, leads and
/// admins). A party the mediator asked for information answers by posting;
/// the case then stops waiting on them. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "messages",
    operation_id = "post_message",
    params(
        ("case_id" = uuid::Uuid, Path, description = "The case id"),
        IdempotencyParams,
    ),
    request_body = PostMessage,
    responses((status = 201, description = "Posted", body = MessageView), WriteErrors)
)]
#[post("/cases/{case_id}/messages")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn post_message(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<PostMessage>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let key = idempotency_key(&req)?;
    let id = CaseId(path.into_inner());
    let fp = idempotency::fingerprint(&format!("post_message {id}"), &*body);
    check(&body)?;
    let (actor, env, body) = (Actor::from(&caller), state.env(), body.into_inner());
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let view = post(conn, &env, &actor, id, body)?;
        Created::new(view, format!("/api/v1/cases/{id}/messages"))
    })
    .await
}
