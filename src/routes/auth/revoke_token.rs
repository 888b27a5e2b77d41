use actix_web::{HttpResponse, delete, web};

use crate::accounts::{Caller, tokens};
use crate::domain::TokenId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Revoke a token: your own, or (admins) anyone's. Revoking twice is harmless.
#[utoipa::path(
    tag = "auth",
    operation_id = "revoke_token",
    params(("token_id" = uuid::Uuid, Path, description = "The token's id (not its secret)")),
    responses((status = 204, description = "Revoked"), WriteErrors)
)]
#[delete("/auth/tokens/{token_id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    caller.require_personal()?;
    let id = TokenId(path.into_inner());
    state
        .db
        .write(move |conn| tokens::revoke(conn, &caller, id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
