//! Spawning the app on a fresh database per test, and builders for users,
//! categories and cases in every state.

use std::future::Future;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use ombud::config::Settings;
use ombud::db::Db;
use ombud::domain::{Role, Scope, UserId};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery staple";

/// Which database a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `OMBUD_TEST_POSTGRES_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        b.push(Backend::Postgres);
    }
    b
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("OMBUD_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A database made for one test and removed afterwards.
pub struct TestDb {
    pub url: String,
    backend: Backend,
    name: String,
}

impl TestDb {
    pub fn create(backend: Backend) -> TestDb {
        let name = format!("ombud_test_{}", uuid::Uuid::new_v4().simple());
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                TestDb {
                    url: format!("sqlite://{}", path.display()),
                    backend,
                    name,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("OMBUD_TEST_POSTGRES_URL");
                let mut conn = PgConnection::establish(&admin).expect("connect to PostgreSQL");
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let base = admin.split('?').next().unwrap_or(&admin);
                let base = &base[..base.rfind('/').expect("URL has a path")];
                TestDb {
                    url: format!("{base}/{name}"),
                    backend,
                    name,
                }
            }
        }
    }

    /// Drops the database now (also done on drop).
    pub fn destroy(&self) {
        let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("{}-mail", self.name)));
        match self.backend {
            Backend::Sqlite => {
                let path = self.url.trim_start_matches("sqlite://").to_string();
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            Backend::Postgres => {
                if let Some(admin) = postgres_admin_url()
                    && let Ok(mut conn) = PgConnection::establish(&admin)
                {
                    let _ = conn.batch_execute(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.name
                    ));
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.destroy();
    }
}

/// A running app and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub db: TestDb,
    pub admin: TestUser,
    pub settings: Settings,
}

/// A user with a token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub token: String,
    pub role: Role,
}

/// Default settings for tests: port 0, no background jobs.
pub fn test_settings(db: &TestDb) -> Settings {
    Settings {
        database_url: db.url.clone(),
        bind: "127.0.0.1:0".into(),
        db_pool_size: 4,
        db_timeout_seconds: 5,
        http_workers: 2,
        run_jobs: false,
        mail_dir: std::env::temp_dir()
            .join(format!("{}-mail", db.name))
            .display()
            .to_string(),
        ..Settings::default()
    }
}

/// Spawns the app on `backend` with default test settings.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Spawns the app on a fresh database, with settings adjusted by `tweak`,
/// and an admin made the way `ombud users create` makes one.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(TestDb::create(backend), tweak).await
}

/// Spawns the app on a database a test has prepared.
pub async fn spawn_app_on(db: TestDb, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let backend = db.backend;
    let mut settings = test_settings(&db);
    tweak(&mut settings);
    let app = ombud::startup::Application::build(settings.clone()).expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let admin = bootstrap_admin(&settings).await;
    TestApp {
        address,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client"),
        backend,
        db,
        admin,
        settings,
    }
}

async fn bootstrap_admin(settings: &Settings) -> TestUser {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || {
        let db = Db::connect(&settings.database_url, 1, Duration::from_secs(5)).expect("db");
        db.write_blocking(|conn| {
            let email = ombud::domain::parse::Email::parse("root@example.org").expect("email");
            let row = ombud::accounts::users::insert(
                conn,
                ombud::accounts::users::UserInput {
                    email,
                    name: "Root Admin".into(),
                    role: Role::Admin,
                    language: "en".into(),
                    password_hash: None,
                },
                chrono::Utc::now(),
            )?;
            let id = UserId::from_db(&row.id).expect("id");
            let token = ombud::accounts::tokens::issue(
                conn,
                ombud::accounts::tokens::Grant {
                    user: id,
                    created_by: id,
                    name: "test".into(),
                    kind: ombud::accounts::tokens::TokenKind::Personal,
                    scopes: &Scope::ALL,
                    lifetime: chrono::Duration::hours(1),
                },
                chrono::Utc::now(),
            )?;
            Ok(TestUser {
                id: row.id,
                email: row.email,
                token: token.token,
                role: Role::Admin,
            })
        })
        .expect("bootstrap admin")
    })
    .await
    .expect("join")
}

/// Runs `test` once per backend, each on its own fresh app.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in backends() {
        test(spawn_app(backend).await).await;
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    /// Sends a request as `user` (or anonymously) with an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        user: Option<&TestUser>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(u) = user {
            req = req.bearer_auth(&u.token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, user: &TestUser) -> Response {
        self.call(Method::GET, path, Some(user), None).await
    }

    pub async fn post(&self, path: &str, user: &TestUser, body: Value) -> Response {
        self.call(Method::POST, path, Some(user), Some(body)).await
    }

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

    /// Takes an action and returns the response.
    pub async fn act(&self, user: &TestUser, case_id: &str, action: &str, body: Value) -> Response {
        self.post(&format!("/cases/{case_id}/actions/{action}"), user, body)
            .await
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

    /// The case as `user` sees it.
    pub async fn case(&self, user: &TestUser, case_id: &str) -> Value {
        let res = self.get(&format!("/cases/{case_id}"), user).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("json")
    }

    /// Runs SQL on the app's database directly (to set up what the API
    /// cannot, such as time having passed).
    pub fn sql(&self, sql: &str) {
        let url = self.db.url.clone();
        let conn = ombud::db::Manager::new(&url, Duration::from_secs(5)).expect("manager");
        let mut c = conn.open().expect("open");
        c.batch_execute(sql).expect("sql");
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
        }
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
        "issue_ruling" => json!({"outcome": "upheld", "rationale": "Paid and not delivered."}),
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

/// Reads a problem+json body, checking the content type.
pub async fn problem(res: Response) -> Value {
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        ct.starts_with("application/problem+json"),
        "content type {ct}"
    );
    res.json().await.expect("problem json")
}
