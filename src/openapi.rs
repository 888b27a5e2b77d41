//! The OpenAPI document: generated from the handlers, served at
//! `/api/v1/openapi.json`, committed as `openapi/openapi.json`.

use actix_web::App;
use std::collections::BTreeMap;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{self, OpenApi as Document, RefOr};
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
`Authorization: Bearer <token>`; get a token from `POST /api/v1/auth/tokens`.\n\n\
The [web console](/console) for parties, mediators and leads is built on this API alone: \
docs/console.md maps each of its pages to the operations it uses.",
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
    let mut doc = without_rules();
    for m in apply_rules(&mut doc) {
        tracing::error!(rule = %m, "a rule names no part of the spec");
    }
    doc
}

/// [`build`] before [`apply_rules`].
fn without_rules() -> Document {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::build())
        .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::configure))
        .split_for_parts();
    let mut doc = doc;
    plain_optional_bodies(&mut doc);
    doc.webhooks = Some(webhooks());
    add_links(&mut doc);
    describe_unstated(&mut doc);
    doc
}

/// What each operation checks that no schema can say (references to
/// things that must exist, the clock, the caller, settings, grammars),
/// per operation id. `.ci/fuzz_rules.py` lists the same rules for the fuzzer.
fn unstated() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "list_cases",
            "`q` needs a letter or a digit and at most 16 words (a run of Chinese, Japanese or Korean characters is one word); `q` and `sort` do not go together (a search is ordered by relevance).",
        ),
        (
            "file_case",
            "`category` names a category open to new cases; `respondent.user_id` an existing user; `rules_cited` published rules.",
        ),
        ("assign", "`mediator_id` is an active mediator or lead."),
        (
            "create_token",
            "Failed sign-ins are counted per email address (whether or not an account has it) and per client address: past a few, every sign-in with either waits (429 with `Retry-After`, the right password included) for a time that doubles with each further failure.",
        ),
        (
            "verify_timeline",
            "The caller is staff who may see the case: a party gets 403, since the check covers entries parties do not see.",
        ),
        (
            "erase_user",
            "The person is not the caller (403), mediates no open case and was not erased already (409).",
        ),
        (
            "export_user",
            "The caller is the user themself (with `cases:read`) or an admin (403 otherwise).",
        ),
        (
            "request_info",
            "`deadline` is in the future and at most 90 days ahead; only a request to the complainant can be `final`, and only where the desk withdraws silent cases (the `auto_withdraw_silent` setting).",
        ),
        (
            "issue_ruling",
            "`rules_cited` are published rules; a ruling that upholds the complaint (in whole or in part) cites one once any rule is published.",
        ),
        (
            "decide_appeal",
            "`rules_cited` of a new ruling are published rules.",
        ),
        (
            "post_message",
            "A party posts to `all_parties` or to their own side.",
        ),
        (
            "add_evidence",
            "A party adds for both parties or for their own side; the file's kind is read from its bytes (415 for a kind not accepted).",
        ),
        ("link_case", "`case_id` is a case that exists."),
        ("group_cases", "`case_ids` are cases that exist."),
        (
            "record_obligation",
            "`started_at` is only for a sanction recorded done, and not in the future.",
        ),
        (
            "put_mediator",
            "The user in the path is an active mediator or lead; `skills` are existing categories.",
        ),
        (
            "set_availability",
            "`absent_until` falls between the years 2000 and 9999 (UTC).",
        ),
        (
            "declare_conflict",
            "The user in the path is a mediator or lead; `user_id` an existing user.",
        ),
        (
            "create_service_policy",
            "`time_zone` is in the IANA time zone database; `hours` are days, then times (`Mon-Fri 09:00-17:00`), opening before closing; holidays need working hours; `resolution_minutes` is not before `first_response_minutes`; `category` an existing category.",
        ),
        (
            "put_service_policy",
            "As when creating one: `time_zone` in the IANA database; `hours` days, then times, opening before closing; holidays need working hours; the full answer not due before the first; `category` an existing category.",
        ),
        (
            "put_template",
            "`bodies` are plain text with `{{ variable }}` substitutions of the documented set; `fallback_language` is one of the languages of `bodies`; `categories` are existing categories.",
        ),
        ("draft_message", "`template` is an existing template."),
        (
            "create_triage_rule",
            "`actions` do something (set a priority, add a tag, suggest a template or hold the case); `conditions.categories` are existing categories; `actions.suggest_templates` existing templates.",
        ),
        (
            "put_triage_rule",
            "As when creating one: the rule does something; categories and templates exist.",
        ),
        (
            "create_webhook",
            "`url` is read by the WHATWG URL parser; `https` and public addresses only, unless the `webhook_allow_http` / `webhook_allow_private` settings allow others; `category` an existing category; `\"*\"` stands alone in `events`.",
        ),
        (
            "update_webhook",
            "As when registering: the URL rules, an existing category, `\"*\"` alone.",
        ),
        (
            "get_statistics",
            "`from` is before `to`, at most ten years apart, both between the years 1970 and 9999 (UTC); `category` an existing category.",
        ),
        (
            "create_service_token",
            "`expires_in_days` is at most the `service_token_max_days` setting; `user_id` an existing user.",
        ),
    ]
}

/// Appends to each operation's description what it checks that its schema
/// cannot say: the rules of [`unstated`], and for every operation that
/// takes them, that a `cursor` is one the list issued, an `If-Match` the
/// case's current `ETag`, and an `Idempotency-Key` not yet used for a
/// different request.
fn describe_unstated(doc: &mut Document) {
    let rules: BTreeMap<&str, &str> = unstated().into_iter().collect();
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let takes = |name: &str| {
                op.parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == name))
            };
            let mut lines: Vec<String> = Vec::new();
            if let Some(rule) = op.operation_id.as_deref().and_then(|id| rules.get(id)) {
                lines.push((*rule).to_string());
            }
            if takes("cursor") {
                lines.push("`cursor` is one this list issued (its `next_cursor`).".into());
            }
            if takes("If-Match") {
                lines.push("`If-Match` is the case's current `ETag` (412 otherwise).".into());
            }
            if takes("Idempotency-Key") {
                lines.push(
                    "An `Idempotency-Key` already used for a different request is refused (422)."
                        .into(),
                );
            }
            if lines.is_empty() {
                continue;
            }
            let also = format!("**Checked beyond the schema:** {}", lines.join(" "));
            op.description = Some(match op.description.take() {
                Some(d) if !d.is_empty() => format!("{d}\n\n{also}"),
                _ => also,
            });
        }
    }
}

/// Unicode `White_Space`, spelled out for patterns (`\s` differs between
/// ECMA-262, Python and Rust): what `str::trim` removes.
const WS: &str = r"[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*";

/// What `domain::case::language` accepts (with `maxLength` 35).
fn language_pattern() -> String {
    format!("^{WS}[A-Za-z]{{2,3}}(-[A-Za-z0-9]{{1,8}})*{WS}$")
}

/// What `domain::templates::check_code` accepts: a template's code.
fn code_pattern() -> String {
    format!("^{WS}[A-Za-z0-9_-]{{1,50}}{WS}$")
}

/// Where a schema's string gets a pattern: (schema, property, `items` of an
/// array?, pattern).
fn text_rules() -> Vec<(&'static str, &'static str, bool, String)> {
    use crate::domain::parse::{EMAIL_PATTERN, OPTIONAL_TEXT_PATTERN};
    let optional = OPTIONAL_TEXT_PATTERN.to_string();
    let email = EMAIL_PATTERN.to_string();
    let language = language_pattern();
    let tag = format!("^{WS}[A-Za-z0-9_-]{{1,40}}{WS}$");
    let code = code_pattern();
    let text = crate::domain::parse::TEXT_PATTERN.to_string();
    let rule = format!("^{WS}[A-Za-z0-9._-]{{1,50}}{WS}$");
    vec![
        // Free text the derived schema gave no `\S` to.
        ("Remedy", "description", false, text.clone()),
        ("Conditions", "keywords", true, text),
        // Optional notes and descriptions: blank means left out.
        ("AssignBody", "note", false, optional.clone()),
        ("NoteBody", "note", false, optional.clone()),
        ("CreateCategory", "description", false, optional.clone()),
        ("UpdateCategory", "description", false, optional.clone()),
        ("NewWebhook", "description", false, optional.clone()),
        ("WebhookChange", "description", false, optional.clone()),
        ("GiveFeedback", "comment", false, optional.clone()),
        ("LinkCase", "note", false, optional.clone()),
        ("EvidenceUpload", "description", false, optional),
        ("CreateUser", "email", false, email.clone()),
        ("RespondentInput", "email", false, email),
        ("CreateUser", "language", false, language.clone()),
        ("PutTemplate", "fallback_language", false, language.clone()),
        ("UpdateUser", "language", false, language.clone()),
        ("FileCase", "language", false, language.clone()),
        ("PutProfile", "languages", true, language),
        ("FileCase", "tags", true, tag.clone()),
        ("Actions", "add_tags", true, tag),
        ("PutTemplate", "categories", true, code.clone()),
        ("DraftRequest", "template", false, code.clone()),
        ("Actions", "suggest_templates", true, code),
        ("FileCase", "rules_cited", true, rule.clone()),
        ("IssueRulingBody", "rules_cited", true, rule.clone()),
        ("DecideAppealBody", "rules_cited", true, rule),
    ]
}

/// Query parameters that get a pattern: (path, parameter, pattern).
fn query_rules() -> Vec<(&'static str, &'static str, String)> {
    let slug = format!("^{WS}[A-Za-z0-9-]{{1,50}}{WS}$");
    vec![
        ("/api/v1/cases", "category", slug.clone()),
        (
            "/api/v1/cases",
            "tag",
            format!("^{WS}[A-Za-z0-9_-]{{1,40}}{WS}$"),
        ),
        ("/api/v1/statistics", "category", slug),
    ]
}

/// Writes into the document the rules the server checks that a schema can
/// state: free text (what `Checker::text` accepts, wherever a field said
/// `pattern: \S`), optional text, email addresses, language tags, codes,
/// slugs in queries. Returns what it could not find (a test keeps it empty).
/// The rules no schema can state are listed in `.ci/fuzz_rules.py`.
fn apply_rules(doc: &mut Document) -> Vec<String> {
    use crate::domain::parse::{EMAIL_PATTERN, TEXT_PATTERN};
    use utoipa::openapi::schema::{
        AdditionalProperties, AnyOfBuilder, ArrayItems, KnownFormat, ObjectBuilder, SchemaFormat,
        Type,
    };
    fn object(s: &mut RefOr<Schema>, items: bool) -> Option<&mut openapi::schema::Object> {
        match (s, items) {
            (RefOr::T(Schema::Object(o)), false) => Some(o),
            (RefOr::T(Schema::Array(a)), true) => match &mut a.items {
                ArrayItems::RefOrSchema(b) => object(b, false),
                _ => None,
            },
            _ => None,
        }
    }
    let mut missing = Vec::new();
    let components = doc.components.get_or_insert_with(Default::default);
    for schema in components.schemas.values_mut() {
        let Some(obj) = object(schema, false) else {
            continue;
        };
        for prop in obj.properties.values_mut() {
            let Some(p) = object(prop, false) else {
                continue;
            };
            match p.pattern.as_deref() {
                Some(r"\S") => p.pattern = Some(TEXT_PATTERN.into()),
                // `^\s*…\s*$` (a trimmed code): the trim spelled out.
                Some(pat) if pat.starts_with(r"^\s*") && pat.ends_with(r"\s*$") => {
                    p.pattern = Some(pat.replace(r"\s*", WS));
                }
                _ => {}
            }
        }
    }
    fn property<'a>(
        schemas: &'a mut BTreeMap<String, RefOr<Schema>>,
        schema: &str,
        prop: &str,
    ) -> Option<&'a mut RefOr<Schema>> {
        schemas
            .get_mut(schema)
            .and_then(|s| object(s, false))
            .and_then(|o| o.properties.get_mut(prop))
    }
    let schemas = &mut components.schemas;
    for (schema, prop, items, pattern) in text_rules() {
        match property(schemas, schema, prop).and_then(|p| object(p, items)) {
            Some(o) => o.pattern = Some(pattern),
            None => missing.push(format!("{schema}.{prop}")),
        }
    }
    // A form's parts are named: any other part is refused; the file has bytes.
    match schemas
        .get_mut("EvidenceUpload")
        .and_then(|s| object(s, false))
    {
        Some(o) => {
            o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            if let Some(file) = o.properties.get_mut("file").and_then(|f| object(f, false)) {
                file.min_length = Some(1);
            }
        }
        None => missing.push("EvidenceUpload".into()),
    }
    // Texts in several languages: 1 to 10 language tags, each to a text.
    for (schema, prop, max) in [
        ("PublishRule", "title", 200),
        ("PublishRule", "text", 20_000),
        ("PutTemplate", "bodies", 20_000),
    ] {
        match property(schemas, schema, prop).and_then(|p| object(p, false)) {
            Some(o) => {
                let key = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(35))
                    .pattern(Some(language_pattern()));
                let text = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(max))
                    .pattern(Some(TEXT_PATTERN));
                o.property_names = Some(Box::new(key.into()));
                o.additional_properties =
                    Some(Box::new(AdditionalProperties::RefOr(RefOr::T(text.into()))));
                o.min_properties = Some(1);
                o.max_properties = Some(10);
            }
            None => missing.push(format!("{schema}.{prop}")),
        }
    }
    // A rule's code: the pattern bounds what is left after trimming, as
    // the server counts; a maxLength would count the padding too.
    match property(schemas, "PublishRule", "code").and_then(|p| object(p, false)) {
        Some(o) => {
            o.max_length = None;
            o.pattern = Some(format!("^{WS}[A-Za-z0-9._-]{{1,50}}{WS}$"));
        }
        None => missing.push("PublishRule.code".into()),
    }
    // How many items a triage rule's lists may hold.
    for (schema, prop, most) in [
        ("Actions", "add_tags", crate::domain::case::MAX_TAGS),
        (
            "Actions",
            "suggest_templates",
            crate::domain::triage::MAX_ITEMS,
        ),
        ("Conditions", "keywords", crate::domain::triage::MAX_ITEMS),
        (
            "Conditions",
            "respondents",
            crate::domain::triage::MAX_ITEMS,
        ),
        ("Conditions", "categories", crate::domain::triage::MAX_ITEMS),
    ] {
        match property(schemas, schema, prop) {
            Some(RefOr::T(Schema::Array(a))) => a.max_items = Some(most),
            _ => missing.push(format!("{schema}.{prop} (items)")),
        }
    }
    // Language tags in a list: 35 characters each, as the server counts.
    match property(schemas, "PutProfile", "languages").and_then(|p| object(p, true)) {
        Some(o) => o.max_length = Some(35),
        None => missing.push("PutProfile.languages".into()),
    }
    match property(schemas, "Conditions", "keywords").and_then(|p| object(p, true)) {
        Some(o) => o.max_length = Some(100),
        None => missing.push("Conditions.keywords".into()),
    }
    match property(schemas, "Conditions", "respondents") {
        Some(RefOr::T(Schema::Array(a))) => {
            let id = ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
            let email = ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(254))
                .pattern(Some(EMAIL_PATTERN));
            let either = AnyOfBuilder::new().item(id).item(email).build();
            a.items = ArrayItems::RefOrSchema(Box::new(RefOr::T(Schema::AnyOf(either))));
        }
        _ => missing.push("Conditions.respondents".into()),
    }
    missing.extend(shapes(schemas));
    // A template's code in its path, as in its body.
    let code = code_pattern();
    match doc.paths.paths.get_mut("/api/v1/templates/{code}") {
        Some(item) => {
            for op in [&mut item.put, &mut item.delete].into_iter().flatten() {
                for p in op.parameters.iter_mut().flatten() {
                    if let RefOr::T(p) = p
                        && p.name == "code"
                        && let Some(o) = p.schema.as_mut().and_then(|s| object(s, false))
                    {
                        o.pattern = Some(code.clone());
                    }
                }
            }
        }
        None => missing.push("/api/v1/templates/{code}".into()),
    }
    for (path, name, pattern) in query_rules() {
        let param = doc
            .paths
            .paths
            .get_mut(path)
            .and_then(|item| item.get.as_mut())
            .and_then(|op| op.parameters.as_mut())
            .and_then(|ps| {
                ps.iter_mut().find_map(|p| match p {
                    RefOr::T(p) if p.name == name => p.schema.as_mut(),
                    _ => None,
                })
            })
            .and_then(|s| object(s, false));
        match param {
            Some(o) => {
                // The pattern bounds what is left after trimming, as the
                // server counts; a maxLength would count the padding too.
                o.max_length = None;
                o.pattern = Some(pattern);
            }
            None => missing.push(format!("{path}?{name}")),
        }
    }
    missing
}

/// The cross-field rules as shapes (`oneOf`), each a named schema so that
/// generated clients get readable types: an appeal decision that upholds
/// (no new terms) or rules again (a new outcome); a ruling's outcome,
/// never `settled`; a sanction that lasts or one that takes a duration; a
/// respondent given by user id or by name and email. Their fields are the
/// fields of the schemas they replace, with every rule already stated.
/// Returns what it could not find.
fn shapes(schemas: &mut BTreeMap<String, RefOr<Schema>>) -> Vec<String> {
    use serde_json::json;
    use utoipa::openapi::Ref;
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
    let mut missing = Vec::new();
    let mut field = |schema: &str, prop: &str| -> RefOr<Schema> {
        match schemas.get(schema) {
            Some(RefOr::T(Schema::Object(o))) if o.properties.contains_key(prop) => {
                o.properties[prop].clone()
            }
            _ => {
                missing.push(format!("{schema}.{prop}"));
                RefOr::T(Schema::default())
            }
        }
    };
    let rationale = field("DecideAppealBody", "rationale");
    let (rules, sanctions, remedies) = (
        field("DecideAppealBody", "rules_cited"),
        field("DecideAppealBody", "sanctions"),
        field("DecideAppealBody", "remedies"),
    );
    let note = field("Sanction", "note");
    let (name, email) = (
        without_null(field("RespondentInput", "name")),
        without_null(field("RespondentInput", "email")),
    );
    let words = |values: &[&str]| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.to_vec()))
    };
    let closed = || Some(AdditionalProperties::FreeForm(false));
    let none = |list: &RefOr<Schema>| {
        let mut list = list.clone();
        if let RefOr::T(Schema::Array(a)) = &mut list {
            a.max_items = Some(0);
            a.description = Some("An upheld ruling keeps its terms: empty or left out.".into());
        }
        list
    };
    let outcome = |description: &str| {
        let mut r = Ref::from_schema_name("RulingOutcome");
        r.description = description.into();
        RefOr::Ref(r)
    };
    let either = |description: &str, a: &str, b: &str| {
        OneOfBuilder::new()
            .description(Some(description))
            .item(Ref::from_schema_name(a))
            .item(Ref::from_schema_name(b))
            .build()
    };
    let new: Vec<(&str, Schema)> = vec![
        ("RulingOutcome", words(&["upheld", "partially_upheld", "not_upheld"])
            .description(Some("How a ruling decides the complaint (`settled` comes only from a settlement both parties accept)."))
            .build()
            .into()),
        ("AppealUpheld", ObjectBuilder::new()
            .description(Some("Uphold the ruling: it stands as it is, with its outcome and terms."))
            .property("decision", words(&["uphold"]))
            .required("decision")
            .property("rationale", rationale.clone())
            .required("rationale")
            .property("rules_cited", none(&rules))
            .property("sanctions", none(&sanctions))
            .property("remedies", none(&remedies))
            .additional_properties(closed())
            .examples([json!({"decision": "uphold", "rationale": "The ruling followed the evidence."})])
            .build()
            .into()),
        ("AppealRuledAgain", ObjectBuilder::new()
            .description(Some("Amend or overturn the ruling: a new ruling with its own outcome and terms."))
            .property("decision", words(&["amend", "overturn"]))
            .required("decision")
            .property("rationale", rationale)
            .required("rationale")
            .property("outcome", outcome("The new ruling's outcome."))
            .required("outcome")
            .property("rules_cited", rules)
            .property("sanctions", sanctions)
            .property("remedies", remedies)
            .additional_properties(closed())
            .examples([json!({
                "decision": "amend", "rationale": "The receipt shows partial delivery.",
                "outcome": "partially_upheld",
                "remedies": [{"kind": "refund", "description": "Refund half of order 1234", "due_at": "2026-12-15T00:00:00Z"}]
            })])
            .build()
            .into()),
        ("DecideAppealBody", either(
            "The decision on an appeal: uphold the ruling, or rule again (amend, overturn).",
            "AppealUpheld",
            "AppealRuledAgain",
        ).into()),
        ("LastingSanction", ObjectBuilder::new()
            .description(Some("A sanction without a duration: a warning, removal of the content, a ban."))
            .property("kind", words(&["warning", "content_removal", "ban"]))
            .required("kind")
            .property("note", note.clone())
            .additional_properties(closed())
            .examples([json!({"kind": "warning", "note": "A first warning"})])
            .build()
            .into()),
        ("TimedSanction", ObjectBuilder::new()
            .description(Some("A restriction or a suspension, for a number of days."))
            .property("kind", words(&["restriction", "suspension"]))
            .required("kind")
            .property("duration_days", ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(3650))
                .description(Some("How long it lasts, in days.")))
            .required("duration_days")
            .property("note", note)
            .additional_properties(closed())
            .examples([json!({"kind": "suspension", "duration_days": 7, "note": "No posting for a week"})])
            .build()
            .into()),
        ("Sanction", either(
            "One sanction of a ruling: restriction and suspension take `duration_days`, the others do not.",
            "LastingSanction",
            "TimedSanction",
        ).into()),
        ("RespondentById", ObjectBuilder::new()
            .description(Some("The respondent is an existing user."))
            .property("user_id", ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                    utoipa::openapi::schema::KnownFormat::Uuid,
                )))
                .description(Some("An existing user.")))
            .required("user_id")
            .additional_properties(closed())
            .examples([json!({"user_id": "0192f0c4-1111-7a21-9d0b-5c1e8f2a3b4c"})])
            .build()
            .into()),
        ("RespondentByContact", ObjectBuilder::new()
            .description(Some("The respondent by name and email address: they get access once they have an account with that address."))
            .property("name", name)
            .required("name")
            .property("email", email)
            .required("email")
            .additional_properties(closed())
            .examples([json!({"name": "Shop Ltd", "email": "support@shop.example"})])
            .build()
            .into()),
        ("RespondentInput", either(
            "Who the complaint is about: an existing user, or a name and an email address.",
            "RespondentById",
            "RespondentByContact",
        ).into()),
    ];
    for (name, schema) in new {
        schemas.insert(name.to_string(), RefOr::T(schema));
    }
    match schemas.get_mut("IssueRulingBody") {
        Some(RefOr::T(Schema::Object(o))) if o.properties.contains_key("outcome") => {
            o.properties.insert(
                "outcome".into(),
                outcome("`upheld`, `partially_upheld` or `not_upheld`."),
            );
        }
        _ => missing.push("IssueRulingBody.outcome".into()),
    }
    missing
}

/// A property's schema with `null` taken out of its types.
fn without_null(mut s: RefOr<Schema>) -> RefOr<Schema> {
    use utoipa::openapi::schema::{SchemaType, Type};
    if let RefOr::T(Schema::Object(o)) = &mut s
        && let SchemaType::Array(types) = &o.schema_type
    {
        let kept: Vec<Type> = types
            .iter()
            .filter(|t| **t != Type::Null)
            .cloned()
            .collect();
        o.schema_type = match kept.as_slice() {
            [one] => SchemaType::Type(one.clone()),
            _ => SchemaType::Array(kept),
        };
    }
    s
}

/// OpenAPI links from what a POST creates (a 201 whose body is a schema
/// with an `id`) to every operation under it: a filed case to its
/// actions, messages, evidence and timeline; an upload to downloading,
/// hiding and removing it; a webhook to its log, ping and changes; a user,
/// a category, a service policy, a triage rule to what changes them. The created `id` fills the new path parameter and the POST's
/// own path parameters carry over. Generated clients and stateful testing
/// follow them.
fn add_links(doc: &mut Document) {
    use utoipa::openapi::link::LinkBuilder;
    let schemas: Vec<(&String, &RefOr<Schema>)> = doc
        .components
        .iter()
        .flat_map(|c| c.schemas.iter())
        .collect();
    let location = |name: &str| format!("#/components/schemas/{name}");
    let mut with_id: Vec<String> = schemas
        .iter()
        .filter(
            |(_, s)| matches!(s, RefOr::T(Schema::Object(o)) if o.properties.contains_key("id")),
        )
        .map(|(name, _)| location(name))
        .collect();
    // A schema made of one with an `id` and more (`allOf`: a registered
    // webhook and its secret) has that `id` too.
    let composed: Vec<String> = schemas
        .iter()
        .filter(|(_, s)| match s {
            RefOr::T(Schema::AllOf(all)) => all
                .items
                .iter()
                .any(|i| matches!(i, RefOr::Ref(r) if with_id.contains(&r.ref_location))),
            _ => false,
        })
        .map(|(name, _)| location(name))
        .collect();
    with_id.extend(composed);
    let targets: Vec<(String, String)> = doc
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
                .filter_map(|op| op.operation_id.clone())
                .map(move |id| (path.clone(), id))
        })
        .collect();
    for (path, item) in doc.paths.paths.iter_mut() {
        let Some(RefOr::T(created)) = item
            .post
            .as_mut()
            .and_then(|op| op.responses.responses.get_mut("201"))
        else {
            continue;
        };
        let makes_id = created.content.values().any(|c| {
            matches!(c, RefOr::T(c) if matches!(&c.schema, Some(RefOr::Ref(r)) if with_id.contains(&r.ref_location)))
        });
        if !makes_id {
            continue;
        }
        let own: Vec<&str> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (target, op_id) in &targets {
            let Some((name, _)) = target
                .strip_prefix(path.as_str())
                .and_then(|rest| rest.strip_prefix("/{"))
                .and_then(|rest| rest.split_once('}'))
            else {
                continue;
            };
            let mut link = LinkBuilder::new()
                .operation_id(op_id)
                .parameter(name, "$response.body#/id")
                .description(format!("`{name}` is the `id` this answer created"));
            for p in &own {
                link = link.parameter(*p, format!("$request.path.{p}"));
            }
            created.links.insert(op_id.clone(), RefOr::T(link.build()));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unstated_rule_names_an_operation() {
        let doc = without_rules();
        let ids: Vec<String> = doc
            .paths
            .paths
            .values()
            .flat_map(|i| [&i.get, &i.put, &i.post, &i.delete, &i.patch])
            .flatten()
            .filter_map(|op| op.operation_id.clone())
            .collect();
        for (id, _) in unstated() {
            assert!(ids.iter().any(|i| i == id), "no operation {id}");
        }
    }

    /// A filed case links to its actions with its id; a webhook's 201 (an
    /// `allOf`) links too.
    #[test]
    fn created_things_link_to_what_acts_on_them() {
        let v = serde_json::to_value(build()).unwrap();
        let created = |path: &str| v["paths"][path]["post"]["responses"]["201"]["links"].clone();
        let assign = &created("/api/v1/cases")["assign"];
        assert_eq!(assign["operationId"], "assign");
        assert_eq!(assign["parameters"]["case_id"], "$response.body#/id");
        let hide = &created("/api/v1/cases/{case_id}/evidence")["hide_evidence"];
        assert_eq!(hide["parameters"]["case_id"], "$request.path.case_id");
        assert_eq!(hide["parameters"]["evidence_id"], "$response.body#/id");
        assert_eq!(
            created("/api/v1/webhooks")["ping_webhook"]["parameters"]["webhook_id"],
            "$response.body#/id"
        );
    }

    /// The cross-field rules are shapes in the document, and the texts the
    /// server checks have its pattern.
    #[test]
    fn the_cross_field_rules_are_shapes() {
        let v = serde_json::to_value(build()).unwrap();
        let schemas = &v["components"]["schemas"];
        let one_of = |name: &str| -> Vec<String> {
            schemas[name]["oneOf"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} is not a oneOf"))
                .iter()
                .map(|s| s["$ref"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        assert_eq!(
            one_of("DecideAppealBody"),
            [
                "#/components/schemas/AppealUpheld",
                "#/components/schemas/AppealRuledAgain"
            ]
        );
        assert_eq!(
            one_of("Sanction"),
            [
                "#/components/schemas/LastingSanction",
                "#/components/schemas/TimedSanction"
            ]
        );
        assert_eq!(
            one_of("RespondentInput"),
            [
                "#/components/schemas/RespondentById",
                "#/components/schemas/RespondentByContact"
            ]
        );
        assert_eq!(
            schemas["RulingOutcome"]["enum"],
            serde_json::json!(["upheld", "partially_upheld", "not_upheld"])
        );
        assert_eq!(
            schemas["AppealRuledAgain"]["required"],
            serde_json::json!(["decision", "rationale", "outcome"])
        );
        assert_eq!(
            schemas["TimedSanction"]["required"],
            serde_json::json!(["kind", "duration_days"])
        );
        let text = crate::domain::parse::TEXT_PATTERN;
        assert_eq!(schemas["FileCase"]["properties"]["title"]["pattern"], text);
        assert_eq!(
            schemas["Remedy"]["properties"]["description"]["pattern"],
            text
        );
    }

    #[test]
    fn every_rule_names_a_part_of_the_spec() {
        assert_eq!(apply_rules(&mut without_rules()), Vec::<String>::new());
    }
}
