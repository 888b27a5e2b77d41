//! The desk's working hours, pure: a weekly schedule in a time zone, when
//! it is open, and when it next opens. Written as in settings:
//! `Mon-Fri 09:00-17:00; Sat 10:00-14:00` (an empty schedule: always open).

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// A weekly schedule in a time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Open spans: the days they apply to (Monday first) and the times.
    spans: Vec<([bool; 7], NaiveTime, NaiveTime)>,
    /// The desk's time zone.
    pub zone: Tz,
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn day(s: &str) -> Result<usize, String> {
    let s = s.trim().to_ascii_lowercase();
    const FULL: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    DAYS.iter()
        .zip(FULL)
        .position(|((short, _), full)| s == *short || s == full)
        .ok_or_else(|| format!("`{s}` is not a day (mon … sun)"))
}

fn days(spec: &str) -> Result<[bool; 7], String> {
    let mut out = [false; 7];
    for part in spec.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut i = a;
                loop {
                    out[i] = true;
                    if i == b {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
            None => out[day(part)?] = true,
        }
    }
    Ok(out)
}

/// The end of a day, as a closing time (`24:00`): the last instant of it.
pub const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

fn time(s: &str) -> Result<NaiveTime, String> {
    if s.trim() == "24:00" {
        return Ok(END_OF_DAY);
    }
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| format!("`{s}` is not a time (HH:MM, or 24:00 to close at midnight)"))
}

impl Schedule {
    /// Reads `hours` (`Mon-Fri 09:00-17:00; Sat 10:00-14:00`; empty: always
    /// open) in time zone `zone` (an IANA name such as `Europe/Warsaw`).
    pub fn parse(hours: &str, zone: &str) -> Result<Schedule, String> {
        let zone: Tz = zone
            .parse()
            .map_err(|_| format!("`{zone}` is not a time zone (such as Europe/Warsaw)"))?;
        let mut spans = Vec::new();
        for segment in hours.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let (d, t) = segment.split_once(' ').ok_or_else(|| {
                format!("`{segment}`: write days, then hours (Mon-Fri 09:00-17:00)")
            })?;
            let (from, to) = t
                .trim()
                .split_once('-')
                .ok_or_else(|| format!("`{t}`: write hours as 09:00-17:00"))?;
            let (from, to) = (time(from)?, time(to)?);
            if from >= to {
                return Err(format!("`{t}`: the desk must open before it closes"));
            }
            spans.push((days(d)?, from, to));
        }
        Ok(Schedule { spans, zone })
    }

    /// The open spans of weekday `day` (0 is Monday), as local times.
    pub fn spans_on(&self, day: usize) -> impl Iterator<Item = (NaiveTime, NaiveTime)> + '_ {
        self.spans
            .iter()
            .filter(move |(days, _, _)| days.get(day).copied().unwrap_or(false))
            .map(|(_, from, to)| (*from, *to))
    }

    /// Whether the desk is open at any time.
    pub fn always(&self) -> bool {
        self.spans.is_empty()
    }

    /// Whether the desk is open at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        if self.always() {
            return true;
        }
        let local = now.with_timezone(&self.zone);
        let (d, t) = (
            local.weekday().num_days_from_monday() as usize,
            local.time(),
        );
        self.spans
            .iter()
            .any(|(days, from, to)| days[d] && *from <= t && t < *to)
    }

    /// When the desk next opens, if it is closed at `now`.
    pub fn next_opening(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(now) {
            return None;
        }
        let today = now.with_timezone(&self.zone).date_naive();
        (0..=7)
            .filter_map(|n| today.checked_add_signed(Duration::days(n)))
            .flat_map(|date| {
                let d = date.weekday().num_days_from_monday() as usize;
                self.spans
                    .iter()
                    .filter(move |(days, _, _)| days[d])
                    .filter_map(move |(_, from, _)| {
                        // A start inside a skipped hour (spring forward) opens
                        // at the first instant after it.
                        self.zone
                            .from_local_datetime(&date.and_time(*from))
                            .earliest()
                            .or_else(|| {
                                self.zone
                                    .from_local_datetime(
                                        &(date.and_time(*from) + Duration::hours(1)),
                                    )
                                    .earliest()
                            })
                    })
            })
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t > now)
            .min()
    }

    /// An opening time as a reader in the desk's zone sees it, in no
    /// language in particular: `2026-11-30 09:00 (Europe/Warsaw)`.
    pub fn local(&self, t: DateTime<Utc>) -> String {
        format!(
            "{} ({})",
            t.with_timezone(&self.zone).format("%Y-%m-%d %H:%M"),
            self.zone.name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_week_of_office_hours_in_warsaw() {
        let s = Schedule::parse("Mon-Fri 09:00-17:00; Sat 10:00-14:00", "Europe/Warsaw").unwrap();
        // Wednesday 2026-11-25 10:00 in Warsaw is 09:00 UTC (CET, +1).
        assert!(s.is_open(at("2026-11-25T09:00:00Z")));
        assert!(
            !s.is_open(at("2026-11-25T16:00:00Z")),
            "17:00 local: closed"
        );
        // Saturday evening → Monday 09:00 local.
        let next = s.next_opening(at("2026-11-28T15:00:00Z")).unwrap();
        assert_eq!(next, at("2026-11-30T08:00:00Z"));
        assert_eq!(s.local(next), "2026-11-30 09:00 (Europe/Warsaw)");
        assert_eq!(s.next_opening(at("2026-11-25T09:00:00Z")), None, "open now");
    }

    #[test]
    fn the_clocks_changing_moves_the_opening_in_utc() {
        let s = Schedule::parse("Mon 09:00-17:00", "Europe/Warsaw").unwrap();
        // Monday 2026-03-30 is after the spring change (CEST, +2).
        let next = s.next_opening(at("2026-03-28T12:00:00Z")).unwrap();
        assert_eq!(next, at("2026-03-30T07:00:00Z"));
        // A span over midnight is refused; so are bad days, times and zones.
        for (hours, zone) in [
            ("Mon 22:00-02:00", "UTC"),
            ("Funday 09:00-17:00", "UTC"),
            ("Sunflower 09:00-17:00", "UTC"),
            ("Mon 9-17", "UTC"),
            ("Mon 09:00-17:00", "Mars/Olympus"),
        ] {
            assert!(Schedule::parse(hours, zone).is_err(), "{hours} {zone}");
        }
        let always = Schedule::parse("", "UTC").unwrap();
        assert!(always.always() && always.next_opening(at("2026-03-28T12:00:00Z")).is_none());
        let wrap = Schedule::parse("Fri-Mon 10:00-11:00", "UTC").unwrap();
        assert!(
            wrap.is_open(at("2026-11-29T10:30:00Z")),
            "Sunday is within Fri-Mon"
        );
        assert!(
            !wrap.is_open(at("2026-11-25T10:30:00Z")),
            "Wednesday is not"
        );
    }
}
