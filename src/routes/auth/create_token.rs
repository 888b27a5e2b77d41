use actix_web::{HttpResponse, post, web};

use crate::accounts::sign_in::{self, SignIn};
use crate::accounts::tokens::{self, Grant, IssuedToken};
use crate::error::ApiResult;
use crate::routes::docs::SignInErrors;
use crate::state::AppState;

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
    let sign_in::Credentials {
        email,
        password,
        name,
    } = body.into_inner().parse()?;
    let found = state
        .db
        .read(move |conn| sign_in::by_email(conn, &email))
        .await?;
    // Verify outside any transaction, a bounded number at once: argon2 is
    // deliberately slow and large.
    let user = state
        .passwords
        .run(move || sign_in::admit(found, &password))
        .await??;
    let ttl = chrono::Duration::hours(state.settings.token_ttl_hours);
    let now = state.clock.now();
    let issued = state
        .db
        .write(move |conn| tokens::issue(conn, Grant::personal(user, name, ttl), now))
        .await?;
    Ok(HttpResponse::Created().json(issued))
}
