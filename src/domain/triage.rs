//! Triage rules, pure: what a rule's conditions and actions are, whether a
//! filing matches, and what the matching rules do to it, in order. The
//! case service gathers the facts of a filing ([`Filing`]) and stores the
//! outcome; nothing here reads or writes anything.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::tags_at;
use super::parse::{Checker, Email};
use super::{Priority, UserId};

/// Most keywords, categories or respondents one condition lists.
pub const MAX_ITEMS: usize = 50;

/// The complainant's recent history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// At least this many other cases filed by the complainant…
    #[schema(minimum = 1, maximum = 1000)]
    pub count: i64,
    /// …within this many days before this one.
    #[schema(minimum = 1, maximum = 3650)]
    pub days: i64,
}

/// When a rule applies: every condition given must hold (none given:
/// every filing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// The case's category is one of these (slugs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// One of these words or phrases is in the title or the description,
    /// whatever the case of its letters. Matching is by substring, so a
    /// stem (`посылк`, `paczk`) finds every form of an inflected word, and
    /// Chinese needs no word breaks (`包裹`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// The respondent is one of these (user ids or email addresses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub respondents: Vec<String>,
    /// The complainant filed at least `count` other cases in the last `days` days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complainant_history: Option<History>,
}

/// What a rule does to a filing that matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    /// Set the case's priority (whatever the complainant chose; a later
    /// matching rule's priority wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_priority: Option<Priority>,
    /// Add these tags (for staff: parties never see them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
    /// Suggest these response templates (codes) to whoever answers the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggest_templates: Vec<String>,
    /// Keep the case for a lead: no automatic assignment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hold_for_lead: bool,
    /// Run no later rule on this filing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stop: bool,
}

/// A stored rule, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its id (for the timeline).
    pub id: uuid::Uuid,
    /// Its name (for the timeline).
    pub name: String,
    /// When it applies.
    pub conditions: Conditions,
    /// What it does.
    pub actions: Actions,
}

/// What a filing is, as far as triage looks.
#[derive(Debug, Clone)]
pub struct Filing<'a> {
    /// The category's slug.
    pub category: &'a str,
    /// The title.
    pub title: &'a str,
    /// The description.
    pub description: &'a str,
    /// The respondent's account, if they have one.
    pub respondent_id: Option<UserId>,
    /// The respondent's address, if known.
    pub respondent_email: Option<&'a str>,
    /// How many other cases the complainant filed in the last `days` days,
    /// for each `days` a rule asks about.
    pub history: &'a [(i64, i64)],
}

/// A rule that matched, as the timeline names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RuleRef {
    /// The rule's id.
    pub id: uuid::Uuid,
    /// Its name when it matched.
    pub name: String,
}

/// What triage decided for a filing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The rules that matched, in order.
    pub matched: Vec<RuleRef>,
    /// The priority they set, if any (the last one).
    pub priority: Option<Priority>,
    /// The tags they added, in order, without repeats.
    pub tags: Vec<String>,
    /// Whether one held the case for a lead.
    pub held: bool,
    /// The templates they suggested, in order, without repeats.
    pub templates: Vec<String>,
}

/// The text keywords are looked for in: title and description, lower-case.
fn searched(f: &Filing) -> String {
    format!("{}\n{}", f.title, f.description).to_lowercase()
}

/// Whether `c` holds for `f`.
pub fn matches(c: &Conditions, f: &Filing) -> bool {
    matches_in(c, f, &searched(f))
}

/// [`matches`], with the filing's text already lower-cased (once per filing,
/// not once per rule).
fn matches_in(c: &Conditions, f: &Filing, text: &str) -> bool {
    if !c.categories.is_empty() && !c.categories.iter().any(|s| s == f.category) {
        return false;
    }
    if !c.keywords.is_empty() && !c.keywords.iter().any(|k| text.contains(&k.to_lowercase())) {
        return false;
    }
    if !c.respondents.is_empty() {
        let by_id = f.respondent_id.map(|id| id.to_db());
        let hit = c.respondents.iter().any(|r| {
            Some(r.as_str()) == by_id.as_deref()
                || f.respondent_email
                    .is_some_and(|e| e.eq_ignore_ascii_case(r))
        });
        if !hit {
            return false;
        }
    }
    if let Some(h) = c.complainant_history {
        let filed = f
            .history
            .iter()
            .find(|(days, _)| *days == h.days)
            .map_or(0, |(_, n)| *n);
        if filed < h.count {
            return false;
        }
    }
    true
}

/// Runs `rules` in order on `f`.
pub fn run(rules: &[Rule], f: &Filing) -> Outcome {
    let mut out = Outcome::default();
    let text = searched(f);
    for rule in rules {
        if !matches_in(&rule.conditions, f, &text) {
            continue;
        }
        out.matched.push(RuleRef {
            id: rule.id,
            name: rule.name.clone(),
        });
        let a = &rule.actions;
        if a.set_priority.is_some() {
            out.priority = a.set_priority;
        }
        for t in &a.add_tags {
            if !out.tags.contains(t) {
                out.tags.push(t.clone());
            }
        }
        out.held |= a.hold_for_lead;
        for t in &a.suggest_templates {
            if !out.templates.contains(t) {
                out.templates.push(t.clone());
            }
        }
        if a.stop {
            break;
        }
    }
    out
}

/// The distinct `days` the rules ask the complainant's history about.
pub fn history_windows(rules: &[Rule]) -> Vec<i64> {
    let mut days: Vec<i64> = rules
        .iter()
        .filter_map(|r| r.conditions.complainant_history.map(|h| h.days))
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// Checks a rule's conditions and actions, naming each bad field
/// (`conditions.keywords[2]`); category slugs are checked against the
/// store by the caller. Returns them normalised (tags lower-case,
/// respondents' addresses lower-case).
pub fn check(c: &mut Checker, conditions: Conditions, actions: Actions) -> (Conditions, Actions) {
    let list = |c: &mut Checker, field: &str, n: usize| {
        if n > MAX_ITEMS {
            c.fail(
                format!("conditions.{field}"),
                format!("at most {MAX_ITEMS}"),
            );
        }
    };
    list(c, "categories", conditions.categories.len());
    list(c, "keywords", conditions.keywords.len());
    list(c, "respondents", conditions.respondents.len());
    let keywords = conditions
        .keywords
        .iter()
        .enumerate()
        .map(|(i, k)| c.text(&format!("conditions.keywords[{i}]"), k, 100))
        .collect();
    let respondents = conditions
        .respondents
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let r = r.trim();
            if let Ok(id) = uuid::Uuid::parse_str(r) {
                return id.hyphenated().to_string();
            }
            match Email::parse(r) {
                Ok(e) => e.as_str().to_string(),
                Err(_) => {
                    c.fail(
                        format!("conditions.respondents[{i}]"),
                        "must be a user id or an email address",
                    );
                    String::new()
                }
            }
        })
        .collect();
    if let Some(h) = conditions.complainant_history {
        if !(1..=1000).contains(&h.count) {
            c.fail("conditions.complainant_history.count", "must be 1 to 1000");
        }
        if !(1..=3650).contains(&h.days) {
            c.fail("conditions.complainant_history.days", "must be 1 to 3650");
        }
    }
    let tags = tags_at(c, "actions.add_tags", &actions.add_tags);
    if actions.suggest_templates.len() > MAX_ITEMS {
        c.fail("actions.suggest_templates", format!("at most {MAX_ITEMS}"));
    }
    let suggest_templates = actions
        .suggest_templates
        .iter()
        .enumerate()
        .map(|(i, code)| {
            super::templates::check_code(c, &format!("actions.suggest_templates[{i}]"), code)
        })
        .collect();
    let does_something = actions.set_priority.is_some()
        || !tags.is_empty()
        || actions.hold_for_lead
        || !actions.suggest_templates.is_empty();
    if !does_something {
        c.fail(
            "actions",
            "a rule must set a priority, add a tag, suggest a template or hold the case for a lead",
        );
    }
    let categories = conditions
        .categories
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.trim().to_ascii_lowercase();
            let slug = (1..=50).contains(&s.len())
                && s.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-');
            if !slug {
                c.fail(format!("conditions.categories[{i}]"), "no such category");
            }
            s
        })
        .collect();
    (
        Conditions {
            categories,
            keywords,
            respondents,
            complainant_history: conditions.complainant_history,
        },
        Actions {
            add_tags: tags,
            suggest_templates,
            ..actions
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, conditions: Conditions, actions: Actions) -> Rule {
        Rule {
            id: uuid::Uuid::now_v7(),
            name: name.into(),
            conditions,
            actions,
        }
    }

    fn filing<'a>(title: &'a str, history: &'a [(i64, i64)]) -> Filing<'a> {
        Filing {
            category: "delivery",
            title,
            description: "",
            respondent_id: None,
            respondent_email: Some("Shop@Example.org"),
            history,
        }
    }

    #[test]
    fn keywords_match_in_any_of_the_four_languages_whatever_the_case() {
        let c = Conditions {
            keywords: vec![
                "посылк".into(),
                "包裹".into(),
                "PACZK".into(),
                "parcel".into(),
            ],
            ..Conditions::default()
        };
        for title in [
            "Посылка не пришла",
            "我的包裹丢了",
            "Paczka zaginęła",
            "Lost PARCEL",
        ] {
            assert!(matches(&c, &filing(title, &[])), "{title}");
        }
        assert!(!matches(&c, &filing("Refund refused", &[])));
    }

    #[test]
    fn every_condition_must_hold() {
        let c = Conditions {
            categories: vec!["delivery".into()],
            respondents: vec!["shop@example.org".into()],
            complainant_history: Some(History { count: 2, days: 30 }),
            ..Conditions::default()
        };
        assert!(matches(&c, &filing("x", &[(30, 2)])));
        assert!(!matches(&c, &filing("x", &[(30, 1)])));
        assert!(!matches(&c, &filing("x", &[])));
        let other = Conditions {
            categories: vec!["billing".into()],
            ..c.clone()
        };
        assert!(!matches(&other, &filing("x", &[(30, 2)])));
        assert!(matches(&Conditions::default(), &filing("x", &[])));
    }

    #[test]
    fn rules_run_in_order_until_one_stops() {
        let always = Conditions::default();
        let rules = vec![
            rule(
                "first",
                always.clone(),
                Actions {
                    set_priority: Some(Priority::High),
                    add_tags: vec!["a".into()],
                    ..Actions::default()
                },
            ),
            rule(
                "second",
                always.clone(),
                Actions {
                    set_priority: Some(Priority::Urgent),
                    add_tags: vec!["a".into(), "b".into()],
                    hold_for_lead: true,
                    stop: true,
                    ..Actions::default()
                },
            ),
            rule(
                "never",
                always,
                Actions {
                    set_priority: Some(Priority::Low),
                    ..Actions::default()
                },
            ),
        ];
        let out = run(&rules, &filing("x", &[]));
        let names: Vec<&str> = out.matched.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["first", "second"]);
        assert_eq!(out.priority, Some(Priority::Urgent));
        assert_eq!(out.tags, vec!["a", "b"]);
        assert!(out.held);
    }

    #[test]
    fn a_rule_that_does_nothing_or_asks_nonsense_is_refused_by_field() {
        let mut c = Checker::new();
        let conditions = Conditions {
            keywords: vec![" ".into()],
            respondents: vec!["nobody".into()],
            complainant_history: Some(History { count: 0, days: 0 }),
            ..Conditions::default()
        };
        let actions = Actions {
            add_tags: vec!["Not A Tag".into()],
            ..Actions::default()
        };
        check(&mut c, conditions, actions);
        let errors = c.finish().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "conditions.keywords[0]",
            "conditions.respondents[0]",
            "conditions.complainant_history.count",
            "conditions.complainant_history.days",
            "actions.add_tags[0]",
            "actions",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }
}
