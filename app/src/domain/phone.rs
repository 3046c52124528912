//! Phone numbers: stored in E.164 (`+12025550123`), shown the way people read them.

/// An E.164 number as people read it: North American numbers grouped (`+1 202 555 0100`),
/// others as stored.
pub fn display_phone(e164: &str) -> String {
    match e164.strip_prefix("+1") {
        Some(rest) if rest.len() == 10 && rest.chars().all(|c| c.is_ascii_digit()) => {
            format!("+1 {} {} {}", &rest[..3], &rest[3..6], &rest[6..])
        }
        _ => e164.to_string(),
    }
}

/// A phone number in international form, checked against libphonenumber's metadata (the
/// country code exists and the number has the length and prefixes of a number there), and
/// written back in E.164 (`+12025550123`). Spaces, dashes, dots and brackets may be typed.
#[cfg(feature = "ssr")]
pub fn parse_e164(input: &str) -> Result<String, &'static str> {
    let s = input.trim();
    let Some(rest) = s.strip_prefix('+') else {
        return Err("Enter the number in international format, + and the country code first, \
                    like +1 202 555 0123.");
    };
    if !rest.chars().all(|c| c.is_ascii_digit() || " -().".contains(c)) {
        return Err("After the +, a phone number has only digits (spaces, dashes and brackets \
                    are fine).");
    }
    if rest.chars().filter(char::is_ascii_digit).count() > 15 {
        return Err("A phone number has at most 15 digits, the country code included.");
    }
    match phonenumber::parse(None, s) {
        Ok(n) if n.extension().is_none() && n.is_valid() => {
            Ok(n.format().mode(phonenumber::Mode::E164).to_string())
        }
        _ => Err("This is not a valid phone number: check the country code and the digits."),
    }
}

/// An optional phone number: empty input is `None`, anything else must be a valid number.
#[cfg(feature = "ssr")]
pub fn parse_optional_e164(input: &str) -> Result<Option<String>, &'static str> {
    if input.trim().is_empty() { Ok(None) } else { parse_e164(input).map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn north_american_numbers_are_grouped() {
        assert_eq!(display_phone("+12025550100"), "+1 202 555 0100");
        assert_eq!(display_phone("+442079460958"), "+442079460958");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn phone_numbers_in_e164() {
        for (input, want) in [
            ("+12025550123", "+12025550123"),
            ("+1 202 555 0123", "+12025550123"),
            ("+1 (202) 555-0123", "+12025550123"),
            ("+44 20 7946 0958", "+442079460958"),
            ("+33 6 12 34 56 78", "+33612345678"),
            (" +49 30 1234567 ", "+49301234567"),
        ] {
            assert_eq!(parse_e164(input).as_deref(), Ok(want), "{input}");
        }
        for input in [
            "",
            "555-1234",
            "2025550123",
            "+1 555 1234",
            "+1 202 555 012",
            "+1 202 555 01234",
            "+999 1234 5678",
            "+1 800 FLOWERS",
            "+12025550123 ext 12",
            "+1234567890123456",
            "+",
            "++12025550123",
        ] {
            assert!(parse_e164(input).is_err(), "{input} should be refused");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn an_empty_optional_number_is_none() {
        assert_eq!(parse_optional_e164("  "), Ok(None));
        assert_eq!(parse_optional_e164("+1 202 555 0123"), Ok(Some("+12025550123".into())));
        assert!(parse_optional_e164("555").is_err());
    }
}
