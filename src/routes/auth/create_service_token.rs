use actix_web::{HttpResponse, post, web};

use crate::accounts::Caller;
use crate::accounts::tokens::{self, CreateServiceToken, IssuedToken};
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Create a service token for an integration (an admin signed in: a
/// service token never makes another).
#[utoipa::path(
    tag = "auth",
    operation_id = "create_service_token",
    request_body = CreateServiceToken,
    responses((status = 201, description = "Created; the token is shown only now", body = IssuedToken), WriteErrors)
)]
#[post("/service-tokens")]
pub async fn create_service_token(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateServiceToken>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    if !caller.personal {
        // Else an integration could widen or prolong its own access.
        return Err(ApiError::Forbidden(
            "service tokens are made by an admin signed in, not by another service token".into(),
        ));
    }
    let token = body
        .into_inner()
        .parse(state.settings.service_token_max_days)?;
    let (by, now) = (caller.user_id, state.clock.now());
    let issued = state
        .db
        .write(move |conn| tokens::create_service(conn, by, token, now))
        .await?;
    Ok(HttpResponse::Created().json(issued))
}
