//! The OpenAPI document: generated from the handlers, served at
//! `/api/v1/openapi.json`, committed as `openapi/openapi.json`.

use actix_web::App;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{self, OpenApi as Document};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

/// The parts of the document not collected from handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ombud API",
        description = "Dispute-mediation case management: file complaints, move cases through \
intake, assignment, investigation, ruling, appeal and follow-up, and keep everyone informed.\n\n\
Every error is an RFC 9457 `application/problem+json` document. Authenticate with \
`Authorization: Bearer <token>`; get a token from `POST /api/v1/auth/tokens`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        version = "0.1.0"
    ),
    modifiers(&Security),
    components(schemas(crate::routes::errors::Problem, crate::cases::record::WebhookEvent)),
    tags(
        (name = "auth", description = "Signing in and managing tokens"),
        (name = "users", description = "User accounts (admins)"),
        (name = "categories", description = "Complaint categories"),
        (name = "cases", description = "Filing, reading and listing cases"),
        (name = "actions", description = "Moving a case through its lifecycle"),
        (name = "desk", description = "Mediator profiles, availability, conflicts of interest and triage rules: who is given which cases, and how new cases are sorted"),
        (name = "rules", description = "The community's published rules, versioned; complaints and rulings cite them"),
        (name = "templates", description = "Response templates: canned replies in several languages, drafted for a case's recipient"),
        (name = "messages", description = "Messages on a case"),
        (name = "evidence", description = "Files attached to a case: uploaded as multipart/form-data, checked by content, downloaded as attachments"),
        (name = "timeline", description = "The audit record of a case"),
        (name = "outbox", description = "Mail notifications and their delivery (admins)"),
        (name = "webhooks", description = "Signed HTTP deliveries of case events to the endpoints admins register, with their log (admins); the `webhooks` section describes what a receiver gets"),
        (name = "webhook events", description = "What Ombud POSTs to each registered endpoint (the spec's `webhooks` section): a receiver implements this, Ombud does not serve it. Its own tag, so that a generator does not mix the receiver's side into the admins' `webhooks` client"),
    )
)]
pub struct ApiDoc;

impl ApiDoc {
    /// The base document, before handlers are added.
    pub fn build() -> Document {
        ApiDoc::openapi()
    }
}

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("opaque".into());
        http.description =
            Some("A token from `POST /api/v1/auth/tokens` or a service token.".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
        for (_, name, response) in crate::routes::docs::all() {
            components.responses.insert(name, response);
        }
        doc.security = Some(vec![openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// The full document, with every handler registered under `/api/v1`.
pub fn build() -> Document {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::build())
        .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::configure))
        .split_for_parts();
    let mut doc = doc;
    plain_optional_bodies(&mut doc);
    doc.webhooks = Some(webhooks());
    doc
}

/// What a webhook receiver gets (OpenAPI 3.1 `webhooks`): one POST per
/// event, signed. docs/integrations.md shows how to check the signature.
fn webhooks() -> openapi::path::Paths {
    let header = |name: &str, description: &str, example: serde_json::Value| {
        serde_json::json!({"name": name, "in": "header", "required": true, "description": description,
            "schema": {"type": "string"}, "example": example})
    };
    let item = serde_json::json!({
        "post": {
            "operationId": "case_event",
            "tags": ["webhook events"],
            "summary": "A case event, POSTed to each endpoint that asks for its type",
            "description": "Sent by Ombud to a registered endpoint for each case event of the types it asks for, \
    in order per case, at least once (drop an `Ombud-Event-Id` you have seen). Verify `Ombud-Signature` before \
    trusting the body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\" keyed with the endpoint's secret>`, \
    and refuse a `t` more than five minutes from your clock. Answer 2xx within `webhook_timeout_seconds` \
    (10 s by default); anything else, or no answer, is retried with a growing delay, and the case's later \
    events wait for it. Redirects are not followed.",
            "security": [],
            "parameters": [
                header("Ombud-Signature", "The signature: `t=<unix seconds>,v1=<hex>`.",
                    serde_json::json!("t=1764151200,v1=6f1b3c0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c")),
                header("Ombud-Event-Id", "The event's id, the same on every retry: drop one you have seen.",
                    serde_json::json!("0192f0c4-bbbb-7a21-9d0b-5c1e8f2a3b4c")),
                header("Ombud-Event-Type", "The event's type (the body's `type`).", serde_json::json!("assign")),
                header("Ombud-Delivery-Id", "This delivery (the log's `id`).", serde_json::json!("1042")),
                header("Ombud-Webhook-Id", "The endpoint it was sent to.",
                    serde_json::json!("0192f0c4-aaaa-7a21-9d0b-5c1e8f2a3b4c")),
            ],
            "requestBody": {"required": true, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/WebhookEvent"}}}},
            "responses": {
                "2XX": {"description": "Taken: the delivery is done."},
                "default": {"description": "Anything else (or no answer in time): tried again later."}
            }
        }
    });
    let mut paths = openapi::path::Paths::new();
    match serde_json::from_value::<openapi::path::PathItem>(item) {
        Ok(item) => {
            paths.paths.insert("caseEvent".into(), item);
        }
        Err(e) => tracing::error!(error = %e, "the webhooks section of the spec does not parse"),
    }
    paths
}

/// An optional body (`Option<T>` in a handler) comes out of utoipa as
/// `oneOf: [T, null]` with `required` unset; generated clients (for example
/// openapi-python-client) then cannot leave the body out. Declare it as a
/// plain `T` that is not required, which says the same thing.
fn plain_optional_bodies(doc: &mut Document) {
    use utoipa::openapi::{RefOr, Required, schema::Schema};
    let null = serde_json::json!({"type": "null"});
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let Some(RefOr::T(body)) = op.request_body.as_mut() else {
                continue;
            };
            if body.required.is_some() {
                continue;
            }
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else {
                    continue;
                };
                let Some(RefOr::T(Schema::OneOf(one))) = &content.schema else {
                    continue;
                };
                let (nulls, rest): (Vec<_>, Vec<_>) = one
                    .items
                    .iter()
                    .partition(|s| serde_json::to_value(s).ok().as_ref() == Some(&null));
                if let ([_], [only]) = (nulls.as_slice(), rest.as_slice()) {
                    content.schema = Some((*only).clone());
                    body.required = Some(Required::False);
                }
            }
        }
    }
}

/// The document as pretty JSON, as committed in `openapi/openapi.json`.
pub fn to_json(doc: &Document) -> anyhow::Result<String> {
    Ok(doc.to_pretty_json()? + "\n")
}
