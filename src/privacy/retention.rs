//! Retention: a case that ended (closed, withdrawn or dismissed) more than
//! `retention_days` ago loses its content: every text on it (the complaint,
//! messages, rulings, appeals, obligations, notes, feedback, the mail sent
//! about it, its webhook deliveries, the free text in its timeline), its
//! files, and the contact details of a respondent without an account. What
//! stays is its shape: category, states, dates, outcome and service-level
//! figures (for statistics), and the accounts it links, by id. The
//! timeline records `case_anonymised`; its seals still check.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::cases::context::{CaseContext, hold};
use crate::cases::record::record;
use crate::db::DbConnection;
use crate::db::models::to_db_time;
use crate::db::schema::{
    appeals, case_feedback, case_links, cases, evidence, messages, obligations, outbox, rulings,
};
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::{Actor, CaseId};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// What replaces a text removed at the end of the retention period.
pub const EXPIRED: &str = "[removed after the retention period]";

/// Cases anonymised per call.
const BATCH: i64 = 20;

/// Whether a text is free text (someone's words or name) rather than an
/// id, a code, a state or a time: it has a space or an `@` in it.
fn is_free_text(s: &str) -> bool {
    s.chars().any(|c| c.is_whitespace() || c == '@')
}

/// `value` with every free text in it replaced (and file names, whatever
/// they look like); `None` if nothing changed.
fn scrub(value: &serde_json::Value) -> Option<serde_json::Value> {
    fn walk(v: &mut serde_json::Value, key: Option<&str>, changed: &mut bool) {
        match v {
            serde_json::Value::String(s) => {
                let name = key == Some("file_name") && s != "removed";
                if name {
                    *s = "removed".into();
                    *changed = true;
                } else if is_free_text(s) && s != EXPIRED {
                    *s = EXPIRED.into();
                    *changed = true;
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, key, changed);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    walk(item, Some(k.as_str()), changed);
                }
            }
            _ => {}
        }
    }
    let mut out = value.clone();
    let mut changed = false;
    walk(&mut out, None, &mut changed);
    changed.then_some(out)
}

fn scrub_text(json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    scrub(&value).map(|v| v.to_string())
}

/// Anonymises up to [`BATCH`] cases that ended more than `retention_days`
/// ago (none when it is 0); returns how many, and the content (by SHA-256)
/// of the files removed that no other file uses, to delete from the store
/// once committed.
pub fn run(conn: &mut DbConnection, env: &Env) -> ApiResult<(usize, Vec<String>)> {
    let days = env.settings.retention_days;
    if days <= 0 {
        return Ok((0, Vec::new()));
    }
    let cutoff = to_db_time(env.now - chrono::Duration::days(days));
    let due: Vec<String> = cases::table
        .filter(cases::state.eq_any(["closed", "withdrawn", "dismissed"]))
        .filter(cases::anonymised_at.is_null())
        .filter(
            cases::closed_at
                .lt(cutoff)
                .or(cases::closed_at.is_null().and(cases::updated_at.lt(cutoff))),
        )
        .order(cases::id.asc())
        .select(cases::id)
        .limit(BATCH)
        .load(conn)?;
    let mut contents = Vec::new();
    for id in &due {
        let Ok(uuid) = id.parse::<uuid::Uuid>() else {
            continue;
        };
        contents.extend(anonymise(conn, env, CaseId(uuid))?);
    }
    Ok((due.len(), contents))
}

/// Removes case `id`'s content (see the module); returns the file contents
/// no other file uses.
fn anonymise(conn: &mut DbConnection, env: &Env, id: CaseId) -> ApiResult<Vec<String>> {
    hold(conn, id)?;
    let key = id.to_db();
    let now: DateTime<Utc> = env.now;
    let at = Some(to_db_time(now));
    diesel::update(messages::table.filter(messages::case_id.eq(id)))
        .set((messages::body.eq(EXPIRED), messages::redacted_at.eq(at)))
        .execute(conn)?;
    diesel::update(cases::table.find(&key))
        .set((
            cases::title.eq(EXPIRED),
            cases::description.eq(EXPIRED),
            cases::respondent_name.eq("the respondent"),
            cases::respondent_email.eq(None::<String>),
            cases::anonymised_at.eq(at),
        ))
        .execute(conn)?;
    diesel::update(
        cases::table
            .find(&key)
            .filter(cases::settlement_terms.is_not_null()),
    )
    .set(cases::settlement_terms.eq(Some(EXPIRED)))
    .execute(conn)?;
    diesel::update(
        cases::table
            .find(&key)
            .filter(cases::complaint_redacted_at.is_null()),
    )
    .set(cases::complaint_redacted_at.eq(at))
    .execute(conn)?;
    let files: Vec<String> = evidence::table
        .filter(evidence::case_id.eq(id))
        .filter(evidence::redacted_at.is_null())
        .select(evidence::sha256)
        .load(conn)?;
    diesel::update(evidence::table.filter(evidence::case_id.eq(id)))
        .set((
            evidence::file_name.eq("removed"),
            evidence::description.eq(EXPIRED),
            evidence::sha256.eq(""),
            evidence::size.eq(0_i64),
            evidence::redacted_at.eq(at),
        ))
        .execute(conn)?;
    let mut unused = Vec::new();
    for sha in files {
        if !sha.is_empty() && !crate::cases::evidence::in_use(conn, &sha)? {
            unused.push(sha);
        }
    }
    let ruled: Vec<(String, String, String)> = rulings::table
        .filter(rulings::case_id.eq(id))
        .select((rulings::id, rulings::sanctions, rulings::remedies))
        .load(conn)?;
    for (ruling, sanctions, remedies) in ruled {
        diesel::update(rulings::table.find(ruling))
            .set((
                rulings::rationale.eq(EXPIRED),
                rulings::sanctions.eq(scrub_text(&sanctions).unwrap_or(sanctions)),
                rulings::remedies.eq(scrub_text(&remedies).unwrap_or(remedies)),
            ))
            .execute(conn)?;
    }
    diesel::update(appeals::table.filter(appeals::case_id.eq(id)))
        .set(appeals::grounds.eq(EXPIRED))
        .execute(conn)?;
    diesel::update(
        appeals::table
            .filter(appeals::case_id.eq(id))
            .filter(appeals::decision_rationale.is_not_null()),
    )
    .set(appeals::decision_rationale.eq(Some(EXPIRED)))
    .execute(conn)?;
    diesel::update(obligations::table.filter(obligations::case_id.eq(id)))
        .set(obligations::description.eq(EXPIRED))
        .execute(conn)?;
    diesel::update(
        obligations::table
            .filter(obligations::case_id.eq(id))
            .filter(obligations::note.is_not_null()),
    )
    .set(obligations::note.eq(Some(EXPIRED)))
    .execute(conn)?;
    diesel::update(
        case_links::table.filter(
            case_links::case_id
                .eq(&key)
                .or(case_links::linked_id.eq(&key)),
        ),
    )
    .set(case_links::note.eq(EXPIRED))
    .execute(conn)?;
    diesel::update(case_feedback::table.filter(case_feedback::case_id.eq(&key)))
        .set(case_feedback::comment.eq(EXPIRED))
        .execute(conn)?;
    diesel::update(outbox::table.filter(outbox::case_id.eq(id)))
        .set((
            outbox::subject.eq(EXPIRED),
            outbox::body_text.eq(EXPIRED),
            outbox::body_html.eq(EXPIRED),
            outbox::recipient_name.eq(""),
            outbox::recipient_email.eq("anonymised@erased.invalid"),
        ))
        .execute(conn)?;
    let rewritten = super::rewrite_records(conn, id, scrub_text)?;
    crate::cases::search::reindex_case(conn, id)?;
    let ctx =
        CaseContext::load(conn, id, &Actor::system(), env)?.ok_or(ApiError::NotFound("case"))?;
    let anonymised = EventRecord {
        case_id: id,
        actor: None,
        at: now,
        transition: None,
        event: CaseEvent::CaseAnonymised {
            redacted_entries: rewritten,
            retention_days: env.settings.retention_days,
        },
    };
    record(conn, &env.settings, &ctx, &anonymised)?;
    Ok(unused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_goes_and_ids_codes_states_and_times_stay() {
        let data = serde_json::json!({
            "title": "Order never arrived", "reference": "OMB-2026-000042",
            "mediator_id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "mediator_name": "Mia Mediator",
            "from": "intake", "to": "assigned", "at": "2026-11-22T10:05:00Z", "file_name": "receipt.pdf",
            "remedies": [{"kind": "refund", "description": "Refund order 1234"}], "contact": "ann@example.org",
            "count": 3, "final": true
        });
        let out = scrub(&data).unwrap();
        for gone in ["title", "mediator_name", "contact"] {
            assert_eq!(out[gone], EXPIRED, "{gone}");
        }
        assert_eq!(out["remedies"][0]["description"], EXPIRED);
        assert_eq!(out["file_name"], "removed");
        for kept in [
            "reference",
            "mediator_id",
            "from",
            "to",
            "at",
            "count",
            "final",
        ] {
            assert_eq!(out[kept], data[kept], "{kept}");
        }
        assert_eq!(out["remedies"][0]["kind"], "refund");
        assert_eq!(scrub(&out), None, "scrubbing twice changes nothing");
    }
}
