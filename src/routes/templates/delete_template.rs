use actix_web::{HttpResponse, delete, web};

use crate::accounts::Caller;
use crate::cases::templates;
use crate::domain::Scope;
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Remove a response template (leads and admins). Messages written from it stay.
#[utoipa::path(
    tag = "templates",
    operation_id = "delete_template",
    params(("code" = String, Path, description = "The template's code", example = "ask-tracking")),
    responses((status = 204, description = "Removed"), WriteErrors)
)]
#[delete("/templates/{code}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    if !caller.role.is_supervisor() {
        return Err(ApiError::Forbidden(
            "only leads and admins manage templates".into(),
        ));
    }
    let code = path.into_inner();
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::NotFound("template"));
    }
    state
        .db
        .write(move |conn| templates::delete(conn, &code))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
