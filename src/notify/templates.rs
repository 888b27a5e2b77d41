//! Mail templates, embedded at build time: one layout for plain text and one
//! for HTML, and a catalogue of wording per language. Variables are filled
//! in with minijinja; the HTML layout escapes everything it inserts.

use std::sync::OnceLock;

use minijinja::Environment;
use serde_json::{Value, json};

/// The languages mail is written in; anything else falls back to English.
pub const LANGUAGES: [&str; 4] = ["en", "ru", "zh", "pl"];

const CATALOGS: [(&str, &str); 4] = [
    ("en", include_str!("templates/i18n/en.json")),
    ("ru", include_str!("templates/i18n/ru.json")),
    ("zh", include_str!("templates/i18n/zh.json")),
    ("pl", include_str!("templates/i18n/pl.json")),
];

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// The catalogue language for a user's language tag (`pl-PL` → `pl`).
pub fn language_for(tag: &str) -> &'static str {
    let primary = crate::domain::case::primary_language(tag);
    LANGUAGES
        .into_iter()
        .find(|l| *l == primary)
        .unwrap_or("en")
}

/// The layouts and every string of every catalogue, each compiled once, the
/// first time mail is written. A catalogue string is named
/// `{lang}/{path}.txt` (the `.txt` keeps it unescaped, as text).
fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Both are compiled in; a broken one fails the template tests, not a request.
        let _ = env.add_template("layout.txt", include_str!("templates/email/layout.txt"));
        let _ = env.add_template("layout.html", include_str!("templates/email/layout.html"));
        for (lang, catalog) in catalogs() {
            add_strings(&mut env, lang, "", catalog);
        }
        env
    })
}

fn add_strings(env: &mut Environment<'static>, lang: &str, path: &str, node: &'static Value) {
    match node {
        Value::String(text) => {
            // A broken string is left out: the wording falls back to
            // English, and the template tests name it.
            let _ = env.add_template_owned(format!("{lang}/{path}.txt"), text.as_str());
        }
        Value::Object(children) => {
            for (key, child) in children {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                add_strings(env, lang, &path, child);
            }
        }
        _ => {}
    }
}

fn catalogs() -> &'static Vec<(&'static str, Value)> {
    static CATS: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    CATS.get_or_init(|| {
        CATALOGS
            .iter()
            .map(|(lang, text)| (*lang, serde_json::from_str(text).unwrap_or(Value::Null)))
            .collect()
    })
}

/// The wording for `path` (`outcomes.upheld`) in `lang`, or in English.
pub fn word(lang: &str, path: &str) -> String {
    let lookup = |lang: &str| {
        let cat = catalogs()
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, c)| c)?;
        let node = path.split('.').try_fold(cat, |node, key| node.get(key))?;
        node.as_str().map(str::to_string)
    };
    lookup(lang)
        .or_else(|| lookup("en"))
        .unwrap_or_else(|| path.to_string())
}

/// The wording for `path` in `lang` (or in English), its variables filled
/// from `vars`; `path` itself when no catalogue has it.
pub fn fill(lang: &str, path: &str, vars: &Value) -> anyhow::Result<String> {
    let env = env();
    for lang in [lang, "en"] {
        if let Ok(template) = env.get_template(&format!("{lang}/{path}.txt")) {
            return Ok(template.render(vars)?);
        }
    }
    Ok(path.to_string())
}

/// One labelled detail of a mail (a deadline, the rationale ...).
#[derive(Debug, Clone)]
pub struct Detail {
    /// Catalogue key under `labels`.
    pub label: &'static str,
    /// The value, already in the recipient's language.
    pub value: String,
}

/// Renders the mail `template` (a key under `events`) in `lang`.
pub fn render(
    template: &str,
    lang: &str,
    vars: &Value,
    details: &[Detail],
) -> anyhow::Result<Rendered> {
    let lang = language_for(lang);
    let subject = fill(lang, &format!("events.{template}.subject"), vars)?;
    let body = fill(lang, &format!("events.{template}.body"), vars)?;
    let details: Vec<Value> = details
        .iter()
        .map(|d| json!({"label": word(lang, &format!("labels.{}", d.label)), "value": d.value}))
        .collect();
    let ctx = json!({
        "lang": lang,
        "subject": subject,
        "greeting": fill(lang, "greeting", vars)?,
        "body": body.trim(),
        "details": details,
        "link": vars.get("link").cloned().unwrap_or(Value::Null),
        "link_label": word(lang, "link"),
        "footer": fill(lang, "footer", vars)?,
    });
    let text = env().get_template("layout.txt")?.render(&ctx)?;
    let html = env().get_template("layout.html")?.render(&ctx)?;
    Ok(Rendered {
        subject: subject.replace(['\r', '\n'], " "),
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTS: [&str; 22] = [
        "acknowledgement",
        "respondent_notice",
        "assigned",
        "investigation_started",
        "info_requested",
        "info_provided",
        "info_overdue",
        "new_message",
        "new_evidence",
        "settlement_proposed",
        "settled",
        "settlement_rejected",
        "ruling_issued",
        "appeal_filed",
        "appeal_decided",
        "follow_up",
        "closed",
        "reopened",
        "withdrawn",
        "dismissed",
        "awaiting_assignment",
        "desk_digest",
    ];

    fn vars() -> Value {
        json!({"name": "Ann <b>", "reference": "OMB-2026-000001", "title": "Parcel <script>", "first_response": "24 hours",
               "email": "ann@example.org", "has_account": false, "party": "the respondent", "author": "Mia",
               "appealable": true, "appeal_until": "2026-12-01 12:00 UTC", "decision": "the ruling stands",
               "link": "http://x/cases/1?a=1&b=2", "count": 37})
    }

    #[test]
    fn every_event_renders_in_every_language_with_its_own_wording() {
        for lang in LANGUAGES {
            let cat = &catalogs().iter().find(|(l, _)| *l == lang).unwrap().1;
            assert!(cat.is_object(), "{lang} catalogue parses");
            for event in EVENTS {
                assert!(
                    cat["events"][event]["subject"].is_string(),
                    "{lang} has {event}"
                );
                let r = render(
                    event,
                    lang,
                    &vars(),
                    &[Detail {
                        label: "rationale",
                        value: "a < b".into(),
                    }],
                )
                .unwrap();
                // The digest is about many cases: it counts them.
                let names = if event == "desk_digest" {
                    "37"
                } else {
                    "OMB-2026-000001"
                };
                assert!(r.subject.contains(names), "{lang} {event}: {}", r.subject);
                assert!(r.text.contains("a < b"), "plain text is not escaped");
                assert!(
                    !r.html.contains("<script>") && !r.html.contains("<b>"),
                    "HTML escapes what it inserts"
                );
                if r.text.contains("Parcel <script>") {
                    assert!(r.html.contains("Parcel &lt;script&gt;"));
                }
                assert!(
                    r.html.contains("Ann &lt;b&gt;"),
                    "the greeting names the recipient"
                );
                assert!(r.html.contains("a &lt; b"));
                // minijinja also escapes `/` (as `&#x2f;`), which browsers read back.
                assert!(r.html.contains("cases&#x2f;1?a=1&amp;b=2\""), "{}", r.html);
            }
        }
    }

    fn keys(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    keys(v, &format!("{prefix}.{k}"), out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }

    #[test]
    fn every_catalogue_has_every_key_of_the_english_one() {
        let all = |lang: &str| {
            let cat = &catalogs().iter().find(|(l, _)| *l == lang).unwrap().1;
            let mut out = Vec::new();
            keys(cat, "", &mut out);
            out.sort();
            out
        };
        for lang in LANGUAGES {
            assert_eq!(all(lang), all("en"), "{lang}");
        }
    }

    #[test]
    fn languages_fall_back_to_english() {
        assert_eq!(language_for("pl-PL"), "pl");
        assert_eq!(language_for("zh-Hans"), "zh");
        assert_eq!(language_for("de"), "en");
        let de = render("closed", "de", &vars(), &[]).unwrap();
        let en = render("closed", "en", &vars(), &[]).unwrap();
        assert_eq!(de, en);
        let ru = render("closed", "ru", &vars(), &[]).unwrap();
        assert!(ru.subject.contains("Дело закрыто"));
    }
}
