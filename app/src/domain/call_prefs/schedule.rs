//! Times: the weekly availability and the daily window for text messages. Times of day are
//! minutes after midnight in the person's own time zone; 1440 is midnight at the end of the
//! day, so a range may run to the very end of it.

use super::Field;
use serde::{Deserialize, Serialize};

/// Minutes in a day: the latest time a range or window may end.
pub const DAY_MINUTES: u16 = 1440;
/// Most time ranges one weekday may have.
pub const MAX_RANGES_PER_DAY: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    /// The key used in field names (`schedule.monday`) and page ids.
    pub fn key(self) -> &'static str {
        match self {
            Self::Monday => "monday",
            Self::Tuesday => "tuesday",
            Self::Wednesday => "wednesday",
            Self::Thursday => "thursday",
            Self::Friday => "friday",
            Self::Saturday => "saturday",
            Self::Sunday => "sunday",
        }
    }

    /// Its place in a week of days, Monday first (as schedules are stored).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// From `start` to `end` minutes after midnight (serialised as `[start, end]`). As typed:
/// whether it is a valid range is [`WeeklySchedule::parse`]'s question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "(u16, u16)", into = "(u16, u16)")]
pub struct TimeRange {
    pub start: u16,
    pub end: u16,
}

impl From<(u16, u16)> for TimeRange {
    fn from((start, end): (u16, u16)) -> Self {
        Self { start, end }
    }
}

impl From<TimeRange> for (u16, u16) {
    fn from(r: TimeRange) -> Self {
        (r.start, r.end)
    }
}

impl TimeRange {
    pub fn new(start: u16, end: u16) -> Self {
        Self { start, end }
    }
}

impl std::fmt::Display for TimeRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}–{}", hhmm(self.start), hhmm(self.end))
    }
}

/// `HH:MM` for minutes after midnight (1440 is `24:00`).
pub fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Minutes after midnight from `HH:MM` (or `HH:MM:SS`, as time inputs may send), if valid.
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let mut parts = s.trim().split(':');
    let (h, m) = (parts.next()?, parts.next()?);
    if let Some(sec) = parts.next() {
        sec.parse::<u8>().ok().filter(|s| *s < 60)?;
    }
    if parts.next().is_some() || h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Seven days of ranges as typed, Monday first: the form's (and the database's) shape,
/// `[[[540,1020]], …, [], []]`.
pub type Days = [Vec<TimeRange>; 7];

/// Weekly availability: for each day the times the person takes calls (none: not available
/// that day), each range within the day and ending after it starts, in order, none
/// overlapping. Only [`WeeklySchedule::parse`] makes one, so every schedule is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeeklySchedule {
    days: Days,
}

impl Default for WeeklySchedule {
    /// Monday to Friday, 09:00 to 17:00.
    fn default() -> Self {
        let work = || vec![TimeRange::new(9 * 60, 17 * 60)];
        Self { days: [work(), work(), work(), work(), work(), Vec::new(), Vec::new()] }
    }
}

impl WeeklySchedule {
    /// Each day's ranges put in order and checked; the problem of every day that has one,
    /// at its field (`schedule.<day>`).
    pub fn parse(days: &Days) -> Result<Self, Vec<(Field, String)>> {
        let mut out = days.clone();
        let mut errors = Vec::new();
        for d in Weekday::ALL {
            let ranges = &mut out[d.index()];
            ranges.sort();
            if let Err(message) = check_day(ranges) {
                errors.push((Field::Schedule(d), message));
            }
        }
        if errors.is_empty() { Ok(Self { days: out }) } else { Err(errors) }
    }

    pub fn day(&self, d: Weekday) -> &[TimeRange] {
        &self.days[d.index()]
    }

    pub fn days(&self) -> &Days {
        &self.days
    }
}

/// One day's ranges, sorted by start: the first problem found, said for people.
fn check_day(ranges: &[TimeRange]) -> Result<(), String> {
    if ranges.len() > MAX_RANGES_PER_DAY {
        return Err(format!("A day can have at most {MAX_RANGES_PER_DAY} time ranges."));
    }
    for r in ranges {
        if r.start > DAY_MINUTES || r.end > DAY_MINUTES {
            return Err("Times must be within the day, from 00:00 to 24:00.".into());
        }
        if r.start >= r.end {
            return Err(format!(
                "Each range must end after it starts: {} to {} does not.",
                hhmm(r.start),
                hhmm(r.end)
            ));
        }
    }
    // Sorted, so only neighbours can overlap; one may start exactly when another ends.
    for pair in ranges.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(format!("Time ranges must not overlap: {} and {} do.", pair[0], pair[1]));
        }
    }
    Ok(())
}

/// A daily window as typed (`{"start": 480, "end": 1140}`), checked by [`TextWindow::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeWindow {
    pub start: u16,
    pub end: u16,
}

/// When the person may send text messages, each day: starts within the day and ends after
/// it starts, by midnight at the latest. Only [`TextWindow::parse`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextWindow {
    start: u16,
    end: u16,
}

impl Default for TextWindow {
    /// 08:00 to 19:00.
    fn default() -> Self {
        Self { start: 8 * 60, end: 19 * 60 }
    }
}

impl TextWindow {
    /// The window, or the problems of `text_window.start` and `text_window.end` (both at
    /// once when both are wrong).
    pub fn parse(w: TimeWindow) -> Result<Self, Vec<(Field, String)>> {
        let mut errors = Vec::new();
        if w.start >= DAY_MINUTES {
            errors.push((Field::TextWindowStart, "Choose a start time within the day.".into()));
        }
        if w.end > DAY_MINUTES {
            errors.push((Field::TextWindowEnd, "Choose an end time within the day.".into()));
        } else if w.start < DAY_MINUTES && w.end <= w.start {
            // Only when the start is a time at all: otherwise the start alone is at fault.
            errors.push((Field::TextWindowEnd, "The window must end after it starts.".into()));
        }
        if errors.is_empty() { Ok(Self { start: w.start, end: w.end }) } else { Err(errors) }
    }

    pub fn start(self) -> u16 {
        self.start
    }

    pub fn end(self) -> u16 {
        self.end
    }
}

impl From<TextWindow> for TimeWindow {
    fn from(w: TextWindow) -> Self {
        Self { start: w.start, end: w.end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(a: u16, b: u16) -> TimeRange {
        TimeRange::new(a, b)
    }

    fn with(day: Weekday, ranges: &[TimeRange]) -> Days {
        let mut days = WeeklySchedule::default().days().clone();
        days[day.index()].extend_from_slice(ranges);
        days
    }

    #[test]
    fn schedules_are_put_in_order() {
        assert!(WeeklySchedule::parse(WeeklySchedule::default().days()).is_ok());
        let days = with(Weekday::Saturday, &[r(780, 1020), r(540, 720), r(720, 780)]);
        let s = WeeklySchedule::parse(&days).expect("touching ranges are fine");
        assert_eq!(s.day(Weekday::Saturday), [r(540, 720), r(720, 780), r(780, 1020)]);
        assert!(WeeklySchedule::parse(&with(Weekday::Sunday, &[r(0, 1440)])).is_ok());
    }

    #[test]
    fn every_bad_day_is_named_at_once() {
        let mut days = with(Weekday::Monday, &[r(600, 660)]);
        days[Weekday::Wednesday.index()].push(r(700, 600));
        days[Weekday::Thursday.index()].push(r(0, 1441));
        days[Weekday::Friday.index()].push(r(600, 600));
        days[Weekday::Tuesday.index()] = (0..9).map(|i| r(i * 60, i * 60 + 30)).collect();
        let errors = WeeklySchedule::parse(&days).unwrap_err();
        let fields: Vec<Field> = errors.iter().map(|e| e.0).collect();
        let day = Field::Schedule;
        assert_eq!(
            fields,
            [
                day(Weekday::Monday),
                day(Weekday::Tuesday),
                day(Weekday::Wednesday),
                day(Weekday::Thursday),
                day(Weekday::Friday)
            ]
        );
        assert!(errors[0].1.contains("09:00–17:00 and 10:00–11:00"), "{errors:?}");
        assert!(errors[1].1.contains("at most 8"), "{errors:?}");
        assert!(errors[2].1.contains("11:40 to 10:00"), "{errors:?}");
        assert!(errors[3].1.contains("within the day"), "{errors:?}");
    }

    #[test]
    fn schedule_days_serialise_compactly() {
        let json = serde_json::to_string(WeeklySchedule::default().days()).unwrap();
        assert_eq!(
            json,
            "[[[540,1020]],[[540,1020]],[[540,1020]],[[540,1020]],[[540,1020]],[],[]]"
        );
        let back: Days = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, WeeklySchedule::default().days());
        assert!(serde_json::from_str::<Days>("[[]]").is_err(), "seven days");
    }

    #[test]
    fn text_windows() {
        let w = |start, end| TextWindow::parse(TimeWindow { start, end });
        let fields = |start, end| -> Vec<Field> {
            w(start, end).unwrap_err().into_iter().map(|e| e.0).collect()
        };
        assert_eq!(w(480, 1140), Ok(TextWindow::default()));
        assert!(w(0, 1440).is_ok());
        assert_eq!(fields(1140, 480), [Field::TextWindowEnd]);
        assert_eq!(fields(600, 600), [Field::TextWindowEnd]);
        assert_eq!(fields(1440, 1440), [Field::TextWindowStart]);
        assert_eq!(fields(0, 1500), [Field::TextWindowEnd]);
        assert_eq!(fields(1500, 1500), [Field::TextWindowStart, Field::TextWindowEnd]);
    }

    #[test]
    fn times_of_day() {
        assert_eq!(hhmm(0), "00:00");
        assert_eq!(hhmm(545), "09:05");
        assert_eq!(hhmm(1440), "24:00");
        assert_eq!(parse_hhmm("09:05"), Some(545));
        assert_eq!(parse_hhmm("23:59:00"), Some(1439));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(parse_hhmm("9:05"), None);
        assert_eq!(parse_hhmm(""), None);
        assert_eq!(parse_hhmm("12:60"), None);
    }
}
