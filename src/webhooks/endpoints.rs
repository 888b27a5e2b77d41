//! Webhook endpoints as admins manage them: registering one (its secret
//! shown once), listing, changing, enabling again, removing.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::StoreError;
use crate::db::models::{CategoryRow, WebhookRow, from_db_time, to_db_time};
use crate::db::schema::{categories, webhook_deliveries, webhook_endpoints};
use crate::domain::events::CaseEvent;
use crate::domain::parse::Checker;
use crate::domain::webhook::{is_local_name, is_public};
use crate::domain::{CategoryId, DeliveryStatus, UserId, WebhookId, WebhookStatus};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};

/// The longest URL an endpoint may have.
const MAX_URL: usize = 2000;

/// A webhook endpoint as admins see it (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-aaaa-7a21-9d0b-5c1e8f2a3b4c", "url": "https://hooks.example.org/ombud",
    "description": "Our CRM", "events": ["case_filed", "issue_ruling"], "category_id": null,
    "status": "active", "disabled_reason": null, "consecutive_failures": 0, "failing_since": null,
    "created_by": "0192f0c4-5555-7a21-9d0b-5c1e8f2a3b4c",
    "created_at": "2026-12-06T10:00:00Z", "updated_at": "2026-12-06T10:00:00Z"
}))]
pub struct WebhookView {
    /// The endpoint's id.
    pub id: uuid::Uuid,
    /// Where deliveries are POSTed.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types it receives (timeline kinds), or `["*"]` for every type.
    pub events: Vec<String>,
    /// Only events of cases in this category, when set.
    pub category_id: Option<uuid::Uuid>,
    /// Whether deliveries go out.
    pub status: WebhookStatus,
    /// Why it is disabled, when it is.
    pub disabled_reason: Option<String>,
    /// Attempts that failed since the last success.
    pub consecutive_failures: i32,
    /// Since when every attempt failed, if the last one did.
    pub failing_since: Option<DateTime<Utc>>,
    /// The admin who registered it, told by mail if it is disabled for failing.
    pub created_by: uuid::Uuid,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookRow> for WebhookView {
    fn from(r: WebhookRow) -> WebhookView {
        WebhookView {
            id: r.id.0,
            url: r.url,
            description: r.description,
            events: r.events.split_whitespace().map(str::to_string).collect(),
            category_id: r.category_id.map(|c| c.0),
            status: r.status,
            disabled_reason: r.disabled_reason,
            consecutive_failures: r.failures,
            failing_since: r.failing_since.map(from_db_time),
            created_by: r.created_by.0,
            created_at: from_db_time(r.created_at),
            updated_at: from_db_time(r.updated_at),
        }
    }
}

/// A new endpoint and its secret, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-aaaa-7a21-9d0b-5c1e8f2a3b4c", "url": "https://hooks.example.org/ombud",
    "description": "Our CRM", "events": ["case_filed", "issue_ruling"], "category_id": null,
    "status": "active", "disabled_reason": null, "consecutive_failures": 0, "failing_since": null,
    "created_by": "0192f0c4-5555-7a21-9d0b-5c1e8f2a3b4c",
    "created_at": "2026-12-06T10:00:00Z", "updated_at": "2026-12-06T10:00:00Z",
    "secret": "whsec_q8Zr0Ff4J6rK3xw1bV9mYc2hT5sLnP7dGuA0eXoWiE4"
}))]
pub struct WebhookCreated {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The signing secret: keep it; it is not shown again. Each delivery's
    /// `Ombud-Signature` is an HMAC-SHA256 keyed with it. `null` when this
    /// answer is a replay (`Idempotent-Replayed: true`): the secret is not
    /// kept with the key; if the first answer was lost, delete the
    /// endpoint and register it again.
    pub secret: Option<String>,
}

page_of!(
    /// A page of webhook endpoints, oldest first.
    WebhookPage,
    WebhookView
);

/// An endpoint to register.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://hooks.example.org/ombud", "events": ["case_filed", "issue_ruling"], "description": "Our CRM"}))]
pub struct NewWebhook {
    /// Where deliveries are POSTed: an `https://` URL (`http://` only if
    /// the `webhook_allow_http` setting allows it) of a public address (a
    /// name of this machine, or a private, link-local or other non-public
    /// address, only if `webhook_allow_private` allows it), without
    /// credentials or a fragment.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[Hh][Tt][Tt][Pp][Ss]://[^\s@#]+$"
    )]
    pub url: String,
    /// The event types to receive (the timeline's kinds), or `["*"]` for every type.
    #[schema(min_items = 1, max_items = 39)]
    pub events: Vec<EventType>,
    /// Only events of cases in this category (slug or id).
    #[schema(min_length = 1, max_length = 100)]
    pub category: Option<String>,
    /// What it is for.
    #[serde(default)]
    #[schema(max_length = 500, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub description: String,
}

/// An event type an endpoint may ask for: a timeline kind, or `*` for all.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(transparent)]
pub struct EventType(pub String);

impl utoipa::PartialSchema for EventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let values = CaseEvent::KINDS.iter().copied().chain(["*"]);
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values))
            .description(Some(
                "An event type: a timeline kind (the `type` of a WebhookEvent), or `*` for every type.",
            ))
            .examples(["case_filed"])
            .into()
    }
}

impl ToSchema for EventType {}

/// Changes to an endpoint; fields left out stay as they are.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": true}))]
pub struct WebhookChange {
    /// A new URL (the same rules as when registering).
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[Hh][Tt][Tt][Pp][Ss]://[^\s@#]+$"
    )]
    pub url: Option<String>,
    /// The event types to receive, or `["*"]`.
    #[schema(min_items = 1, max_items = 39)]
    pub events: Option<Vec<EventType>>,
    /// Only cases of this category (slug or id); `null` for every category.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    pub category: Option<Option<String>>,
    /// What it is for.
    #[schema(max_length = 500, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
    pub description: Option<String>,
    /// `true` enables it (after a failure: its waiting deliveries then go
    /// out, in order); `false` disables it (deliveries wait).
    pub active: Option<bool>,
}

/// A field that is present, even as `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// An endpoint, checked.
#[derive(Debug, Clone)]
pub struct WebhookInput {
    url: String,
    events: String,
    category: Option<String>,
    description: String,
}

/// Checks a URL for an endpoint (see [`NewWebhook::url`]).
pub fn check_url(c: &mut Checker, settings: &Settings, raw: &str) -> String {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_URL {
        c.fail("url", "give a URL of 1 to 2000 characters");
        return String::new();
    }
    let Ok(url) = url::Url::parse(raw) else {
        c.fail("url", "not a URL");
        return String::new();
    };
    match url.scheme() {
        "https" => {}
        "http" if settings.webhook_allow_http => {}
        "http" => c.fail(
            "url",
            "must be an https:// URL (http:// is refused unless the webhook_allow_http setting allows it)",
        ),
        _ => c.fail("url", "must be an https:// URL"),
    }
    if !url.username().is_empty() || url.password().is_some() {
        c.fail(
            "url",
            "must not carry credentials; check the Ombud-Signature header instead",
        );
    }
    if url.fragment().is_some() {
        c.fail("url", "must not have a #fragment");
    }
    let private = match url.host() {
        None => {
            c.fail("url", "must name a host");
            false
        }
        Some(url::Host::Ipv4(ip)) => !is_public(ip.into()),
        Some(url::Host::Ipv6(ip)) => !is_public(ip.into()),
        Some(url::Host::Domain(name)) => is_local_name(name),
    };
    if private && !settings.webhook_allow_private {
        c.fail(
            "url",
            "must be a public address: this machine and private, link-local and other non-public addresses are refused unless the webhook_allow_private setting allows them",
        );
    }
    url.to_string()
}

/// Checks the event types: each a timeline kind, or `*` alone; stored
/// space-separated, sorted, each once.
fn check_events(c: &mut Checker, events: &[EventType]) -> String {
    if events.is_empty() {
        c.fail(
            "events",
            "name at least one event type, or \"*\" for every type",
        );
        return String::new();
    }
    if events.iter().any(|e| e.0 == "*") {
        if events.len() > 1 {
            c.fail("events", "\"*\" means every type; give it alone");
        }
        return "*".into();
    }
    let mut kinds: Vec<&str> = Vec::new();
    for e in events {
        match CaseEvent::KINDS.iter().find(|k| **k == e.0) {
            Some(k) => kinds.push(k),
            None => c.fail(
                "events",
                format!("`{}` is not an event type; the types are the timeline's kinds (see the spec's WebhookEvent)", e.0),
            ),
        }
    }
    kinds.sort_unstable();
    kinds.dedup();
    kinds.join(" ")
}

fn check_category(c: &mut Checker, category: Option<&str>) -> Option<String> {
    let key = category?.trim();
    if key.is_empty() || key.len() > 100 {
        c.fail("category", "name a category by slug or id");
        return None;
    }
    Some(key.to_string())
}

impl NewWebhook {
    /// Checks every field at once.
    pub fn parse(self, settings: &Settings) -> ApiResult<WebhookInput> {
        let mut c = Checker::new();
        let url = check_url(&mut c, settings, &self.url);
        let events = check_events(&mut c, &self.events);
        let category = check_category(&mut c, self.category.as_deref());
        let description = c
            .opt_text("description", Some(&self.description), 500)
            .unwrap_or_default();
        c.finish()?;
        Ok(WebhookInput {
            url,
            events,
            category,
            description,
        })
    }
}

/// Checked changes to an endpoint.
#[derive(Debug, Clone)]
pub struct WebhookChanges {
    url: Option<String>,
    events: Option<String>,
    category: Option<Option<String>>,
    description: Option<String>,
    active: Option<bool>,
}

impl WebhookChange {
    /// Checks every field at once.
    pub fn parse(self, settings: &Settings) -> ApiResult<WebhookChanges> {
        let mut c = Checker::new();
        let url = self.url.map(|u| check_url(&mut c, settings, &u));
        let events = self.events.map(|e| check_events(&mut c, &e));
        let category = self
            .category
            .map(|cat| cat.and_then(|k| check_category(&mut c, Some(&k))));
        let description = self
            .description
            .map(|d| c.opt_text("description", Some(&d), 500).unwrap_or_default());
        c.finish()?;
        Ok(WebhookChanges {
            url,
            events,
            category,
            description,
            active: self.active,
        })
    }
}

fn find_category(conn: &mut DbConnection, key: &str) -> ApiResult<CategoryId> {
    let slug = key.to_ascii_lowercase();
    let by_id = uuid::Uuid::parse_str(key)
        .ok()
        .map(|u| u.hyphenated().to_string());
    let found: Option<CategoryRow> = categories::table
        .filter(
            categories::slug
                .eq(slug)
                .or(categories::id.eq(by_id.unwrap_or_default())),
        )
        .first(conn)
        .optional()?;
    found
        .map(|c| c.id)
        .ok_or_else(|| ApiError::field("category", "no category with this slug or id"))
}

/// Registers an endpoint for `by`, active at once.
pub fn create(
    conn: &mut DbConnection,
    input: WebhookInput,
    by: UserId,
    now: DateTime<Utc>,
) -> ApiResult<WebhookCreated> {
    let category_id = match &input.category {
        Some(key) => Some(find_category(conn, key)?),
        None => None,
    };
    let now = to_db_time(now);
    let row = WebhookRow {
        id: WebhookId::new(),
        url: input.url,
        description: input.description,
        events: input.events,
        category_id,
        secret: crate::accounts::secret::random("whsec_"),
        status: WebhookStatus::Active,
        disabled_reason: None,
        failures: 0,
        failing_since: None,
        retry_at: None,
        last_success_at: None,
        created_by: by,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(webhook_endpoints::table)
        .values(&row)
        .execute(conn)?;
    let secret = row.secret.clone();
    Ok(WebhookCreated {
        webhook: row.into(),
        secret: Some(secret),
    })
}

/// The endpoint `id`; 404 if there is none.
pub fn find(conn: &mut DbConnection, id: WebhookId) -> ApiResult<WebhookRow> {
    webhook_endpoints::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("webhook"))
}

/// A page of endpoints, oldest first.
pub fn list(conn: &mut DbConnection, page: &Page) -> ApiResult<WebhookPage> {
    let mut q = webhook_endpoints::table.into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(webhook_endpoints::id.gt(after.clone()));
    }
    let rows: Vec<WebhookRow> = q
        .order(webhook_endpoints::id.asc())
        .limit(page.limit + 1)
        .load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |w| w.id.to_db());
    Ok(WebhookPage {
        items: rows.into_iter().map(WebhookView::from).collect(),
        next_cursor,
    })
}

/// Applies `changes` to endpoint `id`, each given field by its own
/// statement, so that what a delivery worker writes meanwhile (failures, a
/// disable) is kept. A new URL starts with no failures. Enabling an
/// endpoint forgets its failures and releases its held deliveries, due at
/// once, in order; disabling holds them.
pub fn update(
    conn: &mut DbConnection,
    id: WebhookId,
    changes: WebhookChanges,
    now: DateTime<Utc>,
) -> ApiResult<WebhookView> {
    let row = find(conn, id)?;
    let target = webhook_endpoints::table.find(id);
    let fresh = (
        webhook_endpoints::failures.eq(0),
        webhook_endpoints::failing_since.eq(None::<chrono::NaiveDateTime>),
        webhook_endpoints::retry_at.eq(None::<chrono::NaiveDateTime>),
    );
    if let Some(url) = changes.url.filter(|u| *u != row.url) {
        diesel::update(target)
            .set((webhook_endpoints::url.eq(url), fresh))
            .execute(conn)?;
    }
    if let Some(events) = changes.events {
        diesel::update(target)
            .set(webhook_endpoints::events.eq(events))
            .execute(conn)?;
    }
    if let Some(category) = changes.category {
        let category_id = match category {
            Some(key) => Some(find_category(conn, &key)?),
            None => None,
        };
        diesel::update(target)
            .set(webhook_endpoints::category_id.eq(category_id))
            .execute(conn)?;
    }
    if let Some(description) = changes.description {
        diesel::update(target)
            .set(webhook_endpoints::description.eq(description))
            .execute(conn)?;
    }
    match changes.active {
        Some(true) => {
            let enabled = diesel::update(
                target.filter(webhook_endpoints::status.eq(WebhookStatus::Disabled)),
            )
            .set((
                webhook_endpoints::status.eq(WebhookStatus::Active),
                webhook_endpoints::disabled_reason.eq(None::<String>),
                fresh,
            ))
            .execute(conn)?;
            if enabled > 0 {
                release_held(conn, id, now)?;
            }
        }
        Some(false) => {
            let disabled =
                diesel::update(target.filter(webhook_endpoints::status.eq(WebhookStatus::Active)))
                    .set((
                        webhook_endpoints::status.eq(WebhookStatus::Disabled),
                        webhook_endpoints::disabled_reason.eq("disabled by an admin"),
                    ))
                    .execute(conn)?;
            if disabled > 0 {
                hold_all(conn, id)?;
            }
        }
        None => {}
    }
    diesel::update(target)
        .set(webhook_endpoints::updated_at.eq(to_db_time(now)))
        .execute(conn)?;
    Ok(find(conn, id)?.into())
}

/// Removes endpoint `id` with its deliveries and their attempts.
pub fn delete(conn: &mut DbConnection, id: WebhookId) -> ApiResult<()> {
    use crate::db::schema::{webhook_attempts, webhook_deliveries};
    find(conn, id)?;
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .select(webhook_deliveries::id);
    diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries)),
    )
    .execute(conn)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(id)))
        .execute(conn)?;
    diesel::delete(webhook_endpoints::table.find(id)).execute(conn)?;
    Ok(())
}

/// Holds endpoint `id`'s pending deliveries (it was just disabled).
pub fn hold_all(conn: &mut DbConnection, id: WebhookId) -> Result<usize, StoreError> {
    Ok(diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending)),
    )
    .set(webhook_deliveries::status.eq(DeliveryStatus::Held))
    .execute(conn)?)
}

/// Releases endpoint `id`'s held deliveries (it was just enabled): due at
/// once, their earlier failures forgotten.
pub fn release_held(
    conn: &mut DbConnection,
    id: WebhookId,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let released = diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Held)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending),
        webhook_deliveries::next_attempt_at.eq(to_db_time(now)),
        webhook_deliveries::first_failed_at.eq(None::<chrono::NaiveDateTime>),
    ))
    .execute(conn)?;
    if released > 0 {
        crate::db::signal::webhook_written();
    }
    Ok(released)
}
