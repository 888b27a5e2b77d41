use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::rulebook::{self, RuleView};
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// The latest version of one rule (anyone signed in).
#[utoipa::path(
    tag = "rules",
    operation_id = "get_rule",
    params(("code" = String, Path, description = "The rule's code", example = "R-4.2")),
    responses((status = 200, description = "The rule's latest version", body = RuleView), ReadErrors)
)]
#[get("/rules/{code}")]
pub async fn get_rule(
    state: web::Data<AppState>,
    // Anyone signed in, whatever their token's scopes: filing names a
    // category, rulings cite rules.
    _caller: Caller,
    path: web::Path<String>,
) -> ApiResult<web::Json<RuleView>> {
    let code = path.into_inner();
    let view = state
        .db
        .read(move |conn| rulebook::get(conn, &code, None))
        .await?;
    Ok(web::Json(view))
}
