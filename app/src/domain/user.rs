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

/// How long a suspension lasts at the least: reactivating is refused until this long after
/// the suspension.
pub const REACTIVATION_COOLDOWN_MS: i64 = 14 * 24 * 60 * 60 * 1000;

/// Longest reason a suspension or disabling may give.
pub const REASON_MAX_CHARS: usize = 500;

/// When someone suspended at `suspended_at` may be reactivated (UTC milliseconds).
pub fn reactivate_from(suspended_at: i64) -> i64 {
    suspended_at.saturating_add(REACTIVATION_COOLDOWN_MS)
}

/// Whether someone suspended at `suspended_at` may be reactivated at `now`.
pub fn may_reactivate(suspended_at: i64, now: i64) -> bool {
    now >= reactivate_from(suspended_at)
}

/// A change of someone's status that an administrator makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusChange {
    /// Active to suspended, with a reason; reactivated no sooner than the cool-down allows.
    Suspend,
    /// Suspended to active, once the cool-down is over.
    Reactivate,
    /// Active or suspended to disabled.
    Disable,
    /// Disabled to active; the person gets a password-reset mail.
    Reinvite,
    /// Anything but deleted to deleted.
    Delete,
}

impl StatusChange {
    pub const ALL: [StatusChange; 5] =
        [Self::Suspend, Self::Reactivate, Self::Disable, Self::Reinvite, Self::Delete];

    /// The status the change leads to.
    pub fn to(self) -> UserStatus {
        match self {
            Self::Suspend => UserStatus::Suspended,
            Self::Reactivate | Self::Reinvite => UserStatus::Active,
            Self::Disable => UserStatus::Disabled,
            Self::Delete => UserStatus::Deleted,
        }
    }

    /// Whether the change applies to someone whose status is `from`.
    pub fn allowed_from(self, from: UserStatus) -> bool {
        use UserStatus as S;
        match self {
            Self::Suspend => from == S::Active,
            Self::Reactivate => from == S::Suspended,
            Self::Disable => matches!(from, S::Active | S::Suspended),
            Self::Reinvite => from == S::Disabled,
            Self::Delete => from != S::Deleted,
        }
    }

    /// The verb, for messages: "You cannot suspend your own account."
    pub fn verb(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Reactivate => "reactivate",
            Self::Disable => "disable",
            Self::Reinvite => "reinvite",
            Self::Delete => "delete",
        }
    }

    /// The audit log's name for the change.
    pub fn audit_action(self) -> &'static str {
        match self {
            Self::Suspend => "user_suspended",
            Self::Reactivate => "user_reactivated",
            Self::Disable => "user_disabled",
            Self::Reinvite => "user_reinvited",
            Self::Delete => "user_deleted",
        }
    }

    /// Why the change does not apply to `name`, whose status is `from` (see
    /// [`allowed_from`](Self::allowed_from)); what to do instead where there is something.
    pub fn refusal(self, name: &str, from: UserStatus) -> String {
        use UserStatus as S;
        match (self, from) {
            (_, S::Deleted) => format!("{name} has been deleted."),
            (Self::Reactivate | Self::Reinvite, S::Active) => format!("{name} is already active."),
            (_, S::Invited) => format!(
                "{name} has not accepted their invitation yet. Resend or revoke the \
                 invitation instead."
            ),
            (Self::Suspend, S::Suspended) => format!("{name} is already suspended."),
            (Self::Disable, S::Disabled) => format!("{name} is already disabled."),
            (Self::Suspend, S::Disabled) => {
                format!("{name} is disabled, which already keeps them from signing in.")
            }
            (Self::Reactivate, S::Disabled) => {
                format!("{name} is disabled, not suspended: reinvite them instead.")
            }
            (Self::Reinvite, S::Suspended) => {
                format!("{name} is suspended, not disabled: reactivate them instead.")
            }
            (change, from) => {
                format!("You cannot {} {name}: they are {}.", change.verb(), from.key())
            }
        }
    }
}

/// The reason given for a suspension or disabling: trimmed, at most
/// [`REASON_MAX_CHARS`] characters; `None` when empty. Line breaks are kept.
pub fn parse_status_reason(input: &str) -> Result<Option<String>, &'static str> {
    let reason = input.trim();
    if reason.is_empty() {
        return Ok(None);
    }
    if reason.chars().count() > REASON_MAX_CHARS {
        return Err("A reason can have at most 500 characters.");
    }
    if reason.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err("A reason cannot contain control characters.");
    }
    Ok(Some(reason.to_string()))
}

/// UTC milliseconds as people read them: "6 December 2026, 18:30 UTC".
pub fn long_utc(ms: i64) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let t = crate::format::UtcTime::from_millis(ms);
    let month = MONTHS[(t.month - 1) as usize];
    format!("{} {month} {}, {:02}:{:02} UTC", t.day, t.year, t.hour, t.minute)
}

#[cfg(test)]
mod lifecycle_tests {
    use super::*;

    const DAY: i64 = 24 * 60 * 60 * 1000;

    #[test]
    fn reactivation_waits_fourteen_days() {
        let at = 1_790_000_000_000;
        assert_eq!(REACTIVATION_COOLDOWN_MS, 14 * DAY);
        assert_eq!(reactivate_from(at), at + 14 * DAY);
        // (time since the suspension, allowed)
        let table = [
            (0, false),
            (13 * DAY, false),
            (14 * DAY - 1, false),
            (14 * DAY, true),
            (30 * DAY, true),
        ];
        for (after, allowed) in table {
            assert_eq!(may_reactivate(at, at + after), allowed, "{after} ms after");
        }
        assert!(!may_reactivate(i64::MAX - 1, i64::MAX - 1), "no overflow");
    }

    #[test]
    fn transitions() {
        use StatusChange as C;
        use UserStatus as S;
        // (change, from, allowed)
        let allowed = [
            (C::Suspend, S::Active),
            (C::Reactivate, S::Suspended),
            (C::Disable, S::Active),
            (C::Disable, S::Suspended),
            (C::Reinvite, S::Disabled),
            (C::Delete, S::Invited),
            (C::Delete, S::Active),
            (C::Delete, S::Suspended),
            (C::Delete, S::Disabled),
        ];
        for change in C::ALL {
            for from in S::ALL {
                let expected = allowed.contains(&(change, from));
                assert_eq!(change.allowed_from(from), expected, "{change:?} from {from:?}");
                if !expected {
                    let message = change.refusal("Ann Lee", from);
                    assert!(message.starts_with("Ann Lee "), "{message}");
                }
            }
        }
        assert_eq!(C::Suspend.refusal("Ann Lee", S::Suspended), "Ann Lee is already suspended.");
        assert_eq!(C::Reinvite.to(), S::Active);
        assert_eq!(C::Delete.audit_action(), "user_deleted");
    }

    #[test]
    fn reasons() {
        assert_eq!(parse_status_reason("  "), Ok(None));
        assert_eq!(
            parse_status_reason(" Left the company \n"),
            Ok(Some("Left the company".into()))
        );
        assert_eq!(
            parse_status_reason("line one\nline two"),
            Ok(Some("line one\nline two".into()))
        );
        assert!(parse_status_reason(&"x".repeat(500)).is_ok());
        assert!(parse_status_reason(&"x".repeat(501)).is_err());
        assert!(parse_status_reason(&"é".repeat(500)).is_ok(), "characters, not bytes");
        assert!(parse_status_reason("a\u{7}b").is_err());
    }

    #[test]
    fn long_dates() {
        assert_eq!(long_utc(0), "1 January 1970, 00:00 UTC");
        assert_eq!(long_utc(1_790_000_000_000), "21 September 2026, 14:13 UTC");
        assert_eq!(long_utc(951_782_400_000 + 61_000), "29 February 2000, 00:01 UTC");
        assert_eq!(long_utc(1_796_581_800_000), "6 December 2026, 18:30 UTC");
    }
}
