//! `Idempotency-Key` on creating requests: a retry with the same key and
//! the same body gets the first response again and creates nothing twice.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::accounts::Caller;
use crate::db::DbConnection;
use crate::db::models::to_db_time;
use crate::db::prepared::Prepared;
use crate::db::schema::idempotency_keys as keys;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// What a creating handler produced.
pub struct Created {
    /// The status (usually 201).
    pub status: StatusCode,
    /// The JSON body.
    pub body: serde_json::Value,
    /// The `Location` of the new resource.
    pub location: Option<String>,
    /// A field of the first answer only (a secret): a replay answers it
    /// as `null`, and it is not stored with the key.
    pub once: Option<(&'static str, serde_json::Value)>,
}

impl Created {
    /// A 201 with a body and a location.
    pub fn new(body: impl serde::Serialize, location: String) -> ApiResult<Created> {
        Ok(Created {
            status: StatusCode::CREATED,
            body: serde_json::to_value(body).map_err(anyhow::Error::from)?,
            location: Some(location),
            once: None,
        })
    }

    /// A 201 with a body and no location.
    pub fn unlocated(body: impl serde::Serialize) -> ApiResult<Created> {
        Ok(Created {
            status: StatusCode::CREATED,
            body: serde_json::to_value(body).map_err(anyhow::Error::from)?,
            location: None,
            once: None,
        })
    }

    /// A 200 with a body (an action's answer).
    pub fn ok(body: impl serde::Serialize) -> ApiResult<Created> {
        Ok(Created {
            status: StatusCode::OK,
            body: serde_json::to_value(body).map_err(anyhow::Error::from)?,
            location: None,
            once: None,
        })
    }

    /// Adds `field` = `value` to the first answer only (see [`Created::once`]).
    pub fn shown_once(
        mut self,
        field: &'static str,
        value: impl serde::Serialize,
    ) -> ApiResult<Created> {
        let value = serde_json::to_value(value).map_err(anyhow::Error::from)?;
        if let Some(body) = self.body.as_object_mut() {
            body.insert(field.into(), serde_json::Value::Null);
        }
        self.once = Some((field, value));
        Ok(self)
    }

    fn respond(mut self, replayed: bool) -> HttpResponse {
        if let (Some((field, value)), Some(body)) = (self.once.take(), self.body.as_object_mut()) {
            body.insert(field.into(), value);
        }
        let mut res = HttpResponse::build(self.status);
        if let Some(loc) = self.location {
            res.insert_header(("Location", loc));
        }
        // A case carries its ETag, replayed or not (other bodies with a
        // `version`, such as a rule's, do not).
        let case = self.body.get("reference").is_some();
        if let Some(version) = self
            .body
            .get("version")
            .and_then(serde_json::Value::as_i64)
            .filter(|_| case)
        {
            res.insert_header(("ETag", crate::cases::etag(version)));
        }
        if replayed {
            res.insert_header(("Idempotent-Replayed", "true"));
        }
        res.json(self.body)
    }
}

/// The request's `Idempotency-Key` (400 if malformed), and the
/// [`fingerprint`] of `route` and `body`.
pub fn asked(
    req: &actix_web::HttpRequest,
    route: &str,
    body: &impl serde::Serialize,
) -> ApiResult<(Option<String>, String)> {
    Ok((
        crate::routes::extract::idempotency_key(req)?,
        fingerprint(route, body),
    ))
}

/// The `Idempotency-Key` header, for the spec of every operation that
/// honours it.
pub struct IdempotencyParams;

impl utoipa::IntoParams for IdempotencyParams {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::Required;
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        vec![
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Makes a retry safe: the same key (per user) with the same body returns the first answer, marked `Idempotent-Replayed: true`, and nothing is done again; with a different body, 422",
                ))
                .example(Some(serde_json::json!("3f1c9a4e-0001")))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(255))
                        .pattern(Some(r"^[!-~]+$")),
                ))
                .build(),
        ]
    }
}

/// A fingerprint of what was asked, to spot a key reused for a different request.
pub fn fingerprint(route: &str, body: &impl serde::Serialize) -> String {
    let json = serde_json::to_string(body).unwrap_or_default();
    let digest = Sha256::digest(format!("{route}\n{json}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

const IN_FLIGHT: &str =
    "a request with this Idempotency-Key is still being processed; retry shortly";

/// A stored response: fingerprint, status, body, location.
type Stored = (String, i32, String, Option<String>);

fn stored(conn: &mut DbConnection, user: &str, key: &str) -> ApiResult<Option<Stored>> {
    Ok(keys::table
        .filter(keys::user_id.eq(user))
        .filter(keys::idem_key.eq(key))
        .select((keys::fingerprint, keys::status, keys::body, keys::location))
        .first(conn)
        .optional()?)
}

fn replay(found: Stored, fingerprint: &str) -> ApiResult<HttpResponse> {
    let (fp, status, body, location) = found;
    if fp != fingerprint {
        return Err(ApiError::field(
            "Idempotency-Key",
            "this key was already used for a different request",
        ));
    }
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&body).map_err(anyhow::Error::from)?;
    Ok(Created {
        status,
        body,
        location,
        once: None,
    }
    .respond(true))
}

/// Runs `create` in one transaction, guarded by the caller's idempotency key if any.
pub async fn create<F>(
    state: &AppState,
    caller: &Caller,
    key: Option<String>,
    fingerprint: String,
    create: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection) -> ApiResult<Created> + Send + 'static,
{
    let now = state.clock.now();
    let Some(key) = key else {
        return Ok(state.db.write(create).await?.respond(false));
    };
    let user = caller.user_id.to_db();
    let (u, k, fp) = (user.clone(), key.clone(), fingerprint.clone());
    let attempt = state
        .db
        .write(move |conn| {
            if let Some(found) = stored(conn, &u, &k)? {
                return Ok(Err(found));
            }
            let claimed = Prepared(diesel::insert_into(keys::table).values((
                keys::user_id.eq(&u),
                keys::idem_key.eq(&k),
                keys::fingerprint.eq(&fp),
                keys::status.eq(0),
                keys::body.eq(""),
                keys::created_at.eq(to_db_time(now)),
            )))
            .execute(conn);
            match claimed {
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => return Err(ApiError::Conflict(IN_FLIGHT.into())),
                other => other?,
            };
            let created = create(conn)?;
            Prepared(diesel::update(keys::table.find((&u, &k))).set((
                keys::status.eq(i32::from(created.status.as_u16())),
                keys::body.eq(created.body.to_string()),
                keys::location.eq(created.location.clone()),
            )))
            .execute(conn)?;
            Ok(Ok(created))
        })
        .await;
    match attempt {
        Ok(Ok(created)) => Ok(created.respond(false)),
        Ok(Err(found)) => replay(found, &fingerprint),
        Err(ApiError::Conflict(msg)) if msg == IN_FLIGHT => {
            let (u, k) = (user, key);
            match state.db.read(move |conn| stored(conn, &u, &k)).await? {
                Some(found) => replay(found, &fingerprint),
                None => Err(ApiError::Conflict(IN_FLIGHT.into())),
            }
        }
        Err(e) => Err(e),
    }
}
