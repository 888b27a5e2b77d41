use actix_web::{HttpResponse, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::password;
use crate::accounts::tokens::{Grant, IssuedToken, TokenKind, issue};
use crate::db::StoreError;
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::domain::Scope;
use crate::domain::parse::Email;
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::SignInErrors;
use crate::state::AppState;

/// Credentials to exchange for a token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ann@example.org", "password": "a long passphrase", "name": "laptop"}))]
pub struct SignIn {
    /// The account's email address.
    #[schema(max_length = 254)]
    pub email: String,
    /// The account's password.
    #[schema(max_length = 256)]
    pub password: String,
    /// A label for the token, to recognise it when listing; `api` when left out.
    #[schema(max_length = 100)]
    pub name: Option<String>,
}

/// Sign in: exchange email and password for a bearer token.
///
/// Wrong email, wrong password and a deactivated account all get the same 401.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_token",
    request_body = SignIn,
    security(()),
    responses((status = 201, description = "Signed in; the token is shown only now", body = IssuedToken), SignInErrors)
)]
#[post("/auth/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    body: web::Json<SignIn>,
) -> ApiResult<HttpResponse> {
    let SignIn {
        email,
        password: pw,
        name,
    } = body.into_inner();
    let name = name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "api".into());
    if name.chars().count() > 100 {
        return Err(ApiError::field("name", "must be at most 100 characters"));
    }
    if pw.len() > 1024 {
        return Err(ApiError::Unauthorized);
    }
    let email = Email::parse(&email).map_err(|_| ApiError::Unauthorized)?;
    let lookup = email.as_str().to_string();
    let user: Option<UserRow> = state
        .db
        .read(move |conn| -> Result<_, StoreError> {
            Ok(users::table
                .filter(users::email.eq(lookup))
                .first(conn)
                .optional()?)
        })
        .await?;
    // Verify on a blocking thread: argon2 is deliberately slow.
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, stored.as_deref()))
        .await
        .map_err(anyhow::Error::from)?;
    let user = match user {
        Some(u) if ok && u.active => u,
        _ => return Err(ApiError::Unauthorized),
    };
    let id = user.id;
    let ttl = chrono::Duration::hours(state.settings.token_ttl_hours);
    let now = state.clock.now();
    let issued = state
        .db
        .write(move |conn| {
            issue(
                conn,
                Grant {
                    user: id,
                    created_by: id,
                    name,
                    kind: TokenKind::Personal,
                    scopes: &Scope::ALL,
                    lifetime: ttl,
                },
                now,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(issued))
}
