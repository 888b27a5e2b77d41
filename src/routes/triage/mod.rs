//! Triage rules: run in order on every filing.

pub mod create_triage_rule;
pub mod delete_triage_rule;
pub mod list_triage_rules;
pub mod put_triage_rule;
