use actix_web::{get, web};

use crate::accounts::Caller;
use crate::domain::Scope;
use crate::error::ApiResult;
use crate::notify::admin::{self, MailDetail};
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// One mail, with its body and delivery attempts (admins; a service token
/// needs `admin` and `cases:read`).
#[utoipa::path(
    tag = "outbox",
    operation_id = "get_mail",
    params(("mail_id" = uuid::Uuid, Path, description = "The mail's id")),
    responses((status = 200, description = "The mail", body = MailDetail), ReadErrors)
)]
#[get("/outbox/{mail_id}")]
pub async fn get_mail(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<MailDetail>> {
    caller.require_admin_and(Scope::CasesRead)?;
    let id = path.into_inner();
    let mail = state.db.read(move |conn| admin::get(conn, id)).await?;
    Ok(web::Json(mail))
}
