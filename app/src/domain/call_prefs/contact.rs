//! Where calls can reach a person: a phone number (E.164), an extension and a SIP address.
//! Each is a string that only its `parse` makes, so holding one means it was checked.

use super::sip::parse_sip_address;

/// A phone number in E.164 (`+12025550123`).
///
/// On the server `parse` checks the number against libphonenumber's metadata (the country
/// code exists, the length and prefixes fit a number there). That metadata is large and
/// stays out of the WASM: in the browser `parse` checks only the form (`+`, then up to 15
/// digits) and so accepts what the server wrote. The browser never decides what is saved:
/// every save is parsed again on the server.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Spaces, dashes, dots and brackets may be typed; the result is E.164.
    #[cfg(feature = "ssr")]
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        crate::domain::phone::parse_e164(input).map(Self)
    }

    /// The browser's check of the form only (see the type's documentation).
    #[cfg(not(feature = "ssr"))]
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let s = input.trim();
        let Some(rest) = s.strip_prefix('+') else {
            return Err("Enter the number in international format, + and the country code \
                        first, like +1 202 555 0123.");
        };
        if !rest.chars().all(|c| c.is_ascii_digit() || " -().".contains(c)) {
            return Err("After the +, a phone number has only digits (spaces, dashes and \
                        brackets are fine).");
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 15 || digits.starts_with('0') {
            return Err("This is not a valid phone number: check the country code and the \
                        digits.");
        }
        Ok(Self(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A telephone extension: 1 to 10 ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Extension(String);

impl Extension {
    /// Input is trimmed; empty input is not an extension (see [`optional`]).
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let ext = input.trim();
        if ext.is_empty() || ext.len() > 10 || !ext.chars().all(|c| c.is_ascii_digit()) {
            return Err("An extension is 1 to 10 digits, like 204.");
        }
        Ok(Self(ext.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A SIP or SIPS URI (RFC 3261, section 19.1), its scheme lower-cased. Checked the same
/// way on both sides: the parser is small and has no dependency.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SipAddress(String);

impl SipAddress {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        parse_sip_address(input).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional field: blank input (nothing, or only spaces) is `None`, anything else must
/// parse.
pub fn optional<T, E: ToString>(
    input: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, String> {
    match input.trim() {
        "" => Ok(None),
        s => parse(s).map(Some).map_err(|e| e.to_string()),
    }
}

/// The text of an optional value as the form and the database hold it: `""` for none.
pub fn text_of<T>(value: &Option<T>, as_str: impl Fn(&T) -> &str) -> String {
    value.as_ref().map(as_str).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(Extension::parse(" 204 ").unwrap().as_str(), "204");
        assert_eq!(Extension::parse("1234567890").unwrap().as_str(), "1234567890");
        for bad in ["", "12345678901", "12a", "-12", "１２"] {
            assert!(Extension::parse(bad).is_err(), "{bad:?} (only ASCII digits)");
        }
    }

    #[test]
    fn optional_values() {
        assert_eq!(optional("  ", Extension::parse), Ok(None));
        assert_eq!(optional(" 42 ", Extension::parse), Ok(Some(Extension("42".into()))));
        assert_eq!(
            optional("4x", Extension::parse),
            Err("An extension is 1 to 10 digits, like 204.".into())
        );
        assert_eq!(text_of(&None::<Extension>, Extension::as_str), "");
    }

    #[test]
    fn sip_addresses_keep_their_text_and_lower_the_scheme() {
        let sip = SipAddress::parse(" SIPS:ann@pbx.example.com ").unwrap();
        assert_eq!(sip.as_str(), "sips:ann@pbx.example.com");
        assert!(SipAddress::parse("http://x").is_err());
    }

    #[test]
    fn phone_numbers_are_e164_on_both_sides() {
        for (input, want) in
            [("+1 (202) 555-0123", "+12025550123"), (" +44 20 7946 0958", "+442079460958")]
        {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), want, "{input}");
            // What the server wrote reads back the same.
            assert_eq!(PhoneNumber::parse(want).unwrap().as_str(), want);
        }
        for bad in ["555-1234", "2025550123", "+", "+1 800 FLOWERS", "+1234567890123456"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    /// The server alone knows which numbers exist.
    #[cfg(feature = "ssr")]
    #[test]
    fn the_server_checks_numbers_against_the_metadata() {
        assert!(PhoneNumber::parse("+1 202 555 012").is_err());
        assert!(PhoneNumber::parse("+999 1234 5678").is_err());
    }
}
