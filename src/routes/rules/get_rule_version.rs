use actix_web::{get, web};

use crate::accounts::Caller;
use crate::cases::rulebook::{self, RuleView};
use crate::error::ApiResult;
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// One version of a rule, as it read when published (anyone signed in):
/// what a complaint or ruling citing that version relied on.
#[utoipa::path(
    tag = "rules",
    operation_id = "get_rule_version",
    params(
        ("code" = String, Path, description = "The rule's code", example = "R-4.2"),
        ("version" = i32, Path, description = "The version, from 1", minimum = 1)
    ),
    responses((status = 200, description = "That version", body = RuleView), ReadErrors)
)]
#[get("/rules/{code}/versions/{version}")]
pub async fn get_rule_version(
    state: web::Data<AppState>,
    // Anyone signed in, whatever their token's scopes: filing names a
    // category, rulings cite rules.
    _caller: Caller,
    path: web::Path<(String, i32)>,
) -> ApiResult<web::Json<RuleView>> {
    let (code, version) = path.into_inner();
    let view = state
        .db
        .read(move |conn| rulebook::get(conn, &code, Some(version)))
        .await?;
    Ok(web::Json(view))
}
