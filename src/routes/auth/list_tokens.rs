use actix_web::{get, web};

use crate::accounts::Caller;
use crate::accounts::tokens::{self, TokenFilter, TokenPage};
use crate::error::ApiResult;
use crate::pagination::PageQuery;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// List tokens: your own, or (admins) anyone's; newest first. Secrets are never shown.
#[utoipa::path(
    tag = "auth",
    operation_id = "list_tokens",
    params(TokenFilter, PageQuery),
    responses((status = 200, description = "A page of tokens", body = TokenPage), ReadErrors)
)]
#[get("/auth/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<TokenFilter>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<TokenPage>> {
    let holders = filter.into_inner().holders(&caller)?;
    let page = page.checked()?;
    let list = state
        .db
        .read(move |conn| tokens::list(conn, holders, &page))
        .await?;
    Ok(web::Json(list))
}
