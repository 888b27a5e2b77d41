//! Mail about the later stages of a case: settlement, appeal, follow-up,
//! closing, reopening and withdrawal.

use std::time::Duration;

use serde_json::json;

use super::{delivered, mail_app, settled};
use crate::helpers::{Cast, backends, case_in};
use crate::smtp::SmtpSink;

#[tokio::test]
async fn settlement_appeal_follow_up_closing_reopening_and_withdrawal_are_announced() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let app = mail_app(backend, &sink.url()).await;
        let cast = Cast::new(&app).await;
        // A settlement, rejected once, then accepted by both.
        let s = case_in(&app, &cast, "investigation").await;
        app.act_ok(
            &cast.mediator,
            &s,
            "propose_settlement",
            json!({"terms": "Half refund."}),
        )
        .await;
        app.act_ok(&cast.complainant, &s, "reject_settlement", json!({}))
            .await;
        app.act_ok(
            &cast.mediator,
            &s,
            "propose_settlement",
            json!({"terms": "Full refund."}),
        )
        .await;
        for who in [&cast.complainant, &cast.respondent] {
            app.act_as_read(who, &s, "accept_settlement", json!({}))
                .await;
        }
        // An appeal decided by another mediator, then closing and reopening.
        let a = case_in(&app, &cast, "ruling").await;
        app.act_ok(
            &cast.respondent,
            &a,
            "appeal",
            json!({"grounds": "Delivered."}),
        )
        .await;
        app.act_ok(
            &cast.lead,
            &a,
            "assign",
            json!({"mediator_id": cast.other_mediator.id}),
        )
        .await;
        app.act_ok(&cast.other_mediator, &a, "decide_appeal", json!({"decision": "overturn", "rationale": "It was delivered.", "outcome": "not_upheld"})).await;
        app.act_ok(&cast.other_mediator, &a, "close", json!({}))
            .await;
        app.act_ok(&cast.lead, &a, "reopen", json!({"reason": "New evidence."}))
            .await;
        // Follow-up started by the system when the appeal window closes.
        let f = case_in(&app, &cast, "ruling").await;
        app.sql(&format!(
            "UPDATE cases SET appeal_deadline = '2000-01-01 00:00:00' WHERE id = '{f}'"
        ));
        let db =
            ombud::db::Db::connect(&app.settings.database_url, 1, Duration::from_secs(5)).unwrap();
        let moved = ombud::jobs::follow_up::run_once(
            &db,
            &std::sync::Arc::new(app.settings.clone()),
            &ombud::clock::Clock::system(),
        )
        .await
        .unwrap();
        assert_eq!(moved, 1);
        // Both parties accepting a ruling starts follow-up too.
        case_in(&app, &cast, "follow_up").await;
        // A withdrawal.
        let w = case_in(&app, &cast, "intake").await;
        app.act_ok(
            &cast.complainant,
            &w,
            "withdraw",
            json!({"note": "Sorted it out."}),
        )
        .await;

        let rows = settled(&app).await;
        let (c, r, m, o) = (
            &cast.complainant.email,
            &cast.respondent.email,
            &cast.mediator.email,
            &cast.other_mediator.email,
        );
        let got = delivered(&sink, &rows);
        let count = |who: &String, t: &str| got.get(&format!("{who} {t}")).copied().unwrap_or(0);
        assert_eq!(count(c, "settlement_proposed"), 2);
        assert_eq!(count(r, "settlement_proposed"), 2);
        assert_eq!(count(m, "settlement_rejected"), 1);
        assert_eq!(
            (
                count(c, "settled"),
                count(r, "settled"),
                count(m, "settled")
            ),
            (1, 1, 1)
        );
        assert_eq!(
            (
                count(c, "appeal_filed"),
                count(r, "appeal_filed"),
                count(m, "appeal_filed")
            ),
            (1, 1, 1)
        );
        assert_eq!(count(o, "assigned"), 1);
        assert_eq!(
            (count(c, "appeal_decided"), count(r, "appeal_decided")),
            (1, 1)
        );
        assert_eq!((count(c, "closed"), count(r, "closed")), (1, 1));
        assert_eq!(
            (
                count(c, "reopened"),
                count(r, "reopened"),
                count(o, "reopened")
            ),
            (1, 1, 1)
        );
        assert_eq!((count(c, "follow_up"), count(r, "follow_up")), (2, 2));
        assert_eq!((count(c, "withdrawn"), count(r, "withdrawn")), (1, 1));
        assert_eq!(sink.mails().len(), rows.len(), "every mail once");
        let decided = sink
            .mails()
            .into_iter()
            .find(|mail| {
                mail.to[0] == *c
                    && mail
                        .header("Subject")
                        .unwrap()
                        .contains("appeal has been decided")
            })
            .unwrap();
        assert!(
            decided.text().contains("the ruling is overturned")
                && decided.text().contains("not upheld"),
            "{}",
            decided.text()
        );
    }
}
