//! Users, categories and cases built through the API: the cast of a case,
//! a valid body for each action, and a case driven into any state.

use ombud::domain::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::app::{TestApp, TestUser};

/// The password of every user [`TestApp::user`] makes.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Creates a user through the admin API and signs them in.
    pub async fn user(&self, role: Role) -> TestUser {
        let email = format!(
            "{}-{}@example.org",
            role.as_str(),
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let res = self
            .post(
                "/users",
                &self.admin.clone(),
                json!({"email": email, "name": format!("A {}", role.as_str()), "role": role, "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "create user: {}",
            res.text().await.unwrap_or_default()
        );
        let user: Value = res.json().await.expect("json");
        let token = self.sign_in(&email, PASSWORD).await;
        TestUser {
            id: user["id"].as_str().expect("id").into(),
            email,
            token,
            role,
        }
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let res = self
            .call(
                Method::POST,
                "/auth/tokens",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_string()
    }

    /// Creates a category and returns its slug.
    pub async fn category(&self) -> String {
        let slug = format!("cat-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let res = self
            .post(
                "/categories",
                &self.admin.clone(),
                json!({"slug": slug, "name": "Delivery", "default_priority": "high"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        slug
    }

    /// The templates of the mail written about `case`, with the recipient
    /// (read by `admin` from the outbox).
    pub async fn mails_about(&self, admin: &TestUser, case: &str) -> Vec<(String, String)> {
        let list: Value = self
            .get(&format!("/outbox?case_id={case}&limit=100"), admin)
            .await
            .json()
            .await
            .expect("outbox");
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|m| {
                (
                    m["template"].as_str().unwrap_or_default().to_string(),
                    m["recipient_email"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect()
    }

    /// Creates a category whose cases are assigned automatically; returns its slug.
    pub async fn auto_category(&self) -> String {
        let slug = format!("auto-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let res = self
            .post(
                "/categories",
                &self.admin.clone(),
                json!({"slug": slug, "name": "Auto", "auto_assign": true}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let view: Value = res.json().await.expect("category");
        assert_eq!(view["auto_assign"], true);
        slug
    }

    /// Files a case by `complainant` against `respondent` and returns its JSON.
    pub async fn file_case(
        &self,
        complainant: &TestUser,
        respondent: &TestUser,
        category: &str,
    ) -> Value {
        let res = self
            .post(
                "/cases",
                complainant,
                json!({
                    "title": "Order never arrived",
                    "description": "I paid and nothing came.",
                    "category": category,
                    "respondent": {"user_id": respondent.id},
                }),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "file case: {}",
            res.text().await.unwrap_or_default()
        );
        res.json().await.expect("json")
    }

    /// The bodies of the messages on `case` that `who` reads, oldest first
    /// (`query`: the list's parameters, such as `thread=complainant`).
    pub async fn bodies(&self, who: &TestUser, case: &str, query: &str) -> Vec<String> {
        let res = self
            .get(&format!("/cases/{case}/messages?limit=100&{query}"), who)
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{query}");
        let page: Value = res.json().await.expect("json");
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|m| m["body"].as_str().expect("body").to_string())
            .collect()
    }

    /// Posts a message as `who` on `case` to `visibility` (which must succeed).
    pub async fn message(&self, who: &TestUser, case: &str, body: &str, visibility: &str) {
        let res = self
            .post(
                &format!("/cases/{case}/messages"),
                who,
                json!({"body": body, "visibility": visibility}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    }

    /// Takes an action and returns the response.
    pub async fn act(&self, user: &TestUser, case_id: &str, action: &str, body: Value) -> Response {
        self.post(&format!("/cases/{case_id}/actions/{action}"), user, body)
            .await
    }

    /// Gives case `id` to the cast's mediator and starts the investigation.
    pub async fn investigate(&self, cast: &Cast, id: &str) {
        let assign = json!({"mediator_id": cast.mediator.id});
        self.act_ok(&cast.lead, id, "assign", assign).await;
        self.act_ok(&cast.mediator, id, "start_investigation", json!({}))
            .await;
    }

    /// Takes an action that must succeed; returns the case after it.
    pub async fn act_ok(&self, user: &TestUser, case_id: &str, action: &str, body: Value) -> Value {
        let res = self.act(user, case_id, action, body).await;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(
            status,
            StatusCode::OK,
            "{action} by {:?}: {text}",
            user.role
        );
        serde_json::from_str(&text).expect("json")
    }

    /// Takes an action with no body and the given `If-Match` header.
    pub async fn act_if_match(
        &self,
        user: &TestUser,
        case_id: &str,
        action: &str,
        if_match: &str,
    ) -> Response {
        self.client
            .post(self.url(&format!("/cases/{case_id}/actions/{action}")))
            .bearer_auth(&user.token)
            .header("If-Match", if_match)
            .send()
            .await
            .expect("request sent")
    }

    /// Takes an action naming the version just read (`If-Match`), as a
    /// careful client does; it must succeed. Returns the case after it.
    pub async fn act_as_read(
        &self,
        user: &TestUser,
        case_id: &str,
        action: &str,
        body: Value,
    ) -> Value {
        let res = self.get(&format!("/cases/{case_id}"), user).await;
        let etag = res
            .headers()
            .get("etag")
            .expect("an ETag")
            .to_str()
            .unwrap()
            .to_string();
        let res = self
            .client
            .post(self.url(&format!("/cases/{case_id}/actions/{action}")))
            .bearer_auth(&user.token)
            .header("If-Match", etag)
            .json(&body)
            .send()
            .await
            .expect("request sent");
        assert_eq!(res.status(), StatusCode::OK, "{action} by {:?}", user.role);
        res.json().await.expect("json")
    }

    /// The first 100 timeline entries of a case as `user` sees them.
    pub async fn timeline(&self, user: &TestUser, case_id: &str) -> Vec<Value> {
        let res = self
            .get(&format!("/cases/{case_id}/timeline?limit=100"), user)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.expect("json");
        page["items"].as_array().expect("items").clone()
    }

    /// The case as `user` sees it.
    pub async fn case(&self, user: &TestUser, case_id: &str) -> Value {
        let res = self.get(&format!("/cases/{case_id}"), user).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("json")
    }
}

/// Everyone a case can involve.
pub struct Cast {
    pub complainant: TestUser,
    pub respondent: TestUser,
    pub mediator: TestUser,
    pub other_mediator: TestUser,
    pub lead: TestUser,
    pub admin: TestUser,
    pub member: TestUser,
    pub category: String,
    /// The rules a ruling cites (an upheld complaint must cite one once
    /// any is published).
    pub rules_cited: Vec<String>,
}

impl Cast {
    pub async fn new(app: &TestApp) -> Cast {
        Cast {
            complainant: app.user(Role::Member).await,
            respondent: app.user(Role::Member).await,
            mediator: app.user(Role::Mediator).await,
            other_mediator: app.user(Role::Mediator).await,
            lead: app.user(Role::Lead).await,
            admin: app.admin.clone(),
            member: app.user(Role::Member).await,
            category: app.category().await,
            rules_cited: Vec::new(),
        }
    }

    /// Turns off the lead and the admin's mail about cases waiting for a
    /// lead, for tests that count mail of other kinds.
    pub async fn quiet_desk(&self, app: &TestApp) {
        for user in [&self.lead, &self.admin] {
            let res = app
                .call(
                    reqwest::Method::PATCH,
                    &format!("/users/{}", user.id),
                    Some(user),
                    Some(json!({"desk_mail": "off"})),
                )
                .await;
            assert_eq!(res.status(), reqwest::StatusCode::OK);
        }
    }

    /// Gives `who` a mediator profile (`PUT /mediators/{id}`, as the admin).
    pub async fn give_profile(&self, app: &TestApp, who: &TestUser, profile: Value) -> Value {
        let res = app
            .call(
                reqwest::Method::PUT,
                &format!("/mediators/{}", who.id),
                Some(&self.admin),
                Some(profile),
            )
            .await;
        assert_eq!(
            res.status(),
            reqwest::StatusCode::OK,
            "profile of {}",
            who.email
        );
        res.json().await.expect("profile")
    }

    /// The personas of the matrix, by name.
    pub fn personas(&self) -> Vec<(&'static str, &TestUser)> {
        vec![
            ("complainant", &self.complainant),
            ("respondent", &self.respondent),
            ("assigned_mediator", &self.mediator),
            ("other_mediator", &self.other_mediator),
            ("lead", &self.lead),
            ("admin", &self.admin),
            ("member", &self.member),
        ]
    }
}

/// A valid body for each action, for the cast.
pub fn body_for(action: &str, cast: &Cast) -> Value {
    let deadline = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    match action {
        "assign" => json!({"mediator_id": cast.other_mediator.id}),
        "request_info" => {
            json!({"party": "complainant", "question": "Which order?", "deadline": deadline})
        }
        "propose_settlement" => json!({"terms": "Full refund."}),
        "issue_ruling" => json!({"outcome": "upheld", "rationale": "Paid and not delivered.",
            "rules_cited": cast.rules_cited}),
        "appeal" => json!({"grounds": "The receipt was ignored."}),
        "decide_appeal" => {
            json!({"decision": "uphold", "rationale": "The receipt is for another parcel."})
        }
        "reopen" => json!({"reason": "The refund never came."}),
        "dismiss" => json!({"reason": "other", "detail": "Not for us."}),
        _ => json!({}),
    }
}

/// Files a case and drives it into `state` through the API; returns its id.
pub async fn case_in(app: &TestApp, cast: &Cast, state: &str) -> String {
    let case = app
        .file_case(&cast.complainant, &cast.respondent, &cast.category)
        .await;
    let id = case["id"].as_str().expect("id").to_string();
    let assign = json!({"mediator_id": cast.mediator.id});
    let path: &[(&TestUser, &str, Value)] = match state {
        "intake" => &[],
        "assigned" => &[(&cast.lead, "assign", assign)],
        "investigation" => &[
            (&cast.lead, "assign", assign),
            (&cast.mediator, "start_investigation", json!({})),
        ],
        "ruling" | "appeal" | "follow_up" | "closed" => &[
            (&cast.lead, "assign", assign),
            (&cast.mediator, "start_investigation", json!({})),
            (
                &cast.mediator,
                "issue_ruling",
                body_for("issue_ruling", cast),
            ),
        ],
        "withdrawn" => &[(&cast.complainant, "withdraw", json!({}))],
        "dismissed" => &[(&cast.lead, "dismiss", body_for("dismiss", cast))],
        other => panic!("no recipe for {other}"),
    };
    for (who, action, body) in path {
        app.act_ok(who, &id, action, body.clone()).await;
    }
    match state {
        "appeal" => {
            app.act_ok(&cast.complainant, &id, "appeal", body_for("appeal", cast))
                .await;
        }
        "follow_up" | "closed" => {
            app.act_ok(&cast.complainant, &id, "accept_ruling", json!({}))
                .await;
            app.act_ok(&cast.respondent, &id, "accept_ruling", json!({}))
                .await;
            if state == "closed" {
                app.act_ok(&cast.mediator, &id, "close", json!({})).await;
            }
        }
        _ => {}
    }
    let case = app.case(&cast.lead, &id).await;
    assert_eq!(case["state"], state, "recipe for {state}");
    id
}
