use actix_web::{get, web};

use crate::accounts::Caller;
use crate::domain::{Scope, WebhookId};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;
use crate::webhooks::deliveries::{self, DeliveryFilter, DeliveryPage};

/// The delivery log of a webhook endpoint (admins; a service token needs
/// `admin` and `cases:read`), newest first: each
/// delivery's state, attempts, last answer and error.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_deliveries",
    params(("webhook_id" = uuid::Uuid, Path, description = "The endpoint's id"), DeliveryFilter, PageQuery),
    responses((status = 200, description = "A page of deliveries", body = DeliveryPage), ReadErrors)
)]
#[get("/webhooks/{webhook_id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    filter: web::Query<DeliveryFilter>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<DeliveryPage>> {
    caller.require_admin_and(Scope::CasesRead)?;
    let id = WebhookId(path.into_inner());
    let (filter, page) = (filter.into_inner(), page.checked()?);
    let list = state
        .db
        .read(move |conn| deliveries::list(conn, id, &filter, &page))
        .await?;
    Ok(web::Json(list))
}
