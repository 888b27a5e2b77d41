use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{UserInput, UserView};
use crate::auth::{Caller, password};
use crate::domain::parse::Checker;
use crate::domain::{Role, case::language};
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::routes::extract::idempotency_key;
use crate::routes::idempotency::{self, Created};
use crate::startup::AppState;

/// A new user account.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "mia@example.org", "name": "Mia Mediator", "role": "mediator", "language": "pl", "password": "a long passphrase"}))]
pub struct CreateUser {
    /// Email address; unique.
    #[schema(max_length = 254)]
    pub email: String,
    /// Display name.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// Role; `member` when left out.
    #[serde(default)]
    pub role: Option<Role>,
    /// Preferred language (BCP 47); `en` when left out.
    #[serde(default)]
    #[schema(max_length = 35, example = "en")]
    pub language: Option<String>,
    /// Initial password (10 to 256 characters); without one the user cannot sign in
    /// until an admin sets one.
    #[serde(default)]
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
}

impl CreateUser {
    /// Checks every field at once.
    pub fn parse(self) -> ApiResult<UserInput> {
        let mut c = Checker::new();
        let email = c.email("email", &self.email);
        let name = c.text("name", &self.name, 200);
        let language = language(&mut c, "language", self.language.as_deref().unwrap_or("en"));
        if let Some(p) = &self.password
            && let Err(m) = password::check_strength(p)
        {
            c.fail("password", m);
        }
        c.finish()?;
        Ok(UserInput {
            email: email.ok_or_else(|| anyhow::anyhow!("email checked"))?,
            name,
            role: self.role.unwrap_or(Role::Member),
            language,
            password_hash: self.password.as_deref().map(password::hash).transpose()?,
        })
    }
}

/// Create a user (admins).
///
/// Cases that already name this email address as respondent become visible
/// to the new user. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key returns the first response", min_length = 1, max_length = 255, pattern = r"^[!-~]+$")),
    responses((status = 201, description = "Created", body = UserView), WriteErrors)
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let key = idempotency_key(&req)?;
    // The password stays out of the stored fingerprint.
    let mut shape = serde_json::to_value(&*body).map_err(anyhow::Error::from)?;
    if let Some(o) = shape.as_object_mut() {
        o.remove("password");
    }
    let fp = idempotency::fingerprint("create_user", &shape);
    let input = body.into_inner().parse()?;
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let row = super::insert(conn, input)?;
        let view = UserView::try_from(row)?;
        let location = format!("/api/v1/users/{}", view.id);
        Created::new(view, location)
    })
    .await
}
