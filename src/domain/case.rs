//! What a case is filed with: priority, channel, language, tags, reference.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse::Checker;

/// How urgent a case is; drives service levels.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Priority {
    /// Can wait.
    Low,
    /// The usual.
    Normal,
    /// Needs attention soon.
    High,
    /// Needs attention now.
    Urgent,
}

crate::domain::wire_names!(Priority, "priority" {
    Low => "low",
    Normal => "normal",
    High => "high",
    Urgent => "urgent",
});

impl Priority {
    /// Its place in the most-urgent-first order, as stored
    /// (`cases.priority_rank`): 0 for urgent to 3 for low.
    pub fn rank(self) -> i16 {
        match self {
            Priority::Urgent => 0,
            Priority::High => 1,
            Priority::Normal => 2,
            Priority::Low => 3,
        }
    }

    /// The next priority up, if there is one (escalation).
    pub fn raised(self) -> Option<Priority> {
        match self {
            Priority::Low => Some(Priority::Normal),
            Priority::Normal => Some(Priority::High),
            Priority::High => Some(Priority::Urgent),
            Priority::Urgent => None,
        }
    }
}

/// Where a complaint came in from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Channel {
    /// Directly over the API.
    #[default]
    Api,
    /// A web form.
    Web,
    /// A mobile app.
    Mobile,
    /// By email, entered by staff.
    Email,
    /// By phone, entered by staff.
    Phone,
    /// A platform filing on its user's behalf.
    Platform,
}

crate::domain::wire_names!(Channel, "channel" {
    Api => "api",
    Web => "web",
    Mobile => "mobile",
    Email => "email",
    Phone => "phone",
    Platform => "platform",
});

/// The primary language of a tag, lower-case (`pl-PL` → `pl`): what two
/// tags must share to be the same language for mail, the desk and templates.
pub fn primary_language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Checks a BCP 47 language tag of the simple kind (`en`, `pt-BR`, `zh-Hans`)
/// and returns it normalised to lower-case language, as given elsewhere.
pub fn language(c: &mut Checker, field: &str, raw: &str) -> String {
    let tag = raw.trim();
    let mut parts = tag.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    // 35 characters as sent, as the spec's maxLength counts.
    if !(lang_ok && rest_ok) || raw.chars().count() > 35 {
        c.fail(field, "must be a language tag like en, pl or zh-Hans");
        return tag.to_string();
    }
    match tag.split_once('-') {
        Some((l, rest)) => format!("{}-{rest}", l.to_ascii_lowercase()),
        None => tag.to_ascii_lowercase(),
    }
}

/// Most tags a case may carry.
pub const MAX_TAGS: usize = 10;

/// Checks tags: at most 10, each 1 to 40 of `a-z 0-9 - _`; duplicates dropped.
pub fn tags(c: &mut Checker, raw: &[String]) -> Vec<String> {
    tags_at(c, "tags", raw)
}

/// [`tags`], for a list of tags under another field name.
pub fn tags_at(c: &mut Checker, field: &str, raw: &[String]) -> Vec<String> {
    if raw.len() > MAX_TAGS {
        c.fail(field, format!("at most {MAX_TAGS} tags"));
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let t = t.trim().to_ascii_lowercase();
        let ok = (1..=40).contains(&t.len())
            && t.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
        if !ok {
            c.fail(
                format!("{field}[{i}]"),
                "must be 1 to 40 of a-z, 0-9, - and _",
            );
        } else if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The human reference of the `n`th case filed in `year`: `OMB-2026-000042`.
pub fn reference(year: i32, n: i64) -> String {
    format!("OMB-{year}-{n:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(reference(2026, 42), "OMB-2026-000042");
        assert_eq!(reference(2026, 1_234_567), "OMB-2026-1234567");
    }

    #[test]
    fn languages_and_tags_are_checked() {
        let mut c = Checker::new();
        assert_eq!(language(&mut c, "language", "PL"), "pl");
        assert_eq!(language(&mut c, "language", "zh-Hans"), "zh-Hans");
        assert!(c.finish().is_ok());
        let mut c = Checker::new();
        language(&mut c, "language", "english please");
        assert!(c.finish().is_err());
        let mut c = Checker::new();
        assert_eq!(
            tags(&mut c, &["Refund".into(), "refund".into()]),
            vec!["refund"]
        );
        tags(&mut c, &["no spaces".into()]);
        assert_eq!(c.finish().unwrap_err()[0].field, "tags[0]");
    }
}
