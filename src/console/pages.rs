//! The console's pages and forms. Each asks the API (through [`Api`]) and
//! renders what it answered; a refusal is shown, never worked around.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::Value as Ctx;
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::{Api, Refusal, Write};
use super::render::page;
use super::session::Visit;
use super::{Console, form, i18n};
use crate::accounts::secret;

/// The actions the console offers, each `POST /cases/{id}/actions/{action}`.
pub const ACTIONS: [&str; 15] = [
    "assign",
    "claim",
    "start_investigation",
    "request_info",
    "propose_settlement",
    "accept_settlement",
    "reject_settlement",
    "issue_ruling",
    "accept_ruling",
    "appeal",
    "decide_appeal",
    "close",
    "reopen",
    "withdraw",
    "dismiss",
];

pub(super) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The signed-in user and the page's language, or the way to sign in.
pub(super) struct Signed {
    pub(super) visit: Visit,
    pub(super) me: Value,
    pub(super) lang: &'static str,
}

impl Signed {
    pub(super) async fn of(req: &HttpRequest, console: &Console) -> Result<Signed, HttpResponse> {
        let visit = Visit::of(req, &console.http);
        if visit.token.is_none() {
            return Err(see_other("/console/sign-in"));
        }
        match visit.api.get("/me").await {
            Ok(me) => {
                let lang = i18n::for_user(me.body["language"].as_str().unwrap_or("en"));
                Ok(Signed {
                    visit,
                    me: me.body,
                    lang,
                })
            }
            Err(r) if r.status == 401 => {
                let mut to = see_other("/console/sign-in");
                let _ = to.add_removal_cookie(&visit.removal());
                Err(to)
            }
            Err(r) => Err(failure(visit.lang, &r)),
        }
    }

    pub(super) fn api(&self) -> &Api {
        &self.visit.api
    }

    /// Leads and admins: they assign, decide appeals and see statistics.
    fn supervisor(&self) -> bool {
        matches!(self.me["role"].as_str(), Some("lead" | "admin"))
    }

    fn staff(&self) -> bool {
        matches!(
            self.me["role"].as_str(),
            Some("mediator" | "lead" | "admin")
        )
    }

    /// What every page shows: who is signed in, the language, the CSRF token.
    pub(super) fn base(&self, extra: Value) -> Ctx {
        let mut ctx = json!({
            "lang": self.lang,
            "me": self.me,
            "staff": self.staff(),
        "supervisor": self.supervisor(),
            "csrf": self.visit.csrf(),
        });
        if let (Value::Object(base), Value::Object(extra)) = (&mut ctx, extra) {
            base.extend(extra);
        }
        Ctx::from_serialize(&ctx)
    }
}

/// A page saying what went wrong, with the API's status.
pub(super) fn failure(lang: &str, r: &Refusal) -> HttpResponse {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
    page(
        status,
        "error.html",
        Ctx::from_serialize(json!({"lang": lang, "status": r.status, "detail": r.detail})),
    )
}

pub(super) fn refusal_json(r: &Refusal) -> Value {
    json!({
        "status": r.status,
        "detail": r.detail,
        "fields": r.fields.iter().map(|(f, m)| json!({"field": f, "message": m})).collect::<Vec<_>>(),
    })
}

/// `GET /console`: the cases, or signing in.
pub async fn home(req: HttpRequest, console: web::Data<Console>) -> HttpResponse {
    let to = if Visit::of(&req, &console.http).token.is_some() {
        "/console/cases"
    } else {
        "/console/sign-in"
    };
    see_other(to)
}

/// `GET /console/sign-in`.
pub async fn sign_in_page(req: HttpRequest, console: web::Data<Console>) -> HttpResponse {
    let visit = Visit::of(&req, &console.http);
    page(
        StatusCode::OK,
        "sign_in.html",
        Ctx::from_serialize(json!({"lang": visit.lang})),
    )
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
}

/// `POST /console/sign-in`: `create_token`, kept in the session cookie.
pub async fn sign_in(
    req: HttpRequest,
    console: web::Data<Console>,
    form: web::Form<SignInForm>,
) -> HttpResponse {
    let visit = Visit::of(&req, &console.http);
    if !Visit::same_origin(&req) {
        return forbidden(visit.lang);
    }
    let SignInForm { email, password } = form.into_inner();
    let body = json!({"email": email, "password": password, "name": "web console"});
    match visit
        .api
        .post("/auth/tokens", &body, Write::default())
        .await
    {
        Ok(issued) => {
            let (Some(id), Some(token)) = (
                issued.body["details"]["id"].as_str(),
                issued.body["token"].as_str(),
            ) else {
                return failure(visit.lang, &Refusal::odd());
            };
            // Signing in again replaces the session: its old token goes.
            if let Some(old) = visit.token_id() {
                let _ = visit.api.delete(&format!("/auth/tokens/{old}")).await;
            }
            let hours = hours_left(&issued.body["details"]["expires_at"]);
            let cookie = visit.cookie(format!("{id}.{token}"), hours);
            let mut to = see_other("/console/cases");
            let _ = to.add_cookie(&cookie);
            to
        }
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut answer = page(
                status,
                "sign_in.html",
                Ctx::from_serialize(
                    json!({"lang": visit.lang, "email": email, "error": refusal_json(&r)}),
                ),
            );
            if r.status == 429
                && let Ok(v) = header::HeaderValue::from_str(&r.retry_after.to_string())
            {
                answer.headers_mut().insert(header::RETRY_AFTER, v);
            }
            answer
        }
    }
}

fn hours_left(expires_at: &Value) -> i64 {
    expires_at
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| (t.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours())
        .unwrap_or(12)
        .clamp(1, 24 * 30)
}

/// A form that only carries the CSRF token.
#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

/// `POST /console/sign-out`: `revoke_token` on the session's token.
pub async fn sign_out(
    req: HttpRequest,
    console: web::Data<Console>,
    form: web::Form<CsrfOnly>,
) -> HttpResponse {
    let visit = Visit::of(&req, &console.http);
    if !Visit::same_origin(&req) || !visit.csrf_ok(form.csrf.as_deref()) {
        return forbidden(visit.lang);
    }
    if let Some(id) = visit.token_id() {
        // Already revoked or expired is signed out all the same.
        let _ = visit.api.delete(&format!("/auth/tokens/{id}")).await;
    }
    let mut to = see_other("/console/sign-in");
    let _ = to.add_removal_cookie(&visit.removal());
    to
}

pub(super) fn forbidden(lang: &str) -> HttpResponse {
    failure(
        lang,
        &Refusal {
            status: 403,
            detail: i18n::text(lang, "error.csrf"),
            fields: Vec::new(),
            retry_after: 0,
        },
    )
}

/// The filters of the case list.
#[derive(Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    cursor: Option<String>,
}

/// `GET /console/cases`: `get_queue` for staff, then `list_cases`.
pub async fn cases(
    req: HttpRequest,
    console: web::Data<Console>,
    q: web::Query<ListQuery>,
) -> HttpResponse {
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    let mut query = vec![("limit", "50".to_string())];
    let state = q.state.clone().filter(|s| is_word(s));
    if let Some(s) = &state {
        query.push(("state", s.clone()));
    }
    if let Some(c) = q.cursor.clone() {
        query.push(("cursor", c));
    }
    let path = format!("/cases?{}", encode(&query));
    // Staff see their queue; leads and admins also what waits for
    // assignment (most urgent first) and what is past a deadline.
    let overdue = format!(
        "/cases?sort=deadline&limit=20&{}",
        encode(&[("due_before", chrono::Utc::now().to_rfc3339())])
    );
    let asks: Vec<String> = match (me.staff(), me.supervisor()) {
        (true, true) => vec![
            path,
            "/queue?limit=20".into(),
            "/cases?state=intake&sort=urgent&limit=20".into(),
            overdue,
        ],
        (true, false) => vec![path, "/queue?limit=20".into()],
        _ => vec![path],
    };
    let answers = futures_util::future::join_all(asks.iter().map(|p| me.api().get(p))).await;
    let mut pages = Vec::new();
    for answer in answers {
        match answer {
            Ok(a) => pages.push(a.body),
            Err(r) => return failure(me.lang, &r),
        }
    }
    let mut pages = pages.into_iter();
    let list = pages.next().unwrap_or_default();
    let queue = pages.next().unwrap_or_default();
    let unassigned = pages.next().unwrap_or_default();
    let overdue = pages.next().unwrap_or_default();
    let next = list["next_cursor"].as_str().map(|c| {
        let mut q = vec![("cursor", c.to_string())];
        q.extend(state.clone().map(|s| ("state", s)));
        format!("/console/cases?{}", encode(&q))
    });
    let ctx = me.base(json!({
        "cases": list["items"],
        "next": next,
        "queue": queue["items"],
        "unassigned": unassigned["items"],
        "overdue": overdue["items"],
        "state": state,
        "states": ["intake", "assigned", "investigation", "ruling", "appeal", "follow_up", "closed", "withdrawn", "dismissed"],
    }));
    page(StatusCode::OK, "cases.html", ctx)
}

pub(super) fn is_word(s: &str) -> bool {
    !s.is_empty() && s.len() < 40 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

pub(super) fn encode(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The range of the statistics page.
#[derive(Deserialize)]
pub struct StatisticsQuery {
    days: Option<i64>,
}

/// `GET /console/statistics`: `get_statistics` over the last `days` (30
/// unless asked), drawn as bars.
pub async fn statistics(
    req: HttpRequest,
    console: web::Data<Console>,
    q: web::Query<StatisticsQuery>,
) -> HttpResponse {
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    let days = q.days.unwrap_or(30).clamp(1, 366);
    let from = chrono::Utc::now() - chrono::Duration::days(days);
    let path = format!("/statistics?{}", encode(&[("from", from.to_rfc3339())]));
    let stats = match me.api().get(&path).await {
        Ok(a) => a.body,
        Err(r) => return failure(me.lang, &r),
    };
    let most = |rows: &Value, key: &str| {
        rows.as_array()
            .map(|r| r.iter().filter_map(|x| x[key].as_i64()).max().unwrap_or(0))
            .unwrap_or(0)
            .max(1)
    };
    let ctx = me.base(json!({
        "stats": stats,
        "days": days,
        "ranges": [7, 30, 90, 365],
        "backlog_max": most(&stats["backlog"], "count"),
        "open_max": most(&stats["mediators"], "open"),
    }));
    page(StatusCode::OK, "statistics.html", ctx)
}

/// `GET /console/cases/new`: the complaint form, with `list_categories`.
pub async fn new_case(req: HttpRequest, console: web::Data<Console>) -> HttpResponse {
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    file_form(&me, StatusCode::OK, Value::Null, Value::Null).await
}

async fn file_form(me: &Signed, status: StatusCode, error: Value, values: Value) -> HttpResponse {
    let categories = match me.api().get("/categories?limit=100").await {
        Ok(a) => a.body["items"].clone(),
        Err(r) => return failure(me.lang, &r),
    };
    let ctx = me.base(json!({
        "categories": categories,
        "error": error,
        "form": values,
        "key": secret::random("console-"),
        "priorities": ["low", "normal", "high", "urgent"],
    }));
    page(status, "file.html", ctx)
}

/// `POST /console/cases`: `file_case`.
pub async fn file_case(
    req: HttpRequest,
    console: web::Data<Console>,
    fields: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    let fields = fields.into_inner();
    if !Visit::same_origin(&req) || !me.visit.csrf_ok(field(&fields, "csrf")) {
        return forbidden(me.lang);
    }
    let mut body = form::to_json(&fields);
    if let Value::Object(map) = &mut body {
        map.insert("channel".into(), json!("web"));
    }
    let write = Write {
        key: field(&fields, "key").map(str::to_string),
        ..Write::default()
    };
    match me.api().post("/cases", &body, write).await {
        Ok(filed) => match filed.body["id"].as_str() {
            Some(id) => see_other(&format!("/console/cases/{id}")),
            None => failure(me.lang, &Refusal::odd()),
        },
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            file_form(&me, status, refusal_json(&r), values(&fields)).await
        }
    }
}

pub(super) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The submitted values by field name, to fill the form in again.
pub(super) fn values(fields: &[(String, String)]) -> Value {
    Value::Object(
        fields
            .iter()
            .filter(|(k, _)| k != "csrf" && k != "password")
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// `GET /console/cases/{id}`: `get_case`, `list_messages`, `list_timeline`,
/// `list_evidence`,
/// and for staff who may assign, `list_users` (mediators and leads).
pub async fn case(
    req: HttpRequest,
    console: web::Data<Console>,
    path: web::Path<uuid::Uuid>,
) -> HttpResponse {
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    case_page(
        &me,
        path.into_inner(),
        StatusCode::OK,
        Value::Null,
        Value::Null,
    )
    .await
}

/// The case page, with a refusal to show (`error`) or a drafted message
/// to put in its thread's form (`draft`, as `draft_message` answered).
async fn case_page(
    me: &Signed,
    id: uuid::Uuid,
    status: StatusCode,
    error: Value,
    draft: Value,
) -> HttpResponse {
    let api = me.api();
    let (case, messages, timeline, evidence) = futures_util::future::join4(
        api.get(&format!("/cases/{id}")),
        every(api, &format!("/cases/{id}/messages")),
        every(api, &format!("/cases/{id}/timeline")),
        every(api, &format!("/cases/{id}/evidence")),
    )
    .await;
    let case = match case {
        Ok(c) => c,
        Err(r) => return failure(me.lang, &r),
    };
    let (messages, timeline, evidence) = match (messages, timeline, evidence) {
        (Ok(m), Ok(t), Ok(e)) => (m, t, e),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return failure(me.lang, &r),
    };
    let allowed: Vec<&str> = case.body["allowed_actions"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Whom a case can be assigned to: active mediators and leads.
    // Templates to answer from, for staff (the API suggests those of the
    // case's category first).
    let templates = if me.staff() && !closed(&case.body) {
        match api.get(&format!("/cases/{id}/templates")).await {
            Ok(t) => t.body,
            Err(r) => return failure(me.lang, &r),
        }
    } else {
        Value::Null
    };
    let mediators = if allowed.contains(&"assign") {
        let (mediators, leads) = futures_util::future::join(
            api.get("/users?role=mediator&active=true&limit=100"),
            api.get("/users?role=lead&active=true&limit=100"),
        )
        .await;
        match (mediators, leads) {
            (Ok(m), Ok(l)) => {
                let mut all = m.body["items"].as_array().cloned().unwrap_or_default();
                all.extend(l.body["items"].as_array().cloned().unwrap_or_default());
                Value::Array(all)
            }
            (Err(r), _) | (_, Err(r)) => return failure(me.lang, &r),
        }
    } else {
        Value::Null
    };
    let offered: Vec<&str> = allowed
        .iter()
        .copied()
        .filter(|a| ACTIONS.contains(a))
        .collect();
    let threads = threads(&messages, &case.body, me.staff());
    let ctx = me.base(json!({
        "case": case.body,
        "etag": case.etag,
        "threads": threads,
        "timeline": timeline,
        "evidence": evidence,
        "templates": templates,
        "draft": draft,
        "visibilities": visibilities(&case.body, me.staff()),
        "actions": offered,
        "mediators": mediators,
        "error": error,
        "key": secret::random("console-"),
        "outcomes": ["upheld", "partially_upheld", "not_upheld"],
        "sanction_kinds": ["warning", "content_removal", "restriction", "suspension", "ban"],
        "remedy_kinds": ["apology", "correction", "refund", "other"],
        "decisions": ["uphold", "amend", "overturn"],
        "dismissal_reasons": ["out_of_scope", "duplicate", "abusive", "other"],
    }));
    page(status, "case.html", ctx)
}

/// Every item of the list at `path`, following its cursor: a case's
/// messages, timeline and evidence, oldest first. A page holds 100; past
/// 2,000 items the rest are left out (the API still has them all).
pub(super) async fn every(api: &Api, path: &str) -> Result<Value, Refusal> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let page = match &cursor {
            None => api.get(&format!("{path}?limit=100")).await?,
            Some(c) => {
                api.get(&format!(
                    "{path}?limit=100&{}",
                    encode(&[("cursor", c.clone())])
                ))
                .await?
            }
        };
        items.extend(page.body["items"].as_array().cloned().unwrap_or_default());
        cursor = page.body["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    Ok(Value::Array(items))
}

/// The case's messages by thread, each with who reads it and whether the
/// reader may post to it: the joint thread, each party's private thread
/// with the mediator, and the staff's internal notes. A party gets only
/// the threads the API gave them messages or a right to post in.
fn threads(messages: &Value, case: &Value, staff: bool) -> Value {
    let mine = case["your_party"].as_str();
    let order: Vec<&str> = if staff {
        vec!["all_parties", "complainant", "respondent", "internal"]
    } else {
        let mut v = vec!["all_parties"];
        v.extend(mine);
        v
    };
    let items = messages.as_array().cloned().unwrap_or_default();
    Value::Array(
        order
            .into_iter()
            .map(|vis| {
                let posts: Vec<&Value> = items
                    .iter()
                    .filter(|m| m["visibility"].as_str() == Some(vis))
                    .collect();
                json!({"visibility": vis, "messages": posts})
            })
            .collect(),
    )
}

/// Where the reader may post a message or add evidence: staff anywhere,
/// a party to both sides or privately to the mediator.
fn visibilities(case: &Value, staff: bool) -> Value {
    if staff {
        json!(["all_parties", "complainant", "respondent", "internal"])
    } else {
        let mut v = vec![json!("all_parties")];
        v.extend(case["your_party"].as_str().map(|p| json!(p)));
        Value::Array(v)
    }
}

/// The CSRF token and form key of an upload, in its address: the upload's
/// body goes to the API as it came, and the API takes no other fields.
#[derive(Deserialize)]
pub struct UploadQuery {
    csrf: Option<String>,
    key: Option<String>,
}

/// `POST /console/cases/{id}/evidence`: `add_evidence`, the browser's
/// multipart form passed on as it is.
pub async fn add_evidence(
    req: HttpRequest,
    console: web::Data<Console>,
    path: web::Path<uuid::Uuid>,
    q: web::Query<UploadQuery>,
    mut payload: web::Payload,
) -> HttpResponse {
    // Who sends it, and from where, is checked before the body is read.
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    let id = path.into_inner();
    if !Visit::same_origin(&req) || !me.visit.csrf_ok(q.csrf.as_deref()) {
        return forbidden(me.lang);
    }
    // The file and a little more: the API refuses a larger file itself.
    let limit = req
        .app_data::<web::Data<crate::state::AppState>>()
        .map_or(20 << 20, |s| s.settings.evidence_max_bytes)
        .saturating_add(64 * 1024);
    let mut body = web::BytesMut::new();
    while let Some(chunk) = futures_util::StreamExt::next(&mut payload).await {
        let Ok(chunk) = chunk else {
            return failure(me.lang, &Refusal::unreadable());
        };
        if (body.len() + chunk.len()) as u64 > limit {
            let mut error = refusal_json(&Refusal::too_large(limit));
            error["action"] = json!("evidence");
            return case_page(&me, id, StatusCode::PAYLOAD_TOO_LARGE, error, Value::Null).await;
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let write = Write {
        key: q.key.clone().map(|k| format!("{k}-evidence")),
        ..Write::default()
    };
    let path = format!("/cases/{id}/evidence");
    match me.api().post_raw(&path, &content_type, body, write).await {
        Ok(_) => see_other(&format!("/console/cases/{id}#evidence")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!("evidence");
            case_page(&me, id, status, error, Value::Null).await
        }
    }
}

/// `GET /console/cases/{id}/evidence/{evidence_id}`: `download_evidence`,
/// as an attachment that is never rendered.
pub async fn download_evidence(
    req: HttpRequest,
    console: web::Data<Console>,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> HttpResponse {
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    let (id, evidence) = path.into_inner();
    let path = format!("/cases/{id}/evidence/{evidence}/content");
    match me.api().download(&path).await {
        Ok((bytes, disposition)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "application/octet-stream"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                disposition.unwrap_or_else(|| "attachment".into()),
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            ))
            .body(bytes),
        Err(r) => failure(me.lang, &r),
    }
}

fn closed(case: &Value) -> bool {
    matches!(
        case["state"].as_str(),
        Some("closed" | "withdrawn" | "dismissed")
    )
}

/// `POST /console/cases/{id}/drafts`: `draft_message`; the case page
/// again, with the draft in its thread's form to edit and send.
pub async fn draft(
    req: HttpRequest,
    console: web::Data<Console>,
    path: web::Path<uuid::Uuid>,
    fields: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    let id = path.into_inner();
    let fields = fields.into_inner();
    if !Visit::same_origin(&req) || !me.visit.csrf_ok(field(&fields, "csrf")) {
        return forbidden(me.lang);
    }
    let body = form::to_json(&fields);
    let path = format!("/cases/{id}/drafts");
    match me.api().post(&path, &body, Write::default()).await {
        Ok(draft) => case_page(&me, id, StatusCode::OK, Value::Null, draft.body).await,
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!("draft");
            case_page(&me, id, status, error, Value::Null).await
        }
    }
}

/// `POST /console/cases/{id}/actions/{action}`: the action of that name,
/// `If-Match` the version the page showed.
pub async fn act(
    req: HttpRequest,
    console: web::Data<Console>,
    path: web::Path<(uuid::Uuid, String)>,
    fields: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    let (id, action) = path.into_inner();
    let fields = fields.into_inner();
    if !Visit::same_origin(&req) || !me.visit.csrf_ok(field(&fields, "csrf")) {
        return forbidden(me.lang);
    }
    if !ACTIONS.contains(&action.as_str()) {
        return failure(me.lang, &Refusal::not_found());
    }
    let write = Write {
        if_match: field(&fields, "if_match").map(str::to_string),
        key: field(&fields, "key").map(|k| format!("{k}-{action}")),
    };
    let body = form::to_json(&fields);
    let path = format!("/cases/{id}/actions/{action}");
    match me.api().post(&path, &body, write).await {
        Ok(_) => see_other(&format!("/console/cases/{id}")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!(action);
            error["form"] = values(&fields);
            case_page(&me, id, status, error, Value::Null).await
        }
    }
}

/// `POST /console/cases/{id}/messages`: `post_message`.
pub async fn post_message(
    req: HttpRequest,
    console: web::Data<Console>,
    path: web::Path<uuid::Uuid>,
    fields: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let me = match Signed::of(&req, &console).await {
        Ok(me) => me,
        Err(to) => return to,
    };
    let id = path.into_inner();
    let fields = fields.into_inner();
    if !Visit::same_origin(&req) || !me.visit.csrf_ok(field(&fields, "csrf")) {
        return forbidden(me.lang);
    }
    let write = Write {
        key: field(&fields, "key").map(|k| format!("{k}-message")),
        ..Write::default()
    };
    let body = form::to_json(&fields);
    match me
        .api()
        .post(&format!("/cases/{id}/messages"), &body, write)
        .await
    {
        Ok(_) => see_other(&format!("/console/cases/{id}#messages")),
        Err(r) => {
            let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut error = refusal_json(&r);
            error["action"] = json!("message");
            error["form"] = values(&fields);
            case_page(&me, id, status, error, Value::Null).await
        }
    }
}
