//! E-mail addresses, normalised so that one person has one identity.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically valid e-mail address, trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an e-mail address.")]
    Empty,
    #[error("An e-mail address can have at most 254 characters.")]
    TooLong,
    #[error("Enter a valid e-mail address, like name@example.com.")]
    Invalid,
}

impl Email {
    /// Accepts the addresses people actually type (`local@domain.tld`); refuses spaces,
    /// missing parts, and domains without a dot. Comparison is case-insensitive, so the
    /// stored form is lower-case.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2);
        if !(local_ok && domain_ok) {
            return Err(EmailError::Invalid);
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        for (input, expected) in [
            ("Ann@Example.COM", "ann@example.com"),
            ("  bob.smith+tag@mail.example.org ", "bob.smith+tag@mail.example.org"),
            ("o'neil@ex-ample.io", "o'neil@ex-ample.io"),
        ] {
            assert_eq!(Email::parse(input).unwrap().as_str(), expected, "{input}");
        }
    }

    #[test]
    fn refuses_malformed() {
        for (input, err) in [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("no-at-sign", EmailError::Invalid),
            ("@example.com", EmailError::Invalid),
            ("ann@", EmailError::Invalid),
            ("ann@localhost", EmailError::Invalid),
            ("ann smith@example.com", EmailError::Invalid),
            ("ann@exa mple.com", EmailError::Invalid),
            ("ann..b@example.com", EmailError::Invalid),
            ("ann@-example.com", EmailError::Invalid),
            ("ann@example.c", EmailError::Invalid),
        ] {
            assert_eq!(Email::parse(input), Err(err), "{input:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }
}
