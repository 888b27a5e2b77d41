//! Security at the edge: throttled sign-in, security headers, CORS.

use ombud::domain::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, backends, problem, spawn_app_with};

async fn sign_in_from(app: &TestApp, email: &str, password: &str, from: Option<&str>) -> Response {
    let mut req = app
        .client
        .post(app.url("/auth/tokens"))
        .json(&json!({"email": email, "password": password}));
    if let Some(address) = from {
        req = req.header("X-Forwarded-For", address);
    }
    req.send().await.expect("request sent")
}

/// The status, `Retry-After` and problem of a sign-in.
async fn outcome(res: Response) -> (StatusCode, Option<String>, Value) {
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, problem(res).await)
}

#[tokio::test]
async fn failed_sign_ins_make_an_email_wait_whether_or_not_it_has_an_account() {
    for backend in backends() {
        // Only the account's count in play here: the client's is generous.
        let app = spawn_app_with(backend, |s| s.sign_in_address_failures = 1000).await;
        let ann = app.user(Role::Member).await;
        let mut seen = Vec::new();
        for email in [ann.email.as_str(), "nobody@example.org"] {
            let mut statuses = Vec::new();
            // Five failures are free; the sixth makes the email wait 1 s.
            for _ in 0..6 {
                let (status, retry, _) =
                    outcome(sign_in_from(&app, email, "wrong guess", None).await).await;
                assert_eq!(retry, None);
                statuses.push(status);
            }
            assert_eq!(statuses, vec![StatusCode::UNAUTHORIZED; 6], "{email}");
            // While it waits, even the right password is refused unchecked.
            let waiting = outcome(sign_in_from(&app, email, PASSWORD, None).await).await;
            assert_eq!(waiting.0, StatusCode::TOO_MANY_REQUESTS, "{email}");
            assert_eq!(waiting.1.as_deref(), Some("1"));
            assert_eq!(waiting.2["type"], "urn:ombud:problem:too-many-attempts");
            seen.push(waiting);
        }
        assert_eq!(
            seen[0], seen[1],
            "a known and an unknown email must wait alike"
        );

        // Past the wait the next failure doubles it; the right password
        // after that wait is let in, and forgets the failures.
        app.clock.advance(chrono::Duration::seconds(1));
        let (status, _, _) =
            outcome(sign_in_from(&app, &ann.email, "wrong again", None).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, retry, _) =
            outcome(sign_in_from(&app, &ann.email, PASSWORD, None).await).await;
        assert_eq!(
            (status, retry.as_deref()),
            (StatusCode::TOO_MANY_REQUESTS, Some("2"))
        );
        app.clock.advance(chrono::Duration::seconds(2));
        let res = sign_in_from(&app, &ann.email, PASSWORD, None).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        for _ in 0..5 {
            let res = sign_in_from(&app, &ann.email, "wrong after success", None).await;
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "the count starts over"
            );
        }
        // The other email still waits (its 1 s was up, but its count stays).
        let (status, _, _) =
            outcome(sign_in_from(&app, "nobody@example.org", "x", None).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, retry, _) =
            outcome(sign_in_from(&app, "nobody@example.org", "x", None).await).await;
        assert_eq!(
            (status, retry.as_deref()),
            (StatusCode::TOO_MANY_REQUESTS, Some("2"))
        );

        // Failures are forgotten once the window has passed without one.
        app.clock.advance(chrono::Duration::minutes(61));
        let res = sign_in_from(&app, "nobody@example.org", "x", None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = sign_in_from(&app, "nobody@example.org", "x", None).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "a new window, free failures again"
        );
        assert!(
            app.count("SELECT COUNT(*) AS n FROM sign_in_throttle WHERE locked_until IS NOT NULL")
                <= 1
        );
    }
}

#[tokio::test]
async fn a_client_address_waits_after_its_failures_whatever_the_emails() {
    for backend in backends() {
        let app = spawn_app_with(backend, |s| {
            s.proxy_hops = 1;
            s.sign_in_address_failures = 3;
        })
        .await;
        let ann = app.user(Role::Member).await;
        let guesser = Some("203.0.113.5");
        for (i, status) in [401, 401, 401, 401, 429].into_iter().enumerate() {
            let res = sign_in_from(&app, &format!("guess{i}@example.org"), "pw", guesser).await;
            assert_eq!(res.status().as_u16(), status, "guess {i}");
        }
        // The address waits even for an account of its own…
        let res = sign_in_from(&app, &ann.email, PASSWORD, guesser).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        // …but not another client (one address per client, as the proxy
        // tells it), nor the same one's neighbours in IPv4.
        for other in ["198.51.100.7", "203.0.113.6"] {
            let res = sign_in_from(&app, &ann.email, PASSWORD, Some(other)).await;
            assert_eq!(res.status(), StatusCode::CREATED, "{other}");
        }
        // An IPv6 client is its /64: a neighbour in it waits too.
        let v6 = Some("2001:db8:7:1::10");
        for i in 0..4 {
            let res = sign_in_from(&app, &format!("v6-{i}@example.org"), "pw", v6).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
        let res = sign_in_from(&app, &ann.email, PASSWORD, Some("2001:db8:7:1:ffff::2")).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        // Nothing identifying is kept: the keys are digests.
        assert_eq!(
            app.count("SELECT COUNT(*) AS n FROM sign_in_throttle WHERE key LIKE '%203.0.113%' OR key LIKE '%example.org%'"),
            0
        );
    }
}

#[tokio::test]
async fn without_a_proxy_a_forged_forwarded_for_changes_nothing() {
    for backend in backends() {
        let app = spawn_app_with(backend, |s| s.sign_in_address_failures = 2).await;
        let ann = app.user(Role::Member).await;
        for i in 0..3 {
            // Each claims another address; the peer is the client all the same.
            let forged = format!("192.0.2.{i}");
            let res = sign_in_from(&app, &format!("g{i}@example.org"), "pw", Some(&forged)).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
        let res = app
            .call(
                Method::POST,
                "/auth/tokens",
                None,
                Some(json!({"email": ann.email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}

fn header<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_no_cors_by_default() {
    for backend in backends() {
        let app = spawn_app_with(backend, |_| {}).await;
        let admin = app.admin.clone();
        let origin = "https://app.example.org";
        let answers = [
            (
                "GET /me",
                app.client.get(app.url("/me")).bearer_auth(&admin.token),
            ),
            ("401", app.client.get(app.url("/me"))),
            ("no route", app.client.get(app.url("/nowhere"))),
            (
                "bad json",
                app.client
                    .post(app.url("/categories"))
                    .bearer_auth(&admin.token)
                    .body("{"),
            ),
        ];
        for (what, req) in answers {
            let res = req.header("Origin", origin).send().await.unwrap();
            assert_eq!(
                header(&res, "x-content-type-options"),
                Some("nosniff"),
                "{what}"
            );
            assert_eq!(header(&res, "x-frame-options"), Some("DENY"), "{what}");
            assert_eq!(
                header(&res, "referrer-policy"),
                Some("no-referrer"),
                "{what}"
            );
            assert_eq!(header(&res, "cache-control"), Some("no-store"), "{what}");
            assert_eq!(
                header(&res, "content-security-policy"),
                Some(ombud::routes::security::API_POLICY),
                "{what}"
            );
            assert_eq!(header(&res, "access-control-allow-origin"), None, "{what}");
            assert_eq!(header(&res, "strict-transport-security"), None, "{what}");
        }
        // A preflight is not answered as CORS: the browser will refuse.
        let res = app
            .client
            .request(Method::OPTIONS, app.url("/cases"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&res, "access-control-allow-origin"), None);
        // The docs page gets a policy that lets the vendored Swagger UI run.
        let res = app
            .client
            .get(format!("{}/docs/", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            header(&res, "content-security-policy"),
            Some(ombud::routes::security::DOCS_POLICY)
        );
        let page = res.text().await.unwrap();
        assert!(
            !page.contains("<script>") && !page.contains("<style"),
            "no inline code: {page}"
        );
        // The spec is public and may be cached; the headers are there all the same.
        let res = app
            .client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(header(&res, "cache-control"), None);
        assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
    }
}

#[tokio::test]
async fn hsts_only_when_a_believed_proxy_says_tls() {
    for backend in backends() {
        for (hops, proto, expected) in [
            (0, "https", None),
            (1, "http", None),
            (1, "https", Some("max-age=31536000")),
        ] {
            let app = spawn_app_with(backend, |s| s.proxy_hops = hops).await;
            let res = app
                .client
                .get(format!("{}/health", app.address))
                .header("X-Forwarded-Proto", proto)
                .send()
                .await
                .unwrap();
            assert_eq!(
                header(&res, "strict-transport-security"),
                expected,
                "{hops} {proto}"
            );
        }
        let app = spawn_app_with(backend, |s| {
            s.proxy_hops = 1;
            s.hsts_max_age_seconds = 0;
        })
        .await;
        let res = app
            .client
            .get(format!("{}/health", app.address))
            .header("X-Forwarded-Proto", "https")
            .send()
            .await
            .unwrap();
        assert_eq!(header(&res, "strict-transport-security"), None);
    }
}

#[tokio::test]
async fn cors_answers_the_allowed_origins_only() {
    for backend in backends() {
        let allowed = "https://app.example.org";
        let app = spawn_app_with(backend, |s| {
            s.cors_allowed_origins = format!("{allowed}, http://localhost:5173");
        })
        .await;
        let preflight = |origin: &'static str| {
            app.client
                .request(Method::OPTIONS, app.url("/cases"))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header(
                    "Access-Control-Request-Headers",
                    "authorization, idempotency-key, content-type",
                )
                .send()
        };
        let res = preflight("https://app.example.org").await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(header(&res, "access-control-allow-origin"), Some(allowed));
        let headers = header(&res, "access-control-allow-headers")
            .unwrap()
            .to_lowercase();
        for needed in [
            "authorization",
            "idempotency-key",
            "content-type",
            "if-match",
        ] {
            assert!(headers.contains(needed), "{headers}");
        }
        assert!(
            header(&res, "access-control-allow-methods")
                .unwrap()
                .contains("PATCH")
        );
        assert_eq!(
            header(&res, "access-control-allow-credentials"),
            None,
            "bearer tokens, no cookies"
        );
        assert_eq!(header(&res, "vary"), Some("Origin"));

        let res = preflight("https://evil.example.org").await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&res, "access-control-allow-origin"), None);

        let get = |origin: &'static str| {
            app.client
                .get(app.url("/me"))
                .bearer_auth(&app.admin.token)
                .header("Origin", origin)
                .send()
        };
        let res = get("http://localhost:5173").await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            header(&res, "access-control-allow-origin"),
            Some("http://localhost:5173")
        );
        assert!(
            header(&res, "access-control-expose-headers")
                .unwrap()
                .contains("ETag")
        );
        let res = get("https://evil.example.org").await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "the server answers; the browser hides it"
        );
        assert_eq!(header(&res, "access-control-allow-origin"), None);
        assert_eq!(header(&res, "vary"), Some("Origin"));
    }
}

#[tokio::test]
async fn sign_ins_sent_at_once_are_counted_one_after_the_other() {
    for backend in backends() {
        let app = spawn_app_with(backend, |s| {
            s.sign_in_address_failures = 1000;
            // Every attempt that is let through is checked, however long
            // the queue for a check: what is counted is the throttle.
            s.password_check_wait_ms = 60_000;
        })
        .await;
        let ann = app.user(Role::Member).await;
        let storm = (0..30).map(|_| sign_in_from(&app, &ann.email, "a guess", None));
        let answers = futures_util::future::join_all(storm).await;
        let mut statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        statuses.sort_unstable();
        // Five free attempts and the sixth (which starts the wait) are
        // checked; every other one is refused unchecked.
        let checked = statuses.iter().filter(|s| **s == 401).count();
        assert_eq!(checked, 6, "{statuses:?}");
        assert_eq!(
            statuses.iter().filter(|s| **s == 429).count(),
            24,
            "{statuses:?}"
        );
    }
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_sign_ins() {
    for backend in backends() {
        let app = spawn_app_with(backend, |s| s.sign_in_address_failures = 1000).await;
        let ann = app.user(Role::Member).await;
        let change = |current: &str| {
            app.client
                .patch(app.url(&format!("/users/{}", ann.id)))
                .bearer_auth(&ann.token)
                .json(&json!({"password": "a brand new passphrase", "current_password": current}))
                .send()
        };
        for i in 0..6 {
            let res = change("not my password").await.unwrap();
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "guess {i}");
        }
        let (status, retry, body) = outcome(change(PASSWORD).await.unwrap()).await;
        assert_eq!(
            (status, retry.as_deref()),
            (StatusCode::TOO_MANY_REQUESTS, Some("1")),
            "{body}"
        );
        // The same count as signing in: the account waits there too.
        let res = sign_in_from(&app, &ann.email, PASSWORD, None).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance(chrono::Duration::seconds(1));
        let res = change(PASSWORD).await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "after the wait the right one works"
        );
    }
}
