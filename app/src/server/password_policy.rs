//! The whole password policy, applied wherever a password is set (first-run setup,
//! `create-admin`, accepting an invitation, a reset, a change): the length rule shared with
//! the browser, then the list of common and breached passwords in `app/data/` (see its
//! README for source and licence), which stays on the server.

use crate::domain::password::{PasswordError, check_length};
use std::{collections::HashSet, sync::LazyLock};

/// Compiled into the server binary, so a deployment cannot lose or swap it.
const LIST: &str = include_str!("../../data/common-passwords.txt");

/// Built on first use (about 20,000 entries, a few milliseconds), then shared.
static COMMON: LazyLock<HashSet<String>> =
    LazyLock::new(|| LIST.lines().map(normalise).filter(|line| !line.is_empty()).collect());

/// The form compared with the list: case and surrounding spaces make no password safer.
fn normalise(password: &str) -> String {
    password.trim().to_lowercase()
}

/// Checks a new password against the policy: length first (cheap), then the list.
pub fn check_new_password(password: &str) -> Result<(), PasswordError> {
    check_length(password)?;
    if COMMON.contains(&normalise(password)) {
        return Err(PasswordError::TooCommon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_large_and_refuses_common_passwords_in_any_case() {
        assert!(COMMON.len() >= 10_000, "{} entries", COMMON.len());
        for common in ["password1", "qwerty123", "Password123", "QWERTY123", " iloveyou1 "] {
            assert_eq!(check_new_password(common), Err(PasswordError::TooCommon), "{common}");
        }
        assert_eq!(check_new_password("abc"), Err(PasswordError::TooShort), "length first");
        assert_eq!(check_new_password("correct horse battery staple 42"), Ok(()));
        assert_eq!(check_new_password("a long enough passphrase"), Ok(()));
    }

    #[test]
    fn the_message_says_what_to_do() {
        assert_eq!(
            PasswordError::TooCommon.to_string(),
            "This password is too common. Choose another."
        );
    }
}
