//! User lifecycle states.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserStatus {
    /// Invited, has not yet accepted and set a password.
    Invited,
    Active,
    /// Cannot sign in; may be reactivated 14 days after the suspension.
    Suspended,
    /// Cannot sign in nor reset a password; stays on call teams.
    Disabled,
    /// Gone from every list and picker; kept only by name in history.
    Deleted,
}

impl UserStatus {
    pub const ALL: [UserStatus; 5] =
        [Self::Invited, Self::Active, Self::Suspended, Self::Disabled, Self::Deleted];

    pub fn key(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Disabled => "disabled",
            Self::Deleted => "deleted",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Invited => "Invited",
            Self::Active => "Active",
            Self::Suspended => "Suspended",
            Self::Disabled => "Disabled",
            Self::Deleted => "Deleted",
        }
    }

    /// Only active users may hold a session.
    pub fn can_sign_in(self) -> bool {
        self == Self::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_active_signs_in() {
        for s in UserStatus::ALL {
            assert_eq!(s.can_sign_in(), s == UserStatus::Active, "{s:?}");
            assert_eq!(UserStatus::from_key(s.key()), Some(s));
        }
    }
}

/// A first or last name: trimmed, 1 to 100 characters, no control characters.
pub fn parse_person_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Enter a name.");
    }
    if name.chars().count() > 100 {
        return Err("A name can have at most 100 characters.");
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.");
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod name_tests {
    use super::parse_person_name;

    #[test]
    fn names() {
        assert_eq!(parse_person_name("  Ann "), Ok("Ann".into()));
        assert_eq!(parse_person_name("Zoë-Åsa"), Ok("Zoë-Åsa".into()));
        assert!(parse_person_name("   ").is_err());
        assert!(parse_person_name(&"x".repeat(101)).is_err());
        assert!(parse_person_name("a\u{0}b").is_err());
    }
}
