use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::domain::Scope;
use crate::error::ApiResult;
use crate::notify::admin::{self, MailView};
use crate::routes::docs::WriteErrors;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// Send a failed mail again (admins; a service token needs `admin` and
/// `cases:read`): it goes back to `pending`, due now,
/// with a fresh allowance of attempts. Its earlier attempts stay on record.
#[utoipa::path(
    tag = "outbox",
    operation_id = "retry_mail",
    params(("mail_id" = uuid::Uuid, Path, description = "The mail's id"), IdempotencyParams),
    responses((status = 200, description = "The mail, pending again", body = MailView), WriteErrors)
)]
#[post("/outbox/{mail_id}/retry")]
pub async fn retry_mail(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.require_admin_and(Scope::CasesRead)?;
    let id = path.into_inner();
    let (key, fp) = idempotency::asked(&req, &format!("retry_mail:{id}"), &())?;
    idempotency::create(&state, &caller, key, fp, move |conn| {
        Created::ok(admin::retry(conn, id, now)?)
    })
    .await
}
