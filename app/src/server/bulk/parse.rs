//! Reading the lines of a bulk add: `email, first name, last name`, one person per line.
//!
//! Pure (no database): the text as pasted or uploaded goes in, every non-blank line comes out
//! with its 1-based physical line number (as the admin sees it in their editor) and either
//! the checked values, "duplicate of line N", or the reason it cannot be used.
//!
//! Handled: quoted fields (with commas, doubled quotes, spaces around the quotes), spaces
//! around values, a header line, blank lines (also `,,` rows from spreadsheets), `\r\n`
//! line endings and a UTF-8 byte order mark. Values are never interpreted: one starting
//! with `=`, `+`, `-` or `@` is kept as the text it is.

use crate::domain::{Email, user::parse_person_name};
use std::collections::HashMap;

/// The limits, shared with the page (which refuses a larger file before sending it).
pub use crate::api::bulk_add::{MAX_BYTES, MAX_LINES};

/// Why a batch is refused as a whole, before anything is looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TooLarge {
    Bytes(usize),
    Lines,
}

impl TooLarge {
    pub fn message(&self) -> String {
        match self {
            TooLarge::Bytes(n) => format!(
                "The text is {} bytes; a batch can have at most 1 MiB (1,048,576 bytes). \
                 Split it into smaller batches.",
                thousands(*n)
            ),
            TooLarge::Lines => "A batch can have at most 10,000 lines; this one has more. \
                 Split it into smaller batches."
                .into(),
        }
    }
}

/// `1234567` as `1,234,567` (a `usize` is at most 64 bits on every target).
pub fn thousands(n: usize) -> String {
    crate::format::thousands(n as u64)
}

/// One non-blank line of the batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based physical line number in the text.
    pub line: u32,
    /// The values as read (trimmed; the e-mail normalised when it is valid).
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub kind: LineKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// Well-formed, and the first line with this address.
    Person {
        email: Email,
        first_name: String,
        last_name: String,
    },
    /// The same address (once normalised) as an earlier line: skipped, not an error.
    Duplicate {
        of_line: u32,
    },
    Invalid {
        reason: String,
    },
}

/// Reads every line of `text`; refuses the whole batch when it is over a limit.
pub fn parse(text: &str) -> Result<Vec<Line>, TooLarge> {
    if text.len() > MAX_BYTES {
        return Err(TooLarge::Bytes(text.len()));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let normalised = tighten_quotes(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(normalised.as_bytes());
    let mut out = Vec::new();
    let mut first_seen: HashMap<Email, u32> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(&normalised);
    loop {
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            // Input is a `&str`: only malformed UTF-8 could fail, which cannot happen. Kept
            // as a line error rather than a panic all the same.
            Err(_) => {
                out.push(invalid(lines.at(start), &[], "This line could not be read.".into()));
                if out.len() > MAX_LINES {
                    return Err(TooLarge::Lines);
                }
                continue;
            }
        }
        let line = lines.at(record.position().map_or(start, |p| p.byte()));
        let fields: Vec<&str> = record.iter().collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        if out.is_empty() && is_header(&fields) {
            continue;
        }
        out.push(read_line(line, &fields, &mut first_seen));
        if out.len() > MAX_LINES {
            return Err(TooLarge::Lines);
        }
    }
    Ok(out)
}

/// Physical line numbers from byte offsets. The CSV reader's own line count is not that:
/// a record's position is where reading resumed, before the blank lines it skipped, and
/// `\r\n` is not counted as one line.
struct LineCounter<'a> {
    text: &'a [u8],
    /// Line breaks before `offset`.
    breaks: u64,
    offset: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self { text: text.as_bytes(), breaks: 0, offset: 0 }
    }

    /// The 1-based line of the record read from `offset` on (offsets only grow): the first
    /// line from there that is not empty.
    fn at(&mut self, offset: u64) -> u64 {
        let mut start = usize::try_from(offset).unwrap_or(usize::MAX).min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.offset {
            // `\n`, `\r\n` and a lone `\r` (old Mac files, which the CSV reader also ends a
            // record at) are each one line break.
            let text = self.text;
            self.breaks += (self.offset..start)
                .filter(|&i| {
                    text[i] == b'\n' || (text[i] == b'\r' && text.get(i + 1) != Some(&b'\n'))
                })
                .count() as u64;
            self.offset = start;
        }
        self.breaks + 1
    }
}

fn is_header(fields: &[&str]) -> bool {
    let first = fields[0].to_lowercase();
    ["email", "e-mail", "email address", "e-mail address"].contains(&first.as_str())
}

fn as_line_number(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn invalid(line: u64, fields: &[&str], reason: String) -> Line {
    let get = |i: usize| fields.get(i).map_or(String::new(), |s| s.to_string());
    Line {
        line: as_line_number(line),
        email: get(0),
        first_name: get(1),
        last_name: get(2),
        kind: LineKind::Invalid { reason },
    }
}

fn read_line(line: u64, fields: &[&str], first_seen: &mut HashMap<Email, u32>) -> Line {
    if fields.iter().any(|f| f.contains('\n')) {
        return invalid(
            line,
            fields,
            "A quoted value runs over several lines: check for a missing closing quote (\")."
                .into(),
        );
    }
    if fields.len() != 3 {
        let found = match fields.len() {
            1 => "1 value".to_string(),
            n => format!("{n} values"),
        };
        let hint = if fields.len() > 3 {
            " Put a value that contains a comma in double quotes."
        } else {
            ""
        };
        return invalid(
            line,
            fields,
            format!(
                "Expected 3 values separated by commas (e-mail, first name, last name); \
                 found {found}.{hint}"
            ),
        );
    }
    let email = Email::parse(fields[0]);
    let first = parse_person_name(fields[1]);
    let last = parse_person_name(fields[2]);
    let mut problems = Vec::new();
    if let Err(e) = &email {
        problems.push(format!("E-mail: {e}"));
    }
    if let Err(e) = &first {
        problems.push(format!("First name: {e}"));
    }
    if let Err(e) = &last {
        problems.push(format!("Last name: {e}"));
    }
    let this = as_line_number(line);
    let shown_email = email.as_ref().map_or(fields[0].to_string(), |e| e.as_str().to_string());
    let kind = match (email, first, last) {
        (Ok(email), Ok(first_name), Ok(last_name)) => match first_seen.get(&email) {
            Some(of_line) => LineKind::Duplicate { of_line: *of_line },
            None => {
                first_seen.insert(email.clone(), this);
                LineKind::Person { email, first_name, last_name }
            }
        },
        (Ok(email), ..) if first_seen.contains_key(&email) => {
            LineKind::Duplicate { of_line: first_seen[&email] }
        }
        (email, ..) => {
            // The first line with an address counts, even when its names need fixing: a
            // later line with the same address is its duplicate, not a second person.
            if let Ok(email) = email {
                first_seen.insert(email, this);
            }
            LineKind::Invalid { reason: problems.join(" ") }
        }
    };
    Line {
        line: this,
        email: shown_email,
        first_name: fields[1].to_string(),
        last_name: fields[2].to_string(),
        kind,
    }
}

/// Drops the spaces and tabs between a field's start and its opening quote, and between its
/// closing quote and the next comma or line end (`a, "Smith, Jr." ,b`), which the CSV
/// reader would otherwise take as part of an unquoted value. Never removes a line break, so
/// line numbers stay those of the original text; inside quotes nothing changes.
fn tighten_quotes(text: &str) -> String {
    #[derive(PartialEq)]
    enum At {
        FieldStart,
        Unquoted,
        Quoted,
        AfterQuote,
    }
    let mut out = String::with_capacity(text.len());
    let mut pending = String::new();
    let mut at = At::FieldStart;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match at {
            At::FieldStart => match c {
                ' ' | '\t' => pending.push(c),
                '"' => {
                    pending.clear();
                    out.push(c);
                    at = At::Quoted;
                }
                ',' | '\n' | '\r' => {
                    out.push_str(&pending);
                    pending.clear();
                    out.push(c);
                }
                _ => {
                    out.push_str(&pending);
                    pending.clear();
                    out.push(c);
                    at = At::Unquoted;
                }
            },
            At::Unquoted => {
                out.push(c);
                if matches!(c, ',' | '\n' | '\r') {
                    at = At::FieldStart;
                }
            }
            At::Quoted => {
                out.push(c);
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        out.push(chars.next().expect("peeked"));
                    } else {
                        at = At::AfterQuote;
                    }
                }
            }
            At::AfterQuote => match c {
                ' ' | '\t' => {}
                ',' | '\n' | '\r' => {
                    out.push(c);
                    at = At::FieldStart;
                }
                _ => {
                    out.push(c);
                    at = At::Unquoted;
                }
            },
        }
    }
    out.push_str(&pending);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(l: &Line) -> (&str, &str, &str) {
        match &l.kind {
            LineKind::Person { email, first_name, last_name } => {
                (email.as_str(), first_name.as_str(), last_name.as_str())
            }
            other => panic!("line {} is not a person: {other:?}", l.line),
        }
    }

    fn reason(l: &Line) -> &str {
        match &l.kind {
            LineKind::Invalid { reason } => reason,
            other => panic!("line {} is not invalid: {other:?}", l.line),
        }
    }

    #[test]
    fn plain_lines_with_spaces() {
        let lines =
            parse("ann@example.com,Ann,Smith\n  Bob@Example.com ,  Bob , Jones  \n").unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(person(&lines[0]), ("ann@example.com", "Ann", "Smith"));
        assert_eq!(person(&lines[1]), ("bob@example.com", "Bob", "Jones"));
        assert_eq!((lines[0].line, lines[1].line), (1, 2));
        assert_eq!(lines[1].email, "bob@example.com", "shown normalised");
    }

    #[test]
    fn header_blank_lines_and_crlf_keep_physical_line_numbers() {
        let text = "\r\nE-Mail,First,Last\r\n\r\nann@example.com,Ann,Smith\r\n   \r\n,,\r\nbob@example.com,Bob,Jones\r\n";
        let lines = parse(text).unwrap();
        assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), [4, 7]);
        let other = "\n\n\na@example.com,A,B\n\"x\ny\",1\n\nbad\r\n\r\n\nc@example.com,C,D";
        let other = parse(other).unwrap();
        assert_eq!(other.iter().map(|l| l.line).collect::<Vec<_>>(), [4, 5, 8, 11]);
        assert_eq!(person(&lines[0]), ("ann@example.com", "Ann", "Smith"));
        assert_eq!(person(&lines[1]).2, "Jones", "no \\r left in the last value");
        for header in ["email,first,last", "EMAIL, First name, Last name", "e-mail address,a,b"] {
            let lines = parse(&format!("{header}\nann@example.com,Ann,Smith")).unwrap();
            assert_eq!(lines.len(), 1, "{header}");
            assert_eq!(lines[0].line, 2);
        }
    }

    #[test]
    fn only_the_first_line_can_be_a_header() {
        let lines = parse("ann@example.com,Ann,Smith\nemail,first,last").unwrap();
        assert_eq!(lines.len(), 2);
        assert!(reason(&lines[1]).starts_with("E-mail:"), "{:?}", lines[1]);
    }

    #[test]
    fn quoted_values_with_commas_quotes_and_spaces_around() {
        let text = concat!(
            "\"ann@example.com\",\"Ann, Jr.\",Smith\n",
            "bob@example.com, \"Robert \"\"Bob\"\"\" , \"O'Neil, Jones\"\n",
            "cy@example.com,\"  Cy  \",\"Lee\"\t\n",
        );
        let lines = parse(text).unwrap();
        assert_eq!(person(&lines[0]), ("ann@example.com", "Ann, Jr.", "Smith"));
        assert_eq!(person(&lines[1]), ("bob@example.com", "Robert \"Bob\"", "O'Neil, Jones"));
        assert_eq!(person(&lines[2]), ("cy@example.com", "Cy", "Lee"));
    }

    #[test]
    fn formula_like_values_are_kept_as_text() {
        let text = "=cmd@example.com,=SUM(A1:A2),+1\n@ann@example.com,-Ann,@Smith\n";
        let lines = parse(text).unwrap();
        assert_eq!(person(&lines[0]), ("=cmd@example.com", "=SUM(A1:A2)", "+1"));
        assert_eq!(lines[1].first_name, "-Ann");
        assert_eq!(lines[1].last_name, "@Smith");
        assert!(reason(&lines[1]).starts_with("E-mail:"), "two @ is no address");
    }

    #[test]
    fn wrong_number_of_values() {
        let lines =
            parse("ann@example.com,Ann\nbob@example.com,Bob,Jones,extra\njust-one\n").unwrap();
        assert!(reason(&lines[0]).contains("found 2 values"), "{:?}", lines[0]);
        assert!(reason(&lines[1]).contains("found 4 values"), "{:?}", lines[1]);
        assert!(reason(&lines[2]).contains("found 1 value."), "{:?}", lines[2]);
        assert_eq!(
            (lines[1].email.as_str(), lines[1].last_name.as_str()),
            ("bob@example.com", "Jones")
        );
    }

    #[test]
    fn every_problem_of_a_line_is_named() {
        let lines = parse("not-an-address, ,Smith\nann@example.com,Ann,\"a\u{1}b\"").unwrap();
        let r = reason(&lines[0]);
        assert!(r.starts_with("E-mail: Enter a valid e-mail address"), "{r}");
        assert!(r.contains("First name: Enter a name."), "{r}");
        assert!(!r.contains("Last name"), "{r}");
        assert_eq!(reason(&lines[1]), "Last name: A name cannot contain control characters.");
        let long = format!("ann@example.com,{},Smith", "x".repeat(101));
        assert!(
            reason(&parse(&long).unwrap()[0]).starts_with("First name: A name can have at most")
        );
    }

    #[test]
    fn duplicates_point_at_the_first_line_with_the_address() {
        let text = "ann@example.com,Ann,Smith\n\nANN@example.com ,Annie,Smith\nbob@example.com,,Jones\nbob@example.com,Bob,Jones\nann@example.com,Ann,Smith";
        let lines = parse(text).unwrap();
        assert_eq!(lines[1].kind, LineKind::Duplicate { of_line: 1 });
        assert_eq!(lines[1].line, 3);
        assert!(reason(&lines[2]).starts_with("First name"));
        assert_eq!(lines[3].kind, LineKind::Duplicate { of_line: 4 }, "of the first, if invalid");
        assert_eq!(lines[4].kind, LineKind::Duplicate { of_line: 1 });
    }

    #[test]
    fn an_unclosed_quote_is_reported_at_its_line() {
        let lines = parse("ann@example.com,\"Ann,Smith\nbob@example.com,Bob,Jones\n").unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].line, 1);
        assert!(reason(&lines[0]).contains("missing closing quote"), "{:?}", lines[0]);
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let lines = parse("\u{feff}email,first,last\nann@example.com,Ann,Smith").unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(person(&lines[0]).0, "ann@example.com");
    }

    #[test]
    fn limits() {
        let line = "someone@example.com,Some,One\n";
        let full: String = (0..MAX_LINES).map(|i| format!("p{i}@example.com,A,B\n")).collect();
        assert_eq!(parse(&full).unwrap().len(), MAX_LINES);
        // Blank lines and the header do not count.
        let with_blanks = format!("email,first,last\n\n{full}\n\n");
        assert_eq!(parse(&with_blanks).unwrap().len(), MAX_LINES);
        assert_eq!(parse(&format!("{full}{line}")), Err(TooLarge::Lines));
        let big = format!("{line}{}", "x".repeat(MAX_BYTES));
        assert_eq!(parse(&big), Err(TooLarge::Bytes(MAX_BYTES + line.len())));
        assert!(TooLarge::Bytes(1_048_577).message().contains("1,048,577 bytes"));
        assert!(TooLarge::Lines.message().contains("10,000 lines"));
        let exactly = "x".repeat(MAX_BYTES);
        assert_eq!(parse(&exactly).unwrap().len(), 1, "1 MiB itself is allowed");
    }

    #[test]
    fn tightening_only_touches_spaces_around_quotes() {
        assert_eq!(tighten_quotes(" \"a\" , b ,\"c, d\"  \n"), "\"a\", b ,\"c, d\"\n");
        assert_eq!(tighten_quotes("\"a, \"\"b\"\" \" ,x"), "\"a, \"\"b\"\" \",x");
        assert_eq!(tighten_quotes("a b, c\td"), "a b, c\td");
        assert_eq!(tighten_quotes("x,  "), "x,  ");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_048_576), "1,048,576");
    }
}
