//! Service-level policies: the targets filing sets on each case.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};

use crate::accounts::Caller;
use crate::desk::may_list;
use crate::desk::service_policies::{self, PutServicePolicy, ServicePolicyPage, ServicePolicyView};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::{ReadErrors, WriteErrors};
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// List the service-level policies, by priority and category (leads and admins).
#[utoipa::path(
    tag = "desk",
    operation_id = "list_service_policies",
    params(PageQuery),
    responses((status = 200, description = "A page of policies", body = ServicePolicyPage), ReadErrors)
)]
#[get("/service_policies")]
pub async fn list_service_policies(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<ServicePolicyPage>> {
    may_list(&caller)?;
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| service_policies::list(conn, &page))
        .await?;
    Ok(web::Json(list))
}

/// Add a service-level policy (admins): for cases of one priority, in one
/// category or in every category without a policy of its own, a
/// first-response and a resolution target in business minutes on its
/// working hours (round the clock when none are given). A case filed from
/// then on gets `first_response_due` and `resolution_due` from it; `409`
/// if that priority and category have a policy already.
#[utoipa::path(
    tag = "desk",
    operation_id = "create_service_policy",
    params(IdempotencyParams),
    request_body = PutServicePolicy,
    responses((status = 201, description = "The stored policy", body = ServicePolicyView), WriteErrors)
)]
#[post("/service_policies")]
pub async fn create_service_policy(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<PutServicePolicy>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let (key, fp) = idempotency::asked(&req, "create_service_policy", &*body)?;
    let input = body.into_inner().parse()?;
    let now = state.clock.now();
    idempotency::create(&state, &caller, key, fp, move |conn| {
        Created::unlocated(service_policies::create(conn, input, now)?)
    })
    .await
}

/// Replace a service-level policy whole (admins). Cases filed before keep
/// the deadlines it gave them.
#[utoipa::path(
    tag = "desk",
    operation_id = "put_service_policy",
    params(("policy_id" = uuid::Uuid, Path, description = "The policy's id")),
    request_body = PutServicePolicy,
    responses((status = 200, description = "The stored policy", body = ServicePolicyView), WriteErrors)
)]
#[put("/service_policies/{policy_id}")]
pub async fn put_service_policy(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    body: web::Json<PutServicePolicy>,
) -> ApiResult<web::Json<ServicePolicyView>> {
    caller.require_admin()?;
    let input = body.into_inner().parse()?;
    let (id, now) = (path.into_inner(), state.clock.now());
    let view = state
        .db
        .write(move |conn| service_policies::replace(conn, id, input, now))
        .await?;
    Ok(web::Json(view))
}

/// Remove a service-level policy (admins). Cases filed before keep their deadlines.
#[utoipa::path(
    tag = "desk",
    operation_id = "delete_service_policy",
    params(("policy_id" = uuid::Uuid, Path, description = "The policy's id")),
    responses((status = 204, description = "Removed"), WriteErrors)
)]
#[delete("/service_policies/{policy_id}")]
pub async fn delete_service_policy(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let id = path.into_inner();
    state
        .db
        .write(move |conn| service_policies::delete(conn, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
