//! The community's published rules, pure: what a rule version holds, how
//! its code and translations are checked, and which translation a reader
//! gets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::language;
use super::parse::Checker;
use super::ruling::Outcome;

/// Most languages one rule is written in.
pub const MAX_LANGUAGES: usize = 10;

/// One version of a rule as cited: what it said when it was cited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "code": "R-4.2", "version": 2,
    "title": {"en": "Goods paid for are delivered", "pl": "Opłacony towar jest dostarczany"},
    "text": {"en": "A seller delivers goods paid for within 14 days or refunds them.", "pl": "Sprzedawca dostarcza opłacony towar w ciągu 14 dni albo zwraca pieniądze."}
}))]
pub struct CitedRule {
    /// The rule's code.
    pub code: String,
    /// The version cited (versions never change).
    pub version: i32,
    /// Its title, by language.
    pub title: BTreeMap<String, String>,
    /// Its text, by language.
    pub text: BTreeMap<String, String>,
}

impl CitedRule {
    /// The title in `lang` (by primary language), else English, else any.
    pub fn title_in(&self, lang: &str) -> String {
        in_language(&self.title, lang)
    }
}

/// The translation for `lang` (by primary subtag), else English, else the first.
pub fn in_language(texts: &BTreeMap<String, String>, lang: &str) -> String {
    let primary = super::case::primary_language;
    let want = primary(lang);
    texts
        .iter()
        .find(|(l, _)| primary(l) == want)
        .or_else(|| texts.iter().find(|(l, _)| primary(l) == "en"))
        .or_else(|| texts.iter().next())
        .map(|(_, t)| t.clone())
        .unwrap_or_default()
}

/// Checks a rule code: 1 to 50 of `A-Z a-z 0-9 . - _`, kept as given.
pub fn check_code(c: &mut Checker, field: &str, code: &str) -> String {
    let code = code.trim();
    let ok = (1..=50).contains(&code.len())
        && code
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_'));
    if !ok {
        c.fail(field, "must be 1 to 50 of A-Z, a-z, 0-9, '.', '-' and '_'");
    }
    code.to_string()
}

/// Checks translations: 1 to [`MAX_LANGUAGES`] language tags, each text
/// 1 to `max` characters; keys normalised.
pub fn check_texts(
    c: &mut Checker,
    field: &str,
    texts: &BTreeMap<String, String>,
    max: usize,
) -> BTreeMap<String, String> {
    if texts.is_empty() || texts.len() > MAX_LANGUAGES {
        c.fail(field, format!("give 1 to {MAX_LANGUAGES} languages"));
    }
    texts
        .iter()
        .map(|(lang, text)| {
            let key = language(c, &format!("{field}.{lang}"), lang);
            (key, c.text(&format!("{field}.{lang}"), text, max))
        })
        .collect()
}

/// Whether a ruling with `outcome` must cite a published rule: a
/// complaint upheld, in whole or in part, rests on a rule.
pub fn must_cite(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Upheld | Outcome::PartiallyUpheld)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_gets_their_language_else_english_else_any() {
        let t: BTreeMap<String, String> =
            [("en", "Delivery"), ("pl", "Dostawa"), ("zh-Hans", "交付")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        assert_eq!(in_language(&t, "pl-PL"), "Dostawa");
        assert_eq!(in_language(&t, "zh"), "交付");
        assert_eq!(in_language(&t, "ru"), "Delivery");
        let only: BTreeMap<String, String> = [("ru".to_string(), "Доставка".to_string())].into();
        assert_eq!(in_language(&only, "pl"), "Доставка");
    }

    #[test]
    fn codes_and_texts_are_checked_by_field() {
        let mut c = Checker::new();
        check_code(&mut c, "code", "R 4");
        check_texts(&mut c, "title", &BTreeMap::new(), 200);
        let bad: BTreeMap<String, String> = [("en".to_string(), " ".to_string())].into();
        check_texts(&mut c, "text", &bad, 200);
        let fields: Vec<String> = c
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["code", "title", "text.en"]);
        assert!(must_cite(Outcome::PartiallyUpheld) && !must_cite(Outcome::NotUpheld));
    }
}
