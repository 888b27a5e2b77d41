//! The desk's assignment policy, pure: who may take a case, and whom
//! automatic assignment picks among them. The case service gathers the
//! candidates (profiles, loads, conflicts) and calls [`eligible`] or
//! [`ranked`]; nothing here reads or writes anything.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::primary_language as primary;
use super::{CategoryId, Role, UserId};

/// How a lead hears of work waiting for leads (a new case nobody was
/// given, an appeal to decide, a case nobody can take).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum DeskMail {
    /// A mail for each case as it starts waiting.
    #[default]
    Each,
    /// One mail per digest period listing what waits, if anything does.
    Digest,
    /// No mail; the lead reads `GET /queue`.
    Off,
}

crate::domain::wire_names!(DeskMail, "desk mail" {
    Each => "each",
    Digest => "digest",
    Off => "off",
});

/// Why a case waits for a lead to give it to someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AwaitingReason {
    /// Its category is not assigned automatically.
    NotAutomatic,
    /// Automatic assignment found nobody eligible and free.
    NobodyAvailable,
    /// A triage rule held it for a lead.
    HeldByTriage,
}

crate::domain::wire_names!(AwaitingReason, "reason" {
    NotAutomatic => "not_automatic",
    NobodyAvailable => "nobody_available",
    HeldByTriage => "held_by_triage",
});

/// One person who might take a case, as the case service read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Who.
    pub user: UserId,
    /// Their role (only mediators and leads take cases).
    pub role: Role,
    /// Whether their account is active.
    pub active: bool,
    /// The categories they take; empty means every category.
    pub skills: Vec<CategoryId>,
    /// The languages they work in.
    pub languages: Vec<String>,
    /// Most open cases at once.
    pub capacity: i32,
    /// On duty now.
    pub on_duty: bool,
    /// Away until then, if that is in the future.
    pub absent_until: Option<DateTime<Utc>>,
    /// When they were last given a case.
    pub last_assigned_at: Option<DateTime<Utc>>,
    /// Their open cases now.
    pub load: i64,
    /// The users they declared a conflict of interest with, among this case's parties.
    pub conflicts: Vec<UserId>,
}

/// What a case needs of whoever takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The case's category.
    pub category: CategoryId,
    /// The case's language (the complainant's unless they chose another).
    pub language: String,
    /// The parties with accounts.
    pub parties: Vec<UserId>,
    /// People who may not take it: the mediator who ruled, for an appeal;
    /// the one who has it now.
    pub excluded: Vec<UserId>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Why someone may not take a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    /// Deactivated, or not a mediator or lead.
    NotStaff,
    /// They do not take this category.
    Skill,
    /// Off duty or away.
    Unavailable,
    /// Already at capacity.
    AtCapacity,
    /// A party to the case.
    Party,
    /// A declared conflict of interest with a party.
    Conflict,
    /// The mediator who ruled (for an appeal), or the one who has it.
    Excluded,
}

impl Ineligible {
    /// The reason, for a problem's detail.
    pub fn reason(self) -> &'static str {
        match self {
            Ineligible::NotStaff => "only an active mediator or lead takes cases",
            Ineligible::Skill => "the mediator's skills do not include this category",
            Ineligible::Unavailable => "the mediator is off duty or away",
            Ineligible::AtCapacity => "the mediator is at capacity",
            Ineligible::Party => "a party to the case cannot mediate it",
            Ineligible::Conflict => "the mediator declared a conflict of interest with a party",
            Ineligible::Excluded => {
                "the mediator who ruled (or who has the case) cannot be given it again"
            }
        }
    }
}

/// Whether someone on duty (or not) and away until then (if ever) is
/// available at `now`.
pub fn available(on_duty: bool, absent_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    on_duty && absent_until.is_none_or(|until| until <= now)
}

/// Whether `c` may take a case that needs `need`; the first reason why not.
pub fn eligible(c: &Candidate, need: &Need) -> Result<(), Ineligible> {
    if !c.active || !matches!(c.role, Role::Mediator | Role::Lead) {
        return Err(Ineligible::NotStaff);
    }
    if need.parties.contains(&c.user) {
        return Err(Ineligible::Party);
    }
    if need.excluded.contains(&c.user) {
        return Err(Ineligible::Excluded);
    }
    if c.conflicts.iter().any(|u| need.parties.contains(u)) {
        return Err(Ineligible::Conflict);
    }
    if !c.skills.is_empty() && !c.skills.contains(&need.category) {
        return Err(Ineligible::Skill);
    }
    if !available(c.on_duty, c.absent_until, need.now) {
        return Err(Ineligible::Unavailable);
    }
    if c.load >= i64::from(c.capacity) {
        return Err(Ineligible::AtCapacity);
    }
    Ok(())
}

/// Whether the candidate works in the case's language.
pub fn speaks(c: &Candidate, language: &str) -> bool {
    let want = primary(language);
    c.languages.iter().any(|l| primary(l) == want)
}

/// Those who may take the case, best first: people who work in the case's
/// language before those who do not, then the lowest load, then the
/// longest since their last assignment (never assigned first), then by id
/// so that the order is total.
pub fn ranked(candidates: Vec<Candidate>, need: &Need) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| eligible(c, need).is_ok())
        .collect();
    out.sort_by(|a, b| {
        speaks(b, &need.language)
            .cmp(&speaks(a, &need.language))
            .then(a.load.cmp(&b.load))
            .then(a.last_assigned_at.cmp(&b.last_assigned_at))
            .then(a.user.0.cmp(&b.user.0))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn need() -> Need {
        Need {
            category: CategoryId(uuid::Uuid::from_u128(7)),
            language: "pl".into(),
            parties: vec![UserId(uuid::Uuid::from_u128(100))],
            excluded: Vec::new(),
            now: Utc::now(),
        }
    }

    fn cand(n: u128, load: i64) -> Candidate {
        Candidate {
            user: UserId(uuid::Uuid::from_u128(n)),
            role: Role::Mediator,
            active: true,
            skills: Vec::new(),
            languages: vec!["en".into()],
            capacity: 5,
            on_duty: true,
            absent_until: None,
            last_assigned_at: None,
            load,
            conflicts: Vec::new(),
        }
    }

    #[test]
    fn every_rule_of_eligibility_has_its_reason() {
        let n = need();
        let ok = cand(1, 0);
        assert_eq!(eligible(&ok, &n), Ok(()));
        let cases: Vec<(Candidate, Ineligible)> = vec![
            (
                Candidate {
                    active: false,
                    ..ok.clone()
                },
                Ineligible::NotStaff,
            ),
            (
                Candidate {
                    role: Role::Member,
                    ..ok.clone()
                },
                Ineligible::NotStaff,
            ),
            (
                Candidate {
                    role: Role::Admin,
                    ..ok.clone()
                },
                Ineligible::NotStaff,
            ),
            (
                Candidate {
                    user: n.parties[0],
                    ..ok.clone()
                },
                Ineligible::Party,
            ),
            (
                Candidate {
                    conflicts: n.parties.clone(),
                    ..ok.clone()
                },
                Ineligible::Conflict,
            ),
            (
                Candidate {
                    skills: vec![CategoryId(uuid::Uuid::from_u128(8))],
                    ..ok.clone()
                },
                Ineligible::Skill,
            ),
            (
                Candidate {
                    on_duty: false,
                    ..ok.clone()
                },
                Ineligible::Unavailable,
            ),
            (
                Candidate {
                    absent_until: Some(n.now + Duration::hours(1)),
                    ..ok.clone()
                },
                Ineligible::Unavailable,
            ),
            (
                Candidate {
                    load: 5,
                    ..ok.clone()
                },
                Ineligible::AtCapacity,
            ),
            (
                Candidate {
                    capacity: 0,
                    ..ok.clone()
                },
                Ineligible::AtCapacity,
            ),
        ];
        for (c, why) in cases {
            assert_eq!(eligible(&c, &n), Err(why), "{c:?}");
            assert!(!why.reason().is_empty());
        }
        let excluded = Need {
            excluded: vec![ok.user],
            ..n.clone()
        };
        assert_eq!(eligible(&ok, &excluded), Err(Ineligible::Excluded));
        // An absence that has ended, and a skill that matches, are fine.
        let back = Candidate {
            absent_until: Some(n.now - Duration::hours(1)),
            skills: vec![n.category],
            ..ok
        };
        assert_eq!(eligible(&back, &n), Ok(()));
    }

    #[test]
    fn the_lowest_load_wins_then_the_longest_idle_then_the_language() {
        let n = need();
        let t = n.now;
        let busy = cand(1, 3);
        let idle_long = Candidate {
            last_assigned_at: Some(t - Duration::days(2)),
            ..cand(2, 1)
        };
        let idle_short = Candidate {
            last_assigned_at: Some(t - Duration::hours(1)),
            ..cand(3, 1)
        };
        let never = cand(4, 1);
        let order: Vec<UserId> = ranked(
            vec![
                busy.clone(),
                idle_short.clone(),
                idle_long.clone(),
                never.clone(),
            ],
            &n,
        )
        .into_iter()
        .map(|c| c.user)
        .collect();
        assert_eq!(
            order,
            vec![never.user, idle_long.user, idle_short.user, busy.user]
        );
        // Someone who works in the case's language comes first whatever the
        // load; the others follow, for when the speakers turn out to be full.
        let polish = Candidate {
            languages: vec!["pl-PL".into()],
            ..busy.clone()
        };
        let order: Vec<UserId> = ranked(vec![never.clone(), polish.clone()], &n)
            .into_iter()
            .map(|c| c.user)
            .collect();
        assert_eq!(order, vec![polish.user, never.user]);
        // Full or away people are never offered.
        let full = Candidate {
            load: 5,
            languages: vec!["pl".into()],
            ..cand(5, 0)
        };
        let order: Vec<UserId> = ranked(vec![full, never.clone()], &n)
            .into_iter()
            .map(|c| c.user)
            .collect();
        assert_eq!(order, vec![never.user]);
    }
}
