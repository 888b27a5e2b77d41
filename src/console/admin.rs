//! The console's account and admin pages: one's own settings for
//! everyone; users for admins; answer templates, rules and mediators'
//! profiles for those the API lets write them (the desk's other settings
//! are in [`super::desk`]). Each is the API's answer,
//! and each form one API call.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::api::{Refusal, Write};
use super::form;
use super::pages::{Signed, SignedForm, failure, field, refusal_json, see_other};
use super::render::page;
use super::sheet::{Sheet, adding};
use crate::notify::templates::LANGUAGES;

/// `GET /console/account`: `get_me`, shown with a form to change one's
/// name and language (`update_user`).
pub async fn account(me: Signed) -> HttpResponse {
    account_page(&me, StatusCode::OK, Value::Null)
}

fn account_page(me: &Signed, status: StatusCode, error: Value) -> HttpResponse {
    let ctx = me.base(json!({
        "error": error,
        "languages": LANGUAGES,
    }));
    page(status, "account.html", ctx)
}

fn status_of(r: &Refusal) -> StatusCode {
    StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY)
}

/// `POST /console/account`: `update_user` on oneself.
pub async fn update_account(sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = me.me["id"].as_str().unwrap_or_default().to_string();
    match me
        .api()
        .patch(&format!("/users/{id}"), &form::to_json(&fields))
        .await
    {
        Ok(_) => see_other("/console/account"),
        Err(r) => account_page(&me, status_of(&r), refusal_json(&r)),
    }
}

/// The filter of the user list.
#[derive(serde::Deserialize)]
pub struct UserQuery {
    role: Option<String>,
    cursor: Option<String>,
}

/// `GET /console/users`: `list_users` (admins; the API refuses others
/// what they may not see), with the form to add one (`create_user`).
pub async fn users(me: Signed, q: web::Query<UserQuery>) -> HttpResponse {
    users_page(&me, &q, StatusCode::OK, Value::Null, Value::Null).await
}

async fn users_page(
    me: &Signed,
    q: &UserQuery,
    status: StatusCode,
    error: Value,
    values: Value,
) -> HttpResponse {
    let mut query = vec![("limit", "100".to_string())];
    let role = q.role.clone().filter(|r| super::pages::is_word(r));
    query.extend(role.clone().map(|r| ("role", r)));
    query.extend(q.cursor.clone().map(|c| ("cursor", c)));
    let list = match me
        .api()
        .get(&format!("/users?{}", super::pages::encode(&query)))
        .await
    {
        Ok(a) => a.body,
        Err(r) => return failure(me.lang, &r),
    };
    let next = list["next_cursor"].as_str().map(|c| {
        let mut q = vec![("cursor", c.to_string())];
        q.extend(role.clone().map(|r| ("role", r)));
        format!("/console/users?{}", super::pages::encode(&q))
    });
    let ctx = me.base(json!({
        "users": list["items"],
        "next": next,
        "role": role,
        "roles": ["member", "mediator", "lead", "admin"],
        "languages": LANGUAGES,
        "error": error,
        "form": values,
        "key": crate::accounts::secret::random("console-"),
    }));
    page(status, "users.html", ctx)
}

/// `POST /console/users`: `create_user`.
pub async fn create_user(sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let write = Write {
        key: field(&fields, "key").map(|k| format!("{k}-user")),
        ..Write::default()
    };
    match me
        .api()
        .post("/users", &form::to_json(&fields), write)
        .await
    {
        Ok(_) => see_other("/console/users"),
        Err(r) => {
            let values = super::pages::values(&fields);
            let q = UserQuery {
                role: None,
                cursor: None,
            };
            users_page(&me, &q, status_of(&r), refusal_json(&r), values).await
        }
    }
}

/// `POST /console/users/{id}`: `update_user` (role, language, active).
pub async fn update_user(path: web::Path<uuid::Uuid>, sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner();
    match me
        .api()
        .patch(&format!("/users/{id}"), &form::to_json(&fields))
        .await
    {
        Ok(_) => see_other("/console/users"),
        Err(r) => {
            let q = UserQuery {
                role: None,
                cursor: None,
            };
            users_page(&me, &q, status_of(&r), refusal_json(&r), Value::Null).await
        }
    }
}

const TEMPLATES: Sheet = Sheet {
    template: "templates.html",
    back: "/console/templates",
    words: &[("languages", &LANGUAGES)],
    lists: &[("templates", "/templates")],
};

const RULES: Sheet = Sheet {
    template: "rules.html",
    back: "/console/rules",
    words: &[("languages", &LANGUAGES)],
    lists: &[("rules", "/rules")],
};

/// The API's path of the answer template `code`.
fn template_path(code: &str) -> String {
    format!(
        "/templates/{}",
        percent_encoding::utf8_percent_encode(code.trim(), percent_encoding::NON_ALPHANUMERIC)
    )
}

/// `GET /console/templates`: `list_templates` (staff), with the form to
/// write one (`put_template`, leads and admins).
pub async fn templates(me: Signed) -> HttpResponse {
    TEMPLATES
        .show(&me, StatusCode::OK, Value::Null, None, Value::Null)
        .await
}

/// `POST /console/templates`: `put_template` under the code given (a new
/// template, or a new wording of one).
pub async fn put_template(sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let path = template_path(field(&fields, "code").unwrap_or_default());
    let mut body = form::to_json(&fields);
    if let Value::Object(map) = &mut body {
        map.remove("code");
    }
    let done = me.api().put(&path, &body).await;
    TEMPLATES.after(&me, "new", &fields, done).await
}

/// `POST /console/templates/{code}/delete`: `delete_template` (messages
/// written from it stay).
pub async fn delete_template(sent: SignedForm, path: web::Path<String>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let done = me.api().delete(&template_path(&path.into_inner())).await;
    TEMPLATES.after(&me, "", &fields, done).await
}

/// `GET /console/rules`: every published rule (`list_rules`, anyone
/// signed in), with the form to publish one (`publish_rule`, admins).
pub async fn rules(me: Signed) -> HttpResponse {
    RULES
        .show(&me, StatusCode::OK, Value::Null, None, Value::Null)
        .await
}

/// `POST /console/rules`: `publish_rule` (a new rule, or a new version).
pub async fn publish_rule(sent: SignedForm) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let done = me
        .api()
        .post("/rules", &form::to_json(&fields), adding(&fields, "rule"))
        .await;
    RULES.after(&me, "new", &fields, done).await
}

/// `GET /console/mediators`: every page of `list_mediators` (the desk's
/// profiles), and the active mediators and leads (`list_users`) who have
/// none yet; leads and admins.
pub async fn mediators(me: Signed) -> HttpResponse {
    mediators_page(&me, StatusCode::OK, Value::Null).await
}

async fn mediators_page(me: &Signed, status: StatusCode, error: Value) -> HttpResponse {
    let api = me.api();
    let (profiles, mediators, leads) = futures_util::future::join3(
        super::pages::every(api, "/mediators"),
        super::pages::every(api, "/users?role=mediator&active=true"),
        super::pages::every(api, "/users?role=lead&active=true"),
    )
    .await;
    let (profiles, mediators, leads) = match (profiles, mediators, leads) {
        (Ok(p), Ok(m), Ok(l)) => (p, m, l),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return failure(me.lang, &r),
    };
    let with: Vec<&str> = profiles
        .as_array()
        .map(|p| p.iter().filter_map(|x| x["user_id"].as_str()).collect())
        .unwrap_or_default();
    let without: Vec<&Value> = mediators
        .as_array()
        .into_iter()
        .chain(leads.as_array())
        .flatten()
        .filter(|u| !with.contains(&u["id"].as_str().unwrap_or_default()))
        .collect();
    let ctx = me.base(json!({
        "profiles": profiles,
        "without": without,
        "error": error,
    }));
    page(status, "mediators.html", ctx)
}

/// `POST /console/mediators/{user_id}`: `put_mediator` (a new profile, or
/// a change to one).
pub async fn put_mediator(sent: SignedForm, path: web::Path<uuid::Uuid>) -> HttpResponse {
    let SignedForm { me, fields } = sent;
    let id = path.into_inner();
    match me
        .api()
        .put(&format!("/mediators/{id}"), &form::to_json(&fields))
        .await
    {
        Ok(_) => see_other("/console/mediators"),
        Err(r) => mediators_page(&me, status_of(&r), refusal_json(&r)).await,
    }
}
