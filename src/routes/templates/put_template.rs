use actix_web::{HttpResponse, put, web};

use crate::accounts::Caller;
use crate::cases::templates::{self, PutTemplate, TemplateView};
use crate::domain::Scope;
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Store a response template whole under its code (leads and admins):
/// 201 when new, 200 when replaced. Each text is checked: a variable it
/// may not use, or broken syntax, is a 422 naming the language.
#[utoipa::path(
    tag = "templates",
    operation_id = "put_template",
    params(("code" = String, Path, description = "1 to 50 of a-z, 0-9, - and _", example = "ask-tracking")),
    request_body = PutTemplate,
    responses(
        (status = 200, description = "Replaced", body = TemplateView),
        (status = 201, description = "Created", body = TemplateView),
        WriteErrors
    )
)]
#[put("/templates/{code}")]
pub async fn put_template(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<PutTemplate>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    if !caller.role.is_supervisor() {
        return Err(ApiError::Forbidden(
            "only leads and admins manage templates".into(),
        ));
    }
    let input = body.into_inner().parse()?;
    let (code, now) = (path.into_inner(), state.clock.now());
    let (view, new) = state
        .db
        .write(move |conn| templates::put(conn, &code, input, now))
        .await?;
    Ok(if new {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}
