//! What people read for the choices of call preferences. The domain keeps keys only; the
//! words are the page's. They are inherent methods (the same crate may add them anywhere)
//! so every page that shows a choice, `pages/contacts.rs` too, calls `choice.label()`.

use crate::domain::call_prefs::{AdminFlag, AudioBitrate, MissedCallEmail, SendCallsTo, Weekday};

impl SendCallsTo {
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "Text message (SMS)",
            Self::Email => "E-mail",
        }
    }
}

impl MissedCallEmail {
    pub fn label(self) -> &'static str {
        match self {
            Self::Team => "Follow the team setting",
            Self::Always => "Always",
            Self::Never => "Never",
        }
    }
}

impl AudioBitrate {
    pub fn label(self) -> &'static str {
        match self {
            Self::K8 => "8 kbps (least data, for poor connections)",
            Self::K16 => "16 kbps",
            Self::K24 => "24 kbps",
            Self::K32 => "32 kbps (recommended)",
            Self::K64 => "64 kbps (best quality)",
        }
    }
}

impl Weekday {
    pub fn label(self) -> &'static str {
        match self {
            Self::Monday => "Monday",
            Self::Tuesday => "Tuesday",
            Self::Wednesday => "Wednesday",
            Self::Thursday => "Thursday",
            Self::Friday => "Friday",
            Self::Saturday => "Saturday",
            Self::Sunday => "Sunday",
        }
    }
}

impl AdminFlag {
    pub fn label(self) -> &'static str {
        match self {
            Self::ViewMessagesTab => "Can view the messages tab",
            Self::ViewAllSms => "Can view all SMS",
            Self::ViewMissedCalls => "Can view missed calls",
            Self::ViewUnassignedRecordings => "Can view unassigned recordings",
        }
    }
}
