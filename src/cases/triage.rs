//! Triage on filing: the enabled rules, in order, run on what was filed
//! (`domain::triage`); the case service applies the outcome (priority,
//! tags, holding the case for a lead) and records it on the timeline.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::context::corrupt;
use crate::db::DbConnection;
use crate::db::models::{CaseTagRow, TriageRuleRow, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::{case_tags, cases};
use crate::domain::triage::{Filing, Outcome, Rule, history_windows, run};
use crate::domain::{CaseId, UserId};
use crate::error::ApiResult;

/// A stored rule as the policy sees it.
pub fn rule_of(row: &TriageRuleRow) -> ApiResult<Rule> {
    Ok(Rule {
        id: uuid::Uuid::parse_str(&row.id).map_err(|e| corrupt(format!("rule id: {e}")))?,
        name: row.name.clone(),
        conditions: serde_json::from_str(&row.conditions)
            .map_err(|e| corrupt(format!("rule conditions: {e}")))?,
        actions: serde_json::from_str(&row.actions)
            .map_err(|e| corrupt(format!("rule actions: {e}")))?,
    })
}

/// The enabled rules (`db::setup::enabled_rules`), parsed. A rule that no
/// longer parses is left out and logged: one damaged row must not stop
/// every filing.
pub fn parse_rules(rows: &[TriageRuleRow]) -> Vec<Rule> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        match rule_of(row) {
            Ok(rule) => out.push(rule),
            Err(e) => tracing::error!(rule = %row.id, error = %e, "unreadable triage rule"),
        }
    }
    out
}

/// Runs the enabled `rules` (stored rows, in order) on a filing by
/// `complainant` at `now` (the filing's `history` is read here, for the
/// windows the rules ask about).
pub fn triage(
    conn: &mut DbConnection,
    rules: &[TriageRuleRow],
    complainant: UserId,
    now: DateTime<Utc>,
    filing: Filing,
) -> ApiResult<Outcome> {
    let rules = parse_rules(rules);
    if rules.is_empty() {
        return Ok(Outcome::default());
    }
    let mut history = Vec::new();
    for days in history_windows(&rules) {
        // Read through `cases_complainant_created`.
        let n: i64 = cases::table
            .filter(cases::complainant_id.eq(complainant))
            .filter(cases::created_at.ge(to_db_time(now - Duration::days(days))))
            .count()
            .get_result(conn)?;
        history.push((days, n));
    }
    Ok(run(
        &rules,
        &Filing {
            history: &history,
            ..filing
        },
    ))
}

/// Stores the tags of a case just filed, one row each (for the tag
/// filter); `internal` ones (triage's) only staff may filter by.
pub fn store_tags(
    conn: &mut DbConnection,
    case: CaseId,
    tags: &[String],
    internal: bool,
) -> ApiResult<()> {
    // One statement per tag (at most 20): diesel's multi-row insert does
    // not work over both backends at once, and one shape stays prepared.
    for tag in tags {
        let row = CaseTagRow {
            case_id: case,
            tag: tag.clone(),
            internal,
        };
        Prepared(diesel::insert_into(case_tags::table).values(row)).execute(conn)?;
    }
    Ok(())
}
