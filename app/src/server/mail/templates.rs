//! The plain-text mails the app sends. Links are built from the public URL people use to
//! reach the app (`AppConfig::public_url`).

use crate::server::clock::{DAY, HOUR, Millis};

/// A mail ready to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub body: String,
}

/// A header value on one line: control characters (a node name may hold a line break)
/// become spaces, so no name can add a header.
fn one_line(s: String) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// An absolute link to `path` (which starts with `/`), keeping any path prefix of the public
/// URL (`https://example.com/roster` + `/nodes/3`).
pub fn link(public_url: &url::Url, path: &str) -> String {
    format!("{}{path}", public_url.as_str().trim_end_matches('/'))
}

/// "7 days", "1 day", "36 hours": how long an invitation works.
pub fn duration_words(ms: Millis) -> String {
    let plural =
        |n: i64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    if ms >= DAY && ms % DAY == 0 {
        plural(ms / DAY, "day")
    } else {
        plural(((ms + HOUR - 1) / HOUR).max(1), "hour")
    }
}

pub struct Invitation<'a> {
    pub first_name: &'a str,
    pub inviter: &'a str,
    /// Where the roles are given: "North (Acme Agency)".
    pub place: &'a str,
    pub link: String,
    pub valid_for: Millis,
}

pub fn invitation(i: &Invitation<'_>) -> Composed {
    Composed {
        subject: one_line(format!("{} invited you to {}", i.inviter, i.place)),
        body: format!(
            "Hello {first},\n\
             \n\
             {inviter} invited you to {place} on Roster.\n\
             \n\
             To accept, choose a password at this address:\n\
             \n\
             {link}\n\
             \n\
             The link works once, for {valid}. If it has expired, ask {inviter} to send a new \
             one.\n\
             \n\
             If you were not expecting this invitation, you can ignore this message.\n",
            first = i.first_name,
            inviter = i.inviter,
            place = i.place,
            link = i.link,
            valid = duration_words(i.valid_for),
        ),
    }
}

pub struct AccessGranted<'a> {
    pub first_name: &'a str,
    pub granter: &'a str,
    pub role: &'a str,
    pub place: &'a str,
    pub link: String,
}

pub fn access_granted(a: &AccessGranted<'_>) -> Composed {
    Composed {
        subject: one_line(format!("You now have access to {}", a.place)),
        body: format!(
            "Hello {first},\n\
             \n\
             {granter} gave you the {role} role at {place} on Roster.\n\
             \n\
             Sign in with your usual e-mail address and password, then open:\n\
             \n\
             {link}\n",
            first = a.first_name,
            granter = a.granter,
            role = a.role,
            place = a.place,
            link = a.link,
        ),
    }
}

pub struct PasswordReset<'a> {
    pub first_name: &'a str,
    /// Someone re-invited the person (their account was disabled), rather than the person
    /// asking for the link themselves.
    pub reinvited_by: Option<&'a str>,
    pub link: String,
    pub valid_for: Millis,
}

pub fn password_reset(r: &PasswordReset<'_>) -> Composed {
    let (subject, why) = match r.reinvited_by {
        Some(by) => (
            "Your Roster account is active again".to_string(),
            format!("{by} re-enabled your Roster account."),
        ),
        None => (
            "Reset your Roster password".to_string(),
            "Someone (hopefully you) asked to reset the password of your Roster account."
                .to_string(),
        ),
    };
    Composed {
        subject: one_line(subject),
        body: format!(
            "Hello {first},\n\
             \n\
             {why} Choose a new password at this address:\n\
             \n\
             {link}\n\
             \n\
             The link works once, for {valid}. Setting a new password signs you out everywhere \
             else.\n\
             \n\
             If you did not expect this message, you can ignore it: your password stays as it \
             is.\n",
            first = r.first_name,
            link = r.link,
            valid = duration_words(r.valid_for),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_public_path() {
        let root = url::Url::parse("https://roster.example.com").unwrap();
        assert_eq!(link(&root, "/nodes/3"), "https://roster.example.com/nodes/3");
        let prefixed = url::Url::parse("https://example.com/roster/").unwrap();
        assert_eq!(link(&prefixed, "/nodes/3"), "https://example.com/roster/nodes/3");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_words(7 * DAY), "7 days");
        assert_eq!(duration_words(DAY), "1 day");
        assert_eq!(duration_words(36 * HOUR), "36 hours");
        assert_eq!(duration_words(1), "1 hour");
    }

    #[test]
    fn invitation_names_who_where_and_the_link() {
        let mail = invitation(&Invitation {
            first_name: "Ann",
            inviter: "Ada Admin",
            place: "North (Acme Agency)",
            link: "https://r.example/invitations/abc".into(),
            valid_for: 7 * DAY,
        });
        assert_eq!(mail.subject, "Ada Admin invited you to North (Acme Agency)");
        assert!(mail.body.starts_with("Hello Ann,\n"));
        assert!(mail.body.contains("\nhttps://r.example/invitations/abc\n"));
        assert!(mail.body.contains("for 7 days"));
        let odd = Invitation { place: "North\r\nBcc: x@example.com", ..mail_parts() };
        assert!(!invitation(&odd).subject.contains('\n'));
    }

    #[test]
    fn reset_mail_says_why_and_for_how_long() {
        let own = password_reset(&PasswordReset {
            first_name: "Ann",
            reinvited_by: None,
            link: "https://r.example/reset-password/abc".into(),
            valid_for: HOUR,
        });
        assert_eq!(own.subject, "Reset your Roster password");
        assert!(own.body.contains("\nhttps://r.example/reset-password/abc\n"));
        assert!(own.body.contains("for 1 hour"));
        let again = password_reset(&PasswordReset {
            reinvited_by: Some("Ada Admin"),
            valid_for: 7 * DAY,
            ..own_parts()
        });
        assert!(again.body.contains("Ada Admin re-enabled your Roster account"));
        assert!(again.body.contains("for 7 days"));
    }

    fn own_parts() -> PasswordReset<'static> {
        PasswordReset {
            first_name: "Ann",
            reinvited_by: None,
            link: String::new(),
            valid_for: HOUR,
        }
    }

    fn mail_parts() -> Invitation<'static> {
        Invitation {
            first_name: "Ann",
            inviter: "Ada",
            place: "",
            link: String::new(),
            valid_for: DAY,
        }
    }
}
