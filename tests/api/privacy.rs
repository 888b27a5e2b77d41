//! What Ombud holds about a person, handed over: the export.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, TestUser, on_each_backend};

async fn upload(app: &TestApp, who: &TestUser, case: &str, visibility: &str) -> Value {
    let part = Part::bytes(b"Receipt for order 1234.\n".to_vec())
        .file_name("receipt.txt")
        .mime_str("text/plain")
        .unwrap();
    let form = Form::new()
        .part("file", part)
        .text("visibility", visibility.to_string());
    let res = app
        .client
        .post(app.url(&format!("/cases/{case}/evidence")))
        .bearer_auth(&who.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_user_exports_what_ombud_holds_about_them_as_they_may_see_it() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let (ann, bob) = (&cast.complainant, &cast.respondent);
        let case = app.file_case(ann, bob, &cast.category).await;
        let id = case["id"].as_str().unwrap();
        app.investigate(&cast, id).await;
        app.message(ann, id, "Ann to everyone", "all_parties").await;
        app.message(ann, id, "Ann to the mediator only", "complainant")
            .await;
        app.message(bob, id, "Bob to the mediator only", "respondent")
            .await;
        app.message(&cast.mediator, id, "Staff note about Ann", "internal")
            .await;
        let receipt = upload(&app, ann, id, "all_parties").await;
        upload(&app, bob, id, "respondent").await;
        // Another case Ann has nothing to do with.
        app.file_case(bob, &cast.member, &cast.category).await;

        let path = format!("/users/{}/export", ann.id);
        let res = app.get(&path, ann).await;
        assert_eq!(res.status(), StatusCode::OK);
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(disposition.starts_with("attachment;") && disposition.contains(&ann.id));
        let text = res.text().await.unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["format"], "ombud-user-export/1");
        assert_eq!(doc["account"]["id"], ann.id.as_str());
        assert_eq!(doc["account"]["email"], ann.email.as_str());
        assert!(!doc["tokens"].as_array().unwrap().is_empty());
        assert!(!text.contains(&ann.token), "never a token's secret");

        // Her one case, as she sees it.
        let cases = doc["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 1, "only the case she is party to");
        let mine = &cases[0];
        assert_eq!(mine["case"]["id"], id);
        let seen: Value = app
            .get(&format!("/cases/{id}/messages?limit=100"), ann)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(ids(&mine["messages"]), ids(&seen["items"]));
        let bodies: Vec<&str> = mine["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect();
        assert!(
            bodies.contains(&"Ann to everyone") && bodies.contains(&"Ann to the mediator only")
        );
        let timeline = app.timeline(ann, id).await;
        assert_eq!(mine["timeline"].as_array().unwrap().len(), timeline.len());
        assert_eq!(
            ids(&mine["evidence"]),
            vec![receipt["id"].as_str().unwrap().to_string()]
        );
        // Nothing from the other side's caucus or staff's notes, anywhere.
        for hidden in ["Bob to the mediator only", "Staff note about Ann"] {
            assert!(!text.contains(hidden), "{hidden} leaked into the export");
        }
        assert!(
            mine["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["visibility"] != "internal")
        );

        // What she wrote and uploaded, and the mail sent to her.
        let written: Vec<&str> = doc["messages_written"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap())
            .collect();
        assert_eq!(written, vec!["Ann to everyone", "Ann to the mediator only"]);
        assert_eq!(
            ids(&doc["evidence_added"]),
            vec![receipt["id"].as_str().unwrap().to_string()]
        );
        let mail = doc["mail"].as_array().unwrap();
        assert!(!mail.is_empty(), "the acknowledgement at least");
        for m in mail {
            assert_eq!(m["mail"]["recipient_email"], ann.email.as_str());
            assert!(!m["body_text"].as_str().unwrap().is_empty());
        }

        // An admin exports it for her and gets what she sees, no more.
        let res = app.get(&path, &cast.admin).await;
        assert_eq!(res.status(), StatusCode::OK);
        let by_admin: Value = res.json().await.unwrap();
        assert_eq!(
            ids(&by_admin["cases"][0]["messages"]),
            ids(&mine["messages"])
        );
        assert_eq!(by_admin["mail"].as_array().unwrap().len(), mail.len());

        // No one else may: staff are refused, a member does not even
        // learn that the user exists (as with `GET /users/{id}`).
        for (other, status) in [
            (bob, StatusCode::NOT_FOUND),
            (&cast.mediator, StatusCode::FORBIDDEN),
            (&cast.lead, StatusCode::FORBIDDEN),
        ] {
            let res = app.get(&path, other).await;
            assert_eq!(res.status(), status, "{:?}", other.role);
        }
        let res = app
            .get(
                &format!("/users/{}/export", uuid::Uuid::now_v7()),
                &cast.admin,
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // A service token exports its own account with `cases:read` only.
        for (scopes, status) in [
            (json!(["cases:read"]), StatusCode::OK),
            (json!(["directory:read"]), StatusCode::FORBIDDEN),
        ] {
            let res = app
                .post(
                    "/service-tokens",
                    &cast.admin,
                    json!({"name": "bot", "user_id": ann.id, "scopes": scopes}),
                )
                .await;
            let token: Value = res.json().await.unwrap();
            let bot = TestUser {
                token: token["token"].as_str().unwrap().into(),
                ..ann.clone()
            };
            assert_eq!(app.get(&path, &bot).await.status(), status, "{scopes}");
        }
    })
    .await;
}

/// A member with a name of their own (the cast's are all "A member").
async fn person(app: &TestApp, name: &str, email: &str) -> TestUser {
    let res = app
        .post("/users", &app.admin, json!({"email": email, "name": name, "role": "member", "password": crate::helpers::PASSWORD}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let user: Value = res.json().await.unwrap();
    TestUser {
        id: user["id"].as_str().unwrap().into(),
        email: email.into(),
        token: app.sign_in(email, crate::helpers::PASSWORD).await,
        role: ombud::domain::Role::Member,
    }
}

/// How many stored texts still hold `needle` (any case), table by table.
fn traces(app: &TestApp, needle: &str) -> Vec<(&'static str, i64)> {
    let like = format!("'%{}%'", needle.to_lowercase());
    [
        ("users", "SELECT COUNT(*) AS n FROM users WHERE lower(name) LIKE {l} OR lower(email) LIKE {l}"),
        ("cases", "SELECT COUNT(*) AS n FROM cases WHERE lower(title) LIKE {l} OR lower(description) LIKE {l} OR lower(respondent_name) LIKE {l} OR lower(COALESCE(respondent_email, '')) LIKE {l}"),
        ("messages", "SELECT COUNT(*) AS n FROM messages WHERE lower(body) LIKE {l}"),
        ("outbox", "SELECT COUNT(*) AS n FROM outbox WHERE lower(subject) LIKE {l} OR lower(body_text) LIKE {l} OR lower(body_html) LIKE {l} OR lower(recipient_email) LIKE {l} OR lower(recipient_name) LIKE {l}"),
        ("timeline", "SELECT COUNT(*) AS n FROM timeline_events WHERE lower(data) LIKE {l}"),
        ("webhooks", "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE lower(payload) LIKE {l}"),
        ("search", "SELECT COUNT(*) AS n FROM search_docs WHERE body LIKE {l}"),
        ("replays", "SELECT COUNT(*) AS n FROM idempotency_keys WHERE lower(body) LIKE {l}"),
        ("attempts", "SELECT COUNT(*) AS n FROM outbox_attempts WHERE lower(detail) LIKE {l}"),
    ]
    .into_iter()
    .map(|(table, sql)| (table, app.count(&sql.replace("{l}", &like))))
    .filter(|(_, n)| *n > 0)
    .collect()
}

async fn verdict(app: &TestApp, who: &TestUser, case: &str) -> Value {
    app.get(&format!("/cases/{case}/timeline/verify"), who)
        .await
        .json()
        .await
        .unwrap()
}

/// One step of the scanner's finishing of erasures.
async fn finish_erasures(app: &TestApp) -> usize {
    let settings = std::sync::Arc::new(app.settings.clone());
    let url = app.db.url.clone();
    tokio::task::spawn_blocking(move || {
        let db = ombud::db::Db::connect(&url, 1, std::time::Duration::from_secs(30)).unwrap();
        let env = ombud::state::Env::new(settings, chrono::Utc::now());
        db.write_blocking(move |conn| ombud::privacy::erase::finish(conn, &env))
            .unwrap()
            .0
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn erasing_a_person_leaves_a_pseudonym_everywhere_and_their_words_go_with_each_closed_case() {
    on_each_backend(|app| async move {
        let mut cast = Cast::new(&app).await;
        let ann = person(&app, "Annabel Quist", "annabel.quist@example.org").await;
        cast.complainant = ann.clone();
        let bob = cast.respondent.clone();
        // A webhook endpoint, so deliveries carry her name too.
        let res = app
            .post("/webhooks", &cast.admin, json!({"url": "https://hooks.example.org/ombud", "events": ["*"]}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);

        // A case that will be closed when she is erased, and one still open.
        let closed = app.file_case(&ann, &bob, &cast.category).await["id"].as_str().unwrap().to_string();
        app.investigate(&cast, &closed).await;
        app.message(&ann, &closed, "Annabel Quist here: the parcel never came.", "all_parties").await;
        app.message(&bob, &closed, "We wrote to Annabel Quist at annabel.quist@example.org.", "all_parties").await;
        let file = upload(&app, &ann, &closed, "all_parties").await;
        // With a key: the answer kept for replays names her (the case's parties).
        let res = app
            .client
            .post(app.url(&format!("/cases/{closed}/actions/dismiss")))
            .bearer_auth(&cast.lead.token)
            .header("Idempotency-Key", "dismiss-once")
            .json(&json!({"reason": "other", "detail": "Settled outside."}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("Annabel Quist"));
        let open = app.file_case(&ann, &bob, &cast.category).await["id"].as_str().unwrap().to_string();
        app.message(&ann, &open, "Annabel Quist again, about the second order.", "all_parties").await;
        // A mail server's reply about mail to her, quoting her address.
        app.sql(&format!(
            "INSERT INTO outbox_attempts (outbox_id, worker, outcome, detail, attempted_at) \
             SELECT id, 'w1', 'permanent', '550 <annabel.quist@example.org> unknown', created_at \
             FROM outbox WHERE recipient_user_id = '{}'",
            ann.id
        ));
        assert!(!traces(&app, "Annabel Quist").is_empty(), "her name is stored before");

        // Only another admin may, and a mediator with open cases must hand them over first.
        let path = format!("/users/{}/erase", ann.id);
        assert_eq!(app.post(&path, &cast.lead, json!({})).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.post(&path, &ann, json!({})).await.status(), StatusCode::FORBIDDEN);
        let own = format!("/users/{}/erase", cast.admin.id);
        assert_eq!(app.post(&own, &cast.admin, json!({})).await.status(), StatusCode::FORBIDDEN);
        let busy = app.file_case(&cast.member, &bob, &cast.category).await["id"].as_str().unwrap().to_string();
        app.investigate(&cast, &busy).await;
        let res = app.post(&format!("/users/{}/erase", cast.mediator.id), &cast.admin, json!({})).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "they mediate an open case");

        let res = app.post(&path, &cast.admin, json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let erasure: Value = res.json().await.unwrap();
        assert_eq!(erasure["cases"], 2);
        assert_eq!(erasure["cases_kept_until_closed"], 1);
        assert_eq!(erasure["messages_removed"], 1);
        assert_eq!(erasure["files_removed"], 1);
        let pseudonym = erasure["pseudonym"].as_str().unwrap().to_string();
        assert!(pseudonym.starts_with("Erased user "));

        // Her name and address are nowhere, in any table.
        assert_eq!(traces(&app, "Annabel Quist"), vec![], "her name");
        // Her words on the closed case are out of the mail and the records too.
        assert_eq!(traces(&app, "the parcel never came"), vec![], "her words");
        // Her complaint's text too (the open case's copy stays for now).
        for table in ["outbox WHERE body_text", "timeline_events WHERE data", "webhook_deliveries WHERE payload"] {
            let (from, column) = table.split_once(" WHERE ").unwrap();
            let sql = format!(
                "SELECT COUNT(*) AS n FROM {from} WHERE case_id = '{closed}' AND {column} LIKE '%Order never arrived%'"
            );
            assert_eq!(app.count(&sql), 0, "{from}");
            let open_sql = sql.replace(&closed, &open);
            assert!(app.count(&open_sql) > 0 || from == "outbox", "{from} keeps the open case's");
        }
        assert_eq!(traces(&app, "annabel.quist@example.org"), vec![], "her address");
        let account: Value = app.get(&format!("/users/{}", ann.id), &cast.admin).await.json().await.unwrap();
        assert_eq!(account["name"], pseudonym.as_str());
        assert_eq!(account["active"], false);
        assert!(account["email"].as_str().unwrap().ends_with("@erased.invalid"));
        assert_eq!(app.get("/me", &ann).await.status(), StatusCode::UNAUTHORIZED, "her tokens are revoked");
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM outbox WHERE recipient_user_id = '{}' AND status = 'pending'", ann.id)), 0);

        // The closed case: her words and file are gone, the rest stands,
        // naming her by the pseudonym.
        let said = app.bodies(&bob, &closed, "").await;
        assert_eq!(said[0], ombud::privacy::erase::REMOVED);
        assert_eq!(said[1], format!("We wrote to {pseudonym} at erased-{}@erased.invalid.", uuid::Uuid::parse_str(&ann.id).unwrap().simple()));
        let case: Value = app.case(&bob, &closed).await;
        assert_eq!(case["title"], ombud::privacy::erase::REMOVED);
        assert_eq!(case["state"], "dismissed");
        let fid = file["id"].as_str().unwrap();
        let res = app.get(&format!("/cases/{closed}/evidence/{fid}/content"), &cast.mediator).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "the file is gone");
        let timeline = app.timeline(&cast.lead, &closed).await;
        let last = timeline.last().unwrap();
        assert_eq!(last["kind"], "personal_data_erased");
        assert_eq!(last["data"]["removed_their_words"], true);
        let checked = verdict(&app, &cast.lead, &closed).await;
        assert_eq!(checked["intact"], true, "{checked}");
        assert!(checked["redacted"].as_i64() > Some(0), "{checked}");

        // The open case keeps her words (under the pseudonym) until it closes.
        let said = app.bodies(&bob, &open, "").await;
        assert_eq!(said, vec![format!("{pseudonym} again, about the second order.")]);
        assert_eq!(finish_erasures(&app).await, 0, "nothing to finish while it is open");
        app.act_ok(&cast.lead, &open, "dismiss", json!({"reason": "other", "detail": "Gone quiet."})).await;
        assert_eq!(finish_erasures(&app).await, 1);
        assert_eq!(app.bodies(&bob, &open, "").await, vec![ombud::privacy::erase::REMOVED.to_string()]);
        assert_eq!(app.case(&bob, &open).await["title"], ombud::privacy::erase::REMOVED);
        let checked = verdict(&app, &cast.lead, &open).await;
        assert_eq!(checked["intact"], true, "{checked}");
        assert_eq!(finish_erasures(&app).await, 0, "done once");

        // Once is enough; and cutting off the record of an erasure shows.
        assert_eq!(app.post(&path, &cast.admin, json!({})).await.status(), StatusCode::CONFLICT);
        let erased_entry = app.timeline(&cast.lead, &closed).await.last().unwrap()["id"].as_i64().unwrap();
        app.sql(&format!("DELETE FROM timeline_events WHERE id = {erased_entry}"));
        let checked = verdict(&app, &cast.lead, &closed).await;
        assert_eq!(checked["first_broken"]["problem"], "redacted_without_record", "{checked}");
        // Her export still works, under the pseudonym.
        let export: Value = app.get(&format!("/users/{}/export", ann.id), &cast.admin).await.json().await.unwrap();
        assert_eq!(export["account"]["name"], pseudonym.as_str());
    })
    .await;
}

/// One step of the scanner's retention, as of `days` from now.
async fn retention(app: &TestApp, retention_days: i64, days: i64) -> usize {
    let mut settings = app.settings.clone();
    settings.retention_days = retention_days;
    let settings = std::sync::Arc::new(settings);
    let url = app.db.url.clone();
    tokio::task::spawn_blocking(move || {
        let db = ombud::db::Db::connect(&url, 1, std::time::Duration::from_secs(30)).unwrap();
        let env =
            ombud::state::Env::new(settings, chrono::Utc::now() + chrono::Duration::days(days));
        db.write_blocking(move |conn| ombud::privacy::retention::run(conn, &env))
            .unwrap()
            .0
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_case_past_the_retention_period_keeps_its_shape_and_loses_its_content() {
    on_each_backend(|app| async move {
        let mut cast = Cast::new(&app).await;
        let ann = person(&app, "Rosalind Petrova", "rosalind.petrova@example.org").await;
        cast.complainant = ann.clone();
        let bob = cast.respondent.clone();
        let old = app.file_case(&ann, &bob, &cast.category).await["id"].as_str().unwrap().to_string();
        app.investigate(&cast, &old).await;
        app.message(&ann, &old, "Rosalind Petrova: the parcel never came.", "all_parties").await;
        app.message(&cast.mediator, &old, "Internal: call Rosalind Petrova back.", "internal").await;
        let file = upload(&app, &ann, &old, "all_parties").await;
        app.act_ok(&cast.lead, &old, "dismiss", json!({"reason": "other", "detail": "Settled by phone with Rosalind."}))
            .await;
        let still_open = app.file_case(&ann, &bob, &cast.category).await["id"].as_str().unwrap().to_string();
        let before = app.case(&cast.lead, &old).await;

        assert_eq!(retention(&app, 0, 400).await, 0, "off by default");
        assert_eq!(retention(&app, 30, 29).await, 0, "not yet");
        assert_eq!(retention(&app, 30, 31).await, 1, "the ended case, not the open one");
        assert_eq!(retention(&app, 30, 31).await, 0, "once");

        // Its shape stays: state, category, reference, outcome, dates.
        let after = app.case(&cast.lead, &old).await;
        for kept in ["state", "reference", "category", "priority", "created_at"] {
            assert_eq!(after[kept], before[kept], "{kept}");
        }
        let expired = ombud::privacy::retention::EXPIRED;
        assert_eq!(after["title"], expired);
        assert!(app.bodies(&cast.lead, &old, "").await.iter().all(|b| b == expired));
        let fid = file["id"].as_str().unwrap();
        let res = app.get(&format!("/cases/{old}/evidence/{fid}/content"), &cast.lead).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        // Nothing of what was said, or of the parties' names, is left on it.
        for needle in ["parcel never came", "Rosalind", "Settled by phone", "Order never arrived", "rosalind.petrova"] {
            for (table, column) in [("outbox", "body_text"), ("outbox", "subject"), ("timeline_events", "data"), ("webhook_deliveries", "payload"), ("search_docs", "body")] {
                let n = app.count(&format!(
                    "SELECT COUNT(*) AS n FROM {table} WHERE case_id = '{old}' AND lower({column}) LIKE '%{}%'",
                    needle.to_lowercase()
                ));
                assert_eq!(n, 0, "{needle} in {table}.{column}");
            }
        }
        let timeline = app.timeline(&cast.lead, &old).await;
        assert_eq!(timeline.last().unwrap()["kind"], "case_anonymised");
        let checked = verdict(&app, &cast.lead, &old).await;
        assert_eq!(checked["intact"], true, "{checked}");
        assert!(checked["redacted"].as_i64() > Some(0));
        // The open case is untouched.
        assert_eq!(app.case(&ann, &still_open).await["title"], "Order never arrived");
    })
    .await;
}

#[tokio::test]
async fn answers_kept_for_replays_are_forgotten_after_their_days() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = app
            .file_case(&cast.complainant, &cast.respondent, &cast.category)
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let post = || {
            app.client
                .post(app.url(&format!("/cases/{id}/messages")))
                .bearer_auth(&cast.complainant.token)
                .header("Idempotency-Key", "note-1")
                .json(&json!({"body": "Only once, please.", "visibility": "all_parties"}))
                .send()
        };
        assert_eq!(post().await.unwrap().status(), StatusCode::CREATED);
        let replay = post().await.unwrap();
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        let forget = |days_later: i64| {
            let url = app.db.url.clone();
            tokio::task::spawn_blocking(move || {
                let db =
                    ombud::db::Db::connect(&url, 1, std::time::Duration::from_secs(30)).unwrap();
                let later = chrono::Utc::now() + chrono::Duration::days(days_later);
                db.write_blocking(move |conn| ombud::jobs::forget_replays(conn, 7, later))
                    .unwrap()
            })
        };
        assert_eq!(forget(6).await.unwrap(), 0, "kept for a week");
        assert_eq!(forget(8).await.unwrap(), 1, "then forgotten");
        let again = post().await.unwrap();
        assert_eq!(again.status(), StatusCode::CREATED);
        assert!(
            again.headers().get("idempotent-replayed").is_none(),
            "a retry after that runs again"
        );
        assert_eq!(app.bodies(&cast.complainant, &id, "").await.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn erasing_a_mediator_renames_them_in_the_assignments_they_got() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let email = "mirela.hart@example.org";
        let res = app
            .post("/users", &app.admin, json!({"email": email, "name": "Mirela Hart", "role": "mediator", "password": crate::helpers::PASSWORD}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let mirela: Value = res.json().await.unwrap();
        let id = app.file_case(&cast.complainant, &cast.respondent, &cast.category).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.act_ok(&cast.lead, &id, "assign", json!({"mediator_id": mirela["id"]})).await;
        // Handed back: the assignment that named her stays in the timeline.
        app.act_ok(&cast.lead, &id, "assign", json!({"mediator_id": cast.mediator.id})).await;
        assert!(!traces(&app, "Mirela Hart").is_empty());
        let res = app.post(&format!("/users/{}/erase", mirela["id"].as_str().unwrap()), &cast.admin, json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let pseudonym = res.json::<Value>().await.unwrap()["pseudonym"].as_str().unwrap().to_string();
        assert_eq!(traces(&app, "Mirela Hart"), vec![], "her name");
        let named: Vec<Value> = app
            .timeline(&cast.lead, &id)
            .await
            .into_iter()
            .filter(|e| e["data"]["mediator_id"] == mirela["id"])
            .collect();
        assert_eq!(named.len(), 1);
        assert_eq!(named[0]["data"]["mediator_name"], pseudonym.as_str());
        assert_eq!(verdict(&app, &cast.lead, &id).await["intact"], true);
    })
    .await;
}
