//! Service levels, pure: which policy applies to a case, and the deadlines
//! it sets on its business calendar.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// The deadlines a policy sets on a case filed at `filed`, and when a
/// warning on each is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// When the first answer is due.
    pub first_response: Option<DateTime<Utc>>,
    /// When a full answer is due.
    pub resolution: Option<DateTime<Utc>>,
    /// When a warning on the first answer is due.
    pub first_response_warn: Option<DateTime<Utc>>,
    /// When a warning on the full answer is due.
    pub resolution_warn: Option<DateTime<Utc>>,
}

impl Policy {
    /// The deadlines of a case filed at `filed` (none past the calendar's
    /// horizon); a warning falls at `warn_percent` of each target, in
    /// business time, to the second.
    pub fn deadlines(&self, filed: DateTime<Utc>) -> Deadlines {
        let share = |target: Duration| {
            Duration::seconds(target.num_seconds() * i64::from(self.warn_percent) / 100)
        };
        Deadlines {
            first_response: self.calendar.add(filed, self.first_response),
            resolution: self.calendar.add(filed, self.resolution),
            first_response_warn: self.calendar.add(filed, share(self.first_response)),
            resolution_warn: self.calendar.add(filed, share(self.resolution)),
        }
    }
}

/// A service-level target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The first answer.
    FirstResponse,
    /// The full answer (a ruling, a settlement, a dismissal or a withdrawal).
    Resolution,
}

crate::domain::wire_names!(Target, "target" {
    FirstResponse => "first_response",
    Resolution => "resolution",
});

/// A point on the way to a target's deadline that the scanner records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// The policy's share of the target has gone by (`warn_percent`).
    Warning,
    /// The deadline has passed.
    Breach,
}

/// The thresholds of a case already recorded, one bit each (`cases.sla_fired`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fired(pub i32);

impl Fired {
    fn bit(target: Target, threshold: Threshold) -> i32 {
        match (target, threshold) {
            (Target::FirstResponse, Threshold::Warning) => 1,
            (Target::FirstResponse, Threshold::Breach) => 2,
            (Target::Resolution, Threshold::Warning) => 4,
            (Target::Resolution, Threshold::Breach) => 8,
        }
    }

    /// Whether that threshold was recorded.
    pub fn has(self, target: Target, threshold: Threshold) -> bool {
        self.0 & Fired::bit(target, threshold) != 0
    }

    /// With that threshold recorded too.
    pub fn with(self, target: Target, threshold: Threshold) -> Fired {
        Fired(self.0 | Fired::bit(target, threshold))
    }
}

/// Where a case stands against one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    /// Running, no threshold reached.
    Running,
    /// The clock is paused while the case waits on a party.
    Paused,
    /// The warning was recorded.
    Warning,
    /// The deadline passed without it (recorded).
    Breached,
    /// Met by the deadline.
    Met,
    /// Met, but after the deadline.
    MetLate,
    /// No longer needed: the case ended without it (a withdrawal before
    /// any answer). Not counted for or against the target.
    Ended,
}

/// A case's service-level clock, as stored: what the scanner and the
/// lists read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// When the first answer is due, and when a warning on it is.
    pub first_response: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// When the full answer is due, and when a warning on it is.
    pub resolution: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// When the first answer was given.
    pub answered_at: Option<DateTime<Utc>>,
    /// When the case was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Whether the clock is paused.
    pub paused: bool,
    /// The thresholds already recorded.
    pub fired: Fired,
}

impl Clock {
    /// The clock of a case just filed with these deadlines.
    pub fn of_new(deadlines: Option<Deadlines>) -> Clock {
        let pair = |due: Option<DateTime<Utc>>, warn| due.map(|d| (d, warn));
        Clock {
            first_response: deadlines.and_then(|d| pair(d.first_response, d.first_response_warn)),
            resolution: deadlines.and_then(|d| pair(d.resolution, d.resolution_warn)),
            answered_at: None,
            resolved_at: None,
            paused: false,
            fired: Fired::default(),
        }
    }

    fn target(&self, target: Target) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        match target {
            Target::FirstResponse => self.first_response,
            Target::Resolution => self.resolution,
        }
    }

    /// When `target` was met, if it was.
    fn met_at(&self, target: Target) -> Option<DateTime<Utc>> {
        match target {
            Target::FirstResponse => self.answered_at,
            Target::Resolution => self.resolved_at,
        }
    }

    /// Whether `target`'s clock is running: it has a deadline, is not met,
    /// not paused, and the case is not resolved (a case withdrawn before
    /// any answer no longer waits for one).
    fn running(&self, target: Target) -> bool {
        !self.paused
            && self.target(target).is_some()
            && self.met_at(target).is_none()
            && self.resolved_at.is_none()
    }

    /// The thresholds still to record, with when each falls due.
    pub fn pending(&self) -> Vec<(Target, Threshold, DateTime<Utc>)> {
        let mut out = Vec::new();
        for target in [Target::FirstResponse, Target::Resolution] {
            let Some((due, warn)) = self.target(target).filter(|_| self.running(target)) else {
                continue;
            };
            if let Some(warn) = warn.filter(|_| !self.fired.has(target, Threshold::Warning)) {
                out.push((target, Threshold::Warning, warn));
            }
            if !self.fired.has(target, Threshold::Breach) {
                out.push((target, Threshold::Breach, due));
            }
        }
        out
    }

    /// When the scanner next has something to record (`cases.sla_next_at`).
    pub fn next_check(&self) -> Option<DateTime<Utc>> {
        self.pending().into_iter().map(|(_, _, at)| at).min()
    }

    /// The next deadline not yet met, while a clock runs (`cases.sla_due`).
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        [Target::FirstResponse, Target::Resolution]
            .into_iter()
            .filter(|t| self.running(*t))
            .filter_map(|t| self.target(t).map(|(due, _)| due))
            .min()
    }

    /// The thresholds due at `now`, to record: a warning is left out when
    /// its deadline has passed too (the breach says more), but counted as
    /// recorded. Returns them and the thresholds recorded after.
    pub fn due(&self, now: DateTime<Utc>) -> (Vec<(Target, Threshold, DateTime<Utc>)>, Fired) {
        let mut fired = self.fired;
        let mut record = Vec::new();
        let pending = self.pending();
        for &(target, threshold, at) in &pending {
            if at > now {
                continue;
            }
            fired = fired.with(target, threshold);
            let breached_too = threshold == Threshold::Warning
                && pending
                    .iter()
                    .any(|&(t, h, a)| t == target && h == Threshold::Breach && a <= now);
            if !breached_too {
                let due = self.target(target).map_or(at, |(due, _)| due);
                record.push((target, threshold, due));
            }
        }
        (record, fired)
    }

    /// Each target's result, as the statistics count it: 1 when the first
    /// answer is decided (met, or missed and recorded), 2 when it was met
    /// by its deadline; 4 and 8 the same for resolution.
    pub fn outcome(&self) -> i16 {
        let bits = |target, decided, met| match self.status(target) {
            Some(TargetStatus::Met) => decided | met,
            Some(TargetStatus::MetLate | TargetStatus::Breached) => decided,
            _ => 0,
        };
        bits(Target::FirstResponse, 1, 2) | bits(Target::Resolution, 4, 8)
    }

    /// Where the case stands against `target` (`None` without a deadline).
    pub fn status(&self, target: Target) -> Option<TargetStatus> {
        let (due, _) = self.target(target)?;
        Some(match self.met_at(target) {
            Some(at) if at <= due => TargetStatus::Met,
            Some(_) => TargetStatus::MetLate,
            None if self.fired.has(target, Threshold::Breach) => TargetStatus::Breached,
            None if self.resolved_at.is_some() => TargetStatus::Ended,
            None if self.paused => TargetStatus::Paused,
            None if self.fired.has(target, Threshold::Warning) => TargetStatus::Warning,
            None => TargetStatus::Running,
        })
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

    fn clock() -> Clock {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        Clock {
            first_response: Some((t("2026-11-30T12:00:00Z"), Some(t("2026-11-30T11:00:00Z")))),
            resolution: Some((t("2026-12-02T12:00:00Z"), Some(t("2026-12-01T12:00:00Z")))),
            answered_at: None,
            resolved_at: None,
            paused: false,
            fired: Fired::default(),
        }
    }

    #[test]
    fn each_threshold_is_due_once_and_a_late_warning_gives_way_to_the_breach() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let mut c = clock();
        assert_eq!(c.next_check(), Some(t("2026-11-30T11:00:00Z")));
        assert_eq!(c.next_due(), Some(t("2026-11-30T12:00:00Z")));
        let (record, fired) = c.due(t("2026-11-30T11:30:00Z"));
        assert_eq!(
            record,
            vec![(
                Target::FirstResponse,
                Threshold::Warning,
                t("2026-11-30T12:00:00Z")
            )]
        );
        c.fired = fired;
        assert_eq!(c.due(t("2026-11-30T11:30:00Z")).0, vec![]);
        assert_eq!(c.status(Target::FirstResponse), Some(TargetStatus::Warning));
        // Scanned only on Wednesday: both resolution thresholds passed; the
        // breach alone is recorded, both count as done.
        let (record, fired) = c.due(t("2026-12-03T00:00:00Z"));
        assert_eq!(
            record,
            vec![
                (
                    Target::FirstResponse,
                    Threshold::Breach,
                    t("2026-11-30T12:00:00Z")
                ),
                (
                    Target::Resolution,
                    Threshold::Breach,
                    t("2026-12-02T12:00:00Z")
                ),
            ]
        );
        c.fired = fired;
        assert_eq!(c.pending(), vec![]);
        assert_eq!(c.next_check(), None);
        assert_eq!(c.status(Target::Resolution), Some(TargetStatus::Breached));
    }

    #[test]
    fn an_answer_stops_the_first_clock_and_a_pause_stops_both() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let mut c = clock();
        c.answered_at = Some(t("2026-11-30T12:30:00Z"));
        assert_eq!(c.next_due(), Some(t("2026-12-02T12:00:00Z")));
        assert_eq!(c.status(Target::FirstResponse), Some(TargetStatus::MetLate));
        assert_eq!(c.next_check(), Some(t("2026-12-01T12:00:00Z")));
        c.paused = true;
        assert_eq!((c.next_due(), c.next_check()), (None, None));
        assert_eq!(c.status(Target::Resolution), Some(TargetStatus::Paused));
        c.paused = false;
        c.resolved_at = Some(t("2026-12-01T09:00:00Z"));
        assert_eq!((c.next_due(), c.next_check()), (None, None));
        assert_eq!(c.status(Target::Resolution), Some(TargetStatus::Met));
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
