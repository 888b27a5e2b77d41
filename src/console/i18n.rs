//! The console's wording in every language the mail speaks (English,
//! Russian, Chinese, Polish): one flat catalogue per language, embedded at
//! build time. A key missing from a catalogue falls back to English.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::HttpRequest;

use crate::notify::templates::{LANGUAGES, language_for};

const CATALOGS: [(&str, &str); 4] = [
    ("en", include_str!("i18n/en.json")),
    ("ru", include_str!("i18n/ru.json")),
    ("zh", include_str!("i18n/zh.json")),
    ("pl", include_str!("i18n/pl.json")),
];

type Catalog = HashMap<String, String>;

fn catalogs() -> &'static HashMap<&'static str, Catalog> {
    static CATS: OnceLock<HashMap<&'static str, Catalog>> = OnceLock::new();
    CATS.get_or_init(|| {
        CATALOGS
            .iter()
            // A broken catalogue is empty (English is used); the tests name it.
            .map(|(lang, text)| (*lang, serde_json::from_str(text).unwrap_or_default()))
            .collect()
    })
}

/// The wording of `key` in `lang`, else in English, else the key itself.
pub fn text(lang: &str, key: &str) -> String {
    let cats = catalogs();
    cats.get(lang)
        .and_then(|c| c.get(key))
        .or_else(|| cats.get("en").and_then(|c| c.get(key)))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// The catalogue language for a user's language tag.
pub fn for_user(tag: &str) -> &'static str {
    language_for(tag)
}

/// The first language of the browser's `Accept-Language` the console
/// speaks, English otherwise (before anyone has signed in).
pub fn from_accept(req: &HttpRequest) -> &'static str {
    let header = req
        .headers()
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut ranked: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let tag = it.next()?.trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked
        .into_iter()
        .map(|(_, tag)| crate::domain::case::primary_language(tag))
        .find_map(|p| LANGUAGES.into_iter().find(|l| *l == p))
        .unwrap_or("en")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_parses_and_has_every_english_key() {
        let en = &catalogs()["en"];
        assert!(en.len() > 50, "the English catalogue is missing");
        for (lang, text) in CATALOGS {
            let cat: Catalog = serde_json::from_str(text).unwrap_or_else(|e| panic!("{lang}: {e}"));
            let missing: Vec<_> = en.keys().filter(|k| !cat.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            let extra: Vec<_> = cat.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(extra.is_empty(), "{lang} has keys English lacks: {extra:?}");
        }
    }

    #[test]
    fn wording_falls_back_to_english_then_to_the_key() {
        assert_eq!(text("pl", "nav.cases"), "Sprawy");
        assert_eq!(text("xx", "nav.cases"), "Cases");
        assert_eq!(text("en", "no.such.key"), "no.such.key");
    }
}
