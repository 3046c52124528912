//! Property tests of every parser of outside input (issue 11): whatever arrives, it never
//! panics, and what it accepts reads back the same. Case counts are bounded so the whole file
//! runs in seconds with `cargo test -p app --features ssr`; for a longer hunt raise them with
//! `PROPTEST_CASES=100000 cargo test -p app --features ssr --test parser_properties`.
#![cfg(feature = "ssr")]

use app::{
    api::directory::query::Cursor,
    domain::{
        call_prefs::parse_sip_address,
        phone::{display_phone, parse_e164},
        picture::PICTURE_SIDE,
    },
    server::{
        bulk::parse::{LineKind, parse},
        picture::normalise,
    },
};
use image::ImageFormat;
use proptest::prelude::*;

/// `n` cases (unless `PROPTEST_CASES` says otherwise), and no regression files written into
/// the tree: a failure prints its minimal input, which belongs in a table test.
fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(n);
    ProptestConfig { cases: n, failure_persistence: None, ..ProptestConfig::default() }
}

/// Pieces of text that upset CSV, URI and number parsers, glued together at random.
fn tricky_text(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(pieces), 0..max).prop_map(|p| p.concat())
}

const CSV_PIECES: &[&str] = &[
    ",",
    "\"",
    "\"\"",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\u{feff}",
    "@",
    ".",
    "ann@example.com",
    "Ann",
    "Smith, Jr.",
    "=cmd()",
    "+1",
    "é",
    "\u{0}",
    "email",
    "e-mail address",
    ",,",
    "x",
];

/// A name `parse_person_name` takes as it is: letters, spaces inside, no control characters.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ ,'\"-]{0,20}[A-Za-zÀ-ÿ]"
}

/// A field as a spreadsheet writes it: quoted when it holds a comma or a quote.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

proptest! {
    #![proptest_config(cases(2_000))]

    #[test]
    fn bulk_lines_never_panic_and_number_real_lines(
        text in prop_oneof![tricky_text(CSV_PIECES, 40), any::<String>()],
    ) {
        if let Ok(lines) = parse(&text) {
            let physical = text.replace("\r\n", "\n").split(['\n', '\r']).count() as u32;
            let mut previous = 0;
            for l in &lines {
                prop_assert!(l.line > previous && l.line <= physical, "{:?} in {:?}", l, text);
                previous = l.line;
            }
        }
    }

    /// Written out as a spreadsheet would (quotes, spaces, CRLF), people read back as
    /// themselves, on the lines they were written on.
    #[test]
    fn bulk_lines_round_trip(
        people in prop::collection::vec(
            ("[a-z][a-z0-9]{0,5}(\\.[a-z0-9]{1,5}){0,2}", "[a-z]{1,10}\\.[a-z]{2,5}", name(), name()),
            1..20,
        ),
        crlf in any::<bool>(),
        padded in any::<bool>(),
    ) {
        let pad = if padded { " " } else { "" };
        let text = people
            .iter()
            .enumerate()
            .map(|(i, (local, domain, first, last))| {
                let email = format!("{local}{i}@{domain}");
                [email, first.clone(), last.clone()]
                    .iter()
                    .map(|f| format!("{pad}{}{pad}", csv_field(f)))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>()
            .join(if crlf { "\r\n" } else { "\n" });
        let lines = parse(&text).expect("small batches are taken");
        prop_assert_eq!(lines.len(), people.len(), "{}", text);
        for (i, (l, (local, domain, first, last))) in lines.iter().zip(&people).enumerate() {
            prop_assert_eq!(l.line as usize, i + 1);
            match &l.kind {
                LineKind::Person { email, first_name, last_name } => {
                    prop_assert_eq!(email.as_str(), format!("{local}{i}@{domain}"));
                    prop_assert_eq!(first_name, first.trim());
                    prop_assert_eq!(last_name, last.trim());
                }
                other => prop_assert!(false, "line {}: {:?} in {:?}", i + 1, other, text),
            }
        }
    }

    #[test]
    fn directory_cursors_never_panic_and_reencode_the_same(
        text in prop_oneof![
            any::<String>(),
            "[0-9a-f]{0,200}",
            tricky_json().prop_map(|j| j.bytes().map(|b| format!("{b:02x}")).collect()),
        ],
    ) {
        if let Some(cursor) = Cursor::decode(&text) {
            prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
    }

    #[test]
    fn sip_addresses_never_panic_and_normalise_once(
        input in prop_oneof![any::<String>(), tricky_text(SIP_PIECES, 12)],
    ) {
        if let Ok(address) = parse_sip_address(&input) {
            prop_assert_eq!(parse_sip_address(&address), Ok(address.clone()));
            prop_assert!(address.starts_with("sip:") || address.starts_with("sips:"));
        }
    }

    #[test]
    fn sip_addresses_people_type_are_taken_as_typed(
        scheme in "(sip|SIP|sips|Sips)",
        user in "[a-z0-9_.!~*'()-]{1,20}",
        host in "([a-z][a-z0-9-]{0,10}[a-z0-9]\\.){1,3}[a-z]{2,6}",
        port in prop::option::of(1..=65_535u32),
    ) {
        let port = port.map_or(String::new(), |p| format!(":{p}"));
        let typed = format!("{scheme}:{user}@{host}{port}");
        let want = format!("{}:{user}@{host}{port}", scheme.to_lowercase());
        prop_assert_eq!(parse_sip_address(&format!("  {typed} ")), Ok(want));
    }
}

proptest! {
    // libphonenumber's metadata makes each parse a little slower: fewer cases.
    #![proptest_config(cases(1_000))]

    #[test]
    fn phone_numbers_never_panic_and_normalise_once(
        input in prop_oneof![any::<String>(), "\\+?[0-9 ().+-]{0,24}", tricky_text(PHONE_PIECES, 10)],
    ) {
        if let Ok(e164) = parse_e164(&input) {
            prop_assert_eq!(parse_e164(&e164), Ok(e164.clone()));
            prop_assert!(e164.starts_with('+') && e164[1..].bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(e164.len() <= 16);
            let shown = display_phone(&e164);
            prop_assert_eq!(parse_e164(&shown), Ok(e164));
        }
    }

    /// However the national digits of a valid number are punctuated, it is stored the same
    /// way (a country code is typed in one piece).
    #[test]
    fn phone_number_punctuation_does_not_matter(
        (code, national) in prop::sample::select(
            vec![("1", "2025550123"), ("44", "2079460958"), ("33", "612345678")],
        ),
        seps in prop::collection::vec(prop::sample::select(vec!["", " ", "-", ".", "  "]), 16),
    ) {
        let mut typed = format!("+{code} ");
        for (digit, sep) in national.chars().zip(&seps) {
            typed.push(digit);
            typed.push_str(sep);
        }
        prop_assert_eq!(parse_e164(&typed), Ok(format!("+{code}{national}")), "{}", typed);
    }
}

proptest! {
    // Decoding is the slow part: a hundred cases, each a few milliseconds.
    #![proptest_config(cases(100))]

    /// Random bytes, also behind a real format's signature, and small real PNG, JPEG and WebP
    /// files damaged or cut short (JPEG and WebP carry no checksum, so damage reaches deep into
    /// the decoders) are refused with a problem a person can read, or become the square
    /// picture; never a panic.
    #[test]
    fn pictures_never_panic_and_are_refused_clearly(
        body in prop::collection::vec(any::<u8>(), 0..4_096),
        kind in 0..5u8,
        format in prop::sample::select(vec![ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP]),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let file = match kind {
            0 => body,
            1 => [b"\x89PNG\r\n\x1a\n".as_slice(), &body].concat(),
            2 => [b"\xff\xd8\xff\xe0".as_slice(), &body].concat(),
            3 => {
                let mut file = sample(format);
                for (at, byte) in &flips {
                    let i = at.index(file.len());
                    file[i] = *byte;
                }
                file
            }
            _ => {
                let file = sample(format);
                file[..cut.index(file.len())].to_vec()
            }
        };
        match normalise(&file) {
            Ok(png) => {
                let back = image::load_from_memory(&png).expect("the kept picture is a PNG");
                prop_assert_eq!((back.width(), back.height()), (PICTURE_SIDE, PICTURE_SIDE));
            }
            Err(problem) => prop_assert!(!problem.message().is_empty()),
        }
    }
}

const SIP_PIECES: &[&str] = &[
    "sip:",
    "sips:",
    "SIP:",
    "@",
    ":",
    ";",
    "?",
    "&",
    "=",
    "[",
    "]",
    "::",
    "%",
    "%2",
    "%20",
    "alex",
    "example.com",
    ".",
    "-",
    "5060",
    "99999",
    "192.0.2.1",
    "2001:db8::1",
    "::ffff:",
    " ",
    "\u{0}",
    "é",
    "\u{3000}",
];

const PHONE_PIECES: &[&str] =
    &["+", "1", "202", "555", "0123", "44", " ", "-", "(", ")", ".", "ext", "\u{660}", "x"];

/// JSON shaped like a cursor, with wrong types, sizes and controls mixed in.
fn tricky_json() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        "[a-z\\x00-\\x1f]{0,8}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        Just("null".to_string()),
        Just("1e400".to_string()),
    ];
    (
        prop::sample::select(vec!["name", "-name", "email", "status", "-created", "x", ""]),
        prop::collection::vec(key, 0..4),
        any::<i64>(),
        prop::sample::select(vec![
            "\"Walk\"",
            "{\"Gather\":\"Reach\"}",
            "{\"Gather\":\"Nope\"}",
            "7",
        ]),
        any::<u64>(),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(s, k, i, p, c, e, f)| {
            format!(
                "{{\"s\":\"{s}\",\"k\":[{}],\"i\":{i},\"p\":{p},\"c\":{c},\"e\":{e},\"f\":{f}}}",
                k.join(",")
            )
        })
}

/// A 40 × 30 picture in `format`, the starting point of the damaged ones.
fn sample(format: ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 90]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), format).unwrap();
    out
}
