//! Webhooks end to end: a real HTTP receiver on loopback, the app's own
//! delivery code run by the test (with the app's clock, moved forward
//! instead of sleeping), on each database.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use ombud::domain::Role;
use ombud::webhooks::signature;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, backends, problem, spawn_app_with};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    answered: u16,
}

impl Received {
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A webhook receiver on loopback that records every request and answers
/// with the status it is set to.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    answer: Arc<AtomicU16>,
    /// An event type answered 422 whatever `answer` says.
    refuse: Arc<Mutex<Option<String>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let got = Arc::new(Mutex::new(Vec::<Received>::new()));
        let answer = Arc::new(AtomicU16::new(200));
        let refuse = Arc::new(Mutex::new(None::<String>));
        let (g, a, r) = (got.clone(), answer.clone(), refuse.clone());
        let server = HttpServer::new(move || {
            let (g, a, r) = (g.clone(), a.clone(), r.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (g, a, r) = (g.clone(), a.clone(), r.clone());
                async move {
                    let kind = serde_json::from_slice::<Value>(&body)
                        .ok()
                        .map(|v| v["type"].clone());
                    let refused = r.lock().unwrap().clone();
                    let status = match (kind, refused) {
                        (Some(k), Some(t)) if k == json!(t) => 422,
                        _ => a.load(Ordering::SeqCst),
                    };
                    g.lock().unwrap().push(Received {
                        headers: req
                            .headers()
                            .iter()
                            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
                            .collect(),
                        body: body.to_vec(),
                        answered: status,
                    });
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                        .finish()
                }
            }))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            got,
            answer,
            refuse,
        }
    }

    fn refuse(&self, kind: &str) {
        *self.refuse.lock().unwrap() = Some(kind.to_string());
    }

    fn answer(&self, status: u16) {
        self.answer.store(status, Ordering::SeqCst);
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// What was taken (answered 2xx), in the order it arrived.
    fn taken(&self) -> Vec<Received> {
        self.got()
            .into_iter()
            .filter(|r| r.answered < 300)
            .collect()
    }
}

/// An app whose webhooks may go to this machine over http, an admin
/// signed in for days (these tests move the clock on by hours), the
/// people of a case, and a receiver.
struct Scene {
    app: TestApp,
    admin: TestUser,
    cast: Cast,
    receiver: Receiver,
}

async fn scene(backend: crate::helpers::Backend) -> Scene {
    let app = spawn_app_with(backend, |s| {
        s.webhook_allow_http = true;
        s.webhook_allow_private = true;
        s.webhook_retry_seconds = 30;
    })
    .await;
    let admin = app.user(Role::Admin).await;
    let cast = Cast::new(&app).await;
    Scene {
        app,
        admin,
        cast,
        receiver: Receiver::start().await,
    }
}

/// Files a case and gives it to the cast's mediator; returns its id.
async fn filed_and_assigned(app: &TestApp, cast: &Cast) -> String {
    let case = app
        .file_case(&cast.complainant, &cast.respondent, &cast.category)
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    let assign = json!({"mediator_id": cast.mediator.id});
    app.act_ok(&cast.lead, &id, "assign", assign).await;
    id
}

/// A scene with an endpoint on the receiver for filings and assignments,
/// and a case filed and assigned (its deliveries not sent yet); returns
/// the endpoint's id too.
async fn assigned_with_hook(backend: crate::helpers::Backend) -> (Scene, String) {
    let scene = scene(backend).await;
    let events = json!(["case_filed", "assign"]);
    let (hook, _) = register(&scene.app, &scene.admin, &scene.receiver.url, events, None).await;
    filed_and_assigned(&scene.app, &scene.cast).await;
    (scene, hook)
}

/// The JSON at `path`, read as `who`.
async fn read(app: &TestApp, who: &TestUser, path: &str) -> Value {
    let res = app.get(path, who).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

/// Registers an endpoint at `url` for `events` (as the admin); returns
/// its id and secret.
async fn register(
    app: &TestApp,
    admin: &TestUser,
    url: &str,
    events: Value,
    category: Option<&str>,
) -> (String, String) {
    let mut body = json!({"url": url, "events": events, "description": "test receiver"});
    if let Some(c) = category {
        body["category"] = json!(c);
    }
    let res = app.post("/webhooks", admin, body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/webhooks/{}", created["id"].as_str().unwrap())
    );
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    // The secret is shown once.
    let again: Value = app
        .get(
            &format!("/webhooks/{}", created["id"].as_str().unwrap()),
            admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(again.get("secret").is_none());
    (
        created["id"].as_str().unwrap().to_string(),
        created["secret"].as_str().unwrap().to_string(),
    )
}

/// Delivery rounds by a worker of the test's own (one per name in
/// `workers`, run at once), until a round of each sends nothing.
async fn deliver(app: &TestApp, allow_private: bool, workers: &[&str]) {
    let mut settings = app.settings.clone();
    settings.webhook_allow_private = allow_private;
    let settings = Arc::new(settings);
    let db = ombud::db::Db::connect(
        &settings.database_url,
        4,
        std::time::Duration::from_secs(10),
    )
    .unwrap();
    let sender = ombud::webhooks::sender::Sender::from_settings(&settings).unwrap();
    let (_keep, never) = tokio::sync::watch::channel(false);
    for _ in 0..50 {
        let rounds = workers.iter().map(|w| {
            ombud::jobs::webhooks::run_once(&db, &sender, &settings, &app.clock, w, &never)
        });
        let done = futures_util::future::join_all(rounds).await;
        if done.iter().all(|r| r.as_ref().unwrap().claimed == 0) {
            return;
        }
    }
    panic!("deliveries kept coming");
}

/// Every delivery of endpoint `id`, newest first.
async fn log(app: &TestApp, admin: &TestUser, id: &str) -> Vec<Value> {
    let page: Value = app
        .get(&format!("/webhooks/{id}/deliveries?limit=100"), admin)
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

fn verify(secret: &str, r: &Received, now: i64) -> Result<(), signature::Refused> {
    signature::verify(secret, &r.header("ombud-signature"), &r.body, now)
}

#[tokio::test]
async fn a_receiver_that_was_down_gets_every_event_signed_once_in_order_per_case() {
    for backend in backends() {
        let Scene {
            app,
            admin,
            cast,
            receiver,
        } = scene(backend).await;
        let (hook, secret) = register(&app, &admin, &receiver.url, json!(["*"]), None).await;
        receiver.answer(503);
        let mut cases = Vec::new();
        for _ in 0..3 {
            let case = app
                .file_case(&cast.complainant, &cast.respondent, &cast.category)
                .await;
            let id = case["id"].as_str().unwrap().to_string();
            app.investigate(&cast, &id).await;
            let msg = json!({"body": "Could you send the receipt?"});
            assert_eq!(
                app.post(&format!("/cases/{id}/messages"), &cast.mediator, msg)
                    .await
                    .status(),
                StatusCode::CREATED
            );
            cases.push(id);
        }
        // Down: each case's first event is tried, once; the rest wait behind it.
        deliver(&app, true, &["w1"]).await;
        let tried = receiver.got();
        assert_eq!(tried.len(), 3, "one attempt per case");
        assert!(tried.iter().all(|r| r.json()["type"] == "case_filed"));
        let first = &log(&app, &admin, &hook).await;
        assert!(first.iter().all(|d| d["status"] == "pending"));
        assert!(
            first
                .iter()
                .any(|d| d["attempts"] == 1 && d["last_status"] == 503)
        );
        // Still down after a while: probed once its delay is over, with
        // its oldest delivery only (a probe, not a flood).
        app.clock.advance(chrono::Duration::minutes(5));
        deliver(&app, true, &["w1"]).await;
        let tried = receiver.got();
        assert_eq!(tried.len(), 4);
        assert_eq!(
            tried[3].json()["case"]["id"],
            json!(cases[0]),
            "the oldest delivery (the first case's filing) again"
        );
        // Up again: two workers deliver everything, once, in order per case.
        receiver.answer(200);
        app.clock.advance(chrono::Duration::hours(2));
        deliver(&app, true, &["w1", "w2"]).await;
        let taken = receiver.taken();
        let now = app.clock.now().timestamp();
        let mut ids: Vec<String> = taken.iter().map(|r| r.header("ombud-event-id")).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), taken.len(), "each event taken once");
        for id in &cases {
            let timeline = app.timeline(&admin, id).await;
            let got: Vec<Value> = taken
                .iter()
                .map(Received::json)
                .filter(|e| e["case"]["id"] == json!(id))
                .collect();
            // The same entries as the timeline (staff's view), in its order.
            let entries: Vec<Value> = got.iter().map(|e| e["entry"].clone()).collect();
            assert_eq!(entries, timeline, "case {id}");
            for e in &got {
                assert_eq!(e["type"], e["entry"]["kind"]);
                assert_eq!(e["case"]["category"], json!(cast.category));
            }
        }
        for r in &taken {
            assert_eq!(
                verify(&secret, r, now),
                Ok(()),
                "a signed delivery verifies"
            );
            assert_eq!(
                r.header("ombud-event-type"),
                r.json()["type"].as_str().unwrap()
            );
            assert_eq!(r.header("ombud-webhook-id"), hook);
            assert_eq!(r.header("content-type"), "application/json");
        }
        // The log says the same: all delivered; the first of a case after three attempts.
        let done = log(&app, &admin, &hook).await;
        assert_eq!(done.len(), taken.len());
        assert!(done.iter().all(|d| d["status"] == "delivered"));
        let oldest = done.last().unwrap();
        let detail: Value = app
            .get(
                &format!("/webhooks/{hook}/deliveries/{}", oldest["id"]),
                &admin,
            )
            .await
            .json()
            .await
            .unwrap();
        let codes: Vec<Value> = detail["attempt_log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["status_code"].clone())
            .collect();
        assert_eq!(codes, vec![json!(503), json!(503), json!(200)]);
        assert_eq!(detail["payload"]["type"], "case_filed");
        let endpoint = read(&app, &admin, &format!("/webhooks/{hook}")).await;
        assert_eq!(endpoint["consecutive_failures"], 0);
        assert_eq!(endpoint["failing_since"], Value::Null);
    }
}

#[tokio::test]
async fn a_forged_a_tampered_or_a_replayed_delivery_does_not_verify() {
    for backend in backends() {
        let Scene {
            app,
            admin,
            receiver,
            ..
        } = scene(backend).await;
        let (hook, secret) =
            register(&app, &admin, &receiver.url, json!(["case_filed"]), None).await;
        let res = app
            .post(&format!("/webhooks/{hook}/ping"), &admin, json!(null))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        deliver(&app, true, &["w"]).await;
        let got = receiver.taken();
        assert_eq!(got.len(), 1);
        let ping = &got[0];
        assert_eq!(ping.json()["type"], "ping");
        let now = app.clock.now().timestamp();
        assert_eq!(verify(&secret, ping, now), Ok(()));
        // Another secret (a forger's), another body, an old delivery replayed.
        assert_eq!(
            verify("whsec_forged", ping, now),
            Err(signature::Refused::Mismatch)
        );
        let mut tampered = ping.clone();
        tampered.body = br#"{"type":"ping","case":{"id":"x"}}"#.to_vec();
        assert_eq!(
            verify(&secret, &tampered, now),
            Err(signature::Refused::Mismatch)
        );
        assert_eq!(
            verify(&secret, ping, now + 301),
            Err(signature::Refused::Stale)
        );
    }
}

#[tokio::test]
async fn an_endpoint_gets_only_the_types_and_category_it_asked_for() {
    for backend in backends() {
        let Scene {
            app,
            admin,
            cast,
            receiver,
        } = scene(backend).await;
        let other = app.category().await;
        register(
            &app,
            &admin,
            &receiver.url,
            json!(["assign", "case_filed", "assign"]),
            Some(&cast.category),
        )
        .await;
        let mine = app
            .file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        let theirs = app
            .file_case(&cast.complainant, &cast.respondent, &other)
            .await;
        for case in [&mine, &theirs] {
            app.investigate(&cast, case["id"].as_str().unwrap()).await;
        }
        deliver(&app, true, &["w"]).await;
        let got: Vec<(Value, Value)> = receiver
            .taken()
            .iter()
            .map(|r| (r.json()["type"].clone(), r.json()["case"]["id"].clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (json!("case_filed"), mine["id"].clone()),
                (json!("assign"), mine["id"].clone())
            ]
        );
    }
}

#[tokio::test]
async fn an_endpoint_failing_too_long_is_disabled_its_owner_mailed_and_nothing_is_lost() {
    for backend in backends() {
        let (
            Scene {
                app,
                admin,
                cast,
                receiver,
            },
            hook,
        ) = assigned_with_hook(backend).await;
        receiver.answer(500);
        // Failing for three days, tried at most hourly.
        for _ in 0..80 {
            deliver(&app, true, &["w"]).await;
            app.clock.advance(chrono::Duration::hours(1));
        }
        let endpoint = read(&app, &admin, &format!("/webhooks/{hook}")).await;
        assert_eq!(endpoint["status"], "disabled");
        assert!(
            endpoint["disabled_reason"]
                .as_str()
                .unwrap()
                .contains("answered 500"),
            "{endpoint}"
        );
        let attempts = receiver.got().len();
        assert!(
            (40..=80).contains(&attempts),
            "probed at most hourly: {attempts}"
        );
        assert!(
            receiver
                .got()
                .iter()
                .all(|r| r.json()["type"] == "case_filed"),
            "the case's second event waits"
        );
        let mails = app.count(&format!(
            "SELECT count(*) AS n FROM outbox WHERE template = 'webhook_disabled' AND recipient_email = '{}'",
            admin.email
        ));
        assert_eq!(mails, 1, "the owner is told once");
        // Disabled: nothing more is tried; both deliveries are held, and
        // so is an event that happens now.
        let later = app
            .file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        deliver(&app, true, &["w"]).await;
        assert_eq!(receiver.got().len(), attempts);
        let held = log(&app, &admin, &hook).await;
        assert_eq!(held.len(), 3);
        assert!(held.iter().all(|d| d["status"] == "held"), "{held:?}");
        // A ping is refused while it is disabled.
        let res = app
            .post(&format!("/webhooks/{hook}/ping"), &admin, json!(null))
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let enable = || async {
            let res = app
                .call(
                    Method::PATCH,
                    &format!("/webhooks/{hook}"),
                    Some(&admin),
                    Some(json!({"active": true})),
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
        };
        // Enabled while the receiver still fails: nothing is given up.
        enable().await;
        deliver(&app, true, &["w"]).await;
        let waiting = log(&app, &admin, &hook).await;
        assert!(
            waiting.iter().all(|d| d["status"] == "pending"),
            "{waiting:?}"
        );
        assert_eq!(
            receiver.got().len(),
            attempts + 2,
            "each case's first delivery, once"
        );
        // Fixed: everything goes, in order per case.
        receiver.answer(204);
        app.clock.advance(chrono::Duration::hours(2));
        deliver(&app, true, &["w"]).await;
        let got: Vec<(Value, Value)> = receiver
            .taken()
            .iter()
            .map(|r| (r.json()["type"].clone(), r.json()["case"]["id"].clone()))
            .collect();
        assert_eq!(got.len(), 3);
        let first: Vec<&Value> = got
            .iter()
            .filter(|(_, c)| *c != later["id"])
            .map(|(t, _)| t)
            .collect();
        assert_eq!(first, vec![&json!("case_filed"), &json!("assign")]);
        assert!(got.contains(&(json!("case_filed"), later["id"].clone())));
        let endpoint = read(&app, &admin, &format!("/webhooks/{hook}")).await;
        assert_eq!(endpoint["status"], "active");
        assert_eq!(endpoint["consecutive_failures"], 0);
    }
}

#[tokio::test]
async fn one_event_a_receiver_keeps_refusing_is_given_up_and_can_be_sent_again() {
    for backend in backends() {
        let (
            Scene {
                app,
                admin,
                receiver,
                ..
            },
            hook,
        ) = assigned_with_hook(backend).await;
        // The receiver refuses this case's filing; everything else it takes.
        receiver.refuse("case_filed");
        for _ in 0..80 {
            // Other events keep succeeding (pings), so the endpoint works.
            app.post(&format!("/webhooks/{hook}/ping"), &admin, json!(null))
                .await;
            deliver(&app, true, &["w"]).await;
            app.clock.advance(chrono::Duration::hours(1));
        }
        let deliveries = log(&app, &admin, &hook).await;
        let filed = deliveries
            .iter()
            .find(|d| d["event_type"] == "case_filed")
            .unwrap();
        assert_eq!(filed["status"], "failed", "{filed}");
        let assigned = deliveries
            .iter()
            .find(|d| d["event_type"] == "assign")
            .unwrap();
        assert_eq!(
            assigned["status"], "delivered",
            "the case's next event went on"
        );
        let endpoint = read(&app, &admin, &format!("/webhooks/{hook}")).await;
        assert_eq!(endpoint["status"], "active");
        // An admin sends it again; only a failed delivery can be.
        let retry = format!("/webhooks/{hook}/deliveries/{}/retry", filed["id"]);
        let res = app.post(&retry, &admin, json!(null)).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let copy = res.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/api/v1")
            .to_string();
        let res = app.post(&retry, &admin, json!(null)).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "sent again already");
        *receiver.refuse.lock().unwrap() = None;
        deliver(&app, true, &["w"]).await;
        let again = read(&app, &admin, &copy).await;
        assert_eq!(again["status"], "delivered");
        assert_eq!(again["event_id"], filed["event_id"], "the same event");
        assert!(again["id"].as_i64() > filed["id"].as_i64());
        let original = read(
            &app,
            &admin,
            &format!("/webhooks/{hook}/deliveries/{}", filed["id"]),
        )
        .await;
        assert_eq!(original["status"], "failed", "stays in the log as it was");
    }
}

#[tokio::test]
async fn urls_that_could_reach_this_machine_or_a_private_network_are_refused() {
    for backend in backends() {
        let app = spawn_app_with(backend, |s| s.webhook_allow_http = false).await;
        // Signed in for days: these tests move the clock on by hours.
        let admin = app.user(Role::Admin).await;
        let refused = [
            "http://hooks.example.org/x",
            "https://127.0.0.1/x",
            "https://127.0.0.1:8443/x",
            "https://10.0.0.5/x",
            "https://192.168.1.20/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://[::ffff:7f00:1]/x",
            "https://2130706433/x",
            "https://0x7f.1/x",
            "https://0177.0.0.1/x",
            "https://[2002:a00:1::1]/x",
            "https://localhost/x",
            "https://api.localhost/x",
            "https://user:pass@hooks.example.org/x",
            "https://hooks.example.org/x#frag",
            "ftp://hooks.example.org/x",
            "not a url",
            "",
        ];
        for url in refused {
            let res = app
                .post("/webhooks", &admin, json!({"url": url, "events": ["*"]}))
                .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
            let p = problem(res).await;
            assert_eq!(p["errors"][0]["field"], "url", "{url}: {p}");
        }
        for (events, why) in [
            (json!([]), "none"),
            (json!(["case_filed", "*"]), "* with others"),
            (json!(["case_filled"]), "unknown type"),
        ] {
            let res = app
                .post(
                    "/webhooks",
                    &admin,
                    json!({"url": "https://hooks.example.org/x", "events": events}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        }
        let res = app
            .post(
                "/webhooks",
                &admin,
                json!({"url": "https://hooks.example.org/x", "events": ["*"], "category": "nope"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let lead = app.user(Role::Lead).await;
        let res = app
            .post(
                "/webhooks",
                &lead,
                json!({"url": "https://hooks.example.org/x", "events": ["*"]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            app.get("/webhooks", &lead).await.status(),
            StatusCode::FORBIDDEN
        );
        let res = app
            .post(
                "/webhooks",
                &admin,
                json!({"url": "https://hooks.example.org/x", "events": ["*"]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(
            app.count("SELECT count(*) AS n FROM webhook_endpoints"),
            1,
            "nothing else was stored"
        );
    }
}

#[tokio::test]
async fn a_delivery_never_reaches_a_private_address_even_when_the_url_changes_its_meaning() {
    for backend in backends() {
        let app = spawn_app_with(backend, |s| s.webhook_allow_http = true).await;
        // Signed in for days: these tests move the clock on by hours.
        let admin = app.user(Role::Admin).await;
        let cast = Cast::new(&app).await;
        let receiver = Receiver::start().await;
        let (hook, _) = register(
            &app,
            &admin,
            "http://hooks.example.org/x",
            json!(["case_filed"]),
            None,
        )
        .await;
        // As if the name now pointed at this machine: the URL names the
        // receiver on loopback by address, then by a local name.
        let port = receiver
            .url
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        for (i, url) in [
            format!("http://127.0.0.1:{port}/hooks"),
            format!("http://localhost:{port}/hooks"),
        ]
        .iter()
        .enumerate()
        {
            app.sql(&format!(
                "UPDATE webhook_endpoints SET url = '{url}', retry_at = NULL, failures = 0"
            ));
            app.file_case(&cast.complainant, &cast.respondent, &cast.category)
                .await;
            app.clock.advance(chrono::Duration::hours(2));
            deliver(&app, false, &["w"]).await;
            let deliveries = log(&app, &admin, &hook).await;
            let last = &deliveries[deliveries.len() - 1 - i];
            let error = last["last_error"].as_str().unwrap_or_default();
            assert!(
                error.contains("public") || error.contains("this machine"),
                "{url}: {last}"
            );
        }
        assert!(receiver.got().is_empty(), "nothing reached the receiver");
    }
}

/// While no endpoint exists a filing skips the webhook statements (the
/// kept setup says so, `db::setup`); an endpoint added since, through the
/// API or by another process writing the table, gets the very next filing.
#[tokio::test]
async fn the_first_endpoint_gets_the_next_filing_whoever_added_it() {
    for backend in backends() {
        let Scene {
            app,
            admin,
            cast,
            receiver,
        } = scene(backend).await;
        let file = || app.file_case(&cast.complainant, &cast.respondent, &cast.category);
        let deliveries = || app.count("SELECT count(*) AS n FROM webhook_deliveries");
        file().await;
        assert_eq!(deliveries(), 0);
        let (hook, _) = register(&app, &admin, &receiver.url, json!(["case_filed"]), None).await;
        file().await;
        assert_eq!(
            log(&app, &admin, &hook).await.len(),
            1,
            "{backend:?}: added through the API"
        );
        let res = (app.call(
            Method::DELETE,
            &format!("/webhooks/{hook}"),
            Some(&admin),
            None,
        ))
        .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        file().await;
        assert_eq!(deliveries(), 0);
        let other = uuid::Uuid::now_v7();
        app.sql(&format!(
            "INSERT INTO webhook_endpoints (id, url, description, events, secret, status, \
             failures, created_by, created_at, updated_at) VALUES ('{other}', \
             'https://hooks.example.org/other', '', 'case_filed', 'whsec_other', 'active', 0, \
             '{}', '2026-12-06 12:00:00', '2026-12-06 12:00:00')",
            admin.id
        ));
        file().await;
        let sql =
            format!("SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = '{other}'");
        assert_eq!(app.count(&sql), 1, "{backend:?}: added by another process");
    }
}

#[tokio::test]
async fn endpoints_are_listed_changed_and_removed_with_their_deliveries() {
    for backend in backends() {
        let Scene {
            app,
            admin,
            cast,
            receiver,
        } = scene(backend).await;
        let (a, _) = register(&app, &admin, &receiver.url, json!(["*"]), None).await;
        let (b, _) = register(
            &app,
            &admin,
            "https://hooks.example.org/b",
            json!(["close"]),
            Some(&cast.category),
        )
        .await;
        let page = read(&app, &admin, "/webhooks?limit=1").await;
        assert_eq!(page["items"][0]["id"], json!(a));
        let next = page["next_cursor"].as_str().unwrap();
        let page = read(&app, &admin, &format!("/webhooks?limit=1&cursor={next}")).await;
        assert_eq!(page["items"][0]["id"], json!(b));
        assert_eq!(page["items"][0]["events"], json!(["close"]));
        assert_eq!(page["next_cursor"], Value::Null);
        let change = json!({"events": ["case_filed"], "category": null, "description": "CRM", "active": false});
        let res = app
            .call(
                Method::PATCH,
                &format!("/webhooks/{b}"),
                Some(&admin),
                Some(change),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let changed: Value = res.json().await.unwrap();
        assert_eq!(changed["events"], json!(["case_filed"]));
        assert_eq!(changed["category_id"], Value::Null);
        assert_eq!(changed["status"], "disabled");
        assert_eq!(changed["disabled_reason"], "disabled by an admin");
        // A disabled endpoint gets no deliveries written.
        app.file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        let held = log(&app, &admin, &b).await;
        assert_eq!(held.len(), 1);
        assert_eq!(
            held[0]["status"], "held",
            "a disabled endpoint's deliveries wait"
        );
        assert!(!log(&app, &admin, &a).await.is_empty());
        let res = app
            .call(
                Method::DELETE,
                &format!("/webhooks/{a}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            app.get(&format!("/webhooks/{a}"), &admin).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/webhooks/{a}/deliveries"), &admin)
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.count("SELECT count(*) AS n FROM webhook_deliveries"),
            1,
            "only the other endpoint's"
        );
        let res = app
            .call(
                Method::DELETE,
                &format!("/webhooks/{a}"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_log_forgets_finished_deliveries_after_its_days_and_keeps_waiting_ones() {
    for backend in backends() {
        let Scene {
            app,
            admin,
            cast,
            receiver,
        } = scene(backend).await;
        let (hook, _) = register(&app, &admin, &receiver.url, json!(["case_filed"]), None).await;
        app.file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        deliver(&app, true, &["w"]).await;
        receiver.answer(503);
        let res = app
            .post(&format!("/webhooks/{hook}/ping"), &admin, json!(null))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        deliver(&app, true, &["w"]).await;
        let statuses =
            |log: Vec<Value>| -> Vec<Value> { log.iter().map(|d| d["status"].clone()).collect() };
        assert_eq!(
            statuses(log(&app, &admin, &hook).await),
            vec![json!("pending"), json!("delivered")]
        );
        let db = ombud::db::Db::connect(
            &app.settings.database_url,
            1,
            std::time::Duration::from_secs(10),
        )
        .unwrap();
        let prune = |days: i64| {
            let (settings, now) = (
                app.settings.clone(),
                app.clock.now() + chrono::Duration::days(days),
            );
            let db = db.clone();
            async move {
                db.write(move |conn| ombud::jobs::webhooks::prune(conn, &settings, now))
                    .await
                    .unwrap()
            }
        };
        assert_eq!(prune(29).await, 0, "younger than webhook_log_days");
        assert_eq!(prune(31).await, 1);
        assert_eq!(
            statuses(log(&app, &admin, &hook).await),
            vec![json!("pending")]
        );
        assert_eq!(
            app.count("SELECT count(*) AS n FROM webhook_attempts"),
            1,
            "the pending ping's attempt stays; the delivered one's went with it"
        );
    }
}

#[tokio::test]
async fn a_claim_whose_worker_stopped_is_sent_by_another_and_the_late_answer_changes_nothing() {
    for backend in backends() {
        let (
            Scene {
                app,
                admin,
                receiver,
                ..
            },
            hook,
        ) = assigned_with_hook(backend).await;
        let settings = Arc::new(app.settings.clone());
        let db = ombud::db::Db::connect(
            &settings.database_url,
            2,
            std::time::Duration::from_secs(10),
        )
        .unwrap();
        // Worker "gone" claims the case's first delivery and stops there.
        let (s, c) = (settings.clone(), app.clock.clone());
        let claimed = db
            .write(move |conn| ombud::jobs::webhooks::claim(conn, "gone", &s, &c))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1, "only the first of the case is in line");
        // While its lease runs, nobody else sends it, nor the case's next event.
        deliver(&app, true, &["w"]).await;
        assert!(receiver.got().is_empty());
        // The lease runs out: another worker sends both, in order.
        app.clock.advance(chrono::Duration::hours(1));
        deliver(&app, true, &["w"]).await;
        let types: Vec<Value> = receiver
            .taken()
            .iter()
            .map(|r| r.json()["type"].clone())
            .collect();
        assert_eq!(types, vec![json!("case_filed"), json!("assign")]);
        // The stopped worker comes back with an answer: it is not its claim any more.
        let (s, out, now) = (settings.clone(), claimed[0].clone(), app.clock.now());
        let failed = ombud::webhooks::sender::Attempt {
            status: Some(500),
            error: Some("the receiver answered 500".into()),
            duration_ms: 1,
        };
        db.write(move |conn| {
            ombud::jobs::webhooks::settle(conn, "gone", &s, &out, &failed, now, now)
        })
        .await
        .unwrap();
        let deliveries = log(&app, &admin, &hook).await;
        assert!(
            deliveries.iter().all(|d| d["status"] == "delivered"),
            "{deliveries:?}"
        );
        let endpoint = read(&app, &admin, &format!("/webhooks/{hook}")).await;
        assert_eq!(endpoint["consecutive_failures"], 0);
    }
}
