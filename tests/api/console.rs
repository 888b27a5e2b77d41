//! The web console at `/console`: sessions, CSRF, what each side sees, the
//! language, and a whole case driven through headless Chromium.

use std::path::PathBuf;

use ombud::domain::Role;
use reqwest::{StatusCode, header};
use serde_json::json;

use crate::helpers::browser::{Browser, Driver};
use crate::helpers::{
    Cast, PASSWORD, TestApp, TestUser, backends, case_in, on_each_backend, spawn_app,
    spawn_app_with,
};

/// A browser's view of the console without a browser: cookies by hand,
/// redirects not followed.
struct Page {
    status: StatusCode,
    location: String,
    cookie: Option<String>,
    body: String,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}

async fn page(res: reqwest::Response) -> Page {
    let status = res.status();
    let header = |name| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let location = header(header::LOCATION);
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = res.text().await.expect("body");
    Page {
        status,
        location,
        cookie,
        body,
    }
}

/// Signs `email` in through the console's form; returns the session cookie
/// (`name=value`) and the whole `Set-Cookie` line.
async fn sign_in(app: &TestApp, email: &str) -> (String, String) {
    let res = client()
        .post(format!("{}/console/sign-in", app.address))
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    let p = page(res).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location, "/console/cases");
    let line = p.cookie.expect("a session cookie");
    let pair = line.split(';').next().unwrap_or_default().to_string();
    (pair, line)
}

async fn get(app: &TestApp, cookie: &str, path: &str) -> Page {
    let res = client()
        .get(format!("{}{path}", app.address))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .expect("get");
    page(res).await
}

async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> Page {
    let res = client()
        .post(format!("{}{path}", app.address))
        .header(header::COOKIE, cookie)
        .form(form)
        .send()
        .await
        .expect("post");
    page(res).await
}

/// The value of the first hidden field `name` on a page.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    let rest = &body[at..];
    rest[..rest.find('"').expect("closing quote")].replace("&quot;", "\"")
}

#[tokio::test]
async fn the_session_is_a_strict_http_only_cookie_and_signing_out_revokes_its_token() {
    on_each_backend(|app| async move {
        let user = app.user(Role::Member).await;
        let (cookie, line) = sign_in(&app, &user.email).await;
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age="] {
            assert!(line.contains(attribute), "{attribute} in {line}");
        }
        assert!(!line.contains("Secure"), "plain HTTP: no Secure ({line})");
        // The cookie holds a bearer token of the API, `{id}.{token}`.
        let token = cookie.split_once('.').expect("id.token").1.to_string();
        let me_as = |token: String| {
            let app = &app;
            async move {
                let res = app
                    .client
                    .get(app.url("/me"))
                    .bearer_auth(token)
                    .send()
                    .await;
                res.expect("me").status()
            }
        };
        assert_eq!(me_as(token.clone()).await, StatusCode::OK);

        let cases = get(&app, &cookie, "/console/cases").await;
        assert_eq!(cases.status, StatusCode::OK);
        assert!(cases.body.contains("A member"), "the user's name is shown");
        let csrf = hidden(&cases.body, "csrf");

        // Without the CSRF token, or with another, nothing happens.
        for form in [vec![], vec![("csrf", "forged")]] {
            let out = post(&app, &cookie, "/console/sign-out", &form).await;
            assert_eq!(out.status, StatusCode::FORBIDDEN);
            assert!(out.body.contains("This form has expired"), "{}", out.body);
        }
        assert_eq!(
            me_as(token.clone()).await,
            StatusCode::OK,
            "a refused sign-out keeps the session"
        );

        let out = post(&app, &cookie, "/console/sign-out", &[("csrf", &csrf)]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(out.location, "/console/sign-in");
        assert!(out.cookie.unwrap_or_default().contains("Max-Age=0"));
        assert_eq!(
            me_as(token.clone()).await,
            StatusCode::UNAUTHORIZED,
            "the token is revoked"
        );
        let after = get(&app, &cookie, "/console/cases").await;
        assert_eq!(
            after.status,
            StatusCode::SEE_OTHER,
            "the old cookie no longer signs in"
        );
        assert_eq!(after.location, "/console/sign-in?next=%2Fconsole%2Fcases");
        assert!(
            after.cookie.unwrap_or_default().contains("Max-Age=0"),
            "and the browser forgets it"
        );
        // The page's script refreshing a part of the page gets a notice
        // for the top of the page, not the sign-in page in that part, nor a
        // new page that would lose what is being typed.
        let res = client()
            .get(format!("{}/console/cases", app.address))
            .header(header::COOKIE, &cookie)
            .header("HX-Request", "true")
            .send()
            .await
            .expect("a part");
        assert_eq!(res.status().as_u16(), 286, "which stops the timer");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(
            (
                header("hx-retarget"),
                header("hx-reselect"),
                header("hx-reswap")
            ),
            (
                "#session-ended".to_string(),
                "#session-ended".to_string(),
                "outerHTML".to_string()
            )
        );
        assert!(header("hx-redirect").is_empty());
        let notice = res.text().await.expect("body");
        assert!(notice.contains("Your session has ended"), "{notice}");
        assert!(
            notice.contains("href=\"&#x2f;console&#x2f;sign-in?next=%2Fconsole%2Fcases\""),
            "{notice}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_pages_script_library_is_served_from_the_binary_and_cached_for_good() {
    on_each_backend(|app| async move {
        let user = app.user(Role::Member).await;
        let (cookie, _) = sign_in(&app, &user.email).await;
        let cases = get(&app, &cookie, "/console/cases").await;
        let tag = "<script src=\"/console/htmx-2.0.11.min.js\" defer></script>";
        assert!(cases.body.contains(tag), "{}", cases.body);
        assert!(
            cases.body.contains("hx-get=\"&#x2f;console&#x2f;cases\""),
            "the lists refresh themselves"
        );
        let res = client()
            .get(format!("{}/console/htmx-2.0.11.min.js", app.address))
            .send()
            .await
            .expect("script");
        assert_eq!(res.status(), StatusCode::OK);
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(header("content-type"), "text/javascript; charset=utf-8");
        assert!(header("cache-control").contains("immutable"));
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        let body = res.text().await.expect("body");
        assert!(
            body.starts_with("var htmx=function(){"),
            "htmx as published"
        );
        assert!(body.contains("\"2.0.11\""), "its version");
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_is_answered_on_the_form_and_pages_need_a_session() {
    let app = spawn_app(backends()[0]).await;
    let user = app.user(Role::Member).await;
    let res = client()
        .post(format!("{}/console/sign-in", app.address))
        .form(&[
            ("email", user.email.as_str()),
            ("password", "not the password"),
        ])
        .send()
        .await
        .expect("sign in");
    let p = page(res).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.cookie.is_none(), "no session for a wrong password");
    assert!(
        p.body
            .contains("<form method=\"post\" action=\"/console/sign-in\"")
    );
    assert!(
        p.body.contains(&user.email),
        "the email is kept in the form"
    );
    assert!(
        p.body.contains("role=\"alert\""),
        "the refusal is shown: {}",
        p.body
    );

    // A page of another site cannot sign a browser in (to an account of
    // its choosing): the form's origin must be this one.
    let res = client()
        .post(format!("{}/console/sign-in", app.address))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("email", user.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    let p = page(res).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.cookie.is_none());
    let host = app.address.trim_start_matches("http://").to_string();
    let res = client()
        .post(format!("{}/console/sign-in", app.address))
        .header(header::ORIGIN, format!("http://{host}"))
        .form(&[("email", user.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "from its own page");

    for (path, to) in [
        ("/console/cases", "/console/sign-in?next=%2Fconsole%2Fcases"),
        (
            "/console/cases/new",
            "/console/sign-in?next=%2Fconsole%2Fcases%2Fnew",
        ),
        ("/console", "/console/sign-in"),
    ] {
        let p = get(&app, "ombud_session=nonsense", path).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(p.location, to, "{path}");
    }
    let css = get(&app, "", "/console/console.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("--accent"));
}

#[tokio::test]
async fn an_action_needs_the_csrf_token_and_the_version_shown() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "intake").await;
        let (cookie, _) = sign_in(&app, &cast.complainant.email).await;
        let shown = get(&app, &cookie, &format!("/console/cases/{id}")).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(
            shown.body.contains("id=\"act-withdraw\""),
            "withdrawing is offered"
        );
        let csrf = hidden(&shown.body, "csrf");
        let if_match = hidden(&shown.body, "if_match");
        let path = format!("/console/cases/{id}/actions/withdraw");

        let forged = post(
            &app,
            &cookie,
            &path,
            &[("csrf", "x"), ("if_match", &if_match)],
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // The right token from another site's page is refused as well.
        let foreign = client()
            .post(format!("{}{path}", app.address))
            .header(header::COOKIE, &cookie)
            .header(header::ORIGIN, "https://evil.example")
            .form(&[("csrf", csrf.as_str()), ("if_match", if_match.as_str())])
            .send()
            .await
            .expect("post");
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.case(&cast.complainant, &id).await["state"], "intake");

        // The case changes after the page was shown: the form's version is stale.
        app.post(
            &format!("/cases/{id}/messages"),
            &cast.complainant,
            json!({"body": "One more thing."}),
        )
        .await;
        app.act_ok(
            &cast.lead,
            &id,
            "assign",
            json!({"mediator_id": cast.mediator.id}),
        )
        .await;
        let stale = post(
            &app,
            &cookie,
            &path,
            &[("csrf", &csrf), ("if_match", &if_match)],
        )
        .await;
        assert_eq!(
            stale.status,
            StatusCode::PRECONDITION_FAILED,
            "{}",
            stale.body
        );
        assert!(stale.body.contains("role=\"alert\""));
        assert_eq!(app.case(&cast.complainant, &id).await["state"], "assigned");

        let fresh = get(&app, &cookie, &format!("/console/cases/{id}")).await;
        let if_match = hidden(&fresh.body, "if_match");
        let done = post(
            &app,
            &cookie,
            &path,
            &[
                ("csrf", &csrf),
                ("if_match", &if_match),
                ("note", "Sorted it out myself."),
            ],
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location, format!("/console/cases/{id}"));
        assert_eq!(app.case(&cast.complainant, &id).await["state"], "withdrawn");

        // Another member's case does not exist for them, in the console too.
        let (other, _) = sign_in(&app, &cast.member.email).await;
        let hidden_case = get(&app, &other, &format!("/console/cases/{id}")).await;
        assert_eq!(hidden_case.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn each_party_sees_the_joint_thread_and_only_its_own_private_one() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "investigation").await;
        for (text, visibility) in [
            ("For both sides", "all_parties"),
            ("Only for the complainant", "complainant"),
            ("Only for the respondent", "respondent"),
            ("Staff note", "internal"),
        ] {
            app.post(
                &format!("/cases/{id}/messages"),
                &cast.mediator,
                json!({"body": text, "visibility": visibility}),
            )
            .await;
        }
        let seen = |who: &TestUser| {
            let app = &app;
            let email = who.email.clone();
            let id = id.clone();
            async move {
                let (cookie, _) = sign_in(app, &email).await;
                get(app, &cookie, &format!("/console/cases/{id}"))
                    .await
                    .body
            }
        };
        let complainant = seen(&cast.complainant).await;
        let respondent = seen(&cast.respondent).await;
        let mediator = seen(&cast.mediator).await;
        assert!(
            complainant.contains("For both sides")
                && complainant.contains("Only for the complainant")
        );
        assert!(
            !complainant.contains("Only for the respondent") && !complainant.contains("Staff note")
        );
        assert!(
            respondent.contains("For both sides") && respondent.contains("Only for the respondent")
        );
        assert!(
            !respondent.contains("Only for the complainant") && !respondent.contains("Staff note")
        );
        for text in [
            "For both sides",
            "Only for the complainant",
            "Only for the respondent",
            "Staff note",
        ] {
            assert!(mediator.contains(text), "the mediator reads {text}");
        }
        assert!(
            !complainant.contains("thread-internal"),
            "no internal thread for a party"
        );
        assert!(
            !complainant.contains("thread-respondent"),
            "no respondent thread for the complainant"
        );

        // A party posts to their private thread from the console.
        let (cookie, _) = sign_in(&app, &cast.complainant.email).await;
        let shown = get(&app, &cookie, &format!("/console/cases/{id}")).await;
        let csrf = hidden(&shown.body, "csrf");
        let sent = post(
            &app,
            &cookie,
            &format!("/console/cases/{id}/messages"),
            &[
                ("csrf", &csrf),
                ("key", "k1"),
                ("visibility", "complainant"),
                ("body", "Privately: receipt attached."),
            ],
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let mine = app.bodies(&cast.mediator, &id, "thread=complainant").await;
        assert!(
            mine.iter().any(|b| b == "Privately: receipt attached."),
            "{mine:?}"
        );
        let theirs = app.bodies(&cast.respondent, &id, "").await;
        assert!(!theirs.iter().any(|b| b.contains("receipt attached")));
    })
    .await;
}

#[tokio::test]
async fn pages_speak_the_users_language_and_the_browsers_before_sign_in() {
    let app = spawn_app(backends()[0]).await;
    let user = app.user(Role::Member).await;
    for (lang, cases, sign_in_title) in [
        ("pl", "Sprawy", "Logowanie"),
        ("ru", "Дела", "Вход"),
        ("zh", "案件", "登录"),
        ("en", "Cases", "Sign in"),
    ] {
        let res = app
            .call(
                reqwest::Method::PATCH,
                &format!("/users/{}", user.id),
                Some(&app.admin),
                Some(json!({"language": lang})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let (cookie, _) = sign_in(&app, &user.email).await;
        let p = get(&app, &cookie, "/console/cases").await;
        assert!(
            p.body.contains(&format!("<html lang=\"{lang}\">")),
            "{lang}"
        );
        assert!(
            p.body.contains(&format!("<h1>{cases}</h1>")),
            "{lang}: {}",
            p.body
        );

        let res = client()
            .get(format!("{}/console/sign-in", app.address))
            .header(
                header::ACCEPT_LANGUAGE,
                format!("xx;q=1, {lang}-XX;q=0.8, en;q=0.1"),
            )
            .send()
            .await
            .expect("sign-in page");
        let p = page(res).await;
        assert!(
            p.body.contains(&format!("<h1>{sign_in_title}</h1>")),
            "{lang}: {}",
            p.body
        );
    }
}

#[tokio::test]
async fn a_link_from_mail_opens_the_case_after_signing_in_or_at_once_with_a_session() {
    let app = spawn_app(backends()[0]).await;
    let cast = Cast::new(&app).await;
    let id = case_in(&app, &cast, "intake").await;
    let case = format!("/console/cases/{id}");
    let open = |site: &'static str, cookie: Option<String>| {
        let (app, case) = (&app, case.clone());
        async move {
            let mut req = client()
                .get(format!("{}{case}", app.address))
                .header("Sec-Fetch-Site", site);
            if let Some(c) = cookie {
                req = req.header(header::COOKIE, c);
            }
            page(req.send().await.expect("open")).await
        }
    };
    // From a mail client: no cookie comes (SameSite=Strict), so the
    // sign-in page loads the case once more from this site.
    let from_mail = open("none", None).await;
    assert_eq!(from_mail.status, StatusCode::SEE_OTHER);
    let encoded = format!("%2Fconsole%2Fcases%2F{id}");
    assert_eq!(
        from_mail.location,
        format!("/console/sign-in?next={encoded}&retry=1")
    );
    let sign_in_page = get(&app, "", &from_mail.location).await;
    assert!(
        sign_in_page.body.contains(
            "<meta http-equiv=\"refresh\" content=\"0;url=&#x2f;console&#x2f;cases&#x2f;"
        ),
        "{}",
        sign_in_page.body
    );
    // That second load comes from this site: with a session the case
    // opens; without one, the form stays (no loop), and remembers the case.
    let (cookie, _) = sign_in(&app, &cast.complainant.email).await;
    assert_eq!(
        open("same-origin", Some(cookie)).await.status,
        StatusCode::OK
    );
    // A browser that labels the second load otherwise is not sent round again.
    let again = client()
        .get(format!("{}{case}", app.address))
        .header("Sec-Fetch-Site", "cross-site")
        .header(
            header::REFERER,
            format!("{}{}", app.address, from_mail.location),
        )
        .send()
        .await
        .expect("open");
    assert_eq!(
        page(again).await.location,
        format!("/console/sign-in?next={encoded}")
    );
    let still_out = open("same-origin", None).await;
    assert_eq!(
        still_out.location,
        format!("/console/sign-in?next={encoded}")
    );
    let form = get(&app, "", &still_out.location).await;
    assert!(!form.body.contains("http-equiv"), "no second refresh");
    assert!(form.body.contains("name=\"next\""), "{}", form.body);
    let res = client()
        .post(format!("{}/console/sign-in", app.address))
        .form(&[
            ("email", cast.complainant.email.as_str()),
            ("password", PASSWORD),
            ("next", case.as_str()),
        ])
        .send()
        .await
        .expect("sign in");
    let signed = page(res).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(signed.location, case, "on to the case");
    // Only a console page of this site is followed.
    for elsewhere in [
        "//evil.example/console/",
        "https://evil.example/",
        "/console/../api/v1/me",
        "/console/%2E%2E/api/v1/me",
        "/console/sign-out",
    ] {
        let res = client()
            .post(format!("{}/console/sign-in", app.address))
            .form(&[
                ("email", cast.complainant.email.as_str()),
                ("password", PASSWORD),
                ("next", elsewhere),
            ])
            .send()
            .await
            .expect("sign in");
        assert_eq!(page(res).await.location, "/console/cases", "{elsewhere}");
    }
}

#[tokio::test]
async fn sign_in_through_the_console_is_throttled_per_browser_not_for_the_console() {
    // Behind one proxy: the console passes on the address the proxy saw.
    let app = spawn_app_with(backends()[0], |s| {
        s.proxy_hops = 1;
        s.sign_in_address_failures = 2;
        s.sign_in_account_failures = 1000;
    })
    .await;
    let user = app.user(Role::Member).await;
    let attempt = |from: &'static str, password: &'static str| {
        let (app, email) = (&app, user.email.clone());
        async move {
            let res = client()
                .post(format!("{}/console/sign-in", app.address))
                .header("X-Forwarded-For", from)
                .form(&[("email", email.as_str()), ("password", password)])
                .send()
                .await
                .expect("sign in");
            let retry = res.headers().get(header::RETRY_AFTER).is_some();
            (res.status(), retry)
        }
    };
    // Two failures are free, the third makes the address wait.
    for _ in 0..3 {
        assert_eq!(
            attempt("203.0.113.7", "wrong").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, retry) = attempt("203.0.113.7", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "this browser must wait"
    );
    assert!(retry, "and is told how long");
    // Another browser, through the same console, is not held up.
    assert_eq!(
        attempt("198.51.100.20", PASSWORD).await.0,
        StatusCode::SEE_OTHER
    );
    // A browser cannot claim an address of its choosing to the API itself.
    let res = app
        .client
        .post(app.url("/auth/tokens"))
        .header("x-ombud-console-client", "192.0.2.99")
        .header("x-ombud-console-key", "guessed")
        .header("X-Forwarded-For", "203.0.113.7")
        .json(&json!({"email": user.email, "password": PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "counted as 203.0.113.7"
    );
}

const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(app: &TestApp, cookie: &str, id: &str, csrf: &str) -> Page {
    upload_bytes(app, cookie, id, csrf, PDF.to_vec()).await
}

async fn upload_bytes(app: &TestApp, cookie: &str, id: &str, csrf: &str, bytes: Vec<u8>) -> Page {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("receipt.pdf")
        .mime_str("application/pdf")
        .expect("part");
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("description", "The receipt")
        .text("visibility", "complainant");
    let res = client()
        .post(format!(
            "{}/console/cases/{id}/evidence?csrf={csrf}&key=k-{id}",
            app.address
        ))
        .header(header::COOKIE, cookie)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    page(res).await
}

/// What the API answers `who` at `path` (it must be 200).
async fn api_json(app: &TestApp, who: &TestUser, path: &str) -> serde_json::Value {
    let res = app.get(path, who).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.expect("json")
}

async fn evidence_of(app: &TestApp, who: &TestUser, id: &str) -> Vec<serde_json::Value> {
    let body = api_json(app, who, &format!("/cases/{id}/evidence")).await;
    body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn evidence_is_added_and_downloaded_through_the_console_for_those_it_is_meant_for() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "investigation").await;
        let (ann, _) = sign_in(&app, &cast.complainant.email).await;
        let shown = get(&app, &ann, &format!("/console/cases/{id}")).await;
        let csrf = hidden(&shown.body, "csrf");

        let forged = upload(&app, &ann, &id, "forged").await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(
            evidence_of(&app, &cast.mediator, &id).await.is_empty(),
            "a refused upload adds nothing"
        );

        let sent = upload(&app, &ann, &id, &csrf).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        assert_eq!(sent.location, format!("/console/cases/{id}#evidence"));
        // Sent again (a double submit), the form's key makes it one file.
        let again = upload(&app, &ann, &id, &csrf).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
        let items = evidence_of(&app, &cast.mediator, &id).await;
        assert_eq!(items.len(), 1, "{items:?}");
        let evidence = items[0]["id"].as_str().expect("id").to_string();

        let (mia, _) = sign_in(&app, &cast.mediator.email).await;
        let (bob, _) = sign_in(&app, &cast.respondent.email).await;
        let link = format!("/console/cases/{id}/evidence/{evidence}");
        let case = format!("/console/cases/{id}");
        assert!(get(&app, &mia, &case).await.body.contains(&link));
        assert!(!get(&app, &bob, &case).await.body.contains("receipt.pdf"));
        let file = client()
            .get(format!("{}{link}", app.address))
            .header(header::COOKIE, &mia)
            .send()
            .await
            .expect("download");
        assert_eq!(file.status(), StatusCode::OK);
        let said = |name| {
            file.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let disposition = said(header::CONTENT_DISPOSITION);
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(disposition.contains("receipt.pdf"), "{disposition}");
        assert_eq!(said(header::CONTENT_TYPE), "application/octet-stream");
        assert_eq!(file.bytes().await.expect("bytes").as_ref(), PDF);
        let theirs = get(&app, &bob, &link).await;
        assert_eq!(
            theirs.status,
            StatusCode::NOT_FOUND,
            "not the respondent's to read"
        );

        // The mediator hides it, with a reason its sender reads.
        let page_of_mia = get(&app, &mia, &case).await;
        assert!(
            !page_of_mia.body.contains(&format!("{link}/remove")),
            "not hers to remove"
        );
        let mia_csrf = hidden(&page_of_mia.body, "csrf");
        let hid = post(
            &app,
            &mia,
            &format!("{link}/hide"),
            &[("csrf", &mia_csrf), ("reason", "Shows a card number.")],
        )
        .await;
        assert_eq!(hid.status, StatusCode::SEE_OTHER, "{}", hid.body);
        let items = evidence_of(&app, &cast.mediator, &id).await;
        assert_eq!(items[0]["hidden"]["reason"], "Shows a card number.");
        let seen = get(&app, &ann, &case).await.body;
        assert!(seen.contains("Hidden from the parties") && seen.contains("Shows a card number."));
        let refused = post(
            &app,
            &ann,
            &format!("{link}/hide"),
            &[("csrf", &csrf), ("reason", "x")],
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "a party hides nothing: {}",
            refused.body
        );

        // Before the investigation, whoever added a file may remove it.
        let early = case_in(&app, &cast, "intake").await;
        assert_eq!(
            upload(&app, &ann, &early, &csrf).await.status,
            StatusCode::SEE_OTHER
        );
        let file = evidence_of(&app, &cast.complainant, &early).await[0]["id"]
            .as_str()
            .expect("id")
            .to_string();
        let shown = get(&app, &ann, &format!("/console/cases/{early}")).await;
        let remove = format!("/console/cases/{early}/evidence/{file}/remove");
        assert!(
            shown.body.contains(&remove),
            "removing is offered to its sender"
        );
        let gone = post(&app, &ann, &remove, &[("csrf", &csrf)]).await;
        assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
        assert!(
            evidence_of(&app, &cast.complainant, &early)
                .await
                .is_empty()
        );
    })
    .await;
}

/// A PDF of about `size` bytes: the header, then comment lines.
fn pdf_of(size: usize) -> Vec<u8> {
    let mut bytes = PDF.to_vec();
    while bytes.len() < size {
        bytes.extend_from_slice(b"% padding padding padding padding padding padding padding\n");
    }
    bytes
}

#[tokio::test]
async fn an_upload_larger_than_a_form_goes_through_and_one_larger_than_any_file_is_refused() {
    let app = spawn_app_with(backends()[0], |s| s.evidence_max_bytes = 400_000).await;
    let cast = Cast::new(&app).await;
    let id = case_in(&app, &cast, "investigation").await;
    let (ann, _) = sign_in(&app, &cast.complainant.email).await;
    let shown = get(&app, &ann, &format!("/console/cases/{id}")).await;
    let csrf = hidden(&shown.body, "csrf");
    // 300 KiB: more than a form may hold (256 KiB), less than a file.
    let bytes = pdf_of(300 * 1024);
    let big = upload_bytes(&app, &ann, &id, &csrf, bytes.clone()).await;
    assert_eq!(big.status, StatusCode::SEE_OTHER, "{}", big.body);
    let items = evidence_of(&app, &cast.complainant, &id).await;
    assert_eq!(items.len(), 1);
    assert!(items[0]["size"].as_u64().unwrap_or_default() >= 300 * 1024);
    // Downloaded whole through the console, which passes it on as it
    // streams in, with the length the API gave.
    let evidence = items[0]["id"].as_str().expect("id");
    let file = client()
        .get(format!(
            "{}/console/cases/{id}/evidence/{evidence}",
            app.address
        ))
        .header(header::COOKIE, &ann)
        .send()
        .await
        .expect("download");
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.content_length(), Some(bytes.len() as u64));
    assert!(file.headers().get(header::TRANSFER_ENCODING).is_none());
    assert_eq!(
        file.bytes().await.expect("bytes").as_ref(),
        bytes.as_slice()
    );
    // 600 KiB: the console stops reading and says so, on the case page.
    let huge = upload_bytes(&app, &ann, &id, &csrf, pdf_of(600 * 1024)).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        huge.body.contains("role=\"alert\"") && huge.body.contains("larger than"),
        "{}",
        huge.body
    );
    assert_eq!(
        evidence_of(&app, &cast.complainant, &id).await.len(),
        1,
        "nothing added"
    );
}

/// The references in the part of a page from `start` to the next `</section>`.
fn references_in(body: &str, start: &str) -> Vec<String> {
    let part = body
        .split(start)
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or_default();
    part.match_indices("OMB-")
        .map(|(at, _)| part[at..at + 15].to_string())
        .collect()
}

#[tokio::test]
async fn the_mediators_forms_ask_propose_and_dismiss_and_the_list_pages_on() {
    let app = spawn_app(backends()[0]).await;
    let cast = Cast::new(&app).await;
    let id = case_in(&app, &cast, "investigation").await;
    let (mia, _) = sign_in(&app, &cast.mediator.email).await;
    let send = |action: &'static str, fields: Vec<(&'static str, String)>| {
        let (app, mia, id) = (&app, mia.clone(), id.clone());
        async move {
            let shown = get(app, &mia, &format!("/console/cases/{id}")).await;
            assert!(
                shown.body.contains(&format!("id=\"act-{action}\"")),
                "{action} offered"
            );
            let mut form = vec![
                ("csrf", hidden(&shown.body, "csrf")),
                ("if_match", hidden(&shown.body, "if_match")),
                ("key", hidden(&shown.body, "key")),
            ];
            form.extend(fields);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(
                app,
                &mia,
                &format!("/console/cases/{id}/actions/{action}"),
                &form,
            )
            .await
        }
    };
    let day = (app.clock.now() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    // Refused (a deadline already past): the form comes back open with
    // every field as it was sent, the chosen party too.
    let past = (app.clock.now() - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let refused = send(
        "request_info",
        vec![
            ("party", "respondent".into()),
            ("question", "When did you ship it?".into()),
            ("deadline:date", past.clone()),
        ],
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let form = refused
        .body
        .split("id=\"act-request_info\" open>")
        .nth(1)
        .and_then(|rest| rest.split("</form>").next())
        .expect("the refused form, open");
    assert!(
        form.contains("<option value=\"respondent\" selected>"),
        "{form}"
    );
    assert!(form.contains("When did you ship it?</textarea>"), "{form}");
    assert!(form.contains(&format!("value=\"{past}\"")), "{form}");
    let asked = send(
        "request_info",
        vec![
            ("party", "respondent".into()),
            ("question", "When did you ship it?".into()),
            ("deadline:date", day.clone()),
        ],
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let case = app.case(&cast.mediator, &id).await;
    assert_eq!(case["info_request"]["party"], "respondent");
    let deadline = case["info_request"]["deadline"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        deadline.starts_with(&format!("{day}T23:59:59")),
        "{deadline}"
    );

    // A field the API refuses comes back on the form with its message.
    let refused = send("propose_settlement", vec![("terms", "   ".into())]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("<code>terms</code>"),
        "{}",
        refused.body
    );
    let proposed = send("propose_settlement", vec![("terms", "Half refund.".into())]).await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    assert_eq!(
        app.case(&cast.mediator, &id).await["settlement"]["terms"],
        "Half refund."
    );

    let dismissed = send(
        "dismiss",
        vec![
            ("reason", "duplicate".into()),
            ("detail", "Same as OMB-1.".into()),
        ],
    )
    .await;
    assert_eq!(
        dismissed.status,
        StatusCode::SEE_OTHER,
        "{}",
        dismissed.body
    );
    assert_eq!(app.case(&cast.mediator, &id).await["state"], "dismissed");

    // More cases than a page holds: the list links on to the next page.
    for _ in 0..51 {
        app.file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
    }
    let (lee, _) = sign_in(&app, &cast.lead.email).await;
    let mut first = get(&app, &lee, "/console/cases?state=intake").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // As the browser reads the attribute (the template escapes `/`).
    first.body = first.body.replace("&#x2f;", "/");
    let marker = "<a href=\"/console/cases?cursor=";
    let at = first.body.find(marker).expect("a link to the next page") + "<a href=\"".len();
    let end = at + first.body[at..].find('"').expect("quote");
    let next = first.body[at..end].replace("&amp;", "&");
    assert!(next.contains("state=intake"), "{next}");
    let second = get(&app, &lee, &next).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let (one, two) = (
        references_in(&first.body, "id=\"all-h\""),
        references_in(&second.body, "id=\"all-h\""),
    );
    assert_eq!(one.len(), 50, "a full first page");
    assert!(!two.is_empty(), "the second page lists cases");
    assert!(
        two.iter().all(|r| !one.contains(r)),
        "and others than the first: {two:?}"
    );
}

#[tokio::test]
async fn leads_see_what_waits_for_assignment_and_the_statistics_members_do_not() {
    let app = spawn_app(backends()[0]).await;
    let cast = Cast::new(&app).await;
    let waiting = case_in(&app, &cast, "intake").await;
    let reference = app.case(&cast.lead, &waiting).await["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    let (lee, _) = sign_in(&app, &cast.lead.email).await;
    let cases = get(&app, &lee, "/console/cases").await;
    let section = cases
        .body
        .split("id=\"unassigned-h\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("a section of cases waiting for assignment");
    assert!(section.contains(&reference), "{section}");
    assert!(
        cases.body.contains("href=\"/console/statistics\""),
        "a link to the statistics"
    );

    let stats = get(&app, &lee, "/console/statistics?days=7").await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    assert!(stats.body.contains("Open cases by age"));
    assert!(
        stats.body.contains("<svg aria-hidden=\"true\""),
        "drawn as bars"
    );
    // By category: the cast's category has the one case; another category
    // chosen as the filter shows none of it.
    let by_category = stats
        .body
        .split("id=\"categories-h\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("a section by category");
    assert!(
        by_category.contains("<th scope=\"row\">Delivery</th><td class=\"num\">1</td>"),
        "{by_category}"
    );
    let other = app.category().await;
    let filtered = get(
        &app,
        &lee,
        &format!("/console/statistics?days=7&category={other}"),
    )
    .await;
    assert_eq!(filtered.status, StatusCode::OK, "{}", filtered.body);
    assert!(filtered.body.contains("filed: 0"), "nothing filed there");
    assert!(
        filtered.body.contains(&format!(
            "href=\"&#x2f;console&#x2f;statistics?days=30&amp;category={other}\""
        )),
        "the other ranges keep the category"
    );

    let (ann, _) = sign_in(&app, &cast.complainant.email).await;
    let refused = get(&app, &ann, "/console/statistics").await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "the API refuses a member"
    );
    let own = get(&app, &ann, "/console/cases").await;
    assert!(!own.body.contains("unassigned-h") && !own.body.contains("statistics"));
}

#[tokio::test]
async fn a_mediator_answers_from_a_template_drafted_into_the_threads_form() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = case_in(&app, &cast, "investigation").await;
        let res = app
            .call(
                reqwest::Method::PUT,
                "/templates/ask-receipt",
                Some(&cast.lead),
                Some(json!({"name": "Ask for the receipt",
                            "bodies": {"en": "Dear {{ recipient_name }}, please send the receipt for {{ reference }}."},
                            "categories": [cast.category]})),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.status());
        let (mia, _) = sign_in(&app, &cast.mediator.email).await;
        let shown = get(&app, &mia, &format!("/console/cases/{id}")).await;
        assert!(shown.body.contains("<option value=\"ask-receipt\">Ask for the receipt</option>"));
        let csrf = hidden(&shown.body, "csrf");
        let drafted = post(
            &app,
            &mia,
            &format!("/console/cases/{id}/drafts"),
            &[("csrf", &csrf), ("template", "ask-receipt"), ("visibility", "complainant")],
        )
        .await;
        assert_eq!(drafted.status, StatusCode::OK, "{}", drafted.body);
        let form = drafted
            .body
            .split("id=\"message-complainant\"")
            .nth(1)
            .and_then(|rest| rest.split("</textarea>").next())
            .expect("the complainant thread's form");
        assert!(form.contains("please send the receipt for OMB-"), "{form}");
        let other = drafted
            .body
            .split("id=\"message-respondent\"")
            .nth(1)
            .and_then(|rest| rest.split("</textarea>").next())
            .expect("the respondent thread's form");
        assert!(!other.contains("receipt"), "only the thread asked for: {other}");
        // A draft posts nothing until it is sent.
        assert!(app.bodies(&cast.mediator, &id, "").await.iter().all(|b| !b.contains("receipt")));

        let forged = post(
            &app,
            &mia,
            &format!("/console/cases/{id}/drafts"),
            &[("template", "ask-receipt"), ("visibility", "complainant")],
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // Parties get no templates.
        let (ann, _) = sign_in(&app, &cast.complainant.email).await;
        let theirs = get(&app, &ann, &format!("/console/cases/{id}")).await;
        assert!(!theirs.body.contains("ask-receipt"));
    })
    .await;
}

#[tokio::test]
async fn an_admin_adds_and_changes_users_and_categories_and_anyone_their_language() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let admin = app.user(Role::Admin).await;
        let (ada, _) = sign_in(&app, &admin.email).await;
        let users = get(&app, &ada, "/console/users").await;
        assert_eq!(users.status, StatusCode::OK, "{}", users.body);
        assert!(users.body.contains(&cast.mediator.email));
        let csrf = hidden(&users.body, "csrf");
        let key = hidden(&users.body, "key");
        let added = post(
            &app,
            &ada,
            "/console/users",
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("name", "Nina New"),
                ("email", "nina@example.org"),
                ("role", "mediator"),
                ("language", "ru"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let nina = app.sign_in("nina@example.org", PASSWORD).await;
        let me = app
            .client
            .get(app.url("/me"))
            .bearer_auth(&nina)
            .send()
            .await
            .expect("me");
        let me: serde_json::Value = me.json().await.expect("json");
        assert_eq!(
            (me["role"].as_str(), me["language"].as_str()),
            (Some("mediator"), Some("ru"))
        );
        let nina_id = me["id"].as_str().expect("id").to_string();

        // A refused field comes back on the form, with what was typed.
        let taken = post(
            &app,
            &ada,
            "/console/users",
            &[
                ("csrf", &csrf),
                ("name", "Again"),
                ("email", "nina@example.org"),
                ("role", "member"),
            ],
        )
        .await;
        assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
        assert!(
            taken.body.contains("value=\"Again\""),
            "the form keeps its values"
        );

        let changed = post(
            &app,
            &ada,
            &format!("/console/users/{nina_id}"),
            &[("csrf", &csrf), ("role", "lead"), ("active:bool", "false")],
        )
        .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
        let user = api_json(&app, &cast.admin, &format!("/users/{nina_id}")).await;
        assert_eq!(
            (user["role"].as_str(), user["active"].as_bool()),
            (Some("lead"), Some(false))
        );
        let res = app
            .call(
                reqwest::Method::POST,
                "/auth/tokens",
                None,
                Some(json!({"email": "nina@example.org", "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "deactivated");

        let added = post(
            &app,
            &ada,
            "/console/categories",
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("name", "Noise"),
                ("slug", "noise"),
                ("default_priority", "low"),
            ],
        )
        .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let (ann, _) = sign_in(&app, &cast.complainant.email).await;
        let listed = get(&app, &ann, "/console/categories").await;
        assert!(
            listed.body.contains("<code>noise</code>"),
            "a member reads the categories"
        );
        assert!(
            !listed.body.contains("action=\"/console/categories\""),
            "and gets no form"
        );
        let theirs = post(
            &app,
            &ann,
            &format!("/console/users/{nina_id}"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(
            theirs.status,
            StatusCode::FORBIDDEN,
            "another session's token"
        );

        // Anyone sets their own language; the console speaks it at once.
        let account = get(&app, &ann, "/console/account").await;
        let mine = hidden(&account.body, "csrf");
        let set = post(
            &app,
            &ann,
            "/console/account",
            &[("csrf", &mine), ("name", "Ann"), ("language", "pl")],
        )
        .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
        let after = get(&app, &ann, "/console/account").await;
        assert!(
            after.body.contains("<h1>Twoje konto</h1>"),
            "{}",
            after.body
        );
    })
    .await;
}

#[tokio::test]
async fn leads_write_answer_templates_and_admins_publish_rules_everyone_reads_in_their_language() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let (lee, _) = sign_in(&app, &cast.lead.email).await;
        let shown = get(&app, &lee, "/console/templates").await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        let csrf = hidden(&shown.body, "csrf");
        let saved = post(
            &app,
            &lee,
            "/console/templates",
            &[
                ("csrf", &csrf),
                ("code", "ask-receipt"),
                ("name", "Ask for the receipt"),
                ("bodies.en", "Dear {{ recipient_name }}, please send the receipt."),
                ("bodies.pl", "Prosimy o paragon."),
                ("bodies.ru", ""),
                ("fallback_language", "en"),
                ("categories:list", &cast.category),
            ],
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        // A text with a variable it may not use is refused, and the form
        // comes back as it was written.
        let refused = post(
            &app,
            &lee,
            "/console/templates",
            &[
                ("csrf", &csrf),
                ("code", "bad-one"),
                ("name", "Uses a secret"),
                ("bodies.ru", "Здравствуйте, {{ password }}"),
                ("categories:list", &cast.category),
            ],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("value=\"bad-one\""), "{}", refused.body);
        assert!(refused.body.contains(">Здравствуйте, {{ password }}</textarea>"));
        assert!(refused.body.contains(&format!("value=\"{}\"", cast.category)));
        let listed = api_json(&app, &cast.mediator, "/templates").await;
        let one = &listed["items"][0];
        assert_eq!(one["code"], "ask-receipt");
        assert_eq!(one["bodies"], json!({"en": "Dear {{ recipient_name }}, please send the receipt.", "pl": "Prosimy o paragon."}));
        assert_eq!(one["categories"], json!([cast.category]));
        assert_eq!(one["fallback_language"], "en");
        let (mia, _) = sign_in(&app, &cast.mediator.email).await;
        let theirs = get(&app, &mia, "/console/templates").await;
        assert!(theirs.body.contains("Prosimy o paragon."), "a mediator reads them");
        assert!(!theirs.body.contains("action=\"/console/templates\""), "and gets no form");
        let refused = post(
            &app,
            &mia,
            "/console/templates/ask-receipt/delete",
            &[("csrf", &hidden(&theirs.body, "csrf"))],
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "mediators keep them");
        let shown = get(&app, &lee, "/console/templates").await;
        // (minijinja writes the `/` of an inserted value as `&#x2f;`).
        assert!(
            shown
                .body
                .contains("action=\"&#x2f;console&#x2f;templates&#x2f;ask-receipt&#x2f;delete\""),
            "{}",
            shown.body
        );
        let deleted = post(
            &app,
            &lee,
            "/console/templates/ask-receipt/delete",
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
        let listed = api_json(&app, &cast.mediator, "/templates").await;
        assert_eq!(listed["items"], json!([]), "deleted");

        let admin = app.user(Role::Admin).await;
        let (ada, _) = sign_in(&app, &admin.email).await;
        let rules = get(&app, &ada, "/console/rules").await;
        let key = hidden(&rules.body, "key");
        let ada_csrf = hidden(&rules.body, "csrf");
        let published = post(
            &app,
            &ada,
            "/console/rules",
            &[
                ("csrf", &ada_csrf),
                ("key", &key),
                ("code", "R-1"),
                ("title.en", "Deliver what was paid for"),
                ("text.en", "A seller delivers goods paid for within 14 days."),
                ("title.pl", "Dostarcz opłacone"),
                ("text.pl", "Sprzedawca dostarcza opłacony towar w ciągu 14 dni."),
            ],
        )
        .await;
        assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
        let res = app
            .call(
                reqwest::Method::PATCH,
                &format!("/users/{}", cast.complainant.id),
                Some(&app.admin),
                Some(json!({"language": "pl"})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let (ann, _) = sign_in(&app, &cast.complainant.email).await;
        let read = get(&app, &ann, "/console/rules").await;
        assert!(read.body.contains("Dostarcz opłacone"), "{}", read.body);
        assert!(!read.body.contains("Deliver what was paid for"), "in their language");
        let refused = post(
            &app,
            &ann,
            "/console/rules",
            &[("csrf", &hidden(&read.body, "csrf")), ("code", "R-2"), ("title.en", "x"), ("text.en", "y")],
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "only admins publish");
        let versions = api_json(&app, &cast.complainant, "/rules").await;
        assert_eq!(versions["items"].as_array().map(Vec::len), Some(1));
    })
    .await;
}

#[tokio::test]
async fn leads_give_mediators_their_desk_profiles() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let (lee, _) = sign_in(&app, &cast.lead.email).await;
        let shown = get(&app, &lee, "/console/mediators").await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        let give = format!("action=\"/console/mediators/{}\"", cast.mediator.id);
        assert!(shown.body.contains(&give), "offered a profile");
        let csrf = hidden(&shown.body, "csrf");
        let path = format!("/console/mediators/{}", cast.mediator.id);
        let given = post(
            &app,
            &lee,
            &path,
            &[
                ("csrf", &csrf),
                ("capacity:int", "5"),
                ("skills:list", &cast.category),
                ("languages:list", "en, pl"),
                ("on_duty:bool", "true"),
            ],
        )
        .await;
        assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
        let profile = api_json(
            &app,
            &cast.lead,
            &format!("/mediators/{}", cast.mediator.id),
        )
        .await;
        assert_eq!(profile["capacity"], 5);
        assert_eq!(profile["skills"], json!([cast.category]));
        assert_eq!(profile["languages"], json!(["en", "pl"]));

        let refused = post(
            &app,
            &lee,
            &path,
            &[("csrf", &csrf), ("capacity:int", "5000")],
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("<code>capacity</code>"),
            "{}",
            refused.body
        );
        let off = post(
            &app,
            &lee,
            &path,
            &[
                ("csrf", &csrf),
                ("capacity:int", "0"),
                ("on_duty:bool", "false"),
            ],
        )
        .await;
        assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
        let profile = api_json(
            &app,
            &cast.lead,
            &format!("/mediators/{}", cast.mediator.id),
        )
        .await;
        assert_eq!(
            (profile["capacity"].as_i64(), profile["on_duty"].as_bool()),
            (Some(0), Some(false))
        );

        // An absence set elsewhere survives a change made here, and a new
        // one is given as a day.
        let away = (app.clock.now() + chrono::Duration::days(3))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let res = app
            .call(
                reqwest::Method::PUT,
                &format!("/mediators/{}", cast.mediator.id),
                Some(&cast.lead),
                Some(json!({"capacity": 3, "absent_until": away})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let page_now = get(&app, &lee, "/console/mediators").await;
        assert!(page_now.body.contains("Away until"), "{}", page_now.body);
        let kept = post(
            &app,
            &lee,
            &path,
            &[
                ("csrf", &csrf),
                ("absent_until", &away),
                ("capacity:int", "4"),
                ("absent_until:date", ""),
            ],
        )
        .await;
        assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
        let profile = api_json(
            &app,
            &cast.lead,
            &format!("/mediators/{}", cast.mediator.id),
        )
        .await;
        assert_eq!(profile["capacity"], 4);
        let kept_until = profile["absent_until"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(
            chrono::DateTime::parse_from_rfc3339(&kept_until).ok(),
            chrono::DateTime::parse_from_rfc3339(&away).ok(),
            "the absence is kept"
        );
        let day = (app.clock.now() + chrono::Duration::days(10))
            .format("%Y-%m-%d")
            .to_string();
        let moved = post(
            &app,
            &lee,
            &path,
            &[
                ("csrf", &csrf),
                ("absent_until", &away),
                ("capacity:int", "4"),
                ("absent_until:date", &day),
            ],
        )
        .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let profile = api_json(
            &app,
            &cast.lead,
            &format!("/mediators/{}", cast.mediator.id),
        )
        .await;
        assert!(
            profile["absent_until"]
                .as_str()
                .unwrap_or_default()
                .starts_with(&day),
            "{profile}"
        );

        // Back early: the page offers it for someone away, and it ends
        // the absence and nothing else.
        let page = get(&app, &lee, "/console/mediators").await;
        let back = format!("{path}/availability");
        assert!(page.body.contains(&format!("action=\"{back}\"")));
        let ended = post(
            &app,
            &lee,
            &back,
            &[("csrf", &csrf), ("on_duty:bool", "true")],
        )
        .await;
        assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
        let profile = api_json(
            &app,
            &cast.lead,
            &format!("/mediators/{}", cast.mediator.id),
        )
        .await;
        assert!(profile["absent_until"].is_null(), "{profile}");
        assert_eq!(
            (profile["capacity"].as_i64(), profile["available"].as_bool()),
            (Some(4), Some(true))
        );

        let (mia, _) = sign_in(&app, &cast.mediator.email).await;
        assert_eq!(
            get(&app, &mia, "/console/mediators").await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn a_mediator_keeps_their_desk_and_declares_a_conflict_from_a_case() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let res = app
            .call(
                reqwest::Method::PUT,
                &format!("/mediators/{}", cast.mediator.id),
                Some(&cast.lead),
                Some(json!({"capacity": 5, "skills": [], "languages": [], "on_duty": true})),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.status());
        let id = case_in(&app, &cast, "investigation").await;
        let (mia, _) = sign_in(&app, &cast.mediator.email).await;
        let desk_path = format!("/console/mediators/{}", cast.mediator.id);
        let cases = get(&app, &mia, "/console/cases").await;
        assert!(
            cases
                .body
                .contains(&format!("href=\"/console/mediators/{}\"", cast.mediator.id)),
            "Your desk is in the navigation"
        );
        let desk = get(&app, &mia, &desk_path).await;
        assert_eq!(desk.status, StatusCode::OK, "{}", desk.body);
        assert!(desk.body.contains("<h1>Your desk</h1>"), "{}", desk.body);
        let csrf = hidden(&desk.body, "csrf");

        // Away until a day, then back: the day left empty.
        let day = (app.clock.now() + chrono::Duration::days(5))
            .format("%Y-%m-%d")
            .to_string();
        let away = post(
            &app,
            &mia,
            &format!("{desk_path}/availability"),
            &[
                ("csrf", &csrf),
                ("on_duty:bool", "true"),
                ("absent_until:date", &day),
            ],
        )
        .await;
        assert_eq!(away.status, StatusCode::SEE_OTHER, "{}", away.body);
        assert_eq!(away.location, desk_path);
        let profile = api_json(
            &app,
            &cast.lead,
            &format!("/mediators/{}", cast.mediator.id),
        )
        .await;
        assert!(
            profile["absent_until"]
                .as_str()
                .unwrap_or_default()
                .starts_with(&day),
            "{profile}"
        );
        assert_eq!(profile["available"], false);
        let shown = get(&app, &mia, &desk_path).await;
        assert!(
            shown.body.contains(&format!("value=\"{day}\"")),
            "the day is shown to change"
        );
        let back = post(
            &app,
            &mia,
            &format!("{desk_path}/availability"),
            &[
                ("csrf", &csrf),
                ("on_duty:bool", "true"),
                ("absent_until:date", ""),
            ],
        )
        .await;
        assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
        let profile = api_json(
            &app,
            &cast.lead,
            &format!("/mediators/{}", cast.mediator.id),
        )
        .await;
        assert!(profile["absent_until"].is_null(), "{profile}");

        // A conflict with the complainant, declared from the case.
        let page = get(&app, &mia, &format!("/console/cases/{id}")).await;
        assert!(
            page.body
                .contains(&format!("action=\"/console/cases/{id}/conflict\"")),
            "{}",
            page.body
        );
        assert!(page.body.contains("Declare a conflict of interest"));
        let key = hidden(&page.body, "key");
        let declared = post(
            &app,
            &mia,
            &format!("/console/cases/{id}/conflict"),
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("user_id", &cast.complainant.id),
                ("reason", "An old neighbour"),
            ],
        )
        .await;
        assert_eq!(declared.status, StatusCode::SEE_OTHER, "{}", declared.body);
        assert_eq!(declared.location, format!("/console/cases/{id}"));
        let conflicts = api_json(
            &app,
            &cast.lead,
            &format!("/mediators/{}/conflicts", cast.mediator.id),
        )
        .await;
        assert_eq!(
            conflicts["items"][0]["user_id"],
            cast.complainant.id.as_str()
        );
        assert_eq!(conflicts["items"][0]["reason"], "An old neighbour");
        let again = post(
            &app,
            &mia,
            &format!("/console/cases/{id}/conflict"),
            &[
                ("csrf", &csrf),
                ("user_id", &cast.complainant.id),
                ("reason", "Twice"),
            ],
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert!(
            again.body.contains("<details id=\"conflict\" open>"),
            "shown where it was sent"
        );
        assert!(
            again.body.contains(">Twice</textarea>"),
            "with the reason typed"
        );
        let desk = get(&app, &mia, &desk_path).await;
        assert!(desk.body.contains("An old neighbour"));
        assert!(
            !desk.body.contains("&#x2f;withdraw"),
            "a mediator may not withdraw it"
        );

        // The lead withdraws it and hands the mediator's cases over.
        let (lee, _) = sign_in(&app, &cast.lead.email).await;
        let theirs = get(&app, &lee, &desk_path).await;
        assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
        let lead_csrf = hidden(&theirs.body, "csrf");
        let withdrawn = post(
            &app,
            &lee,
            &format!("{desk_path}/conflicts/{}/withdraw", cast.complainant.id),
            &[("csrf", &lead_csrf)],
        )
        .await;
        assert_eq!(
            withdrawn.status,
            StatusCode::SEE_OTHER,
            "{}",
            withdrawn.body
        );
        let conflicts = api_json(
            &app,
            &cast.lead,
            &format!("/mediators/{}/conflicts", cast.mediator.id),
        )
        .await;
        assert_eq!(conflicts["items"], json!([]));
        let handed = post(
            &app,
            &lee,
            &format!("{desk_path}/hand-over"),
            &[("csrf", &lead_csrf)],
        )
        .await;
        assert_eq!(handed.status, StatusCode::OK, "{}", handed.body);
        assert!(handed.body.contains("Handed over."), "{}", handed.body);
        assert!(
            handed
                .body
                .contains(&format!("href=\"/console/cases/{id}\"")),
            "the case left for a lead (its category is assigned by hand) is linked"
        );

        // A lead without a desk profile still has a desk, with no forms.
        let own = get(&app, &lee, &format!("/console/mediators/{}", cast.lead.id)).await;
        assert_eq!(own.status, StatusCode::OK, "{}", own.body);
        assert!(own.body.contains("No desk profile yet"), "{}", own.body);
        assert!(!own.body.contains("hand-over"));

        // Someone else's desk is not a member's to see (the API does not
        // even say it exists).
        let (mem, _) = sign_in(&app, &cast.member.email).await;
        assert_eq!(
            get(&app, &mem, &desk_path).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn admins_change_categories_and_keep_triage_rules_that_act_on_the_next_filing() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let admin = app.user(Role::Admin).await;
        let (ada, _) = sign_in(&app, &admin.email).await;

        // A category is given automatic assignment and its own promise.
        let shown = get(&app, &ada, "/console/categories").await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        let csrf = hidden(&shown.body, "csrf");
        let categories = api_json(&app, &admin, "/categories?limit=100").await;
        let category = categories["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|c| c["slug"] == cast.category.as_str())
            .expect("the cast's category")
            .clone();
        let id = category["id"].as_str().expect("id");
        let changed = post(
            &app,
            &ada,
            &format!("/console/categories/{id}"),
            &[
                ("csrf", &csrf),
                ("name", "Deliveries"),
                ("description", "Parcels and couriers"),
                ("default_priority", "normal"),
                ("auto_assign:bool", "true"),
                ("first_response_hours:int", "12"),
                ("active:bool", "true"),
            ],
        )
        .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
        let now = api_json(&app, &admin, "/categories?limit=100").await;
        let now = now["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|c| c["id"] == id)
            .expect("still there")
            .clone();
        assert_eq!(
            (
                now["name"].as_str(),
                now["auto_assign"].as_bool(),
                now["first_response_hours"].as_i64(),
                now["default_priority"].as_str()
            ),
            (Some("Deliveries"), Some(true), Some(12), Some("normal"))
        );
        let refused = post(
            &app,
            &ada,
            &format!("/console/categories/{id}"),
            &[("csrf", &csrf), ("first_response_hours:int", "999")],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("first_response_hours"), "named");
        assert!(
            refused.body.contains("value=\"999\""),
            "the refused form keeps what was typed"
        );
        // Closed to new complaints, it stays on the page to be reopened,
        // and its description can be cleared.
        let path = format!("/console/categories/{id}");
        let closed = post(
            &app,
            &ada,
            &path,
            &[("csrf", &csrf), ("active:bool", "false")],
        )
        .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
        let listed = get(&app, &ada, "/console/categories").await;
        assert!(
            listed
                .body
                .contains(&format!("action=\"/console/categories/{id}\""))
        );
        let reopened = post(
            &app,
            &ada,
            &path,
            &[
                ("csrf", &csrf),
                ("active:bool", "true"),
                ("description:or_empty", ""),
            ],
        )
        .await;
        assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
        let now = api_json(&app, &admin, "/categories?limit=100").await;
        let now = now["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|c| c["id"] == id)
            .expect("open again")
            .clone();
        assert_eq!(
            (now["active"].as_bool(), now["description"].as_str()),
            (Some(true), Some(""))
        );

        // A triage rule written in the console acts on the next filing.
        let triage = get(&app, &ada, "/console/triage").await;
        assert_eq!(triage.status, StatusCode::OK, "{}", triage.body);
        let key = hidden(&triage.body, "key");
        let rule_form = [
            ("csrf", csrf.as_str()),
            ("key", key.as_str()),
            ("name", "Missing orders are urgent"),
            ("position:int", "5"),
            ("enabled:bool", "true"),
            ("conditions.categories.0", cast.category.as_str()),
            ("conditions.keywords:list", "never arrived\nnie dotarła"),
            ("actions.set_priority", "urgent"),
            ("actions.add_tags:list", "missing-order, courier"),
            ("actions.hold_for_lead:bool", "true"),
        ];
        let added = post(&app, &ada, "/console/triage", &rule_form).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        // The same form sent twice adds one rule.
        let again = post(&app, &ada, "/console/triage", &rule_form).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
        let rules = api_json(&app, &admin, "/triage_rules").await;
        let rules = rules["items"].as_array().expect("items").clone();
        assert_eq!(rules.len(), 1, "{rules:?}");
        let rule = &rules[0];
        assert_eq!(
            rule["conditions"]["keywords"],
            json!(["never arrived", "nie dotarła"])
        );
        assert_eq!(
            rule["actions"]["add_tags"],
            json!(["missing-order", "courier"])
        );
        let case = app
            .file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        assert_eq!(case["priority"], "urgent", "the rule set the priority");
        let listed = get(&app, &ada, "/console/triage").await;
        assert!(listed.body.contains("Missing orders are urgent"));
        assert!(listed.body.contains("missing-order, courier"));

        // Changed whole (disabled); a rule that does nothing is refused
        // with the form as it was sent, open.
        let rule_id = rule["id"].as_str().expect("rule id");
        let off = post(
            &app,
            &ada,
            &format!("/console/triage/{rule_id}"),
            &[
                ("csrf", &csrf),
                ("name", "Missing orders are urgent"),
                ("position:int", "5"),
                ("enabled:bool", "false"),
                ("conditions.keywords:list", "never arrived"),
                ("actions.set_priority", "urgent"),
            ],
        )
        .await;
        assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
        let now = api_json(&app, &admin, "/triage_rules").await;
        assert_eq!(now["items"][0]["enabled"], false);
        assert!(
            now["items"][0]["actions"]["add_tags"]
                .as_array()
                .is_none_or(|tags| tags.is_empty()),
            "replaced whole: the tags left out are gone"
        );
        let case = app
            .file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await;
        assert_eq!(case["priority"], "normal", "a disabled rule does not run");
        let idle = post(
            &app,
            &ada,
            &format!("/console/triage/{rule_id}"),
            &[("csrf", &csrf), ("name", "Does nothing at all")],
        )
        .await;
        assert_eq!(
            idle.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            idle.body
        );
        assert!(idle.body.contains("value=\"Does nothing at all\""));
        assert!(
            idle.body.contains("<details open>"),
            "that form is shown open"
        );

        // Leads read the rules and may not write them; members see none.
        let (lee, _) = sign_in(&app, &cast.lead.email).await;
        let theirs = get(&app, &lee, "/console/triage").await;
        assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
        assert!(theirs.body.contains("Missing orders are urgent"));
        assert!(
            !theirs.body.contains("action=\"/console/triage\""),
            "no form"
        );
        let lead_csrf = hidden(&theirs.body, "csrf");
        let tried = post(
            &app,
            &lee,
            &format!("/console/triage/{rule_id}/delete"),
            &[("csrf", &lead_csrf)],
        )
        .await;
        assert_eq!(tried.status, StatusCode::FORBIDDEN, "{}", tried.body);
        let (mem, _) = sign_in(&app, &cast.member.email).await;
        let not = get(&app, &mem, "/console/triage").await;
        assert_eq!(not.status, StatusCode::FORBIDDEN);

        let gone = post(
            &app,
            &ada,
            &format!("/console/triage/{rule_id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
        // Deleted twice: the second is refused, and no form opens empty.
        let twice = post(
            &app,
            &ada,
            &format!("/console/triage/{rule_id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(twice.status, StatusCode::NOT_FOUND, "{}", twice.body);
        assert!(!twice.body.contains("<details open>"));
        let none = api_json(&app, &admin, "/triage_rules").await;
        assert_eq!(none["items"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn admins_set_service_levels_and_register_webhooks_whose_secret_is_shown_once() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let admin = app.user(Role::Admin).await;
        let (ada, _) = sign_in(&app, &admin.email).await;

        let shown = get(&app, &ada, "/console/service-levels").await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        let csrf = hidden(&shown.body, "csrf");
        let key = hidden(&shown.body, "key");
        let policy = |first: &'static str, warn: &'static str| {
            vec![
                ("priority", "high"),
                ("category", cast.category.as_str()),
                ("first_response_minutes:int", first),
                ("resolution_minutes:int", "960"),
                ("hours", "Mon-Fri 09:00-17:00"),
                ("time_zone", "Europe/Warsaw"),
                ("holidays:list", "2026-12-25\n2026-12-26"),
                ("warn_percent:int", warn),
            ]
        };
        let mut form = policy("2000", "75");
        form.extend([("csrf", csrf.as_str()), ("key", key.as_str())]);
        let refused = post(&app, &ada, "/console/service-levels", &form).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(refused.body.contains("value=\"2000\""), "kept as typed");
        let key = hidden(&refused.body, "key");
        let mut form = policy("60", "75");
        form.extend([("csrf", csrf.as_str()), ("key", key.as_str())]);
        let added = post(&app, &ada, "/console/service-levels", &form).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let list = api_json(&app, &admin, "/service_policies").await;
        let stored = &list["items"][0];
        assert_eq!(
            (
                stored["first_response_minutes"].as_i64(),
                stored["time_zone"].as_str(),
                stored["holidays"].clone()
            ),
            (
                Some(60),
                Some("Europe/Warsaw"),
                json!(["2026-12-25", "2026-12-26"])
            )
        );
        let policy_id = stored["id"].as_str().expect("id").to_string();
        let mut form = policy("60", "80");
        form.push(("csrf", csrf.as_str()));
        let put = post(
            &app,
            &ada,
            &format!("/console/service-levels/{policy_id}"),
            &form,
        )
        .await;
        assert_eq!(put.status, StatusCode::SEE_OTHER, "{}", put.body);
        let list = api_json(&app, &admin, "/service_policies").await;
        assert_eq!(list["items"][0]["warn_percent"], 80);
        let page = get(&app, &ada, "/console/service-levels").await;
        assert!(
            page.body
                .contains("Mon-Fri 09:00-17:00 (Europe&#x2f;Warsaw)")
        );
        let (lee, _) = sign_in(&app, &cast.lead.email).await;
        let theirs = get(&app, &lee, "/console/service-levels").await;
        assert_eq!(theirs.status, StatusCode::OK, "leads read them");
        assert!(!theirs.body.contains("action=\"/console/service-levels\""));
        let deleted = post(
            &app,
            &ada,
            &format!("/console/service-levels/{policy_id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
        let list = api_json(&app, &admin, "/service_policies").await;
        assert_eq!(list["items"], json!([]));

        // A webhook: registered with the events ticked; the secret is on
        // the answer's page, and a second send of the form replays the
        // registration without it.
        let hooks = get(&app, &ada, "/console/webhooks").await;
        assert_eq!(hooks.status, StatusCode::OK, "{}", hooks.body);
        let key = hidden(&hooks.body, "key");
        let form = [
            ("csrf", csrf.as_str()),
            ("key", key.as_str()),
            ("url", "https://hooks.example.org/ombud"),
            ("description", "Our CRM"),
            ("category", cast.category.as_str()),
            ("events.1", "case_filed"),
            ("events.4", "assign"),
        ];
        let created = post(&app, &ada, "/console/webhooks", &form).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert!(created.body.contains("whsec_"), "the secret, this once");
        let replayed = post(&app, &ada, "/console/webhooks", &form).await;
        assert_eq!(replayed.status, StatusCode::CREATED, "{}", replayed.body);
        assert!(!replayed.body.contains("whsec_"), "never twice");
        let listed = api_json(&app, &admin, "/webhooks").await;
        let hooks = listed["items"].as_array().expect("items").clone();
        assert_eq!(hooks.len(), 1, "one endpoint for one form");
        let mut events: Vec<String> =
            serde_json::from_value(hooks[0]["events"].clone()).expect("events");
        events.sort();
        assert_eq!(events, ["assign", "case_filed"], "the ticked ones");
        assert!(hooks[0]["category_id"].is_string());
        let hook = hooks[0]["id"].as_str().expect("id").to_string();
        let listing = get(&app, &ada, "/console/webhooks").await;
        assert!(!listing.body.contains("whsec_"), "nor on the list");

        let one = get(&app, &ada, &format!("/console/webhooks/{hook}")).await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        let ping_key = hidden(&one.body, "key");
        let pinged = post(
            &app,
            &ada,
            &format!("/console/webhooks/{hook}/ping"),
            &[("csrf", &csrf), ("key", &ping_key)],
        )
        .await;
        assert_eq!(pinged.status, StatusCode::SEE_OTHER, "{}", pinged.body);
        assert_eq!(pinged.location, format!("/console/webhooks/{hook}"));
        let log = get(&app, &ada, &format!("/console/webhooks/{hook}")).await;
        assert!(log.body.contains("<code>ping</code>"), "{}", log.body);
        // Each load of the page is a new ping.
        let pinged = post(
            &app,
            &ada,
            &format!("/console/webhooks/{hook}/ping"),
            &[("csrf", &csrf), ("key", &hidden(&log.body, "key"))],
        )
        .await;
        assert_eq!(pinged.status, StatusCode::SEE_OTHER, "{}", pinged.body);
        let deliveries = api_json(&app, &admin, &format!("/webhooks/{hook}/deliveries")).await;
        assert_eq!(
            deliveries["items"].as_array().map(Vec::len),
            Some(2),
            "{deliveries}"
        );

        // Disabled, and for every category again.
        let changed = post(
            &app,
            &ada,
            &format!("/console/webhooks/{hook}"),
            &[
                ("csrf", &csrf),
                ("url", "https://hooks.example.org/ombud"),
                ("description", "Our CRM"),
                ("category:or_null", ""),
                ("events.0", "*"),
                ("active:bool", "false"),
            ],
        )
        .await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
        let now = api_json(&app, &admin, &format!("/webhooks/{hook}")).await;
        assert_eq!(
            (
                now["status"].as_str(),
                now["category_id"].is_null(),
                now["events"].clone()
            ),
            (Some("disabled"), true, json!(["*"]))
        );
        let bad = post(
            &app,
            &ada,
            &format!("/console/webhooks/{hook}"),
            &[("csrf", &csrf), ("url", "https://127.0.0.1/x")],
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(
            bad.body
                .contains("value=\"https:&#x2f;&#x2f;127.0.0.1&#x2f;x\""),
            "kept as typed"
        );
        assert!(bad.body.contains("<details open>"), "and shown open");
        let now = api_json(&app, &admin, &format!("/webhooks/{hook}")).await;
        assert_eq!(now["url"], "https://hooks.example.org/ombud", "unchanged");
        // Saved with its status kept as it is, it stays disabled.
        let kept = post(
            &app,
            &ada,
            &format!("/console/webhooks/{hook}"),
            &[
                ("csrf", &csrf),
                ("url", "https://hooks.example.org/ombud"),
                ("description:or_empty", ""),
                ("active:bool", ""),
            ],
        )
        .await;
        assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
        let now = api_json(&app, &admin, &format!("/webhooks/{hook}")).await;
        assert_eq!(
            (now["status"].as_str(), now["description"].as_str()),
            (Some("disabled"), Some(""))
        );
        let (lee, _) = sign_in(&app, &cast.lead.email).await;
        let not = get(&app, &lee, "/console/webhooks").await;
        assert_eq!(not.status, StatusCode::FORBIDDEN, "admins only");
        let deleted = post(
            &app,
            &ada,
            &format!("/console/webhooks/{hook}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
        let listed = api_json(&app, &admin, "/webhooks").await;
        assert_eq!(listed["items"], json!([]));
    })
    .await;
}

/// Where screenshots go: `OMBUD_CONSOLE_SCREENSHOTS` (docs/console/ when
/// they are retaken for the README), a temporary folder otherwise.
fn shots() -> PathBuf {
    std::env::var("OMBUD_CONSOLE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("ombud-console-shots"))
}

/// Opens the action's form, fills it and sends it; the page that answers
/// must be the case again, with no refusal on it.
async fn act(b: &Browser, action: &str, fields: &[(&str, &str)], choices: &[(&str, &str)]) {
    b.click(&format!("#act-{action} > summary")).await;
    for (name, value) in choices {
        b.choose(&format!("#act-{action} select[name=\"{name}\"]"), value)
            .await;
    }
    for (name, value) in fields {
        let css = format!("#act-{action} [name=\"{name}\"]");
        if name.ends_with(":date") {
            b.set(&css, value).await;
        } else {
            b.fill(&css, value).await;
        }
    }
    b.submit(&format!("#act-{action} button[type=submit]"))
        .await;
    if b.count("[role=alert]").await > 0 {
        panic!("{action} was refused: {}", b.text("[role=alert]").await);
    }
    assert_eq!(
        b.count("h1 .ref").await,
        1,
        "{action}: back on the case page"
    );
}

async fn signed_in(driver: &Driver, app: &TestApp, who: &TestUser, width: u32) -> Browser {
    let b = driver.browser(width, 900, "en").await;
    b.goto(&format!("{}/console", app.address)).await;
    b.fill("#email", &who.email).await;
    b.fill("#password", PASSWORD).await;
    b.submit("form button[type=submit]").await;
    assert!(
        b.url().await.ends_with("/console/cases"),
        "{} signed in",
        who.email
    );
    b
}

/// Every visible field has a label, the page has one `h1`, a language and
/// a title: the checks that need the rendered page.
async fn accessible(b: &Browser, what: &str) {
    let report = b
        .script(
            "const unlabeled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
               .filter(e => !e.labels || e.labels.length === 0).map(e => e.name);
             const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
             const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
             return {unlabeled, twice, h1: document.querySelectorAll('h1').length,
                     lang: document.documentElement.lang, title: document.title,
                     buttons: [...document.querySelectorAll('button')].filter(b => !b.textContent.trim()).length};",
        )
        .await;
    assert_eq!(
        report["unlabeled"],
        json!([]),
        "{what}: fields without a label"
    );
    assert_eq!(report["twice"], json!([]), "{what}: ids used twice");
    assert_eq!(report["h1"], 1, "{what}: one h1");
    assert_eq!(report["buttons"], 0, "{what}: buttons without a name");
    assert!(
        !report["lang"].as_str().unwrap_or_default().is_empty(),
        "{what}: lang"
    );
    assert!(
        !report["title"].as_str().unwrap_or_default().is_empty(),
        "{what}: title"
    );
    // Contrast, as rendered: every element with text of its own against
    // the first opaque background behind it, at least 4.5:1 (WCAG AA).
    let low = b
        .script(
            "const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
             const lum = c => { const [r, g, bl] = rgb(c).slice(0, 3).map(v => { v /= 255;
                 return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                 return 0.2126 * r + 0.7152 * g + 0.0722 * bl; };
             const behind = el => { for (; el; el = el.parentElement) {
                 const c = getComputedStyle(el).backgroundColor, v = rgb(c);
                 if (v.length < 4 || v[3] > 0) return c; } return 'rgb(255, 255, 255)'; };
             const low = [];
             for (const el of document.querySelectorAll('body *')) {
                 if (!el.getClientRects().length) continue;
                 if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
                 const a = lum(getComputedStyle(el).color), z = lum(behind(el));
                 const ratio = (Math.max(a, z) + 0.05) / (Math.min(a, z) + 0.05);
                 if (ratio < 4.5) low.push(el.tagName + ' ' + ratio.toFixed(2) + ' ' + el.textContent.trim().slice(0, 40));
             }
             return low;",
        )
        .await;
    assert_eq!(low, json!([]), "{what}: text below 4.5:1 contrast");
    // Keyboard: nothing pulled out of the tab order's natural sequence,
    // and the first stop is the link that skips to the content.
    let keys = b
        .script(
            "const focusable = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
                 .filter(e => e.tabIndex >= 0 && !e.disabled);
             return {positive: [...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0).length,
                     first: focusable.length ? focusable[0].className : ''};",
        )
        .await;
    assert_eq!(keys["positive"], 0, "{what}: a positive tabindex");
    assert_eq!(keys["first"], "skip", "{what}: the skip link comes first");
}

#[tokio::test]
async fn a_whole_case_in_the_browser_filing_to_closing_each_role_in_its_own_browser() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    for backend in backends() {
        let app = spawn_app(backend).await;
        let cast = Cast::new(&app).await;
        let shots = shots();
        let base = app.address.clone();

        // The complainant files, at a phone's width.
        let ann = signed_in(&driver, &app, &cast.complainant, 360).await;
        accessible(&ann, "cases").await;
        ann.click("a.button[href='/console/cases/new']").await;
        accessible(&ann, "filing").await;
        ann.fill("#title", "Order 1234 never arrived").await;
        ann.fill("#description", "I paid on 2 November and nothing came.")
            .await;
        ann.choose("#category", &cast.category).await;
        ann.fill("#respondent-name", "Bob's Shop").await;
        ann.fill("#respondent-email", &cast.respondent.email).await;
        ann.screenshot(&shots.join("file-complaint-phone.png"))
            .await;
        ann.submit("form.card button[type=submit]").await;
        let url = ann.url().await;
        let id = url.rsplit('/').next().expect("case id").to_string();
        assert!(url.starts_with(&format!("{base}/console/cases/")), "{url}");
        assert!(ann.text("h1").await.contains("Order 1234 never arrived"));
        accessible(&ann, "case").await;

        // The lead assigns it.
        let lee = signed_in(&driver, &app, &cast.lead, 1280).await;
        lee.goto(&format!("{base}/console/cases/{id}")).await;
        act(&lee, "assign", &[], &[("mediator_id", &cast.mediator.id)]).await;
        assert_eq!(app.case(&cast.lead, &id).await["state"], "assigned");

        // The mediator investigates, writes to the complainant alone, rules.
        let mia = signed_in(&driver, &app, &cast.mediator, 1280).await;
        mia.screenshot(&shots.join("queue-mediator.png")).await;
        mia.goto(&format!("{base}/console/cases/{id}")).await;
        act(&mia, "start_investigation", &[], &[]).await;
        accessible(&mia, "a case, as its mediator").await;
        mia.fill(
            "#message-complainant",
            "Could you send the receipt, privately?",
        )
        .await;
        mia.submit("section.thread-complainant button[type=submit]")
            .await;
        assert_eq!(mia.count("[role=alert]").await, 0);
        // The complainant's open page takes the news in place: its
        // script refreshes the case's state and threads (every 30 s, on
        // focus, or when told, as here) without loading a new document.
        ann.script(
            "window.__ombudSame = true; htmx.trigger('#case-status', 'refresh'); return null;",
        )
        .await;
        ann.wait_until(
            "document.querySelector('#messages-complainant').textContent.includes('privately')",
        )
        .await;
        assert_eq!(
            ann.text("#case-status .state").await,
            "Investigation",
            "the state moved on in place"
        );
        assert_eq!(
            ann.script("return window.__ombudSame === true;").await,
            json!(true),
            "a part of the page changed, not the page"
        );
        // A session that ends while a message is being written: the next
        // refresh puts a notice at the top and leaves the words alone.
        ann.fill("#message-complainant", "Half of what I meant to say")
            .await;
        ann.forget_cookies().await;
        ann.script(
            "window.__ombudSame = true; htmx.trigger('#case-status', 'refresh'); return null;",
        )
        .await;
        ann.wait_until(
            "document.querySelector('#session-ended').textContent.includes('session has ended')",
        )
        .await;
        assert_eq!(
            ann.script("return [window.__ombudSame === true, document.querySelector('#message-complainant').value];")
                .await,
            json!([true, "Half of what I meant to say"]),
            "the same page, with what was typed"
        );
        ann.quit().await;
        let ann = signed_in(&driver, &app, &cast.complainant, 360).await;
        mia.fill("#message-internal", "Looks like a courier problem.")
            .await;
        mia.submit("section.thread-internal button[type=submit]")
            .await;
        assert_eq!(mia.count("[role=alert]").await, 0);
        act(
            &mia,
            "issue_ruling",
            &[
                ("rationale", "The shop did not deliver."),
                ("remedies.0.description", "Refund the order"),
                ("remedies.0.due_at:date", "2027-01-15"),
            ],
            &[("outcome", "upheld"), ("remedies.0.kind", "refund")],
        )
        .await;
        mia.screenshot(&shots.join("case-mediator.png")).await;
        let notes = mia.text("section.thread-internal").await;
        assert!(notes.contains("Looks like a courier problem."), "{notes}");
        let case = app.case(&cast.mediator, &id).await;
        assert_eq!(case["state"], "ruling");
        assert_eq!(case["ruling"]["remedies"][0]["kind"], "refund");

        // The complainant reads the private message; the respondent does not.
        ann.goto(&format!("{base}/console/cases/{id}")).await;
        let seen = ann.text("main").await;
        assert!(seen.contains("Could you send the receipt, privately?"));
        assert!(
            !seen.contains("courier problem"),
            "no internal note for a party"
        );
        let bob = signed_in(&driver, &app, &cast.respondent, 1280).await;
        bob.goto(&format!("{base}/console/cases/{id}")).await;
        let seen = bob.text("main").await;
        assert!(seen.contains("Order 1234 never arrived"));
        assert!(
            !seen.contains("privately"),
            "the respondent never sees the complainant's thread"
        );
        assert!(!seen.contains("courier problem"));
        assert_eq!(bob.count("section.thread-complainant").await, 0);

        // The respondent appeals; the lead decides; the mediator closes.
        act(
            &bob,
            "appeal",
            &[("grounds", "The parcel was delivered to the neighbour.")],
            &[],
        )
        .await;
        assert_eq!(app.case(&cast.lead, &id).await["state"], "appeal");
        lee.goto(&format!("{base}/console/cases/{id}")).await;
        act(
            &lee,
            "decide_appeal",
            &[("rationale", "No proof of delivery was given.")],
            &[("decision", "uphold")],
        )
        .await;
        lee.screenshot(&shots.join("case-lead.png")).await;
        lee.goto(&format!("{base}/console/statistics")).await;
        accessible(&lee, "statistics").await;
        lee.screenshot(&shots.join("statistics-lead.png")).await;
        lee.goto(&format!("{base}/console/mediators/{}", cast.mediator.id))
            .await;
        accessible(&lee, "a mediator's desk").await;
        let admin = app.user(Role::Admin).await;
        let hook = app
            .post(
                "/webhooks",
                &admin,
                json!({"url": "https://hooks.example.org/ombud", "events": ["case_filed"]}),
            )
            .await;
        assert_eq!(hook.status(), StatusCode::CREATED);
        let hook: serde_json::Value = hook.json().await.expect("webhook");
        let hook = hook["id"].as_str().expect("id").to_string();
        let rule = app
            .post(
                "/triage_rules",
                &admin,
                json!({"name": "Parcels", "conditions": {"keywords": ["parcel"]}, "actions": {"set_priority": "high"}}),
            )
            .await;
        assert_eq!(rule.status(), StatusCode::CREATED);
        let ada = signed_in(&driver, &app, &admin, 1280).await;
        let endpoint = format!("webhooks/{hook}");
        for page in [
            "users",
            "categories",
            "account",
            "templates",
            "rules",
            "mediators",
            "triage",
            "service-levels",
            "webhooks",
            &endpoint,
        ] {
            ada.goto(&format!("{base}/console/{page}")).await;
            accessible(&ada, page).await;
            if page == "triage" {
                ada.screenshot(&shots.join("triage-admin.png")).await;
            }
        }
        ada.quit().await;
        assert_eq!(app.case(&cast.lead, &id).await["state"], "follow_up");
        mia.goto(&format!("{base}/console/cases/{id}")).await;
        act(&mia, "close", &[("note", "Refund confirmed.")], &[]).await;
        assert_eq!(app.case(&cast.mediator, &id).await["state"], "closed");

        ann.goto(&format!("{base}/console/cases/{id}")).await;
        ann.screenshot(&shots.join("case-complainant-phone.png"))
            .await;
        for b in [ann, lee, mia, bob] {
            b.quit().await;
        }
    }
}

#[tokio::test]
async fn a_case_with_more_than_two_thousand_messages_says_where_the_rest_are() {
    // SQLite: the rows are written in bulk with its SQL (the console's
    // part, paging through the API, is the same on either database).
    let app = spawn_app(backends()[0]).await;
    let cast = Cast::new(&app).await;
    let id = case_in(&app, &cast, "investigation").await;
    let (mia, _) = sign_in(&app, &cast.mediator.email).await;
    let before = get(&app, &mia, &format!("/console/cases/{id}")).await;
    assert!(!before.body.contains("Only the first 2,000"));
    // Ids in the order of their numbers, as the API pages by id.
    app.sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2001)
         INSERT INTO messages (id, case_id, author_id, visibility, body, created_at)
         SELECT 'ffffffff-0000-7000-8000-' || printf('%012d', i), '{id}', '{}',
                'all_parties', 'Note ' || i,
                strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || i || ' seconds')
         FROM n;",
        cast.mediator.id
    ));
    let after = get(&app, &mia, &format!("/console/cases/{id}")).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
    assert!(
        after.body.contains("Only the first 2,000 are shown here"),
        "the page says so"
    );
    assert!(
        after.body.contains("Note 2000"),
        "the first 2,000 are shown"
    );
    assert!(!after.body.contains("Note 2001<"), "the rest are not");
}
