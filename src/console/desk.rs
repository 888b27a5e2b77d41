//! The desk's settings: categories, triage rules, service levels and
//! webhooks. Each page shows API lists whole (admins write, leads read
//! where the API lets them), and each form is one API call; a refusal
//! shows the page again with the API's answer beside what was sent.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};
use uuid::Uuid;

use super::api::{Answer, Refusal};
use super::form;
use super::pages::{Signed, SignedForm, every, failure, refusal_json, see_other};
use super::render::page;
use super::sheet::{Sheet, adding};

/// The priorities a case may have, lowest first.
const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

/// The event types a webhook may ask for: the timeline's kinds (`*`, every
/// type, is offered apart).
const EVENTS: [&str; 41] = crate::domain::events::CaseEvent::KINDS;

/// Every category, closed ones too: a closed category is still reopened,
/// and still named by the rules, policies and endpoints that use it.
const ALL_CATEGORIES: &str = "/categories?include_inactive=true";

const CATEGORIES: Sheet = Sheet {
    template: "categories.html",
    back: "/console/categories",
    words: &[("priorities", &PRIORITIES)],
    lists: &[("categories", ALL_CATEGORIES)],
};

const TRIAGE: Sheet = Sheet {
    template: "triage.html",
    back: "/console/triage",
    words: &[("priorities", &PRIORITIES)],
    lists: &[
        ("rules", "/triage_rules"),
        ("categories", ALL_CATEGORIES),
        ("templates", "/templates"),
    ],
};

const SERVICE_LEVELS: Sheet = Sheet {
    template: "service_levels.html",
    back: "/console/service-levels",
    words: &[("priorities", &PRIORITIES)],
    lists: &[
        ("policies", "/service_policies"),
        ("categories", ALL_CATEGORIES),
    ],
};

const WEBHOOKS: Sheet = Sheet {
    template: "webhooks.html",
    back: "/console/webhooks",
    words: &[("events", &EVENTS)],
    lists: &[("webhooks", "/webhooks"), ("categories", ALL_CATEGORIES)],
};

/// `GET /console/categories`: `list_categories`, with a form to change
/// each (`update_category`) and one to add one (`create_category`), for
/// admins.
pub async fn categories(me: Signed) -> HttpResponse {
    CATEGORIES
        .show(&me, StatusCode::OK, Value::Null, None, Value::Null)
        .await
}

/// `POST /console/categories`: `create_category`.
pub async fn create_category(sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let body = form::to_json(&fields);
    let done = me
        .api()
        .post("/categories", &body, adding(&fields, "category"))
        .await;
    CATEGORIES.after(&me, "new", &fields, done).await
}

/// `POST /console/categories/{id}`: `update_category`.
pub async fn update_category(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner().to_string();
    let done = me
        .api()
        .patch(&format!("/categories/{id}"), &form::to_json(&fields))
        .await;
    CATEGORIES.after(&me, &id, &fields, done).await
}

/// `GET /console/triage`: `list_triage_rules` in the order they run
/// (leads and admins), each with its form (`put_triage_rule`) for admins,
/// and one to add a rule (`create_triage_rule`).
pub async fn triage(me: Signed) -> HttpResponse {
    TRIAGE
        .show(&me, StatusCode::OK, Value::Null, None, Value::Null)
        .await
}

/// `POST /console/triage`: `create_triage_rule`.
pub async fn create_triage_rule(sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let body = form::to_json(&fields);
    let done = me
        .api()
        .post("/triage_rules", &body, adding(&fields, "triage"))
        .await;
    TRIAGE.after(&me, "new", &fields, done).await
}

/// `POST /console/triage/{id}`: `put_triage_rule`, the rule whole.
pub async fn put_triage_rule(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner().to_string();
    let done = me
        .api()
        .put(&format!("/triage_rules/{id}"), &form::to_json(&fields))
        .await;
    TRIAGE.after(&me, &id, &fields, done).await
}

/// `POST /console/triage/{id}/delete`: `delete_triage_rule`.
pub async fn delete_triage_rule(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner().to_string();
    let done = me.api().delete(&format!("/triage_rules/{id}")).await;
    TRIAGE.after(&me, "", &fields, done).await
}

/// `GET /console/service-levels`: `list_service_policies` (leads and
/// admins), each with its form (`put_service_policy`) for admins, and one
/// to add a policy (`create_service_policy`).
pub async fn service_levels(me: Signed) -> HttpResponse {
    SERVICE_LEVELS
        .show(&me, StatusCode::OK, Value::Null, None, Value::Null)
        .await
}

/// `POST /console/service-levels`: `create_service_policy`.
pub async fn create_service_policy(sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let body = form::to_json(&fields);
    let done = me
        .api()
        .post("/service_policies", &body, adding(&fields, "policy"))
        .await;
    SERVICE_LEVELS.after(&me, "new", &fields, done).await
}

/// `POST /console/service-levels/{id}`: `put_service_policy`, whole.
pub async fn put_service_policy(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner().to_string();
    let done = me
        .api()
        .put(&format!("/service_policies/{id}"), &form::to_json(&fields))
        .await;
    SERVICE_LEVELS.after(&me, &id, &fields, done).await
}

/// `POST /console/service-levels/{id}/delete`: `delete_service_policy`.
pub async fn delete_service_policy(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner().to_string();
    let done = me.api().delete(&format!("/service_policies/{id}")).await;
    SERVICE_LEVELS.after(&me, "", &fields, done).await
}

/// `GET /console/webhooks`: `list_webhooks` (admins), with the form to
/// register one (`create_webhook`).
pub async fn webhooks(me: Signed) -> HttpResponse {
    WEBHOOKS
        .show(&me, StatusCode::OK, Value::Null, None, Value::Null)
        .await
}

/// `POST /console/webhooks`: `create_webhook`. Its answer holds the
/// signing secret, shown this once: the page is rendered with it (201)
/// rather than sent elsewhere. Sent again (a reload), the same key
/// replays the registration, and the API keeps no secret to show twice.
pub async fn create_webhook(sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let body = form::to_json(&fields);
    match me
        .api()
        .post("/webhooks", &body, adding(&fields, "webhook"))
        .await
    {
        Ok(created) => {
            let extra = json!({"created": created.body});
            WEBHOOKS
                .show(&me, StatusCode::CREATED, Value::Null, None, extra)
                .await
        }
        Err(r) => WEBHOOKS.after(&me, "new", &fields, Err(r)).await,
    }
}

/// The filter of a webhook's delivery log.
#[derive(serde::Deserialize)]
pub struct DeliveryQuery {
    status: Option<String>,
    cursor: Option<String>,
}

/// `GET /console/webhooks/{id}`: the endpoint (`get_webhook`), a form to
/// change it (`update_webhook`), and its deliveries, newest first, a page
/// of 100 at a time (`list_deliveries`), each failed one with a retry.
pub async fn webhook(
    me: Signed,
    path: web::Path<Uuid>,
    q: web::Query<DeliveryQuery>,
) -> HttpResponse {
    webhook_page(
        &me,
        path.into_inner(),
        &q,
        StatusCode::OK,
        Value::Null,
        Value::Null,
    )
    .await
}

async fn webhook_page(
    me: &Signed,
    id: Uuid,
    q: &DeliveryQuery,
    status: StatusCode,
    error: Value,
    draft: Value,
) -> HttpResponse {
    let status_filter = q.status.clone().filter(|s| super::pages::is_word(s));
    let mut query = vec![("limit", "100".to_string())];
    query.extend(status_filter.clone().map(|s| ("status", s)));
    query.extend(q.cursor.clone().map(|c| ("cursor", c)));
    let api = me.api();
    let (hook, deliveries, categories) = futures_util::future::join3(
        api.get(&format!("/webhooks/{id}")),
        api.get(&format!(
            "/webhooks/{id}/deliveries?{}",
            super::pages::encode(&query)
        )),
        every(api, ALL_CATEGORIES),
    )
    .await;
    let (hook, deliveries, categories) = match (hook, deliveries, categories) {
        (Ok(h), Ok(d), Ok(c)) => (h.body, d.body, c),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return failure(me.lang, &r),
    };
    let next = deliveries["next_cursor"].as_str().map(|c| {
        let mut q = vec![("cursor", c.to_string())];
        q.extend(status_filter.clone().map(|s| ("status", s)));
        format!("/console/webhooks/{id}?{}", super::pages::encode(&q))
    });
    let ctx = me.base(json!({
        "hook": hook,
        "deliveries": deliveries["items"],
        "next": next,
        "status": status_filter,
        "categories": categories,
        "events": &EVENTS[..],
        "error": error,
        "draft": draft,
        "key": crate::accounts::secret::random("console-"),
    }));
    page(status, "webhook.html", ctx)
}

/// Back to an endpoint's page, or that page with the refusal (and with
/// `draft`, the change as it was sent, when the change was refused).
async fn after_webhook(
    me: &Signed,
    id: Uuid,
    done: Result<Answer, Refusal>,
    draft: Value,
) -> HttpResponse {
    match done {
        Ok(_) => see_other(&format!("/console/webhooks/{id}")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let q = DeliveryQuery {
                status: None,
                cursor: None,
            };
            webhook_page(me, id, &q, status, refusal_json(&r), draft).await
        }
    }
}

/// `POST /console/webhooks/{id}`: `update_webhook` (its URL, events,
/// category, description; enabled or disabled).
pub async fn update_webhook(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner();
    let change = form::to_json(&fields);
    let done = me.api().patch(&format!("/webhooks/{id}"), &change).await;
    after_webhook(&me, id, done, change).await
}

/// `POST /console/webhooks/{id}/ping`: `ping_webhook`, a test delivery.
pub async fn ping_webhook(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner();
    let done = me
        .api()
        .post(
            &format!("/webhooks/{id}/ping"),
            &json!({}),
            adding(&fields, "ping"),
        )
        .await;
    after_webhook(&me, id, done, Value::Null).await
}

/// `POST /console/webhooks/{id}/deliveries/{delivery_id}/retry`:
/// `retry_delivery`, a failed delivery sent again.
pub async fn retry_delivery(sent: SignedForm, path: web::Path<(Uuid, i64)>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let (id, delivery) = path.into_inner();
    let done = me
        .api()
        .post(
            &format!("/webhooks/{id}/deliveries/{delivery}/retry"),
            &json!({}),
            adding(&fields, "retry"),
        )
        .await;
    after_webhook(&me, id, done, Value::Null).await
}

/// `POST /console/webhooks/{id}/delete`: `delete_webhook`.
pub async fn delete_webhook(sent: SignedForm, path: web::Path<Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner();
    match me.api().delete(&format!("/webhooks/{id}")).await {
        Ok(_) => see_other(WEBHOOKS.back),
        Err(r) => WEBHOOKS.after(&me, &id.to_string(), &fields, Err(r)).await,
    }
}
