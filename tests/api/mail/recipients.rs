//! Who gets which mail about a case, in which language, and what a muted
//! address or one without an account still gets.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ombud::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{delivered, mail_app, settled, user_in};
use crate::helpers::{Cast, backends, case_in};
use crate::smtp::SmtpSink;

#[tokio::test]
async fn every_event_reaches_the_right_people_in_their_language() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let app = mail_app(backend, &sink.url()).await;
        let mut cast = Cast::new(&app).await;
        cast.complainant = user_in(&app, Role::Member, "pl").await;
        cast.respondent = user_in(&app, Role::Member, "ru").await;
        cast.mediator = user_in(&app, Role::Mediator, "zh-Hans").await;
        let id = case_in(&app, &cast, "investigation").await;
        let deadline = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
        app.act_ok(
            &cast.mediator,
            &id,
            "request_info",
            json!({"party": "respondent", "question": "Numer przesyłki?", "deadline": deadline}),
        )
        .await;
        let path = format!("/cases/{id}/messages");
        let body = json!({"body": "Tracking 0034", "visibility": "all_parties"});
        assert_eq!(
            app.post(&path, &cast.respondent, body).await.status(),
            StatusCode::CREATED
        );
        let path = format!("/cases/{id}/messages");
        let body = json!({"body": "Staff only: looks like fraud", "visibility": "internal"});
        assert_eq!(
            app.post(&path, &cast.lead, body).await.status(),
            StatusCode::CREATED
        );
        let path = format!("/cases/{id}/messages");
        let body = json!({"body": "Just for you", "visibility": "complainant"});
        assert_eq!(
            app.post(&path, &cast.mediator, body).await.status(),
            StatusCode::CREATED
        );
        app.act_ok(&cast.mediator, &id, "issue_ruling", json!({"outcome": "upheld", "rationale": "Paid and not delivered.",
            "sanctions": [{"kind": "suspension", "duration_days": 7}],
            "remedies": [{"kind": "refund", "description": "Refund order 1234", "due_at": "2030-01-01T00:00:00Z"}]})).await;
        let other = case_in(&app, &cast, "intake").await;
        app.act_ok(
            &cast.lead,
            &other,
            "dismiss",
            json!({"reason": "duplicate", "detail": "Same as the first."}),
        )
        .await;

        let rows = settled(&app).await;
        let (c, r, m) = (
            &cast.complainant.email,
            &cast.respondent.email,
            &cast.mediator.email,
        );
        let lead = &cast.lead.email;
        let expected: BTreeMap<String, usize> = [
            (c, "acknowledgement", 2),
            (r, "respondent_notice", 2),
            (m, "assigned", 1),
            (c, "investigation_started", 1),
            (r, "investigation_started", 1),
            (r, "info_requested", 1),
            (c, "new_message", 2),
            (m, "new_message", 2),
            (m, "info_provided", 1),
            (c, "ruling_issued", 1),
            (r, "ruling_issued", 1),
            (c, "dismissed", 1),
            (r, "dismissed", 1),
            // Both cases waited for a lead to assign them (admins opt in).
            (lead, "awaiting_assignment", 2),
        ]
        .into_iter()
        .map(|(who, t, n)| (format!("{who} {t}"), n))
        .collect();
        assert_eq!(delivered(&sink, &rows), expected, "on {backend:?}");
        assert_eq!(sink.mails().len(), rows.len(), "every mail once");

        // Each in the recipient's language.
        for row in &rows {
            let want = match row["recipient_email"].as_str().unwrap() {
                e if e == c => "pl",
                e if e == r => "ru",
                e if e == m => "zh",
                _ => "en",
            };
            assert_eq!(row["language"], want, "{row}");
        }
        // The internal note reached the mediator and no party.
        let quoting: Vec<Vec<String>> = sink
            .mails()
            .into_iter()
            .filter(|mail| mail.text().contains("looks like fraud"))
            .map(|mail| mail.to)
            .collect();
        assert_eq!(quoting, vec![vec![m.clone()]]);
        let ruling = sink
            .mails()
            .into_iter()
            .find(|mail| {
                mail.to[0] == *r && mail.header("Subject").unwrap().contains("Вынесено решение")
            })
            .expect("Russian ruling mail");
        let text = ruling.text();
        assert!(
            text.contains("Paid and not delivered.")
                && text.contains("приостановка на 7 дн.")
                && text.contains("Refund order 1234"),
            "{text}"
        );
        assert!(
            text.contains("https://ombud.test/console/cases/"),
            "links go to the case in the console, under the public base URL"
        );
        let ack = sink
            .mails()
            .into_iter()
            .find(|mail| {
                mail.to[0] == *c && mail.header("Subject").unwrap().contains("Otrzymaliśmy")
            })
            .expect("Polish acknowledgement");
        assert!(
            ack.text().contains("8 godz."),
            "the first-response time of a high-priority case: {}",
            ack.text()
        );
    }
}

#[tokio::test]
async fn a_respondent_without_an_account_is_told_how_to_get_access() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let app = mail_app(backend, &sink.url()).await;
        let cast = Cast::new(&app).await;
        let res = app
            .post("/cases", &cast.complainant, json!({"title": "Broken chair", "description": "It broke.", "category": cast.category,
                  "respondent": {"name": "Chair Shop", "email": "chairs@shop.test"}}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let mails = sink.wait_for(2).await;
        let notice = mails
            .iter()
            .find(|m| m.to[0] == "chairs@shop.test")
            .expect("the respondent is told");
        let text = notice.text();
        assert!(
            text.contains("Hello Chair Shop")
                && text.contains("chairs@shop.test")
                && text.contains("account"),
            "{text}"
        );
        // Until they have an account, the address gets nothing that quotes the case.
        let list: Value = app.get("/cases", &cast.lead).await.json().await.unwrap();
        let case_id = list["items"][0]["id"].as_str().unwrap().to_string();
        app.act_ok(
            &cast.lead,
            &case_id,
            "assign",
            json!({"mediator_id": cast.mediator.id}),
        )
        .await;
        app.act_ok(&cast.mediator, &case_id, "start_investigation", json!({}))
            .await;
        app.act_ok(
            &cast.mediator,
            &case_id,
            "issue_ruling",
            json!({"outcome": "upheld", "rationale": "Secret reasons.", "appealable": false}),
        )
        .await;
        // A final ruling moves on at the next scan (the clock moves past its
        // closed window); then the case is closed.
        app.clock.advance(chrono::Duration::seconds(1));
        let db =
            ombud::db::Db::connect(&app.settings.database_url, 1, Duration::from_secs(5)).unwrap();
        let settings = std::sync::Arc::new(app.settings.clone());
        let moved = ombud::jobs::follow_up::run_once(&db, &settings, &app.clock)
            .await
            .unwrap();
        assert_eq!(moved, 1);
        app.act_ok(&cast.mediator, &case_id, "close", json!({}))
            .await;
        let rows = settled(&app).await;
        let guest: Vec<&str> = rows
            .iter()
            .filter(|m| m["recipient_email"] == "chairs@shop.test")
            .map(|m| m["template"].as_str().unwrap())
            .collect();
        assert_eq!(
            guest,
            ["respondent_notice", "investigation_started", "closed"]
        );
        let to_guest: Vec<_> = sink
            .mails()
            .into_iter()
            .filter(|m| m.to[0] == "chairs@shop.test")
            .collect();
        assert_eq!(to_guest.len(), 3);
        for mail in to_guest {
            let (text, subject) = (mail.text(), mail.header("Subject").unwrap_or_default());
            assert!(!text.contains("Secret reasons."), "{text}");
            // Not even the title: the address is only what the complainant typed.
            assert!(!text.contains("Broken chair"), "{text}");
            assert!(!subject.contains("Broken chair"), "{subject}");
            assert!(text.contains("OMB-"), "the reference is given: {text}");
            // No link to a case they cannot open, no settings they do not have.
            assert!(!text.contains("/cases/"), "{text}");
            assert!(!text.contains("account settings"), "{text}");
        }
        // Someone with an account gets the title.
        let ack = sink
            .mails()
            .into_iter()
            .find(|m| m.to[0] == cast.complainant.email)
            .expect("an acknowledgement");
        assert!(ack.text().contains("Broken chair"));
        assert!(ack.text().contains("/cases/") && ack.text().contains("account settings"));
    }
}

#[tokio::test]
async fn muted_mail_is_not_sent_but_essential_mail_always_is() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let app = mail_app(backend, &sink.url()).await;
        let cast = Cast::new(&app).await;
        let res = app
            .call(
                Method::PATCH,
                &format!("/users/{}", cast.complainant.id),
                Some(&cast.complainant),
                Some(json!({"notifications": {"messages": false, "updates": false}})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.json::<Value>().await.unwrap()["notifications"],
            json!({"messages": false, "updates": false})
        );
        let id = case_in(&app, &cast, "investigation").await;
        app.post(
            &format!("/cases/{id}/messages"),
            &cast.mediator,
            json!({"body": "Hello both"}),
        )
        .await;
        app.act_ok(
            &cast.mediator,
            &id,
            "issue_ruling",
            json!({"outcome": "not_upheld", "rationale": "No evidence."}),
        )
        .await;
        let rows = settled(&app).await;
        let to_complainant: BTreeSet<&str> = rows
            .iter()
            .filter(|m| m["recipient_email"] == cast.complainant.email.as_str())
            .map(|m| m["template"].as_str().unwrap())
            .collect();
        assert_eq!(
            to_complainant,
            ["acknowledgement", "ruling_issued"].into_iter().collect()
        );
        let to_respondent = rows
            .iter()
            .filter(|m| m["recipient_email"] == cast.respondent.email.as_str())
            .count();
        assert_eq!(to_respondent, 4, "notice, investigation, message, ruling");
    }
}
