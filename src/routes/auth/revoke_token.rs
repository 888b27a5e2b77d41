use actix_web::{HttpResponse, delete, web};
use diesel::prelude::*;

use crate::accounts::Caller;
use crate::db::models::{TokenRow, to_db_time};
use crate::db::schema::api_tokens;
use crate::domain::TokenId;
use crate::error::{ApiError, ApiResult};
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
    let me = caller.user_id;
    let admin = caller.require_admin().is_ok();
    state
        .db
        .write(move |conn| {
            let tok: Option<TokenRow> = api_tokens::table.find(id).first(conn).optional()?;
            match tok {
                Some(t) if t.user_id == me || admin => {
                    if t.revoked_at.is_none() {
                        diesel::update(api_tokens::table.find(id))
                            .set(api_tokens::revoked_at.eq(to_db_time(now)))
                            .execute(conn)?;
                    }
                    Ok(())
                }
                _ => Err(ApiError::NotFound("token")),
            }
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
