use actix_web::{get, web};

use crate::accounts::Caller;
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;
use crate::webhooks::endpoints::{self, WebhookPage};

/// List the webhook endpoints (admins), oldest first.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    params(PageQuery),
    responses((status = 200, description = "A page of endpoints", body = WebhookPage), ReadErrors)
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<WebhookPage>> {
    caller.require_admin()?;
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| endpoints::list(conn, &page))
        .await?;
    Ok(web::Json(list))
}
