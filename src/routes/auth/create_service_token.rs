use actix_web::{HttpResponse, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::Caller;
use crate::accounts::tokens::{Grant, IssuedToken, TokenKind, issue};
use crate::db::schema::users;
use crate::domain::parse::Checker;
use crate::domain::{Scope, UserId};
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// A token for an integration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "shop platform", "user_id": "0192f0c4-0000-7a21-9d0b-5c1e8f2a3b4c", "scopes": ["cases:read", "cases:write"], "expires_in_days": 90}))]
pub struct CreateServiceToken {
    /// A label to recognise it by.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// The account the integration acts as (often a dedicated one).
    pub user_id: uuid::Uuid,
    /// What the token may do; at least one.
    #[schema(min_items = 1)]
    pub scopes: Vec<Scope>,
    /// Lifetime in days (1 to the configured maximum, default 90).
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<i64>,
}

/// Create a service token for an integration (admins).
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
    let body = body.into_inner();
    let mut c = Checker::new();
    let name = c.text("name", &body.name, 100);
    if body.scopes.is_empty() {
        c.fail("scopes", "name at least one scope");
    }
    let max = state.settings.service_token_max_days;
    let days = body.expires_in_days.unwrap_or(90.min(max));
    if !(1..=max).contains(&days) {
        c.fail("expires_in_days", format!("must be between 1 and {max}"));
    }
    c.finish()?;
    let user = UserId(body.user_id);
    let mut scopes = body.scopes;
    scopes.dedup();
    let by = caller.user_id;
    let now = state.clock.now();
    let issued = state
        .db
        .write(move |conn| {
            let exists: i64 = users::table.find(user).count().get_result(conn)?;
            if exists == 0 {
                return Err(ApiError::field("user_id", "no such user"));
            }
            issue(
                conn,
                Grant {
                    user,
                    created_by: by,
                    name,
                    kind: TokenKind::Service,
                    scopes: &scopes,
                    lifetime: chrono::Duration::days(days),
                },
                now,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(issued))
}
