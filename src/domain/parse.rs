//! Parsing raw input into domain values, collecting every field error at once.

use serde::Serialize;
use utoipa::ToSchema;

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"field": "title", "message": "must be 1 to 200 characters"}))]
pub struct FieldError {
    /// The JSON path of the field (`title`, `sanctions[0].duration_days`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Collects field errors while a request body is turned into domain values.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// A checker with no errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error on `field`.
    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Requires at most `max` characters as sent, something besides white
    /// space, and no control characters other than tab and line breaks;
    /// returns the text trimmed. The spec states the same rule as
    /// [`TEXT_PATTERN`] and `maxLength`.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() || value.chars().count() > max {
            self.fail(field, format!("must be 1 to {max} characters"));
        } else if value.chars().any(forbidden_control) {
            self.fail(field, "must not contain control characters");
        }
        v.to_string()
    }

    /// Checks one required text field on its own (see [`Checker::text`]).
    pub fn one_text(field: &str, value: &str, max: usize) -> Result<String, Vec<FieldError>> {
        let mut c = Checker::new();
        let text = c.text(field, value, max);
        c.finish().map(|()| text)
    }

    /// Like [`Checker::text`] for an optional field; blank becomes `None`.
    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        match value {
            None => None,
            Some(v)
                if v.trim().is_empty()
                    && !v.chars().any(forbidden_control)
                    && v.chars().count() <= max =>
            {
                None
            }
            Some(v) => Some(self.text(field, v, max)),
        }
    }

    /// Parses an email address (see [`Email::parse`]).
    pub fn email(&mut self, field: &str, value: &str) -> Option<Email> {
        match Email::parse(value) {
            Ok(e) => Some(e),
            Err(m) => {
                self.fail(field, m);
                None
            }
        }
    }

    /// Ends the check: `Ok` when nothing failed.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// A control character free text may not hold (tab and line breaks may).
fn forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// What [`Checker::text`] accepts, as the spec's `pattern` (ECMA-262 and
/// Python `re` read it alike): no control character but tab and line
/// breaks, and one character that is neither a control nor white space
/// (Unicode `White_Space`, spelled out: `\s` differs between dialects).
pub const TEXT_PATTERN: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\x9F\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

/// What [`Checker::opt_text`] accepts: no control character but tab and
/// line breaks (blank means left out).
pub const OPTIONAL_TEXT_PATTERN: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

/// What [`Email::parse`] accepts (with `maxLength` 254): one `@`, up to 64
/// characters before it, a domain of dot-separated labels, no white space
/// or control characters; white space around it is trimmed.
pub const EMAIL_PATTERN: &str = r"^[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^@\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]{1,64}@[^@.\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+(\.[^@.\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+)+[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$";

/// A syntactically plausible email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` with no spaces, at most 254 characters
    /// (64 before the `@`): [`EMAIL_PATTERN`].
    pub fn parse(raw: &str) -> Result<Email, String> {
        // Lengths count what was sent (the spec's maxLength), before
        // lower-casing (which may lengthen a letter: `İ`).
        let t = raw.trim();
        let bad = || Err("must be an email address like name@example.org".to_string());
        if t.is_empty()
            || raw.chars().count() > 254
            || t.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return bad();
        }
        let Some((local, domain)) = t.split_once('@') else {
            return bad();
        };
        if local.is_empty()
            || local.chars().count() > 64
            || domain.chars().count() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || domain.contains('@')
        {
            return bad();
        }
        Ok(Email(t.to_lowercase()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ann@Example.ORG ").unwrap().as_str(),
            "ann@example.org"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.org",
            "ann@example",
            "a b@example.org",
            "ann@.org",
            "ann@example..org",
            "ann@shop@example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    /// The spec's patterns say what the checks do, both ways.
    #[test]
    fn patterns_agree_with_the_checks() {
        let text = regex::Regex::new(TEXT_PATTERN).unwrap();
        let optional = regex::Regex::new(OPTIONAL_TEXT_PATTERN).unwrap();
        let email = regex::Regex::new(EMAIL_PATTERN).unwrap();
        let samples = [
            "",
            " ",
            "a",
            " a ",
            "a\tb",
            "line\nbreak\r\n",
            "\t\n",
            "a\u{0}b",
            "\u{7}",
            "\u{b}x",
            "\u{c}",
            "\u{1f}x",
            "x\u{7f}",
            "\u{85}",
            "x\u{85}",
            "\u{9f}x",
            "\u{a0}",
            "\u{a0}x",
            "\u{1680}",
            "\u{2003}\u{2028}",
            "\u{3000}",
            "\u{feff}",
            "\u{200b}",
            "zażółć",
            "争议",
            "\u{1f600}",
            "ann@example.org",
            "Ann@Example.ORG",
            "ann@shop@example.org",
            "a b@example.org",
            "ann@example",
            "ann@.org",
            "ann@example..org",
            "ann@example.org.",
            "ü@exämple.pl",
            "@example.org",
            "ann@\u{a0}.org",
            "ann\u{85}@example.org",
            "a@b.c",
            " ann@example.org\u{3000}",
            "\u{1c}ann@example.org",
            "\u{130}@example.org",
        ];
        for s in samples {
            let mut c = Checker::new();
            c.text("f", s, 100);
            assert_eq!(text.is_match(s), c.finish().is_ok(), "text {s:?}");
            let mut c = Checker::new();
            c.opt_text("f", Some(s), 100);
            assert_eq!(
                optional.is_match(s),
                c.finish().is_ok(),
                "optional text {s:?}"
            );
            assert_eq!(email.is_match(s), Email::parse(s).is_ok(), "email {s:?}");
        }
        let long = format!("{}@example.org", "x".repeat(65));
        assert!(!email.is_match(&long) && Email::parse(&long).is_err());
        // Lower-casing `İ` makes two characters: the limit counts what was sent.
        let dotted = format!("{}@example.org", "\u{130}".repeat(64));
        assert!(email.is_match(&dotted) && Email::parse(&dotted).is_ok());
        // Blank optional text longer than the field is refused, as maxLength says.
        let mut c = Checker::new();
        assert_eq!(
            c.opt_text("f", Some(&" ".repeat(101)), 100),
            Some(String::new())
        );
        assert!(c.finish().is_err());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let mut c = Checker::new();
        assert_eq!(c.text("title", "  hello ", 10), "hello");
        c.text("body", "", 10);
        c.text("long", &"x".repeat(11), 10);
        // The limit counts what was sent, as the spec's maxLength does.
        c.text("padded", &format!(" {} ", "x".repeat(9)), 10);
        c.text("ctl", "a\u{0}b", 10);
        let errs = c.finish().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["body", "long", "padded", "ctl"]);
    }
}
