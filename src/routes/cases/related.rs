use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use crate::accounts::Caller;
use crate::cases::related::{
    GroupCases, GroupView, LinkCase, LinkView, RelatedView, group, link, related, ungroup, unlink,
};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::ApiResult;
use crate::routes::docs::{ReadErrors, WriteErrors};
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// What staff see around a case: the links a lead made, the group it leads
/// or belongs to (with every case in it), and likely duplicates (the same
/// respondent and category, filed within `duplicate_window_days`, not yet
/// linked or grouped). `403` for a party: a party sees only the case's
/// `group.role`.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_related",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    responses((status = 200, description = "Links, group and likely duplicates", body = RelatedView), ReadErrors)
)]
#[get("/cases/{case_id}/related")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn get_related(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<RelatedView>> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let (actor, env) = (Actor::from(&caller), state.env());
    let view = state
        .db
        .read(move |conn| related(conn, &env, &actor, id))
        .await?;
    Ok(web::Json(view))
}

/// Link this case with another: `duplicate_of` (this case repeats the
/// other) or `related_to`. A lead or an admin; `409` if they are linked
/// already. Recorded on both timelines for staff; the parties are not told.
#[utoipa::path(
    tag = "cases",
    operation_id = "link_case",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), IdempotencyParams),
    request_body = LinkCase,
    responses((status = 201, description = "Linked", body = LinkView), WriteErrors)
)]
#[post("/cases/{case_id}/links")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn link_case(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<LinkCase>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let id = CaseId(path.into_inner());
    let (key, fp) = idempotency::asked(&req, &format!("link_case:{id}"), &*body)?;
    let (actor, env, body) = (Actor::from(&caller), state.env(), body.into_inner());
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let view = link(conn, &env, &actor, id, body)?;
        Created::new(view, format!("/api/v1/cases/{id}/related"))
    })
    .await
}

/// Remove the link between this case and another (whichever way it was
/// made). A lead or an admin; `404` if they are not linked.
#[utoipa::path(
    tag = "cases",
    operation_id = "unlink_case",
    params(
        ("case_id" = uuid::Uuid, Path, description = "The case id"),
        ("other_id" = uuid::Uuid, Path, description = "The other case's id"),
    ),
    responses((status = 204, description = "Unlinked"), WriteErrors)
)]
#[delete("/cases/{case_id}/links/{other_id}")]
#[tracing::instrument(skip_all, fields(case_id = %path.0))]
pub async fn unlink_case(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let (id, other) = path.into_inner();
    let (actor, env) = (Actor::from(&caller), state.env());
    state
        .db
        .write(move |conn| unlink(conn, &env, &actor, CaseId(id), CaseId(other)))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Group cases under this one (the lead case), all or none: a lead or an
/// admin. The lead case and each case added must be before their ruling,
/// in no other group and leading none; a group holds at most 500 cases.
/// The ruling issued on the lead case is then applied to every grouped
/// case still before its ruling, in the same transaction
/// (`apply_group_ruling`); each goes on with its own appeal window and
/// follow-up. A grouped case cannot be ruled on its own.
#[utoipa::path(
    tag = "cases",
    operation_id = "group_cases",
    params(("case_id" = uuid::Uuid, Path, description = "The lead case's id"), IdempotencyParams),
    request_body = GroupCases,
    responses((status = 200, description = "The group", body = GroupView), WriteErrors)
)]
#[post("/cases/{case_id}/group")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn group_cases(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<GroupCases>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let id = CaseId(path.into_inner());
    let (key, fp) = idempotency::asked(&req, &format!("group_cases:{id}"), &*body)?;
    let (actor, env, body) = (Actor::from(&caller), state.env(), body.into_inner());
    idempotency::create(&state, &caller, key, fp, move |conn| {
        Created::ok(group(conn, &env, &actor, id, body)?)
    })
    .await
}

/// Take a case out of this case's group, while it is before its ruling
/// (also when the lead case was withdrawn or dismissed). A lead or an admin.
#[utoipa::path(
    tag = "cases",
    operation_id = "ungroup_case",
    params(
        ("case_id" = uuid::Uuid, Path, description = "The lead case's id"),
        ("member_id" = uuid::Uuid, Path, description = "The grouped case's id"),
    ),
    responses((status = 200, description = "The group as it is now", body = GroupView), WriteErrors)
)]
#[delete("/cases/{case_id}/group/{member_id}")]
#[tracing::instrument(skip_all, fields(case_id = %path.0))]
pub async fn ungroup_case(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> ApiResult<web::Json<GroupView>> {
    caller.require_scope(Scope::CasesWrite)?;
    let (id, member) = path.into_inner();
    let (actor, env) = (Actor::from(&caller), state.env());
    let view = state
        .db
        .write(move |conn| ungroup(conn, &env, &actor, CaseId(id), CaseId(member)))
        .await?;
    Ok(web::Json(view))
}
