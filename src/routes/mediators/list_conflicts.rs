use actix_web::{get, web};

use crate::accounts::Caller;
use crate::desk::conflicts::{self, ConflictPage};
use crate::desk::{Access, may};
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// A mediator's declared conflicts of interest (leads, admins, the mediator themself).
#[utoipa::path(
    tag = "desk",
    operation_id = "list_conflicts",
    params(("user_id" = uuid::Uuid, Path, description = "The mediator's user id"), PageQuery),
    responses((status = 200, description = "A page of conflicts", body = ConflictPage), ReadErrors)
)]
#[get("/mediators/{user_id}/conflicts")]
pub async fn list_conflicts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<ConflictPage>> {
    let id = UserId(path.into_inner());
    may(&caller, id, Access::Read)?;
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| conflicts::list(conn, id, &page))
        .await?;
    Ok(web::Json(list))
}
