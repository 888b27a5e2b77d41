use actix_web::{get, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::TokenView;
use crate::accounts::Caller;
use crate::db::StoreError;
use crate::db::models::TokenRow;
use crate::db::schema::api_tokens;
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::pagination::{self, Page, PageQuery, page_of};
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

page_of!(
    /// A page of tokens.
    TokenPage,
    TokenView
);

/// Which tokens to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenFilter {
    /// Another user's tokens (admins only); the caller's own when left out.
    pub user_id: Option<uuid::Uuid>,
    /// Every user's service tokens (admins only).
    pub service: Option<bool>,
}

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
    caller.require_personal()?;
    let f = filter.into_inner();
    let whose = f.user_id.map(UserId).unwrap_or(caller.user_id);
    let all_services = f.service == Some(true);
    if whose != caller.user_id || all_services {
        caller.require_admin()?;
    }
    let Page {
        limit,
        after: before,
    } = page.checked()?;
    let rows: Vec<TokenRow> = state
        .db
        .read(move |conn| -> Result<_, StoreError> {
            let mut q = api_tokens::table.into_boxed();
            if all_services {
                q = q.filter(api_tokens::kind.eq("service"));
            } else {
                q = q.filter(api_tokens::user_id.eq(whose));
            }
            if let Some(b) = before {
                q = q.filter(api_tokens::id.lt(b));
            }
            Ok(q.order(api_tokens::id.desc()).limit(limit + 1).load(conn)?)
        })
        .await?;
    let (rows, next_cursor) = pagination::split(rows, limit, |t| t.id.to_db());
    let items = rows.into_iter().map(TokenView::from).collect();
    Ok(web::Json(TokenPage { items, next_cursor }))
}
