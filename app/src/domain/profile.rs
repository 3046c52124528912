//! A person's profile fields: what makes a username, and the default time zone.

/// Where people are assumed to be until they say otherwise.
pub const DEFAULT_TIME_ZONE: &str = "America/New_York";

/// A username: 3 to 40 characters of lower-case letters, digits, `.`, `_` and `-`, starting
/// with a letter or digit. Input is trimmed and lower-cased (usernames are unique regardless
/// of case).
pub fn parse_username(input: &str) -> Result<String, &'static str> {
    let name = input.trim().to_lowercase();
    let len = name.chars().count();
    if len < 3 {
        return Err("A username needs at least 3 characters.");
    }
    if len > 40 {
        return Err("A username can have at most 40 characters.");
    }
    if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)) {
        return Err("Use only letters, digits, dots, dashes and underscores.");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("Start the username with a letter or a digit.");
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::parse_username;

    #[test]
    fn usernames() {
        assert_eq!(parse_username("  Ann.Lee "), Ok("ann.lee".into()));
        assert_eq!(parse_username("a_1-b"), Ok("a_1-b".into()));
        assert!(parse_username("ab").is_err());
        assert!(parse_username(&"a".repeat(41)).is_err());
        assert!(parse_username("ann lee").is_err());
        assert!(parse_username("zoë").is_err());
        assert!(parse_username(".ann").is_err());
        assert!(parse_username("ann@x").is_err());
    }
}
