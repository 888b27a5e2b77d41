//! Response templates, pure: the variables a template may use, checking a
//! template's text, and rendering it for one recipient.

use std::collections::BTreeMap;

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

/// Checks one template text under `field`: plain text with `{{ variable }}`
/// substitutions of the [`VARIABLES`] and nothing else (no filters, loops,
/// includes or expressions: a canned reply needs none, and none can fail,
/// run long or grow large when a draft is rendered). Returns it trimmed.
pub fn check_text(c: &mut Checker, field: &str, text: &str) -> String {
    let text = c.text(field, text, 20_000);
    if text.contains("{%") || text.contains("{#") {
        c.fail(
            field,
            "only `{{ variable }}` substitutions are allowed: no `{% … %}` or `{# … #}`",
        );
        return text;
    }
    let mut rest = text.as_str();
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            c.fail(field, "a `{{` is not closed with `}}`");
            return text;
        };
        let name = after[..end].trim();
        if !VARIABLES.iter().any(|(v, _)| *v == name) {
            let known: Vec<&str> = VARIABLES.iter().map(|(n, _)| *n).collect();
            c.fail(
                field,
                format!("unknown variable `{name}`; use one of {}", known.join(", ")),
            );
            return text;
        }
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        c.fail(field, "a `}}` has no `{{` before it");
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
    let primary = super::case::primary_language;
    let find = |lang: &str| {
        bodies
            .iter()
            .find(|(l, _)| primary(l) == primary(lang))
            .map(|(l, t)| (l.as_str(), t.as_str()))
    };
    find(language).or_else(|| fallback.and_then(find))
}

/// Renders a checked template text: each `{{ variable }}` replaced by its
/// value in `vars` (empty if it has none); a single pass over the text.
pub fn render(text: &str, vars: &Value) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let value = vars.get(after[..end].trim());
        out.push_str(value.and_then(Value::as_str).unwrap_or_default());
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
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
    fn only_plain_substitutions_are_allowed_so_no_draft_can_fail_or_grow() {
        for text in [
            "{{ reference|nosuch }}",
            "{% include \"x\" %}",
            "{{ title.a.b }}",
            "{% for a in \"x\"*100000 %}{{ title }}{% endfor %}",
            "{{ \"x\" * 100000000 }}",
            "{# note #}",
            "{{ title }} }}",
        ] {
            let mut c = Checker::new();
            check_text(&mut c, "bodies.en", text);
            assert!(c.finish().is_err(), "{text}");
        }
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
        );
        assert_eq!(out, "Dear Ann <b>", "messages are text: nothing is escaped");
        // A value that looks like a variable is not substituted again.
        let out = render(
            "{{ title }}",
            &serde_json::json!({"title": "{{ reference }}", "reference": "x"}),
        );
        assert_eq!(out, "{{ reference }}");
    }
}
