//! Business time, pure: a weekly schedule in a time zone (`hours::Schedule`)
//! less holidays, and the two sums service levels need: how much business
//! time lies between two instants, and when a given amount of it has
//! passed after an instant. Round the clock, both are plain arithmetic.
//!
//! Days are walked in the calendar's zone, so a working day stays 09:00 to
//! 17:00 local across a change of the clocks (that day is an hour shorter
//! or longer only if the span covers the change itself).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::hours::{END_OF_DAY, Schedule};

/// The longest a sum looks ahead (or back), in days: a calendar with no
/// working day in five years is a configuration to refuse, not to walk.
const HORIZON_DAYS: i64 = 5 * 366;

/// Working hours and holidays, in one time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    schedule: Schedule,
    holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// Every hour of every day counts.
    pub fn round_the_clock() -> Calendar {
        Calendar {
            schedule: Schedule::parse("", "UTC").unwrap_or_else(|_| unreachable!()),
            holidays: BTreeSet::new(),
        }
    }

    /// `hours` (as `desk_hours`: `Mon-Fri 09:00-17:00`; empty: round the
    /// clock) in `zone`, less the `holidays` (local dates, `YYYY-MM-DD`).
    pub fn parse(hours: &str, zone: &str, holidays: &[String]) -> Result<Calendar, String> {
        let schedule = Schedule::parse(hours, zone)?;
        let holidays = holidays
            .iter()
            .map(|d| {
                NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("`{d}` is not a date (YYYY-MM-DD)"))
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        if schedule.always() && !holidays.is_empty() {
            return Err("holidays need working hours (round the clock has no days off)".into());
        }
        Ok(Calendar { schedule, holidays })
    }

    /// Whether every instant counts.
    pub fn always(&self) -> bool {
        self.schedule.always()
    }

    /// The instant a local wall-clock time names: the earlier of two in an
    /// hour that repeats; for a time in a skipped hour, the instant an hour
    /// later on the wall clock (02:30 in a skipped 02:00-03:00 is 03:30).
    fn instant(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let zone = self.schedule.zone;
        zone.from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                zone.from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
    }

    /// The working spans of local `date`, as instants, in order (none on a holiday).
    fn spans_on(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let weekday = date.weekday().num_days_from_monday() as usize;
        let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = self
            .schedule
            .spans_on(weekday)
            .filter_map(|(from, to)| {
                // Closing at 24:00 is the next day's midnight.
                let end = if to == END_OF_DAY {
                    date.succ_opt()?.and_time(chrono::NaiveTime::MIN)
                } else {
                    date.and_time(to)
                };
                Some((self.instant(date.and_time(from))?, self.instant(end)?))
            })
            .filter(|(a, b)| a < b)
            .collect();
        spans.sort();
        // Overlapping spans of one day count once.
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for (a, b) in spans {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        merged
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.schedule.zone).date_naive()
    }

    /// The business time between `from` and `to` (zero if `to` is not later).
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        if self.always() {
            return to - from;
        }
        let (first, last) = (self.local_date(from), self.local_date(to));
        let days = (last - first).num_days().min(HORIZON_DAYS);
        let mut total = Duration::zero();
        for n in 0..=days {
            let Some(date) = first.checked_add_signed(Duration::days(n)) else {
                break;
            };
            for (a, b) in self.spans_on(date) {
                let (a, b) = (a.max(from), b.min(to));
                if a < b {
                    total += b - a;
                }
            }
        }
        total
    }

    /// The instant at which `work` business time has passed after `start`
    /// (`start` itself for no work); `None` if that is not reached within
    /// five years.
    pub fn add(&self, start: DateTime<Utc>, work: Duration) -> Option<DateTime<Utc>> {
        if work <= Duration::zero() {
            return Some(start);
        }
        if self.always() {
            return Some(start + work);
        }
        let first = self.local_date(start);
        let mut left = work;
        for n in 0..=HORIZON_DAYS {
            let date = first.checked_add_signed(Duration::days(n))?;
            for (a, b) in self.spans_on(date) {
                let a = a.max(start);
                if a >= b {
                    continue;
                }
                if b - a >= left {
                    return Some(a + left);
                }
                left -= b - a;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn office(zone: &str, holidays: &[&str]) -> Calendar {
        let holidays: Vec<String> = holidays.iter().map(|s| s.to_string()).collect();
        Calendar::parse("Mon-Fri 09:00-17:00", zone, &holidays).unwrap()
    }

    #[test]
    fn round_the_clock_is_plain_arithmetic() {
        let c = Calendar::round_the_clock();
        let t = at("2026-11-28T10:00:00Z");
        assert_eq!(c.add(t, Duration::hours(30)), Some(t + Duration::hours(30)));
        assert_eq!(c.between(t, t + Duration::hours(30)), Duration::hours(30));
        assert_eq!(c.between(t, t - Duration::hours(1)), Duration::zero());
    }

    #[test]
    fn a_friday_afternoon_target_lands_on_monday() {
        let c = office("UTC", &[]);
        // Friday 2026-11-27 16:00: one hour left that day, seven on Monday.
        let due = c
            .add(at("2026-11-27T16:00:00Z"), Duration::hours(8))
            .unwrap();
        assert_eq!(due, at("2026-11-30T16:00:00Z"));
        assert_eq!(
            c.between(at("2026-11-27T16:00:00Z"), due),
            Duration::hours(8)
        );
        // Filed on Saturday: the clock starts on Monday at nine.
        let due = c
            .add(at("2026-11-28T12:00:00Z"), Duration::hours(1))
            .unwrap();
        assert_eq!(due, at("2026-11-30T10:00:00Z"));
        // A whole weekend counts for nothing.
        assert_eq!(
            c.between(at("2026-11-27T17:00:00Z"), at("2026-11-30T09:00:00Z")),
            Duration::zero()
        );
        // Exactly at closing time: the next working minute is Monday's.
        let due = c
            .add(at("2026-11-27T17:00:00Z"), Duration::minutes(1))
            .unwrap();
        assert_eq!(due, at("2026-11-30T09:01:00Z"));
    }

    #[test]
    fn holidays_are_skipped_in_the_calendars_own_zone() {
        // Christmas Day 2026 is a Friday; the 24th is a Thursday.
        let c = office("Europe/Warsaw", &["2026-12-25"]);
        // Thursday 16:00 local (15:00 UTC): one hour, then Monday.
        let due = c
            .add(at("2026-12-24T15:00:00Z"), Duration::hours(2))
            .unwrap();
        assert_eq!(due, at("2026-12-28T09:00:00Z"), "Monday 10:00 in Warsaw");
        assert_eq!(
            c.between(at("2026-12-24T08:00:00Z"), at("2026-12-28T16:00:00Z")),
            Duration::hours(16),
            "Thursday and Monday, not Christmas"
        );
        assert!(Calendar::parse("Mon-Fri 09:00-17:00", "UTC", &["25/12/2026".into()]).is_err());
        assert!(Calendar::parse("", "UTC", &["2026-12-25".into()]).is_err());
    }

    #[test]
    fn the_same_working_hours_across_a_change_of_the_clocks() {
        // Warsaw goes from CET (+1) to CEST (+2) on Sunday 2026-03-29.
        let c = office("Europe/Warsaw", &[]);
        // Friday 16:00 local = 15:00 UTC; Monday 09:00 local = 07:00 UTC.
        let due = c
            .add(at("2026-03-27T15:00:00Z"), Duration::hours(2))
            .unwrap();
        assert_eq!(due, at("2026-03-30T08:00:00Z"), "Monday 10:00 CEST");
        // And back in autumn (Sunday 2026-10-25): Monday 09:00 is 08:00 UTC again.
        let due = c
            .add(at("2026-10-23T14:00:00Z"), Duration::hours(2))
            .unwrap();
        assert_eq!(due, at("2026-10-26T09:00:00Z"), "Monday 10:00 CET");
        // All of the spring change's Sunday: a local day of 23 hours.
        let sunday = Calendar::parse("Sun 00:00-24:00", "Europe/Warsaw", &[]).unwrap();
        assert_eq!(
            sunday.between(at("2026-03-28T00:00:00Z"), at("2026-03-30T00:00:00Z")),
            Duration::hours(23),
            "the skipped hour is not worked"
        );
        // Every day until midnight, less a holiday.
        let days = Calendar::parse("Mon-Sun 00:00-24:00", "UTC", &["2026-12-25".into()]).unwrap();
        assert_eq!(
            days.between(at("2026-12-24T12:00:00Z"), at("2026-12-26T12:00:00Z")),
            Duration::hours(24)
        );
        assert_eq!(
            days.add(at("2026-12-24T23:00:00Z"), Duration::hours(2)),
            Some(at("2026-12-26T01:00:00Z"))
        );
    }

    #[test]
    fn a_calendar_with_no_working_time_gives_no_date() {
        let c = Calendar::parse("Mon 09:00-10:00", "UTC", &[]).unwrap();
        assert!(
            c.add(at("2026-11-28T00:00:00Z"), Duration::hours(1))
                .is_some()
        );
        // 300 hours of one-hour Mondays is 300 weeks: past the horizon.
        assert_eq!(
            c.add(at("2026-11-28T00:00:00Z"), Duration::hours(300)),
            None
        );
    }
}
