//! The authorisation matrix: for every operation in the spec, the status
//! each principal gets, written down once in [`MATRIX`] and asserted over
//! HTTP on each backend. An operation of the spec without a row, or a row
//! naming no operation, fails the test; so does a refused request that
//! changed anything in the database.
//!
//! The principals (the columns of the matrix):
//! - `cmp`, `rsp`: the case's complainant and respondent (members);
//! - `med`: the mediator the case is assigned to; `oth`: another mediator;
//! - `lea`: a lead and `adm`: an admin, neither assigned to the case;
//! - `mem`: a member who is no party to the case;
//! - `scm`: a service token of the complainant with `cases:read` and
//!   `cases:write` (a platform acting for its user);
//! - `sad`: a service token of the admin with every scope; `s-r`, `s-w`,
//!   `s-d`, `s-a`: the same without `cases:read`, `cases:write`,
//!   `directory:read` and `admin` respectively;
//! - `ano`: no token at all; `rev`: the complainant's token once revoked.
//!
//! Each operation is tried on a fixture built for it through the API: a
//! case in the state the operation needs (an action is tried from the
//! state it leaves), with evidence, an obligation, a link or a group where
//! it needs one; a category, policy, template, triage rule, webhook or
//! delivery made for it by the admin. Operations on a user act on the
//! complainant (so `cmp` is the user themself), those on a mediator on
//! the assigned mediator (so `med` is the mediator themself); erasure acts
//! on a member made for it, and revoking a token on a second token of the
//! complainant. After a success the fixture is built anew for the next
//! principal; after a refusal the database must be exactly as it was.
//!
//! `lifecycle.rs` checks every action in every state; this matrix checks
//! every operation once, from where it is meant to be used.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use diesel::RunQueryDsl;
use ombud::db::DbConnection;
use ombud::domain::lifecycle::Action;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{Cast, PASSWORD, TestApp, TestUser, body_for, case_in, on_each_backend};

/// The principals, in the order of the matrix's columns.
const PRINCIPALS: [&str; 15] = [
    "cmp", "rsp", "med", "oth", "lea", "adm", "mem", "scm", "sad", "s-r", "s-w", "s-d", "s-a",
    "ano", "rev",
];

/// What each principal gets from each operation. `-` would mean "not
/// tried"; every cell is filled.
const MATRIX: &str = "
# operation              cmp rsp med oth lea adm mem scm sad s-r s-w s-d s-a ano rev
# Signing in and tokens. Signing in ignores any bearer token. A service
# token manages tokens only with `admin`, and never makes another.
list_tokens              200 200 200 200 200 200 200 403 200 200 200 200 403 401 401
create_token             201 201 201 201 201 201 201 201 201 201 201 201 201 201 201
revoke_token             204 404 404 404 404 204 404 403 204 204 204 204 403 401 401
# Cases. Lists show each caller what they may see. `rsp` files against
# themself here (422). To `oth` and `mem` a case not theirs does not exist.
list_cases               200 200 200 200 200 200 200 200 200 403 200 200 200 401 401
file_case                201 422 201 201 201 201 201 201 201 201 403 201 201 401 401
get_case                 200 200 200 404 200 200 404 200 200 403 200 200 200 401 401
# Actions, each tried from the state it leaves (lifecycle.rs tries every
# state). `claim`: the lead has no mediator profile (409); admins do not
# take cases. An action answers with the case, so `cases:write` suffices.
accept_ruling            200 200 403 404 403 403 404 200 403 403 403 403 403 401 401
accept_settlement        200 200 403 404 403 403 404 200 403 403 403 403 403 401 401
appeal                   200 200 403 404 403 403 404 200 403 403 403 403 403 401 401
assign                   403 403 403 404 200 200 404 403 200 200 403 200 200 401 401
claim                    403 403 200 200 409 403 404 403 403 403 403 403 403 401 401
close                    403 403 200 404 403 403 404 403 403 403 403 403 403 401 401
decide_appeal            403 403 403 404 200 200 404 403 200 200 403 200 200 401 401
dismiss                  403 403 200 404 200 200 404 403 200 200 403 200 200 401 401
issue_ruling             403 403 200 404 403 403 404 403 403 403 403 403 403 401 401
propose_settlement       403 403 200 404 403 403 404 403 403 403 403 403 403 401 401
reject_settlement        200 200 403 404 403 403 404 200 403 403 403 403 403 401 401
reopen                   403 403 403 404 200 200 404 403 200 200 403 200 200 401 401
request_info             403 403 200 404 403 403 404 403 403 403 403 403 403 401 401
start_investigation      403 403 200 404 403 403 404 403 403 403 403 403 403 401 401
withdraw                 200 403 403 404 403 403 404 200 403 403 403 403 403 401 401
# What a case holds. Drafts are reads (`cases:read`). Evidence is taken
# back only by whoever added it, before the investigation; staff hide it.
draft_message            403 403 200 404 200 200 404 403 200 403 200 200 200 401 401
list_evidence            200 200 200 404 200 200 404 200 200 403 200 200 200 401 401
add_evidence             201 201 201 404 201 201 404 201 201 201 403 201 201 401 401
remove_evidence          204 403 403 404 403 403 404 204 403 403 403 403 403 401 401
download_evidence        200 200 200 404 200 200 404 200 200 403 200 200 200 401 401
hide_evidence            403 403 200 404 200 200 404 403 200 200 403 200 200 401 401
list_feedback            200 200 200 404 200 200 404 200 200 403 200 200 200 401 401
give_feedback            201 201 403 404 403 403 404 201 403 403 403 403 403 401 401
group_cases              403 403 403 404 200 200 404 403 200 200 403 200 200 401 401
ungroup_case             403 403 403 404 200 200 404 403 200 200 403 200 200 401 401
link_case                403 403 403 404 201 201 404 403 201 201 403 201 201 401 401
unlink_case              403 403 403 404 204 204 404 403 204 204 403 204 204 401 401
list_messages            200 200 200 404 200 200 404 200 200 403 200 200 200 401 401
post_message             201 201 201 404 201 201 404 201 201 201 403 201 201 401 401
list_obligations         200 200 200 404 200 200 404 200 200 403 200 200 200 401 401
record_obligation        403 403 200 404 200 200 404 403 200 200 403 200 200 401 401
get_related              403 403 200 404 200 200 404 403 200 403 200 200 200 401 401
list_case_templates      403 403 200 404 200 200 404 403 200 403 200 200 200 401 401
list_threads             200 200 200 404 200 200 404 200 200 403 200 200 200 401 401
list_timeline            200 200 200 404 200 200 404 200 200 403 200 200 200 401 401
verify_timeline          403 403 200 404 200 200 404 403 200 403 200 200 200 401 401
# Categories (and, below, rules): anyone signed in reads them, whatever
# the scopes; admins change them.
list_categories          200 200 200 200 200 200 200 200 200 200 200 200 200 401 401
create_category          403 403 403 403 403 201 403 403 201 201 201 201 403 401 401
update_category          403 403 403 403 403 200 403 403 200 200 200 200 403 401 401
get_me                   200 200 200 200 200 200 200 200 200 200 200 200 200 401 401
list_mediators           403 403 403 403 200 200 403 403 200 200 200 403 200 401 401
# Mediator profiles act on `med` (themself). A mediator declares a
# conflict but cannot withdraw one; leads set capacity.
get_mediator             404 404 200 403 200 200 404 403 200 200 200 403 200 401 401
put_mediator             404 404 403 403 200 200 404 403 200 200 403 403 200 401 401
set_availability         404 404 200 403 200 200 404 403 200 200 403 403 200 401 401
list_conflicts           404 404 200 403 200 200 404 403 200 200 200 403 200 401 401
declare_conflict         404 404 201 403 201 201 404 403 201 201 403 403 201 401 401
withdraw_conflict        404 404 403 403 204 204 404 403 204 204 403 403 204 401 401
hand_over                404 404 200 403 200 200 404 403 200 200 403 403 200 401 401
# The outbox and webhook deliveries hold case text: `admin` and `cases:read`.
list_outbox              403 403 403 403 403 200 403 403 200 403 200 200 403 401 401
get_mail                 403 403 403 403 403 200 403 403 200 403 200 200 403 401 401
retry_mail               403 403 403 403 403 200 403 403 200 403 200 200 403 401 401
# The queue: each caller's own working list (a member's cases waiting on them).
get_queue                200 200 200 200 200 200 200 200 200 403 200 200 200 401 401
list_rules               200 200 200 200 200 200 200 200 200 200 200 200 200 401 401
publish_rule             403 403 403 403 403 201 403 403 201 201 201 201 403 401 401
get_rule                 200 200 200 200 200 200 200 200 200 200 200 200 200 401 401
get_rule_version         200 200 200 200 200 200 200 200 200 200 200 200 200 401 401
create_service_token     403 403 403 403 403 201 403 403 403 403 403 403 403 401 401
list_service_policies    403 403 403 403 200 200 403 403 200 200 200 403 200 401 401
create_service_policy    403 403 403 403 403 201 403 403 201 201 201 201 403 401 401
delete_service_policy    403 403 403 403 403 204 403 403 204 204 204 204 403 401 401
put_service_policy       403 403 403 403 403 200 403 403 200 200 200 200 403 401 401
get_statistics           403 403 403 403 200 200 403 403 200 403 200 200 200 401 401
list_templates           403 403 200 200 200 200 403 403 200 200 200 403 200 401 401
delete_template          403 403 403 403 204 204 403 403 204 204 403 204 204 401 401
put_template             403 403 403 403 201 201 403 403 201 201 403 201 201 401 401
list_triage_rules        403 403 403 403 200 200 403 403 200 200 200 403 200 401 401
create_triage_rule       403 403 403 403 403 201 403 403 201 201 201 201 403 401 401
delete_triage_rule       403 403 403 403 403 204 403 403 204 204 204 204 403 401 401
put_triage_rule          403 403 403 403 403 200 403 403 200 200 200 200 403 401 401
# Users act on `cmp` (themself). To members other users do not exist
# (404); other staff are refused (403).
list_users               403 403 200 200 200 200 403 403 200 200 200 403 200 401 401
create_user              403 403 403 403 403 201 403 403 201 201 201 201 403 401 401
get_user                 200 404 200 200 200 200 404 200 200 200 200 403 200 401 401
update_user              200 404 403 403 403 200 404 403 200 200 200 200 403 401 401
erase_user               403 403 403 403 403 200 403 403 200 200 200 200 403 401 401
export_user              200 404 403 403 403 200 404 200 200 403 200 200 403 401 401
# Webhooks: admins.
list_webhooks            403 403 403 403 403 200 403 403 200 200 200 200 403 401 401
create_webhook           403 403 403 403 403 201 403 403 201 201 201 201 403 401 401
delete_webhook           403 403 403 403 403 204 403 403 204 204 204 204 403 401 401
get_webhook              403 403 403 403 403 200 403 403 200 200 200 200 403 401 401
update_webhook           403 403 403 403 403 200 403 403 200 200 200 200 403 401 401
list_deliveries          403 403 403 403 403 200 403 403 200 403 200 200 403 401 401
get_delivery             403 403 403 403 403 200 403 403 200 403 200 200 403 401 401
retry_delivery           403 403 403 403 403 201 403 403 201 403 201 201 403 401 401
ping_webhook             403 403 403 403 403 201 403 403 201 201 201 201 403 401 401
";

/// A request to send: method, path under `/api/v1` and body.
struct Req {
    method: Method,
    path: String,
    body: Body,
    /// The case's ETag, for the actions that must name the version read.
    if_match: Option<String>,
}

enum Body {
    Empty,
    Json(Value),
    /// A small text file, uploaded as evidence for all parties.
    Upload,
}

fn get(path: String) -> Req {
    Req {
        method: Method::GET,
        path,
        body: Body::Empty,
        if_match: None,
    }
}

fn with(method: Method, path: String, body: Value) -> Req {
    Req {
        method,
        path,
        body: Body::Json(body),
        if_match: None,
    }
}

fn post(path: String, body: Value) -> Req {
    with(Method::POST, path, body)
}

fn delete(path: String) -> Req {
    Req {
        method: Method::DELETE,
        path,
        body: Body::Empty,
        if_match: None,
    }
}

fn fresh() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_string()
}

/// Everyone and everything the fixtures share.
struct World {
    app: TestApp,
    cast: Cast,
    /// Each principal's bearer token (none for `ano`).
    tokens: Vec<(&'static str, Option<String>)>,
    /// A published rule and a template, for the operations that read them.
    rule: String,
    template: String,
    /// A category whose cases are assigned automatically (for handing over).
    auto: String,
    /// A connection of our own, for the database's fingerprint.
    conn: Mutex<DbConnection>,
    /// The SQL of [`World::fingerprint`].
    fingerprint: String,
}

impl World {
    async fn new(app: TestApp) -> World {
        let mut cast = Cast::new(&app).await;
        let admin = cast.admin.clone();
        let service = |user: &TestUser, scopes: Vec<&str>| json!({"name": format!("matrix {}", fresh()), "user_id": user.id, "scopes": scopes});
        let all = ["cases:read", "cases:write", "directory:read", "admin"];
        let mut wanted = vec![
            (
                "scm",
                service(&cast.complainant, vec!["cases:read", "cases:write"]),
            ),
            ("sad", service(&admin, all.to_vec())),
        ];
        for (code, without) in [
            ("s-r", "cases:read"),
            ("s-w", "cases:write"),
            ("s-d", "directory:read"),
            ("s-a", "admin"),
        ] {
            let scopes = all.iter().copied().filter(|s| *s != without).collect();
            wanted.push((code, service(&admin, scopes)));
        }
        let mut service_tokens = BTreeMap::new();
        for (code, body) in wanted {
            let issued = ok(&app, &admin, post("/service-tokens".into(), body)).await;
            service_tokens.insert(code, issued["token"].as_str().unwrap().to_string());
        }
        let (revoked, id) = sign_in(&app, &cast.complainant).await;
        ok(
            &app,
            &cast.complainant,
            delete(format!("/auth/tokens/{id}")),
        )
        .await;

        for mediator in [&cast.mediator, &cast.other_mediator] {
            cast.give_profile(&app, mediator, json!({"capacity": 1000}))
                .await;
        }
        let rule = format!("R-{}", fresh());
        let body = json!({"code": rule, "title": {"en": "A rule"}, "text": {"en": "Be fair."}});
        ok(&app, &admin, post("/rules".into(), body)).await;
        cast.rules_cited.push(rule.clone());
        let auto = app.auto_category().await;
        let template = format!("t-{}", fresh());
        ok(&app, &admin, template_put(&template)).await;

        let mut tokens = Vec::new();
        for code in PRINCIPALS {
            let token = match code {
                "cmp" => Some(cast.complainant.token.clone()),
                "rsp" => Some(cast.respondent.token.clone()),
                "med" => Some(cast.mediator.token.clone()),
                "oth" => Some(cast.other_mediator.token.clone()),
                "lea" => Some(cast.lead.token.clone()),
                "adm" => Some(admin.token.clone()),
                "mem" => Some(cast.member.token.clone()),
                "ano" => None,
                "rev" => Some(revoked.clone()),
                service => Some(service_tokens[service].clone()),
            };
            tokens.push((code, token));
        }
        let manager = ombud::db::Manager::new(&app.db.url, Duration::from_secs(30)).unwrap();
        let conn = Mutex::new(manager.open().unwrap());
        World {
            app,
            cast,
            tokens,
            rule,
            template,
            auto,
            conn,
            fingerprint: fingerprint_sql(),
        }
    }

    /// The database's fingerprint: every table's row count, the number of
    /// values in each of its nullable columns (a revocation, a hiding, an
    /// erasure fills one), its latest `updated_at`, and the sum of the
    /// cases' versions.
    fn fingerprint(&self) -> String {
        #[derive(diesel::QueryableByName)]
        struct Print {
            #[diesel(sql_type = diesel::sql_types::Text)]
            fp: String,
        }
        let mut conn = self.conn.lock().unwrap();
        let print: Print = diesel::sql_query(&self.fingerprint)
            .get_result(&mut *conn)
            .expect("fingerprint");
        print.fp
    }

    async fn case(&self, state: &str) -> String {
        case_in(&self.app, &self.cast, state).await
    }

    async fn act(&self, who: &TestUser, case: &str, action: &str) {
        self.app
            .act_ok(who, case, action, body_for(action, &self.cast))
            .await;
    }

    /// A case in `state` with evidence the complainant added for all parties.
    async fn evidence(&self, state: &str) -> (String, String) {
        let case = self.case(state).await;
        let added = send(
            &self.app,
            Some(&self.cast.complainant.token),
            &upload(&case),
        )
        .await;
        assert_eq!(added.0, 201, "evidence: {}", added.1);
        (case, added.1["id"].as_str().unwrap().to_string())
    }

    /// A case in follow-up with a refund the respondent owes.
    async fn obligation(&self) -> (String, String) {
        let case = self.case("investigation").await;
        let due = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
        let ruling = json!({"outcome": "upheld", "rationale": "Paid, not delivered.",
            "rules_cited": [self.rule],
            "remedies": [{"kind": "refund", "description": "Refund the order", "due_at": due}]});
        let app = &self.app;
        app.act_ok(&self.cast.mediator, &case, "issue_ruling", ruling)
            .await;
        self.act(&self.cast.complainant, &case, "accept_ruling")
            .await;
        self.act(&self.cast.respondent, &case, "accept_ruling")
            .await;
        let list = ok(
            app,
            &self.cast.lead,
            get(format!("/cases/{case}/obligations")),
        )
        .await;
        let id = list["items"][0]["id"].as_str().unwrap().to_string();
        (case, id)
    }

    /// A mail to the complainant that gave up (`failed`).
    async fn failed_mail(&self) -> String {
        self.case("intake").await;
        let list = ok(&self.app, &self.cast.admin, get("/outbox?limit=1".into())).await;
        let id = list["items"][0]["id"].as_str().unwrap().to_string();
        self.app.sql(&format!(
            "UPDATE outbox SET status = 'failed' WHERE id = '{id}'"
        ));
        id
    }

    async fn webhook(&self) -> String {
        let body =
            json!({"url": format!("https://hooks.example.org/{}", fresh()), "events": ["*"]});
        let made = ok(&self.app, &self.cast.admin, post("/webhooks".into(), body)).await;
        made["id"].as_str().unwrap().to_string()
    }

    /// A webhook and a delivery of its ping that gave up (`failed`).
    async fn failed_delivery(&self) -> (String, String) {
        let hook = self.webhook().await;
        let ping = post(format!("/webhooks/{hook}/ping"), json!({}));
        let delivery = ok(&self.app, &self.cast.admin, ping).await;
        let id = delivery["id"].to_string();
        self.app.sql(&format!(
            "UPDATE webhook_deliveries SET status = 'failed' WHERE id = {id}"
        ));
        (hook, id)
    }

    /// A member made for the operation (with no password: they never sign in).
    async fn stranger(&self) -> String {
        let email = format!("stranger-{}@example.org", fresh());
        let body = json!({"email": email, "name": "A stranger"});
        self.admin_made(post("/users".into(), body)).await
    }

    async fn admin_made(&self, req: Req) -> String {
        let made = ok(&self.app, &self.cast.admin, req).await;
        made["id"].as_str().unwrap().to_string()
    }

    /// Builds the fixture `op` needs and returns the request to try.
    async fn prepare(&self, op: &str) -> Req {
        let c = &self.cast;
        let (cmp, med) = (&c.complainant.id, &c.mediator.id);
        if let Some(state) = action_state(op) {
            let case = match state {
                "proposed" => {
                    let case = self.case("investigation").await;
                    self.act(&c.mediator, &case, "propose_settlement").await;
                    case
                }
                state => self.case(state).await,
            };
            let mut req = post(
                format!("/cases/{case}/actions/{op}"),
                body_for(op, &self.cast),
            );
            let action = Action::ALL.into_iter().find(|a| a.as_str() == op).unwrap();
            if action.needs_if_match() {
                let res = self.app.get(&format!("/cases/{case}"), &c.lead).await;
                let etag = res.headers()["etag"].to_str().unwrap().to_string();
                req.if_match = Some(etag);
            }
            return req;
        }
        match op {
            "list_tokens" => get("/auth/tokens".into()),
            "create_token" => post(
                "/auth/tokens".into(),
                json!({"email": c.complainant.email, "password": PASSWORD}),
            ),
            "revoke_token" => {
                let (_, id) = sign_in(&self.app, &c.complainant).await;
                delete(format!("/auth/tokens/{id}"))
            }
            "create_service_token" => post(
                "/service-tokens".into(),
                json!({"name": "shop", "user_id": c.member.id, "scopes": ["cases:read"]}),
            ),
            "list_cases" => get("/cases".into()),
            "file_case" => post(
                "/cases".into(),
                json!({"title": "Order never arrived", "description": "I paid and nothing came.",
                    "category": c.category, "respondent": {"user_id": c.respondent.id}}),
            ),
            "get_case"
            | "list_messages"
            | "get_related"
            | "list_case_templates"
            | "list_threads"
            | "list_timeline"
            | "verify_timeline"
            | "list_evidence" => {
                let case = self.case("investigation").await;
                let tail = match op {
                    "get_case" => "",
                    "list_messages" => "/messages",
                    "get_related" => "/related",
                    "list_case_templates" => "/templates",
                    "list_threads" => "/threads",
                    "list_timeline" => "/timeline",
                    "verify_timeline" => "/timeline/verify",
                    _ => "/evidence",
                };
                get(format!("/cases/{case}{tail}"))
            }
            "draft_message" => {
                let case = self.case("investigation").await;
                let body = json!({"template": self.template, "visibility": "all_parties"});
                post(format!("/cases/{case}/drafts"), body)
            }
            "post_message" => {
                let case = self.case("investigation").await;
                let body =
                    json!({"body": "The parcel number is 0034.", "visibility": "all_parties"});
                post(format!("/cases/{case}/messages"), body)
            }
            "add_evidence" => upload(&self.case("investigation").await),
            "remove_evidence" => {
                // Evidence can be taken back only before the investigation.
                let (case, id) = self.evidence("assigned").await;
                delete(format!("/cases/{case}/evidence/{id}"))
            }
            "download_evidence" => {
                let (case, id) = self.evidence("investigation").await;
                get(format!("/cases/{case}/evidence/{id}/content"))
            }
            "hide_evidence" => {
                let (case, id) = self.evidence("investigation").await;
                let body = json!({"reason": "Shows a neighbour's address."});
                post(format!("/cases/{case}/evidence/{id}/hide"), body)
            }
            "list_feedback" => get(format!("/cases/{}/feedback", self.case("closed").await)),
            "give_feedback" => post(
                format!("/cases/{}/feedback", self.case("closed").await),
                json!({"rating": 4, "comment": "Quick and fair."}),
            ),
            "group_cases" | "ungroup_case" | "link_case" | "unlink_case" => {
                let one = self.case("investigation").await;
                let two = self.case("investigation").await;
                let (group, link) = (
                    post(format!("/cases/{one}/group"), json!({"case_ids": [two]})),
                    post(
                        format!("/cases/{one}/links"),
                        json!({"case_id": two, "kind": "related_to"}),
                    ),
                );
                match op {
                    "group_cases" => group,
                    "link_case" => link,
                    "ungroup_case" => {
                        ok(&self.app, &c.lead, group).await;
                        delete(format!("/cases/{one}/group/{two}"))
                    }
                    _ => {
                        ok(&self.app, &c.lead, link).await;
                        delete(format!("/cases/{one}/links/{two}"))
                    }
                }
            }
            "list_obligations" => get(format!("/cases/{}/obligations", self.obligation().await.0)),
            "record_obligation" => {
                let (case, id) = self.obligation().await;
                let body = json!({"status": "done", "note": "Refunded on Monday."});
                post(format!("/cases/{case}/obligations/{id}"), body)
            }
            "list_categories" => get("/categories".into()),
            "create_category" => post(
                "/categories".into(),
                json!({"slug": format!("cat-{}", fresh()), "name": "Billing"}),
            ),
            "update_category" => {
                let body = json!({"slug": format!("cat-{}", fresh()), "name": "Billing"});
                let id = self.admin_made(post("/categories".into(), body)).await;
                with(
                    Method::PATCH,
                    format!("/categories/{id}"),
                    json!({"description": "Charges and refunds"}),
                )
            }
            "get_me" => get("/me".into()),
            "list_mediators" => get("/mediators".into()),
            "get_mediator" => get(format!("/mediators/{med}")),
            "put_mediator" => with(
                Method::PUT,
                format!("/mediators/{med}"),
                json!({"capacity": 1000, "languages": ["en"]}),
            ),
            "set_availability" => with(
                Method::PUT,
                format!("/mediators/{med}/availability"),
                json!({"on_duty": true}),
            ),
            "list_conflicts" => get(format!("/mediators/{med}/conflicts")),
            "declare_conflict" | "withdraw_conflict" => {
                let stranger = self.stranger().await;
                let declare = post(
                    format!("/mediators/{med}/conflicts"),
                    json!({"user_id": stranger, "reason": "A cousin"}),
                );
                if op == "declare_conflict" {
                    return declare;
                }
                ok(&self.app, &c.admin, declare).await;
                delete(format!("/mediators/{med}/conflicts/{stranger}"))
            }
            "hand_over" => {
                // A case of a category assigned automatically, held by the
                // mediator: handing over gives it to the other mediator.
                let filed = (self.app)
                    .file_case(&c.complainant, &c.respondent, &self.auto)
                    .await;
                let case = filed["id"].as_str().unwrap();
                if filed["mediator"]["id"] != json!(med) {
                    let assign = json!({"mediator_id": med});
                    self.app.act_ok(&c.lead, case, "assign", assign).await;
                }
                post(format!("/mediators/{med}/hand_over"), json!({}))
            }
            "list_outbox" => get("/outbox".into()),
            "get_mail" => get(format!("/outbox/{}", self.failed_mail().await)),
            "retry_mail" => post(
                format!("/outbox/{}/retry", self.failed_mail().await),
                json!({}),
            ),
            "get_queue" => get("/queue".into()),
            "list_rules" => get("/rules".into()),
            "publish_rule" => post(
                "/rules".into(),
                json!({"code": format!("R-{}", fresh()), "title": {"en": "A rule"}, "text": {"en": "Be fair."}}),
            ),
            "get_rule" => get(format!("/rules/{}", self.rule)),
            "get_rule_version" => get(format!("/rules/{}/versions/1", self.rule)),
            "list_service_policies" => get("/service_policies".into()),
            "create_service_policy" | "put_service_policy" | "delete_service_policy" => {
                let body = json!({"slug": format!("cat-{}", fresh()), "name": "Billing"});
                let made = ok(&self.app, &c.admin, post("/categories".into(), body)).await;
                let policy = json!({"priority": "low", "first_response_minutes": 60,
                    "resolution_minutes": 600, "category": made["slug"]});
                if op == "create_service_policy" {
                    return post("/service_policies".into(), policy);
                }
                let id = self
                    .admin_made(post("/service_policies".into(), policy.clone()))
                    .await;
                match op {
                    "put_service_policy" => {
                        with(Method::PUT, format!("/service_policies/{id}"), policy)
                    }
                    _ => delete(format!("/service_policies/{id}")),
                }
            }
            "get_statistics" => get("/statistics".into()),
            "list_templates" => get("/templates".into()),
            "put_template" => template_put(&format!("t-{}", fresh())),
            "delete_template" => {
                let code = format!("t-{}", fresh());
                ok(&self.app, &c.admin, template_put(&code)).await;
                delete(format!("/templates/{code}"))
            }
            "list_triage_rules" => get("/triage_rules".into()),
            "create_triage_rule" | "put_triage_rule" | "delete_triage_rule" => {
                let rule = json!({"name": "Never matches", "conditions": {"keywords": ["zqxj-never"]},
                    "actions": {"add_tags": ["never"]}});
                if op == "create_triage_rule" {
                    return post("/triage_rules".into(), rule);
                }
                let id = self
                    .admin_made(post("/triage_rules".into(), rule.clone()))
                    .await;
                match op {
                    "put_triage_rule" => with(Method::PUT, format!("/triage_rules/{id}"), rule),
                    _ => delete(format!("/triage_rules/{id}")),
                }
            }
            "list_users" => get("/users".into()),
            "create_user" => post(
                "/users".into(),
                json!({"email": format!("new-{}@example.org", fresh()), "name": "New Member"}),
            ),
            "get_user" => get(format!("/users/{cmp}")),
            "update_user" => with(
                Method::PATCH,
                format!("/users/{cmp}"),
                json!({"language": "en"}),
            ),
            "export_user" => get(format!("/users/{cmp}/export")),
            "erase_user" => post(format!("/users/{}/erase", self.stranger().await), json!({})),
            "list_webhooks" => get("/webhooks".into()),
            "create_webhook" => post(
                "/webhooks".into(),
                json!({"url": "https://hooks.example.org/crm", "events": ["case_filed"]}),
            ),
            "get_webhook" => get(format!("/webhooks/{}", self.webhook().await)),
            "delete_webhook" => delete(format!("/webhooks/{}", self.webhook().await)),
            "update_webhook" => with(
                Method::PATCH,
                format!("/webhooks/{}", self.webhook().await),
                json!({"description": "Our CRM"}),
            ),
            "ping_webhook" => post(
                format!("/webhooks/{}/ping", self.webhook().await),
                json!({}),
            ),
            "list_deliveries" => get(format!("/webhooks/{}/deliveries", self.webhook().await)),
            "get_delivery" => {
                let (hook, id) = self.failed_delivery().await;
                get(format!("/webhooks/{hook}/deliveries/{id}"))
            }
            "retry_delivery" => {
                let (hook, id) = self.failed_delivery().await;
                post(format!("/webhooks/{hook}/deliveries/{id}/retry"), json!({}))
            }
            other => panic!("no fixture for `{other}`: add one to authz.rs and a row to MATRIX"),
        }
    }
}

/// The state each action is tried from (`proposed`: an investigation with
/// a settlement on the table).
fn action_state(op: &str) -> Option<&'static str> {
    Some(match op {
        "claim" => "intake",
        "assign" | "start_investigation" => "assigned",
        "request_info" | "propose_settlement" | "issue_ruling" | "dismiss" | "withdraw" => {
            "investigation"
        }
        "accept_settlement" | "reject_settlement" => "proposed",
        "accept_ruling" | "appeal" => "ruling",
        "decide_appeal" => "appeal",
        "close" => "follow_up",
        "reopen" => "closed",
        _ => return None,
    })
}

fn template_put(code: &str) -> Req {
    with(
        Method::PUT,
        format!("/templates/{code}"),
        json!({"name": "Ask for the tracking number",
            "bodies": {"en": "Dear {{ recipient_name }}, please send the tracking number."}}),
    )
}

fn upload(case: &str) -> Req {
    Req {
        method: Method::POST,
        path: format!("/cases/{case}/evidence"),
        body: Body::Upload,
        if_match: None,
    }
}

/// Signs `who` in once more; returns the new token and its id.
async fn sign_in(app: &TestApp, who: &TestUser) -> (String, String) {
    let req = post(
        "/auth/tokens".into(),
        json!({"email": who.email, "password": PASSWORD}),
    );
    let (status, issued) = send(app, None, &req).await;
    assert_eq!(status, 201, "sign in: {issued}");
    let id = issued["details"]["id"].as_str().unwrap().to_string();
    (issued["token"].as_str().unwrap().to_string(), id)
}

/// Sends `req` with `token`; returns the status and the body (JSON, or
/// null when it is not JSON).
async fn send(app: &TestApp, token: Option<&str>, req: &Req) -> (u16, Value) {
    let mut builder = app.client.request(req.method.clone(), app.url(&req.path));
    if let Some(token) = token {
        builder = builder.bearer_auth(token);
    }
    if let Some(etag) = &req.if_match {
        builder = builder.header("If-Match", etag);
    }
    builder = match &req.body {
        Body::Empty => builder,
        Body::Json(body) => builder.json(body),
        Body::Upload => {
            let part = Part::bytes(b"receipt for order 1234".to_vec())
                .file_name("receipt.txt")
                .mime_str("text/plain")
                .unwrap();
            let form = Form::new()
                .part("file", part)
                .text("visibility", "all_parties");
            builder.multipart(form)
        }
    };
    let res = builder.send().await.expect("request sent");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Sends `req` as `who`; it must succeed. Returns the body.
async fn ok(app: &TestApp, who: &TestUser, req: Req) -> Value {
    let (status, body) = send(app, Some(&who.token), &req).await;
    assert!(
        (200..300).contains(&status),
        "{} {}: {status} {body}",
        req.method,
        req.path
    );
    body
}

/// The SQL of [`World::fingerprint`], from the tables and columns of
/// `src/db/schema.rs`: one scan of each table.
fn fingerprint_sql() -> String {
    let schema = include_str!("../../src/db/schema.rs");
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for line in schema.lines().map(str::trim) {
        if let Some(head) = line.strip_suffix('{') {
            let name = head.split_whitespace().next().unwrap_or("");
            if !name.is_empty() && !name.contains('!') {
                tables.push((name.to_string(), vec!["CAST(count(*) AS TEXT)".into()]));
            }
            continue;
        }
        let (Some((column, kind)), Some((table, terms))) =
            (line.split_once("->"), tables.last_mut())
        else {
            continue;
        };
        let column = column.trim();
        if kind.contains("Nullable") {
            terms.push(format!("CAST(count({column}) AS TEXT)"));
        }
        if column == "updated_at" {
            terms.push("COALESCE(CAST(max(updated_at) AS TEXT), '-')".into());
        }
        if table == "cases" && column == "version" {
            terms.push("COALESCE(CAST(sum(version) AS TEXT), '-')".into());
        }
    }
    assert!(tables.len() > 20, "the schema was read: {tables:?}");
    let scans: Vec<String> = tables
        .iter()
        .map(|(table, terms)| format!("(SELECT {} FROM {table})", terms.join(" || ',' || ")))
        .collect();
    format!("SELECT {} AS fp", scans.join(" || ';' || "))
}

/// The operations of the served spec, in its order.
async fn operations(app: &TestApp) -> Vec<String> {
    let spec: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ops = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                ops.push(op["operationId"].as_str().unwrap().to_string());
            }
        }
    }
    ops
}

/// The matrix as written: operation → one status per principal.
fn written() -> BTreeMap<String, Vec<u16>> {
    let mut rows = BTreeMap::new();
    for line in MATRIX.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cells = line.split_whitespace();
        let op = cells.next().unwrap().to_string();
        let statuses: Vec<u16> = cells.map(|c| c.parse().expect("a status")).collect();
        assert_eq!(statuses.len(), PRINCIPALS.len(), "row {op}");
        assert!(
            rows.insert(op.clone(), statuses).is_none(),
            "two rows for {op}"
        );
    }
    rows
}

fn row(op: &str, statuses: &[u16]) -> String {
    let cells: Vec<String> = statuses.iter().map(|s| format!("{s:3}")).collect();
    format!("{op:24} {}", cells.join(" "))
}

#[tokio::test]
async fn every_operation_answers_every_principal_as_the_matrix_says() {
    on_each_backend(|app| async move {
        let ops = operations(&app).await;
        let rows = written();
        let served: BTreeSet<&String> = ops.iter().collect();
        let listed: BTreeSet<&String> = rows.keys().collect();
        let unlisted: Vec<_> = served.difference(&listed).collect();
        let gone: Vec<_> = listed.difference(&served).collect();
        let world = World::new(app).await;
        let mut observed = Vec::new();
        let mut wrong = Vec::new();
        for op in &ops {
            let mut statuses = Vec::new();
            let mut req = world.prepare(op).await;
            let mut before = world.fingerprint();
            for (i, (code, token)) in world.tokens.iter().enumerate() {
                let (status, body) = send(&world.app, token.as_deref(), &req).await;
                statuses.push(status);
                let expected = rows.get(op).map(|r| r[i]);
                if expected.is_some_and(|e| e != status) {
                    wrong.push(format!(
                        "{op} as {code}: {status}, not {expected:?}: {body}"
                    ));
                }
                if (200..300).contains(&status) {
                    // A draft is a read sent as POST.
                    if req.method != Method::GET && op != "draft_message" {
                        // So the fingerprint would see a write made by a refusal.
                        let after = world.fingerprint();
                        assert_ne!(after, before, "{op} as {code} succeeded but wrote nothing");
                        req = world.prepare(op).await;
                    }
                    // (A read may be recorded too: a download is.)
                    before = world.fingerprint();
                } else {
                    assert_eq!(
                        world.fingerprint(),
                        before,
                        "{op} as {code} was refused ({status}) yet changed the database"
                    );
                    assert_eq!(
                        body["status"], status,
                        "{op} as {code}: a problem+json body: {body}"
                    );
                }
            }
            observed.push(row(op, &statuses));
        }
        assert!(
            unlisted.is_empty() && gone.is_empty() && wrong.is_empty(),
            "operations without a row: {unlisted:?}\nrows without an operation: {gone:?}\n\
             answers that differ from the matrix:\n{}\n\nwhat was observed:\n{}",
            wrong.join("\n"),
            observed.join("\n")
        );
    })
    .await;
}
