//! Service levels, pure: which policy applies to a case, and the deadlines
//! it sets on its business calendar.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::{CategoryId, Priority};

/// A policy's calendar as a case keeps it: working hours (empty: round
/// the clock), time zone and holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// Working hours as `desk_hours` writes them.
    pub hours: String,
    /// The IANA time zone.
    pub time_zone: String,
    /// Local dates off.
    pub holidays: Vec<String>,
}

impl CalendarSpec {
    /// The calendar it names.
    pub fn calendar(&self) -> Result<Calendar, String> {
        Calendar::parse(&self.hours, &self.time_zone, &self.holidays)
    }
}

/// A deadline after a pause from `since` to `until`: moved on by the
/// business time the pause took, if it was still ahead when the pause began
/// (a deadline already missed stays missed when it was).
pub fn after_pause(
    calendar: &Calendar,
    due: DateTime<Utc>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> DateTime<Utc> {
    if due <= since {
        return due;
    }
    calendar
        .add(due, calendar.between(since, until))
        .unwrap_or(due)
}

/// A service-level policy, ready to count with.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// How long the first answer may take, in business time.
    pub first_response: Duration,
    /// How long a full answer may take, in business time.
    pub resolution: Duration,
    /// The hours that count.
    pub calendar: Calendar,
    /// At what share of a target a warning is due (1 to 99, percent).
    pub warn_percent: i32,
}

/// The deadlines a policy sets on a case filed at `filed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// When the first answer is due.
    pub first_response: Option<DateTime<Utc>>,
    /// When a full answer is due.
    pub resolution: Option<DateTime<Utc>>,
}

impl Policy {
    /// The deadlines of a case filed at `filed` (none past the calendar's horizon).
    pub fn deadlines(&self, filed: DateTime<Utc>) -> Deadlines {
        Deadlines {
            first_response: self.calendar.add(filed, self.first_response),
            resolution: self.calendar.add(filed, self.resolution),
        }
    }
}

/// The scope a policy covers: `<priority>/<category id or *>`.
pub fn scope(priority: Priority, category: Option<CategoryId>) -> String {
    match category {
        Some(c) => format!("{}/{}", priority.as_str(), c.to_db()),
        None => format!("{}/*", priority.as_str()),
    }
}

/// Of policies given as (scope, policy), the one for a case of `priority`
/// in `category`: the category's own for that priority, else the one for
/// the priority in every category, else none.
pub fn pick<'a, P>(
    policies: impl IntoIterator<Item = (&'a str, &'a P)> + Clone,
    priority: Priority,
    category: CategoryId,
) -> Option<&'a P> {
    let own = scope(priority, Some(category));
    let any = scope(priority, None);
    let find = |wanted: &str| {
        policies
            .clone()
            .into_iter()
            .find(|(s, _)| *s == wanted)
            .map(|(_, p)| p)
    };
    find(&own).or_else(|| find(&any))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_categorys_own_policy_wins_over_the_priority_wide_one() {
        let (a, b) = (CategoryId::new(), CategoryId::new());
        let wide = (scope(Priority::High, None), 1);
        let own = (scope(Priority::High, Some(a)), 2);
        let list = [(wide.0.as_str(), &wide.1), (own.0.as_str(), &own.1)];
        assert_eq!(pick(list, Priority::High, a), Some(&2));
        assert_eq!(pick(list, Priority::High, b), Some(&1));
        assert_eq!(pick(list, Priority::Low, a), None);
    }

    #[test]
    fn deadlines_count_business_time() {
        let p = Policy {
            first_response: Duration::hours(4),
            resolution: Duration::hours(16),
            calendar: Calendar::parse("Mon-Fri 09:00-17:00", "UTC", &[]).unwrap(),
            warn_percent: 75,
        };
        // Friday 15:00: two hours that day, the rest from Monday.
        let d = p.deadlines("2026-11-27T15:00:00Z".parse().unwrap());
        assert_eq!(
            d.first_response,
            Some("2026-11-30T11:00:00Z".parse().unwrap())
        );
        assert_eq!(d.resolution, Some("2026-12-01T15:00:00Z".parse().unwrap()));
    }

    #[test]
    fn a_pause_moves_a_deadline_by_the_business_time_it_took() {
        let office = Calendar::parse("Mon-Fri 09:00-17:00", "UTC", &[]).unwrap();
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // Paused from Friday 16:00 to Monday 10:00: two business hours.
        let (since, until) = (t("2026-11-27T16:00:00Z"), t("2026-11-30T10:00:00Z"));
        assert_eq!(
            after_pause(&office, t("2026-11-30T12:00:00Z"), since, until),
            t("2026-11-30T14:00:00Z")
        );
        // Due on Tuesday at 16:30: two hours later is Wednesday 10:30.
        assert_eq!(
            after_pause(&office, t("2026-12-01T16:30:00Z"), since, until),
            t("2026-12-02T10:30:00Z")
        );
        // Missed before the pause began: it stays missed when it was.
        assert_eq!(
            after_pause(&office, t("2026-11-27T12:00:00Z"), since, until),
            t("2026-11-27T12:00:00Z")
        );
    }

    #[test]
    fn the_worked_example_of_the_docs() {
        let policy = |first, resolution, hours: &str, holidays: &[&str]| Policy {
            first_response: Duration::minutes(first),
            resolution: Duration::minutes(resolution),
            calendar: Calendar::parse(
                hours,
                if hours.is_empty() {
                    "UTC"
                } else {
                    "Europe/Warsaw"
                },
                &holidays.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            )
            .unwrap(),
            warn_percent: 75,
        };
        let christmas = policy(120, 960, "Mon-Fri 09:00-17:00", &["2026-12-25"]);
        let d = christmas.deadlines("2026-12-24T15:00:00Z".parse().unwrap());
        assert_eq!(
            d.first_response,
            Some("2026-12-28T09:00:00Z".parse().unwrap())
        );
        assert_eq!(d.resolution, Some("2026-12-29T15:00:00Z".parse().unwrap()));
        let always = policy(60, 1440, "", &[]);
        let d = always.deadlines("2026-12-24T15:00:00Z".parse().unwrap());
        assert_eq!(
            d.first_response,
            Some("2026-12-24T16:00:00Z".parse().unwrap())
        );
        assert_eq!(d.resolution, Some("2026-12-25T15:00:00Z".parse().unwrap()));
    }
}
