//! Numbers, dates and query strings written the one way the whole app writes them.
//!
//! Pages run this in the browser as well as on the server, so it is plain Rust with no
//! dependency: a date crate with its clock, or `url`, would grow the WASM for a few lines of
//! arithmetic. The server build's tests check the dates against chrono and the query strings
//! against `url`'s `form_urlencoded`.

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A moment in UTC, to the minute, as the pages show times (stored as UTC milliseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtcTime {
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

impl UtcTime {
    /// The moment `ms` milliseconds after 1970-01-01 00:00 UTC (before it, if negative).
    pub fn from_millis(ms: i64) -> Self {
        const DAY_MS: i64 = 86_400_000;
        let (year, month, day) = civil_from_days(ms.div_euclid(DAY_MS));
        // Below 1,440: fits a u32.
        let minutes = (ms.rem_euclid(DAY_MS) / 60_000) as u32;
        UtcTime { year, month, day, hour: minutes / 60, minute: minutes % 60 }
    }

    /// `2026-09-21`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// UTC milliseconds as a date: `2026-09-21`.
pub fn short_date(ms: i64) -> String {
    UtcTime::from_millis(ms).date()
}

/// The proleptic Gregorian date `days` after 1970-01-01: Howard Hinnant's `civil_from_days`
/// (<https://howardhinnant.github.io/date_algorithms.html>), which counts in 400-year eras
/// of 146,097 days starting on 1 March, so that leap days fall at the end of a year.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months counted from March (0) to February (11).
    let march_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * march_month + 2) / 5 + 1) as u32;
    let month = (if march_month < 10 { march_month + 3 } else { march_month - 9 }) as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Percent-encodes everything but the unreserved characters of RFC 3986 (a space is `%20`),
/// so the result is safe as a query-string key or value.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `key=value&…`, each side percent-encoded: for links carrying a filter.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The pairs of an address's query (`a=1&b=x+y`, a leading `?` allowed), decoded as browsers
/// encode forms: `+` is a space, `%2B` a plus. A `%` not followed by two hex digits is kept
/// as it is, and bytes that are not UTF-8 become U+FFFD: an edited address still reads.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (form_decode(k), form_decode(v)),
            None => (form_decode(p), String::new()),
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        char::from(b).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (12_345, "12,345"),
            (1_048_576, "1,048,576"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ] {
            assert_eq!(thousands(n), text);
        }
    }

    #[test]
    fn dates_and_times_in_utc() {
        assert_eq!(short_date(0), "1970-01-01");
        assert_eq!(short_date(1_790_000_000_000), "2026-09-21");
        assert_eq!(short_date(951_782_400_000), "2000-02-29", "a leap day of a 400th year");
        assert_eq!(short_date(-1), "1969-12-31", "before 1970");
        let t = UtcTime::from_millis(1_790_000_000_000);
        assert_eq!((t.year, t.month, t.day, t.hour, t.minute), (2026, 9, 21, 14, 13));
    }

    #[test]
    fn query_strings_encode_and_decode() {
        assert_eq!(
            query_string(&[("q", "a&b =é".into()), ("status", "active".into())]),
            "q=a%26b%20%3D%C3%A9&status=active",
            "reserved and non-ASCII characters are encoded"
        );
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        let pairs = parse_query("?q=ada+lov&q2=a%2Bb%40x&status=active&status=invited&bad=%zz&x");
        let get = |k: &str| {
            pairs.iter().filter(|(p, _)| p == k).map(|(_, v)| v.as_str()).collect::<Vec<_>>()
        };
        assert_eq!(get("q"), ["ada lov"]);
        assert_eq!(get("q2"), ["a+b@x"]);
        assert_eq!(get("status"), ["active", "invited"]);
        assert_eq!(get("bad"), ["%zz"]);
        assert_eq!(get("x"), [""]);
        assert_eq!(parse_query("q=%C3%A9%"), vec![("q".to_string(), "é%".to_string())]);
        assert_eq!(parse_query("q=%ff"), vec![("q".to_string(), "\u{FFFD}".to_string())]);
    }

    /// The hand-written parts agree with the crates the server already uses.
    #[cfg(feature = "ssr")]
    mod against_crates {
        use super::super::*;
        use chrono::{DateTime, Datelike, Timelike};
        use proptest::prelude::*;
        use url::form_urlencoded;

        proptest! {
            #[test]
            fn dates_agree_with_chrono(ms in -62_135_596_800_000i64..253_402_300_799_999) {
                let t = UtcTime::from_millis(ms);
                let c = DateTime::from_timestamp_millis(ms).unwrap();
                prop_assert_eq!(
                    (t.year, t.month, t.day, t.hour, t.minute),
                    (i64::from(c.year()), c.month(), c.day(), c.hour(), c.minute())
                );
            }

            #[test]
            fn query_strings_round_trip_through_form_urlencoded(
                pairs in prop::collection::vec(("\\PC{0,8}", "\\PC{0,12}"), 0..6)
            ) {
                let keys: Vec<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
                let borrowed: Vec<(&str, String)> =
                    keys.iter().zip(&pairs).map(|(k, (_, v))| (k.as_str(), v.clone())).collect();
                let text = query_string(&borrowed);
                let theirs: Vec<(String, String)> =
                    form_urlencoded::parse(text.as_bytes()).into_owned().collect();
                let ours = parse_query(&text);
                prop_assert_eq!(&theirs, &ours);
                prop_assert_eq!(ours, pairs);
            }

            #[test]
            fn thousands_only_adds_separators(n: u64) {
                let text = thousands(n);
                prop_assert_eq!(text.replace(',', ""), n.to_string());
                prop_assert!(text.split(',').skip(1).all(|g| g.len() == 3));
            }
        }
    }
}
