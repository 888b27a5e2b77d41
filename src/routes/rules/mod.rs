//! The community's published rules, versioned.

pub mod get_rule;
pub mod get_rule_version;
pub mod list_rules;
pub mod publish_rule;
