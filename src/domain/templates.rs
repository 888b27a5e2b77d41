//! Response templates, pure: the variables a template may use, checking a
//! template's text, and rendering it for one recipient.

use std::collections::BTreeMap;

use minijinja::Environment;
use serde_json::Value;

use super::parse::Checker;

/// Every variable a template may use, with what it holds.
pub const VARIABLES: [(&str, &str); 8] = [
    (
        "recipient_name",
        "the name of the person the message is for",
    ),
    ("complainant_name", "the complainant's name"),
    ("respondent_name", "the respondent's name"),
    (
        "mediator_name",
        "the assigned mediator's name (or the sender's)",
    ),
    ("reference", "the case reference, OMB-2026-000042"),
    ("title", "the case title"),
    ("category", "the category's name"),
    (
        "deadline",
        "the deadline the case waits on (an information request or the appeal window), or empty",
    ),
];

/// Checks a template code: 1 to 50 of `a-z 0-9 - _`, lower-cased.
pub fn check_code(c: &mut Checker, field: &str, code: &str) -> String {
    let code = code.trim().to_ascii_lowercase();
    let ok = (1..=50).contains(&code.len())
        && code
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
    if !ok {
        c.fail(field, "must be 1 to 50 of a-z, 0-9, - and _");
    }
    code
}

/// Checks one template text under `field`: it must parse, and use no
/// variable but [`VARIABLES`]. Returns it trimmed.
pub fn check_text(c: &mut Checker, field: &str, text: &str) -> String {
    let text = c.text(field, text, 20_000);
    let env = Environment::new();
    match env.template_from_str(&text) {
        Err(e) => c.fail(
            field,
            format!(
                "not a valid template: {}",
                e.detail().unwrap_or("syntax error")
            ),
        ),
        Ok(t) => {
            let mut unknown: Vec<String> = t
                .undeclared_variables(false)
                .into_iter()
                .filter(|v| !VARIABLES.iter().any(|(name, _)| name == v))
                .collect();
            unknown.sort();
            if let Some(first) = unknown.first() {
                let known: Vec<&str> = VARIABLES.iter().map(|(n, _)| *n).collect();
                c.fail(
                    field,
                    format!("unknown variable `{first}`; use {}", known.join(", ")),
                );
            }
        }
    }
    text
}

/// The text for `language` (by primary subtag), else for `fallback`; `None`
/// when neither is there.
pub fn text_for<'a>(
    bodies: &'a BTreeMap<String, String>,
    language: &str,
    fallback: Option<&str>,
) -> Option<(&'a str, &'a str)> {
    let primary = |t: &str| {
        t.split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let find = |lang: &str| {
        bodies
            .iter()
            .find(|(l, _)| primary(l) == primary(lang))
            .map(|(l, t)| (l.as_str(), t.as_str()))
    };
    find(language).or_else(|| fallback.and_then(find))
}

/// Renders a checked template text with `vars` (the [`VARIABLES`]).
pub fn render(text: &str, vars: &Value) -> anyhow::Result<String> {
    let env = Environment::new();
    Ok(env.template_from_str(text)?.render(vars)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_variables_and_broken_syntax_are_refused_by_field() {
        let mut c = Checker::new();
        check_text(
            &mut c,
            "bodies.en",
            "Dear {{ recipient_name }}, about {{ reference }}.",
        );
        assert!(c.finish().is_ok());
        let mut c = Checker::new();
        check_text(&mut c, "bodies.en", "Dear {{ recipient }}");
        check_text(&mut c, "bodies.pl", "Dear {{ reference ");
        let errors = c.finish().unwrap_err();
        assert_eq!(errors[0].field, "bodies.en");
        assert!(
            errors[0].message.contains("`recipient`"),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[1].field, "bodies.pl");
    }

    #[test]
    fn the_recipients_language_then_the_fallback() {
        let bodies: BTreeMap<String, String> = [("en", "Hello"), ("pl", "Dzień dobry")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(
            text_for(&bodies, "pl-PL", None),
            Some(("pl", "Dzień dobry"))
        );
        assert_eq!(text_for(&bodies, "ru", Some("en")), Some(("en", "Hello")));
        assert_eq!(text_for(&bodies, "ru", None), None);
        let out = render(
            "Dear {{ recipient_name }}",
            &serde_json::json!({"recipient_name": "Ann <b>"}),
        )
        .unwrap();
        assert_eq!(out, "Dear Ann <b>", "messages are text: nothing is escaped");
    }
}
