use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::domain::{Actor, UserId};
use crate::error::ApiResult;
use crate::privacy::erase::{self, Erasure};
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// Erase a person's data (admins; not their own).
///
/// Their name and email address are replaced by a pseudonym everywhere
/// Ombud keeps them (the account, cases, the timeline, mail, webhook
/// deliveries, and others' texts that name them); their tokens are revoked
/// and mail waiting for them is not sent. What they wrote and uploaded is
/// removed from every closed case they are in now, and from each open one
/// when it closes (the other party and the mediator still need it). Each
/// case records a `personal_data_erased` entry that says which entries
/// were rewritten, never what they said; the timeline's seals still check.
/// 409 if they mediate an open case (hand it over first) or were already
/// erased. Cannot be undone. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "users",
    operation_id = "erase_user",
    params(("user_id" = uuid::Uuid, Path, description = "The user's id"), IdempotencyParams),
    responses((status = 200, description = "What was erased", body = Erasure), WriteErrors)
)]
#[post("/users/{user_id}/erase")]
#[tracing::instrument(skip_all, fields(user_id = %path))]
pub async fn erase_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let id = UserId(path.into_inner());
    erase::may_erase(&caller, id)?;
    let (key, fp) = idempotency::asked(&req, &format!("erase_user:{}", id.0), &())?;
    let (by, env) = (Actor::from(&caller), state.env());
    // The files' content goes with the evidence sweep once nothing refers
    // to it (within the hour), never before the erasure has committed.
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let (erasure, _contents) = erase::erase(conn, &env, &by, id)?;
        Created::ok(erasure)
    })
    .await
}
