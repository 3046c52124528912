//! The fixed choices of call preferences: where calls go, missed-call e-mails, the
//! softphone's bitrate and the administrators' flags. Each has a stable key (stored in the
//! database and sent over the wire); what people read is the page's business
//! (`pages/call_prefs/labels.rs`), and the audit log's wording is the server's.

use serde::{Deserialize, Serialize};

/// Where calls for the person are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendCallsTo {
    /// A text message (SMS) to their phone number.
    Text,
    #[default]
    Email,
}

impl SendCallsTo {
    pub const ALL: [SendCallsTo; 2] = [Self::Text, Self::Email];

    pub fn key(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Email => "email",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.key() == key)
    }
}

/// Whether an e-mail goes out for each missed call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissedCallEmail {
    /// As the person's call team is set up.
    #[default]
    Team,
    Always,
    Never,
}

impl MissedCallEmail {
    pub const ALL: [MissedCallEmail; 3] = [Self::Team, Self::Always, Self::Never];

    pub fn key(self) -> &'static str {
        match self {
            Self::Team => "team",
            Self::Always => "always",
            Self::Never => "never",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.key() == key)
    }
}

/// The softphone's audio bitrates: a fixed list. The form carries the number of kbps, so
/// a value off the list is refused at its field rather than as a malformed request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AudioBitrate {
    K8,
    K16,
    K24,
    #[default]
    K32,
    K64,
}

impl AudioBitrate {
    pub const ALL: [AudioBitrate; 5] = [Self::K8, Self::K16, Self::K24, Self::K32, Self::K64];

    pub fn kbps(self) -> u16 {
        match self {
            Self::K8 => 8,
            Self::K16 => 16,
            Self::K24 => 24,
            Self::K32 => 32,
            Self::K64 => 64,
        }
    }

    pub fn from_kbps(kbps: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.kbps() == kbps)
    }

    /// A number of kbps from the list, or the message naming the list.
    pub fn parse(kbps: u16) -> Result<Self, String> {
        Self::from_kbps(kbps).ok_or_else(|| {
            let list: Vec<String> = Self::ALL.iter().map(|b| b.kbps().to_string()).collect();
            format!("Choose one of {} kbps.", list.join(", "))
        })
    }
}

/// One of the flags only administrators set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminFlag {
    ViewMessagesTab,
    ViewAllSms,
    ViewMissedCalls,
    ViewUnassignedRecordings,
}

impl AdminFlag {
    pub const ALL: [AdminFlag; 4] = [
        Self::ViewMessagesTab,
        Self::ViewAllSms,
        Self::ViewMissedCalls,
        Self::ViewUnassignedRecordings,
    ];

    /// The flag's name in [`AdminFlags`] (and its column).
    pub fn key(self) -> &'static str {
        match self {
            Self::ViewMessagesTab => "can_view_messages_tab",
            Self::ViewAllSms => "can_view_all_sms",
            Self::ViewMissedCalls => "can_view_missed_calls",
            Self::ViewUnassignedRecordings => "can_view_unassigned_recordings",
        }
    }
}

/// What only administrators grant: which parts of the calls product the person sees.
/// Plain fields, as the wire form names them; [`AdminFlag`] walks them in order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminFlags {
    pub can_view_messages_tab: bool,
    pub can_view_all_sms: bool,
    pub can_view_missed_calls: bool,
    pub can_view_unassigned_recordings: bool,
}

impl AdminFlags {
    pub fn get(&self, flag: AdminFlag) -> bool {
        match flag {
            AdminFlag::ViewMessagesTab => self.can_view_messages_tab,
            AdminFlag::ViewAllSms => self.can_view_all_sms,
            AdminFlag::ViewMissedCalls => self.can_view_missed_calls,
            AdminFlag::ViewUnassignedRecordings => self.can_view_unassigned_recordings,
        }
    }

    pub fn set(&mut self, flag: AdminFlag, on: bool) {
        let slot = match flag {
            AdminFlag::ViewMessagesTab => &mut self.can_view_messages_tab,
            AdminFlag::ViewAllSms => &mut self.can_view_all_sms,
            AdminFlag::ViewMissedCalls => &mut self.can_view_missed_calls,
            AdminFlag::ViewUnassignedRecordings => &mut self.can_view_unassigned_recordings,
        };
        *slot = on;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for v in SendCallsTo::ALL {
            assert_eq!(SendCallsTo::from_key(v.key()), Some(v));
        }
        for v in MissedCallEmail::ALL {
            assert_eq!(MissedCallEmail::from_key(v.key()), Some(v));
        }
        assert_eq!(SendCallsTo::from_key("fax"), None);
        // The wire keys are the serde names: the two must not drift apart.
        assert_eq!(serde_json::to_value(SendCallsTo::Text).unwrap(), "text");
        assert_eq!(serde_json::to_value(MissedCallEmail::Always).unwrap(), "always");
    }

    #[test]
    fn bitrates() {
        assert_eq!(AudioBitrate::default().kbps(), 32);
        assert_eq!(AudioBitrate::parse(64), Ok(AudioBitrate::K64));
        assert_eq!(AudioBitrate::parse(33), Err("Choose one of 8, 16, 24, 32, 64 kbps.".into()));
    }

    #[test]
    fn flags_are_set_one_by_one() {
        let mut flags = AdminFlags::default();
        flags.set(AdminFlag::ViewAllSms, true);
        assert_eq!(flags, AdminFlags { can_view_all_sms: true, ..AdminFlags::default() });
        for flag in AdminFlag::ALL {
            let mut one = AdminFlags::default();
            one.set(flag, true);
            let on: Vec<AdminFlag> = AdminFlag::ALL.into_iter().filter(|f| one.get(*f)).collect();
            assert_eq!(on, [flag]);
            // The key is the serialised field name.
            assert_eq!(serde_json::to_value(one).unwrap()[flag.key()], true);
        }
    }
}
