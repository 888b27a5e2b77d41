//! Case versions for optimistic concurrency: the `ETag` of a case and what
//! an `If-Match` header asks for.

/// The `ETag` of a case at `version` (a strong tag).
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// The versions a request is prepared to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// No `If-Match` was sent: any version (a lost race is retried).
    Absent,
    /// The entity tags of `If-Match`, as sent. `*` matches any version; a
    /// weak tag (`W/"v3"`) never matches, since `If-Match` compares strongly
    /// (RFC 9110, section 13.1.1).
    Tags(Vec<String>),
}

impl Expected {
    /// Whether the case at `version` may be acted on.
    pub fn accepts(&self, version: i64) -> bool {
        match self {
            Expected::Absent => true,
            Expected::Tags(tags) => {
                let current = etag(version);
                tags.iter().any(|t| t == "*" || *t == current)
            }
        }
    }

    /// Whether `If-Match` was sent.
    pub fn is_absent(&self) -> bool {
        matches!(self, Expected::Absent)
    }

    /// Whether `If-Match` names a version (`*` names none).
    pub fn names_a_version(&self) -> bool {
        matches!(self, Expected::Tags(tags) if tags.iter().any(|t| t != "*"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_compares_strongly() {
        let tags = |t: &[&str]| Expected::Tags(t.iter().map(|s| s.to_string()).collect());
        assert!(tags(&["\"v3\""]).accepts(3));
        assert!(tags(&["\"v2\"", "\"v3\""]).accepts(3));
        assert!(tags(&["*"]).accepts(3));
        assert!(!tags(&["W/\"v3\""]).accepts(3));
        assert!(!tags(&["\"v2\""]).accepts(3));
        assert!(Expected::Absent.accepts(3));
        assert!(!tags(&["*"]).names_a_version());
        assert!(tags(&["*", "\"v3\""]).names_a_version());
        assert!(!Expected::Absent.names_a_version());
    }
}
