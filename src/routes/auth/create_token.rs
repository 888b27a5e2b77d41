use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::sign_in::{self, SignIn};
use crate::accounts::throttle::{self, Limits, Who};
use crate::accounts::tokens::{self, Grant, IssuedToken};
use crate::error::ApiResult;
use crate::routes::client;
use crate::routes::docs::SignInErrors;
use crate::state::AppState;

/// Sign in: exchange email and password for a bearer token.
///
/// Wrong email, wrong password and a deactivated account all get the same
/// 401. After a few failures for one email address (whether or not an
/// account has it) or from one client address, each further attempt must
/// wait, twice as long each time: until then every sign-in with that email
/// or from that address gets 429 with `Retry-After`, before any password
/// is checked.
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
    req: HttpRequest,
    body: web::Json<SignIn>,
) -> ApiResult<HttpResponse> {
    let sign_in::Credentials {
        email,
        password,
        name,
    } = body.into_inner().parse()?;
    let from = client::of(&req, state.settings.proxy_hops);
    let who = Who {
        email: email.clone(),
        address: from,
    };
    let now = state.clock.now();
    let limits = Limits::from_settings(&state.settings);
    // Counted before the check, each attempt in turn: of many sent at once
    // only those within the free attempts reach a password check.
    let counted = who.clone();
    state
        .db
        .write(move |conn| throttle::attempt(conn, &counted, &limits, now))
        .await?;
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
    let issued = state
        .db
        .write(move |conn| {
            throttle::succeeded(conn, &who)?;
            tokens::issue(conn, Grant::personal(user, name, ttl), now)
        })
        .await?;
    Ok(HttpResponse::Created().json(issued))
}
