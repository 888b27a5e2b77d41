use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::templates::{self, TemplatePage};
use crate::domain::Scope;
use crate::error::{ApiError, ApiResult};
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// List the response templates, by code (mediators, leads, admins).
#[utoipa::path(
    tag = "templates",
    operation_id = "list_templates",
    params(PageQuery),
    responses((status = 200, description = "A page of templates", body = TemplatePage), ReadErrors)
)]
#[get("/templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<TemplatePage>> {
    caller.require_scope(Scope::DirectoryRead)?;
    if !caller.role.is_staff() {
        return Err(ApiError::Forbidden(
            "only mediators, leads and admins use templates".into(),
        ));
    }
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| templates::list(conn, &page))
        .await?;
    Ok(web::Json(list))
}
