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

    /// Trims `value` and requires 1..=`max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        let n = v.chars().count();
        if n == 0 || n > max {
            self.fail(field, format!("must be 1 to {max} characters"));
        } else if v
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
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
        match value.map(str::trim) {
            None | Some("") => None,
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

/// A syntactically plausible email address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` with no spaces, at most 254 characters.
    pub fn parse(raw: &str) -> Result<Email, String> {
        let s = raw.trim().to_lowercase();
        let bad = || Err("must be an email address like name@example.org".to_string());
        if s.is_empty() || s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad();
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad();
        };
        if local.is_empty()
            || local.len() > 64
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || domain.contains('@')
        {
            return bad();
        }
        Ok(Email(s))
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
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let mut c = Checker::new();
        assert_eq!(c.text("title", "  hello ", 10), "hello");
        c.text("body", "", 10);
        c.text("long", &"x".repeat(11), 10);
        c.text("ctl", "a\u{0}b", 10);
        let errs = c.finish().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["body", "long", "ctl"]);
    }
}
