//! Call preferences: where a person's calls go, how missed calls are announced, the
//! softphone, direct dial, SIP, weekly availability, when they may text, the flags only
//! administrators set, and four custom fields whose labels the agency chooses.
//!
//! Shared by the server and the browser. Everything here is checked the same way on both
//! sides ([`CallPreferences::check`]); phone numbers are checked on the server only, with a
//! phone-number library the browser does not carry. Times of day are minutes after midnight
//! in the person's own time zone; 1440 is midnight at the end of the day.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

mod sip;
pub use sip::parse_sip_address;

/// Minutes in a day: the latest time a range or window may end.
pub const DAY_MINUTES: u16 = 1440;
/// Most time ranges one weekday may have.
pub const MAX_RANGES_PER_DAY: usize = 8;
/// Longest value of a custom field, in characters.
pub const CUSTOM_FIELD_MAX_CHARS: usize = 200;
/// Longest custom field label, in characters.
pub const LABEL_MAX_CHARS: usize = 40;

/// Where calls for the person are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendCallsTo {
    /// A text message (SMS) to their phone number.
    Text,
    #[default]
    Email,
}

impl SendCallsTo {
    pub const ALL: [SendCallsTo; 2] = [Self::Text, Self::Email];

    pub fn key(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Email => "email",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "Text message (SMS)",
            Self::Email => "E-mail",
        }
    }
}

/// Whether an e-mail goes out for each missed call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissedCallEmail {
    /// As the person's call team is set up.
    #[default]
    Team,
    Always,
    Never,
}

impl MissedCallEmail {
    pub const ALL: [MissedCallEmail; 3] = [Self::Team, Self::Always, Self::Never];

    pub fn key(self) -> &'static str {
        match self {
            Self::Team => "team",
            Self::Always => "always",
            Self::Never => "never",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Team => "Follow the team setting",
            Self::Always => "Always",
            Self::Never => "Never",
        }
    }
}

/// The softphone's audio bitrates: a fixed list (preferences hold the number of kbps, so a
/// value off the list is refused at its field rather than as a malformed request).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AudioBitrate {
    K8,
    K16,
    K24,
    #[default]
    K32,
    K64,
}

impl AudioBitrate {
    pub const ALL: [AudioBitrate; 5] = [Self::K8, Self::K16, Self::K24, Self::K32, Self::K64];

    pub fn kbps(self) -> u16 {
        match self {
            Self::K8 => 8,
            Self::K16 => 16,
            Self::K24 => 24,
            Self::K32 => 32,
            Self::K64 => 64,
        }
    }

    pub fn from_kbps(kbps: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.kbps() == kbps)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::K8 => "8 kbps (least data, for poor connections)",
            Self::K16 => "16 kbps",
            Self::K24 => "24 kbps",
            Self::K32 => "32 kbps (recommended)",
            Self::K64 => "64 kbps (best quality)",
        }
    }
}

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

    /// The key used in field names (`schedule.monday`).
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

    pub fn label(self) -> &'static str {
        match self {
            Self::Monday => "Monday",
            Self::Tuesday => "Tuesday",
            Self::Wednesday => "Wednesday",
            Self::Thursday => "Thursday",
            Self::Friday => "Friday",
            Self::Saturday => "Saturday",
            Self::Sunday => "Sunday",
        }
    }

    /// The field name of this day's ranges.
    pub fn field(self) -> String {
        format!("schedule.{}", self.key())
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// From `start` to `end` minutes after midnight (serialised as `[start, end]`).
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

/// Weekly availability: for each day, Monday first, the times the person takes calls (none:
/// not available that day). Serialised as seven arrays of `[start, end]` pairs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WeeklySchedule {
    pub days: [Vec<TimeRange>; 7],
}

impl Default for WeeklySchedule {
    /// Monday to Friday, 09:00 to 17:00.
    fn default() -> Self {
        let work = || vec![TimeRange::new(9 * 60, 17 * 60)];
        Self { days: [work(), work(), work(), work(), work(), Vec::new(), Vec::new()] }
    }
}

impl WeeklySchedule {
    pub fn day(&self, d: Weekday) -> &[TimeRange] {
        &self.days[d.index()]
    }

    pub fn day_mut(&mut self, d: Weekday) -> &mut Vec<TimeRange> {
        &mut self.days[d.index()]
    }

    /// The schedule with each day's ranges in order, and the problems of each day (field
    /// `schedule.<day>`): times within the day, each range ending after it starts, no two
    /// overlapping (one may start when another ends).
    pub fn check(&self) -> (WeeklySchedule, Vec<FieldError>) {
        let mut out = self.clone();
        let mut errors = Vec::new();
        for d in Weekday::ALL {
            let ranges = out.day_mut(d);
            ranges.sort();
            if let Err(message) = check_day(ranges) {
                errors.push(FieldError { field: d.field(), message });
            }
        }
        (out, errors)
    }

    /// "Mon 09:00–17:00; Tue …" for the days with ranges.
    pub fn summary(&self) -> String {
        let days: Vec<String> = Weekday::ALL
            .into_iter()
            .filter(|d| !self.day(*d).is_empty())
            .map(|d| {
                let ranges: Vec<String> = self.day(d).iter().map(ToString::to_string).collect();
                format!("{} {}", &d.label()[..3], ranges.join(", "))
            })
            .collect();
        if days.is_empty() { "never available".into() } else { days.join("; ") }
    }
}

/// One day's ranges, sorted by start.
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
    for pair in ranges.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(format!("Time ranges must not overlap: {} and {} do.", pair[0], pair[1]));
        }
    }
    Ok(())
}

/// When the person may send text messages, each day, in their own time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextWindow {
    pub start: u16,
    pub end: u16,
}

impl Default for TextWindow {
    /// 08:00 to 19:00.
    fn default() -> Self {
        Self { start: 8 * 60, end: 19 * 60 }
    }
}

impl TextWindow {
    /// Problems with fields `text_window.start` and `text_window.end`.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: &str| {
            errors.push(FieldError { field: field.into(), message: message.into() })
        };
        if self.start >= DAY_MINUTES {
            fail("text_window.start", "Choose a start time within the day.");
        }
        if self.end > DAY_MINUTES {
            fail("text_window.end", "Choose an end time within the day.");
        } else if self.start < DAY_MINUTES && self.end <= self.start {
            fail("text_window.end", "The window must end after it starts.");
        }
        errors
    }
}

/// What only administrators grant: which parts of the calls product the person sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminFlags {
    pub can_view_messages_tab: bool,
    pub can_view_all_sms: bool,
    pub can_view_missed_calls: bool,
    pub can_view_unassigned_recordings: bool,
}

impl AdminFlags {
    /// Each flag's field name and label.
    pub const LABELS: [(&'static str, &'static str); 4] = [
        ("can_view_messages_tab", "Can view the messages tab"),
        ("can_view_all_sms", "Can view all SMS"),
        ("can_view_missed_calls", "Can view missed calls"),
        ("can_view_unassigned_recordings", "Can view unassigned recordings"),
    ];

    pub fn get(&self, field: &str) -> bool {
        match field {
            "can_view_messages_tab" => self.can_view_messages_tab,
            "can_view_all_sms" => self.can_view_all_sms,
            "can_view_missed_calls" => self.can_view_missed_calls,
            "can_view_unassigned_recordings" => self.can_view_unassigned_recordings,
            _ => false,
        }
    }

    pub fn set(&mut self, field: &str, on: bool) {
        match field {
            "can_view_messages_tab" => self.can_view_messages_tab = on,
            "can_view_all_sms" => self.can_view_all_sms = on,
            "can_view_missed_calls" => self.can_view_missed_calls = on,
            "can_view_unassigned_recordings" => self.can_view_unassigned_recordings = on,
            _ => {}
        }
    }
}

/// A person's call preferences. Optional text fields are `""` when not set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPreferences {
    pub send_calls_to: SendCallsTo,
    /// Mobile number for text messages, E.164 once saved (`+12025550123`).
    pub phone: String,
    pub email: String,
    pub missed_call_email: MissedCallEmail,
    /// Softphone: ring the app before anything else.
    pub dial_app_first: bool,
    /// Softphone: a second call may ring during a call.
    pub call_waiting: bool,
    /// In kbps: one of [`AudioBitrate::ALL`].
    pub audio_bitrate: u16,
    /// External direct dial: the receiving number (E.164) and its extension (digits).
    pub direct_dial_number: String,
    pub direct_dial_extension: String,
    pub sip_address: String,
    pub schedule: WeeklySchedule,
    pub text_window: TextWindow,
    pub admin_flags: AdminFlags,
    /// The four custom user fields, labelled by the agency.
    pub custom_fields: [String; 4],
}

impl CallPreferences {
    /// What a person has before they (or an administrator) save anything: calls sent by
    /// e-mail to `own_email`.
    pub fn defaults(own_email: &str) -> Self {
        Self {
            send_calls_to: SendCallsTo::Email,
            phone: String::new(),
            email: own_email.to_string(),
            missed_call_email: MissedCallEmail::Team,
            dial_app_first: false,
            call_waiting: true,
            audio_bitrate: AudioBitrate::default().kbps(),
            direct_dial_number: String::new(),
            direct_dial_extension: String::new(),
            sip_address: String::new(),
            schedule: WeeklySchedule::default(),
            text_window: TextWindow::default(),
            admin_flags: AdminFlags::default(),
            custom_fields: Default::default(),
        }
    }

    /// The preferences tidied (text trimmed, e-mail and SIP scheme normalised, ranges in
    /// order) and every problem found, by field, except those of the phone numbers (`phone`,
    /// `direct_dial_number`): they need the server's phone-number check, which also says
    /// when `phone` is missing although calls go to text.
    pub fn check(&self) -> (CallPreferences, Vec<FieldError>) {
        let mut p = self.clone();
        let mut errors = Vec::new();
        let mut fail =
            |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
        p.phone = p.phone.trim().to_string();
        p.direct_dial_number = p.direct_dial_number.trim().to_string();
        let email = p.email.trim();
        if email.is_empty() && p.send_calls_to == SendCallsTo::Email {
            fail("email", "Enter the e-mail address to send calls to.".into());
        } else if !email.is_empty() {
            match crate::domain::Email::parse(email) {
                Ok(e) => p.email = e.as_str().to_string(),
                Err(e) => fail("email", e.to_string()),
            }
        } else {
            p.email = String::new();
        }
        if AudioBitrate::from_kbps(p.audio_bitrate).is_none() {
            let list: Vec<String> =
                AudioBitrate::ALL.iter().map(|b| b.kbps().to_string()).collect();
            fail("audio_bitrate", format!("Choose one of {} kbps.", list.join(", ")));
        }
        match parse_extension(&p.direct_dial_extension) {
            Ok(ext) => {
                if !ext.is_empty() && p.direct_dial_number.is_empty() {
                    fail(
                        "direct_dial_number",
                        "Enter the receiving number this extension belongs to.".into(),
                    );
                }
                p.direct_dial_extension = ext;
            }
            Err(m) => fail("direct_dial_extension", m.into()),
        }
        match p.sip_address.trim() {
            "" => p.sip_address = String::new(),
            s => match parse_sip_address(s) {
                Ok(uri) => p.sip_address = uri,
                Err(m) => fail("sip_address", m.into()),
            },
        }
        let (schedule, schedule_errors) = p.schedule.check();
        p.schedule = schedule;
        errors.extend(schedule_errors);
        errors.extend(p.text_window.check());
        for (i, value) in p.custom_fields.iter_mut().enumerate() {
            *value = value.trim().to_string();
            if value.chars().count() > CUSTOM_FIELD_MAX_CHARS {
                errors.push(FieldError {
                    field: format!("custom_fields.{i}"),
                    message: format!("At most {CUSTOM_FIELD_MAX_CHARS} characters."),
                });
            }
        }
        (p, errors)
    }
}

/// An extension: 1 to 10 digits, or nothing (`""`). Input is trimmed.
pub fn parse_extension(input: &str) -> Result<String, &'static str> {
    let ext = input.trim();
    if ext.is_empty() {
        return Ok(String::new());
    }
    if ext.len() > 10 || !ext.chars().all(|c| c.is_ascii_digit()) {
        return Err("An extension is 1 to 10 digits, like 204.");
    }
    Ok(ext.to_string())
}

/// The labels of the four custom fields until the agency renames them.
pub fn default_labels() -> [String; 4] {
    std::array::from_fn(|i| format!("Custom field {}", i + 1))
}

/// A custom field label: 1 to [`LABEL_MAX_CHARS`] characters, trimmed.
pub fn parse_label(input: &str) -> Result<String, String> {
    let label = input.trim();
    if label.is_empty() {
        return Err("Enter a label.".into());
    }
    if label.chars().count() > LABEL_MAX_CHARS {
        return Err(format!("A label can have at most {LABEL_MAX_CHARS} characters."));
    }
    if label.chars().any(char::is_control) {
        return Err("A label cannot contain line breaks or tabs.".into());
    }
    Ok(label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(parse_extension(" 204 "), Ok("204".into()));
        assert_eq!(parse_extension(""), Ok(String::new()));
        assert_eq!(parse_extension("1234567890"), Ok("1234567890".into()));
        assert!(parse_extension("12345678901").is_err());
        assert!(parse_extension("12a").is_err());
        assert!(parse_extension("-12").is_err());
        assert!(parse_extension("１２").is_err(), "only ASCII digits");
    }

    fn r(a: u16, b: u16) -> TimeRange {
        TimeRange::new(a, b)
    }

    #[test]
    fn schedules() {
        let mut s = WeeklySchedule::default();
        assert!(s.check().1.is_empty());
        s.day_mut(Weekday::Saturday).extend([r(780, 1020), r(540, 720), r(720, 780)]);
        let (sorted, errors) = s.check();
        assert!(errors.is_empty(), "touching ranges are fine: {errors:?}");
        assert_eq!(sorted.day(Weekday::Saturday), [r(540, 720), r(720, 780), r(780, 1020)]);
        s.day_mut(Weekday::Sunday).extend([r(0, 1440)]);
        assert!(s.check().1.is_empty(), "the whole day");

        let mut bad = WeeklySchedule::default();
        bad.day_mut(Weekday::Monday).push(r(600, 660));
        bad.day_mut(Weekday::Wednesday).push(r(700, 600));
        bad.day_mut(Weekday::Thursday).push(r(0, 1441));
        bad.day_mut(Weekday::Friday).push(r(600, 600));
        let errors = bad.check().1;
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["schedule.monday", "schedule.wednesday", "schedule.thursday", "schedule.friday"]
        );
        assert!(errors[0].message.contains("09:00–17:00 and 10:00–11:00"), "{errors:?}");
        let mut many = WeeklySchedule::default();
        *many.day_mut(Weekday::Tuesday) = (0..9).map(|i| r(i * 60, i * 60 + 30)).collect();
        assert_eq!(many.check().1[0].field, "schedule.tuesday");
    }

    #[test]
    fn schedule_json_is_compact() {
        let json = serde_json::to_string(&WeeklySchedule::default()).unwrap();
        assert_eq!(
            json,
            "[[[540,1020]],[[540,1020]],[[540,1020]],[[540,1020]],[[540,1020]],[],[]]"
        );
        let back: WeeklySchedule = serde_json::from_str(&json).unwrap();
        assert_eq!(back, WeeklySchedule::default());
        assert!(serde_json::from_str::<WeeklySchedule>("[[]]").is_err(), "seven days");
    }

    #[test]
    fn text_windows() {
        assert!(TextWindow::default().check().is_empty());
        assert!(TextWindow { start: 0, end: 1440 }.check().is_empty());
        let e = TextWindow { start: 1140, end: 480 }.check();
        assert_eq!(e[0].field, "text_window.end");
        assert_eq!(TextWindow { start: 600, end: 600 }.check()[0].field, "text_window.end");
        assert_eq!(TextWindow { start: 1440, end: 1440 }.check()[0].field, "text_window.start");
        assert_eq!(TextWindow { start: 0, end: 1500 }.check()[0].field, "text_window.end");
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

    #[test]
    fn bitrates() {
        assert_eq!(AudioBitrate::default().kbps(), 32);
        assert_eq!(AudioBitrate::from_kbps(64), Some(AudioBitrate::K64));
        assert_eq!(AudioBitrate::from_kbps(33), None);
        let mut p = CallPreferences::defaults("a@example.com");
        p.audio_bitrate = 33;
        assert_eq!(p.check().1[0].field, "audio_bitrate");
    }

    #[test]
    fn preferences_are_tidied_and_checked() {
        let mut p = CallPreferences::defaults("Ann@Example.com ");
        p.sip_address = " SIP:ann@pbx.example.com ".into();
        p.direct_dial_extension = " 42 ".into();
        p.direct_dial_number = "+12025550123".into();
        p.custom_fields[0] = "  blue  ".into();
        let (tidy, errors) = p.check();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(tidy.email, "ann@example.com");
        assert_eq!(tidy.sip_address, "sip:ann@pbx.example.com");
        assert_eq!(tidy.direct_dial_extension, "42");
        assert_eq!(tidy.custom_fields[0], "blue");

        let mut bad = CallPreferences::defaults("");
        bad.direct_dial_extension = "12a".into();
        bad.sip_address = "http://x".into();
        bad.text_window = TextWindow { start: 1140, end: 480 };
        bad.custom_fields[3] = "x".repeat(201);
        let fields: Vec<String> = bad.check().1.into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["email", "direct_dial_extension", "sip_address", "text_window.end", "custom_fields.3"]
        );
        let mut ext_only = CallPreferences::defaults("a@example.com");
        ext_only.direct_dial_extension = "7".into();
        assert_eq!(ext_only.check().1[0].field, "direct_dial_number");
        let mut text = CallPreferences::defaults("");
        text.send_calls_to = SendCallsTo::Text;
        assert!(text.check().1.is_empty(), "no e-mail needed when calls go to text");
    }

    #[test]
    fn labels() {
        assert_eq!(default_labels()[3], "Custom field 4");
        assert_eq!(parse_label("  Region "), Ok("Region".into()));
        assert!(parse_label(" ").is_err());
        assert!(parse_label(&"x".repeat(41)).is_err());
        assert!(parse_label("a\nb").is_err());
    }
}
