//! The password policy, shared so the browser can say the same thing the server enforces.

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// A small list of the passwords most often seen in breaches; refused outright.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwerty123",
    "qwertyuiop",
    "iloveyou",
    "11111111",
    "00000000",
    "abc12345",
    "abcd1234",
    "letmein1",
    "welcome1",
    "welcome123",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "dragon123",
    "monkey123",
    "trustno1",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "changeme",
    "administrator",
    "qwerty12",
    "1q2w3e4r",
    "1qaz2wsx",
    "zaq12wsx",
    "superman",
    "starwars",
    "whatever",
    "computer",
    "internet",
    "michael1",
    "jennifer",
    "access14",
    "master123",
    "shadow12",
    "asdfghjkl",
    "asdf1234",
    "q1w2e3r4",
    "letmein123",
    "admin123",
    "admin1234",
    "roster123",
];

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {MIN_LEN} characters.")]
    TooShort,
    #[error("Use at most {MAX_LEN} characters.")]
    TooLong,
    #[error("This password is too common; choose another.")]
    TooCommon,
}

/// Checks a new password against the policy. Length counts characters, not bytes.
pub fn check_new_password(password: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if len > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    if COMMON.contains(&password.to_lowercase().as_str()) {
        return Err(PasswordError::TooCommon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_table() {
        assert_eq!(check_new_password("short"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("ééééééé"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("éééééééé"), Ok(()));
        assert_eq!(check_new_password(&"x".repeat(129)), Err(PasswordError::TooLong));
        assert_eq!(check_new_password(&"x".repeat(128)), Ok(()));
        assert_eq!(check_new_password("Password123"), Err(PasswordError::TooCommon));
        assert_eq!(check_new_password("correct horse battery"), Ok(()));
    }
}
