//! The tamper-evident timeline: every entry sealed to the one before it,
//! checked over the API and by `ombud verify`, and sealed after an upgrade.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Cast, TestApp, ombud_command, on_each_backend};

/// A case with a few entries of each visibility; returns its id.
async fn busy_case(app: &TestApp, cast: &Cast) -> String {
    let case = app
        .file_case(&cast.complainant, &cast.respondent, &cast.category)
        .await;
    let id = case["id"].as_str().unwrap().to_string();
    app.investigate(cast, &id).await;
    app.message(&cast.complainant, &id, "to everyone", "all_parties")
        .await;
    app.message(&cast.mediator, &id, "a note for staff", "internal")
        .await;
    app.message(&cast.respondent, &id, "my side", "all_parties")
        .await;
    id
}

async fn check(app: &TestApp, cast: &Cast, id: &str) -> Value {
    let res = app
        .get(&format!("/cases/{id}/timeline/verify"), &cast.lead)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn verify_cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = ombud_command()
        .arg("verify")
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn a_timeline_is_sealed_and_checked_and_tampering_is_named() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = busy_case(&app, &cast).await;
        let staff = app.timeline(&cast.lead, &id).await;
        assert!(staff.len() >= 6, "{staff:?}");
        assert!(
            staff
                .iter()
                .all(|e| e["hash"].as_str().is_some_and(|h| h.len() == 64)),
            "{staff:#?}"
        );
        let verdict = check(&app, &cast, &id).await;
        assert_eq!(verdict["intact"], true, "{verdict}");
        assert_eq!(verdict["entries"], staff.len());
        assert_eq!(verdict["first_broken"], Value::Null);
        assert_eq!(verdict["head"], staff.last().unwrap()["hash"]);
        // A party sees the seals of what they may read, but the check
        // covers entries they may not: staff only.
        let theirs = app.timeline(&cast.complainant, &id).await;
        assert!(theirs.len() < staff.len() && theirs.iter().all(|e| e["hash"].is_string()));
        let res = app
            .get(&format!("/cases/{id}/timeline/verify"), &cast.complainant)
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app
            .get(&format!("/cases/{id}/timeline/verify"), &cast.member)
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let (ok, out) = verify_cli(&app, &[]);
        assert!(ok, "{out}");
        assert!(out.contains("0 broken"), "{out}");

        // Altering an entry breaks its own seal.
        let second = staff[1]["id"].as_i64().unwrap();
        app.sql(&format!(
            "UPDATE timeline_events SET data = '{{\"forged\":true}}' WHERE id = {second}"
        ));
        let verdict = check(&app, &cast, &id).await;
        assert_eq!(verdict["intact"], false);
        assert_eq!(
            verdict["first_broken"],
            json!({"id": second, "problem": "altered"})
        );
        let (ok, out) = verify_cli(&app, &[]);
        assert!(!ok, "a broken timeline fails the command: {out}");
        let reference = verdict["reference"].as_str().unwrap();
        assert!(
            out.contains(&format!("{reference} ({id}): entry {second} is altered")),
            "{out}"
        );

        // Removing one (on another case) breaks the link of the next.
        let other = busy_case(&app, &cast).await;
        let entries = app.timeline(&cast.lead, &other).await;
        let (gone, next) = (
            entries[2]["id"].as_i64().unwrap(),
            entries[3]["id"].as_i64().unwrap(),
        );
        app.sql(&format!("DELETE FROM timeline_events WHERE id = {gone}"));
        let verdict = check(&app, &cast, &other).await;
        assert_eq!(
            verdict["first_broken"],
            json!({"id": next, "problem": "out_of_chain"})
        );
        // And stripping a seal is named as such.
        let third = busy_case(&app, &cast).await;
        let entries = app.timeline(&cast.lead, &third).await;
        let last = entries.last().unwrap()["id"].as_i64().unwrap();
        app.sql(&format!(
            "UPDATE timeline_events SET hash = NULL WHERE id = {last}"
        ));
        let verdict = check(&app, &cast, &third).await;
        assert_eq!(
            verdict["first_broken"],
            json!({"id": last, "problem": "unsealed"})
        );
        // One case at a time from the command line, by reference.
        let good = busy_case(&app, &cast).await;
        let good_ref = app.case(&cast.lead, &good).await["reference"]
            .as_str()
            .unwrap()
            .to_string();
        let (ok, out) = verify_cli(&app, &["--case", &good_ref]);
        assert!(ok && out.contains("intact"), "{out}");
        let (ok, out) = verify_cli(&app, &["--case", "OMB-1999-000001"]);
        assert!(!ok && out.contains("no case"), "{out}");
    })
    .await;
}

/// A filing writes several entries in its one transaction (filed,
/// triaged, assigned automatically), each sealed to the one before from
/// what the filing knows, without reading it back; the next action reads
/// the head from the database. The chain checks all along.
#[tokio::test]
async fn a_filing_that_triages_and_assigns_seals_each_entry_to_the_one_before() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let auto = app.auto_category().await;
        cast.give_profile(&app, &cast.mediator, json!({"capacity": 5}))
            .await;
        let rule = json!({"name": "Parcels", "conditions": {"keywords": ["nothing"]},
            "actions": {"add_tags": ["parcel"]}});
        let res = app.post("/triage_rules", &cast.admin, rule).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let case = app
            .file_case(&cast.complainant, &cast.respondent, &auto)
            .await;
        let id = case["id"].as_str().unwrap().to_string();
        let kinds: Vec<Value> = (app.timeline(&cast.lead, &id).await)
            .iter()
            .map(|e| e["kind"].clone())
            .collect();
        assert_eq!(
            kinds,
            [json!("case_filed"), json!("triaged"), json!("auto_assign")],
            "{kinds:?}"
        );
        let verdict = check(&app, &cast, &id).await;
        assert_eq!(verdict["intact"], true, "{verdict}");
        assert_eq!(verdict["entries"], kinds.len());
        (app.act_ok(&cast.mediator, &id, "start_investigation", json!({}))).await;
        let verdict = check(&app, &cast, &id).await;
        assert_eq!(verdict["intact"], true, "{verdict}");
        assert_eq!(verdict["entries"], kinds.len() + 1);
    })
    .await;
}

#[tokio::test]
async fn entries_from_before_sealing_are_sealed_by_the_background_job() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let id = busy_case(&app, &cast).await;
        let head = check(&app, &cast, &id).await["head"].clone();
        // Stripping the seals and calling the sealing undone is not enough
        // to pass for entries from before sealing…
        app.sql("UPDATE timeline_events SET hash = NULL, prev_hash = NULL");
        app.sql("UPDATE timeline_seal_backfill SET done = FALSE, cases_after = ''");
        let verdict = check(&app, &cast, &id).await;
        assert_eq!(verdict["first_broken"]["problem"], "unsealed", "{verdict}");
        // …as a database upgraded from before sealing stands.
        app.sql(
            "UPDATE timeline_seal_backfill SET last_legacy = (SELECT MAX(id) FROM timeline_events)",
        );
        let verdict = check(&app, &cast, &id).await;
        assert_eq!(verdict["intact"], true, "awaiting is not broken: {verdict}");
        assert!(verdict["awaiting_seal"].as_i64() > Some(0));
        assert_eq!(verdict["head"], Value::Null);
        let url = app.db.url.clone();
        let sealed = tokio::task::spawn_blocking(move || {
            let db = ombud::db::Db::connect(&url, 1, Duration::from_secs(30)).unwrap();
            let mut total = 0;
            loop {
                let n = db.write_blocking(ombud::cases::seal::backfill).unwrap();
                if n == 0 {
                    break total;
                }
                total += n;
            }
        })
        .await
        .unwrap();
        assert!(sealed >= 1);
        let verdict = check(&app, &cast, &id).await;
        assert_eq!(verdict["awaiting_seal"], 0);
        assert_eq!(verdict["intact"], true);
        assert_eq!(
            verdict["head"], head,
            "sealing is deterministic: the same chain"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) AS n FROM timeline_seal_backfill WHERE done = TRUE"),
            1
        );
    })
    .await;
}
