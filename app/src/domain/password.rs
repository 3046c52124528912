//! The password policy's length rule, shared so the browser can say the same thing the
//! server enforces. The common-password list is checked on the server only
//! (`server::password_policy`): 160 KB has no place in the WASM bundle.

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {MIN_LEN} characters.")]
    TooShort,
    #[error("Use at most {MAX_LEN} characters.")]
    TooLong,
    #[error("This password is too common. Choose another.")]
    TooCommon,
}

/// The cheap part of the policy. Length counts characters, not bytes.
pub fn check_length(password: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if len > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_table() {
        assert_eq!(check_length("short"), Err(PasswordError::TooShort));
        assert_eq!(check_length("ééééééé"), Err(PasswordError::TooShort));
        assert_eq!(check_length("éééééééé"), Ok(()));
        assert_eq!(check_length(&"x".repeat(129)), Err(PasswordError::TooLong));
        assert_eq!(check_length(&"x".repeat(128)), Ok(()));
        assert_eq!(check_length("correct horse battery"), Ok(()));
    }
}
