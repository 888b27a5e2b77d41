use actix_web::{HttpRequest, HttpResponse, post, web};

use super::UserView;
use crate::accounts::Caller;
use crate::accounts::users::{CreateUser, insert};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::extract::idempotency_key;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// Create a user (admins).
///
/// Cases that already name this email address as respondent become visible
/// to the new user. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUser,
    params(IdempotencyParams),
    responses((status = 201, description = "Created", body = UserView), WriteErrors)
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let key = idempotency_key(&req)?;
    // The password stays out of the stored fingerprint.
    let mut shape = serde_json::to_value(&*body).map_err(anyhow::Error::from)?;
    if let Some(o) = shape.as_object_mut() {
        o.remove("password");
    }
    let fp = idempotency::fingerprint("create_user", &shape);
    let input = body.into_inner().parse()?;
    let now = state.clock.now();
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let row = insert(conn, input, now)?;
        let view = UserView::from(row);
        let location = format!("/api/v1/users/{}", view.id);
        Created::new(view, location)
    })
    .await
}
