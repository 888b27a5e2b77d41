//! Signing in, tokens, service tokens and scopes, admin-only operations.

use ombud::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestUser, on_each_backend, problem};

#[tokio::test]
async fn wrong_credentials_and_bad_tokens_get_the_same_401() {
    on_each_backend(|app| async move {
        let ann = app.user(Role::Member).await;
        let wrong_password = app
            .call(
                Method::POST,
                "/auth/tokens",
                None,
                Some(json!({"email": ann.email, "password": "not the password"})),
            )
            .await;
        assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
        assert!(wrong_password.headers().contains_key("www-authenticate"));
        let a = problem(wrong_password).await;
        let unknown = app
            .call(
                Method::POST,
                "/auth/tokens",
                None,
                Some(json!({"email": "nobody@example.org", "password": PASSWORD})),
            )
            .await;
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        let b = problem(unknown).await;
        assert_eq!(a, b, "the two failures must be indistinguishable");

        let no_token = app.call(Method::GET, "/me", None, None).await;
        assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
        let garbage = TestUser {
            token: "omb_nonsense".into(),
            ..ann.clone()
        };
        let res = app.get("/me", &garbage).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            problem(res).await,
            problem(app.call(Method::GET, "/me", None, None).await).await
        );

        // An expired token stops working.
        app.sql(&format!(
            "UPDATE api_tokens SET expires_at = '2000-01-01 00:00:00' WHERE user_id = '{}'",
            ann.id
        ));
        assert_eq!(
            app.get("/me", &ann).await.status(),
            StatusCode::UNAUTHORIZED
        );
    })
    .await;
}

#[tokio::test]
async fn tokens_are_listed_without_secrets_and_can_be_revoked() {
    on_each_backend(|app| async move {
        let ann = app.user(Role::Member).await;
        let second = app.sign_in(&ann.email, PASSWORD).await;
        let list: Value = app.get("/auth/tokens", &ann).await.json().await.unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let text = list.to_string();
        assert!(
            !text.contains(&ann.token) && !text.contains(&second),
            "secrets must never be listed"
        );
        // Only hashes are stored.
        let me: Value = app.get("/me", &ann).await.json().await.unwrap();
        assert_eq!(me["email"], ann.email.as_str());

        let token_id = items.iter().find(|t| t["kind"] == "personal").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let other = app.user(Role::Member).await;
        let res = app
            .call(
                Method::DELETE,
                &format!("/auth/tokens/{token_id}"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::NOT_FOUND,
            "someone else's token is invisible"
        );
        let res = app
            .call(
                Method::DELETE,
                &format!("/auth/tokens/{token_id}"),
                Some(&ann),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        // Exactly one of the two tokens now fails.
        let a = app.get("/me", &ann).await.status();
        let b = app
            .get(
                "/me",
                &TestUser {
                    token: second.clone(),
                    ..ann.clone()
                },
            )
            .await
            .status();
        let statuses = [a, b];
        assert!(
            statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::UNAUTHORIZED),
            "{statuses:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn service_tokens_are_limited_by_their_scopes() {
    on_each_backend(|app| async move {
        let integration = app.user(Role::Member).await;
        let res = app
            .post(
                "/service-tokens",
                &app.admin,
                json!({"name": "shop", "user_id": integration.id, "scopes": ["cases:read"], "expires_in_days": 30}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let issued: Value = res.json().await.unwrap();
        assert_eq!(issued["details"]["kind"], "service");
        let svc = TestUser { token: issued["token"].as_str().unwrap().into(), ..integration.clone() };
        assert_eq!(app.get("/cases", &svc).await.status(), StatusCode::OK);
        let respondent = app.user(Role::Member).await;
        let category = app.category().await;
        let res = app
            .post(
                "/cases",
                &svc,
                json!({"title": "t", "description": "d", "category": category, "respondent": {"user_id": respondent.id}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(problem(res).await["detail"].as_str().unwrap().contains("cases:write"));
        // On an action, fields that need no database are checked before the
        // scope (docs/api.md): a bad body is a 422 even without cases:write;
        // a good one meets the scope (403).
        let id = uuid::Uuid::now_v7();
        let res = app.post(&format!("/cases/{id}/actions/reopen"), &svc, json!({"reason": " "})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        problem(res).await;
        let res = app.post(&format!("/cases/{id}/actions/reopen"), &svc, json!({"reason": "r"})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        problem(res).await;

        // Only admins make service tokens.
        let res = app
            .post("/service-tokens", &integration, json!({"name": "x", "user_id": integration.id, "scopes": ["cases:read"]}))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let services: Value = app.get("/auth/tokens?service=true", &app.admin).await.json().await.unwrap();
        assert_eq!(services["items"].as_array().unwrap().len(), 1);
        let twice = json!({"name": "twice", "user_id": integration.id, "scopes": ["cases:read", "directory:read", "cases:read"]});
        let again: Value = app.post("/service-tokens", &app.admin, twice).await.json().await.unwrap();
        assert_eq!(again["details"]["scopes"], json!(["cases:read", "directory:read"]), "each scope once");
    })
    .await;
}

#[tokio::test]
async fn admins_manage_users_and_categories_and_nobody_else_does() {
    on_each_backend(|app| async move {
        let lead = app.user(Role::Lead).await;
        let res = app.post("/users", &lead, json!({"email": "x@example.org", "name": "X"})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.post("/categories", &lead, json!({"slug": "x", "name": "X"})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        let res = app.post("/users", &app.admin, json!({"email": lead.email, "name": "Again"})).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let res = app.post("/users", &app.admin, json!({"email": "not-an-email", "name": "", "password": "short"})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let p = problem(res).await;
        let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["email", "name", "password"]);

        // Deactivating a user locks them out at once.
        let ann = app.user(Role::Member).await;
        let res = app.call(Method::PATCH, &format!("/users/{}", ann.id), Some(&app.admin), Some(json!({"active": false}))).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.get("/me", &ann).await.status(), StatusCode::UNAUTHORIZED);
        let res = app.call(Method::POST, "/auth/tokens", None, Some(json!({"email": ann.email, "password": PASSWORD}))).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // Staff may read another user but never change them: 403, as for
        // anything never allowed. Members cannot see other users at all: 404.
        let mediator = app.user(Role::Mediator).await;
        let carol = app.user(Role::Member).await;
        for staff in [&lead, &mediator] {
            assert_eq!(app.get(&format!("/users/{}", carol.id), staff).await.status(), StatusCode::OK);
            let res = app
                .call(Method::PATCH, &format!("/users/{}", carol.id), Some(staff), Some(json!({"name": "Renamed"})))
                .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            problem(res).await;
        }
        let dave = app.user(Role::Member).await;
        assert_eq!(app.get(&format!("/users/{}", carol.id), &dave).await.status(), StatusCode::NOT_FOUND);
        let res = app
            .call(Method::PATCH, &format!("/users/{}", carol.id), Some(&dave), Some(json!({"name": "Renamed"})))
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let unchanged: Value = app.get(&format!("/users/{}", carol.id), &app.admin).await.json().await.unwrap();
        assert_ne!(unchanged["name"], "Renamed");

        // Members may not list users; staff may.
        let bob = app.user(Role::Member).await;
        assert_eq!(app.get("/users", &bob).await.status(), StatusCode::FORBIDDEN);
        let mediators: Value = app.get("/users?role=mediator", &lead).await.json().await.unwrap();
        assert_eq!(mediators["items"].as_array().unwrap().len(), 1);

        // Categories: create, list, close to new cases.
        let slug = app.category().await;
        let list: Value = app.get("/categories", &bob).await.json().await.unwrap();
        let cat = list["items"].as_array().unwrap().iter().find(|c| c["slug"] == slug.as_str()).unwrap().clone();
        let res = app
            .call(Method::PATCH, &format!("/categories/{}", cat["id"].as_str().unwrap()), Some(&app.admin), Some(json!({"active": false})))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app
            .post("/cases", &bob, json!({"title": "t", "description": "d", "category": slug, "respondent": {"user_id": ann.id}}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn only_the_owner_with_a_personal_token_and_the_old_password_changes_it() {
    on_each_backend(|app| async move {
        let ann = app.user(Role::Member).await;
        let path = format!("/users/{}", ann.id);
        let res = app.call(Method::PATCH, &path, Some(&ann), Some(json!({"password": "a brand new passphrase"}))).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "current_password");
        let res = app
            .call(Method::PATCH, &path, Some(&ann), Some(json!({"password": "a brand new passphrase", "current_password": PASSWORD})))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.get("/me", &ann).await.status(), StatusCode::OK, "the session making the change survives");
        app.sign_in(&ann.email, "a brand new passphrase").await;

        // A narrow service token for the same account can neither change it nor its tokens.
        let res = app
            .post("/service-tokens", &app.admin, json!({"name": "bot", "user_id": ann.id, "scopes": ["cases:read", "cases:write"]}))
            .await;
        let svc: Value = res.json().await.unwrap();
        let bot = TestUser { token: svc["token"].as_str().unwrap().into(), ..ann.clone() };
        let res = app.call(Method::PATCH, &path, Some(&bot), Some(json!({"password": "taken over!!", "current_password": "a brand new passphrase"}))).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.get("/auth/tokens", &bot).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.get("/users", &bot).await.status(), StatusCode::FORBIDDEN, "the directory needs directory:read");
        assert_eq!(app.get("/categories", &bot).await.status(), StatusCode::OK, "categories need no scope: filing names one");
        // Members cannot change their role.
        let res = app.call(Method::PATCH, &path, Some(&ann), Some(json!({"role": "admin"}))).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    })
    .await;
}
