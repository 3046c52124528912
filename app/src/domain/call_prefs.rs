//! Call preferences: where a person's calls go, how missed calls are announced, the
//! softphone, direct dial, SIP, weekly availability, when they may text, the flags only
//! administrators set, and four custom fields whose labels the agency chooses.
//!
//! Two shapes, shared by the server and the browser. [`CallPreferencesForm`] is what people
//! type (the page edits it, a save sends it); [`CallPreferencesForm::parse`] turns it, once,
//! into [`CallPreferences`], whose fields are typed (an E.164 [`PhoneNumber`], an [`Email`],
//! a [`SipAddress`], an [`AudioBitrate`], a checked [`WeeklySchedule`] …), or names every
//! problem at its field ([`FieldErrors`]). The fields are listed once ([`Field`]); the audit
//! log's diff walks that list. Words for people live with the page
//! (`pages/call_prefs/labels.rs`) and the audit log's with the server.

use serde::{Deserialize, Serialize};

mod choices;
mod contact;
mod custom;
mod field;
mod form;
mod schedule;
mod sip;

use crate::domain::Email;
use contact::{optional, text_of};

pub use choices::{AdminFlag, AdminFlags, AudioBitrate, MissedCallEmail, SendCallsTo};
pub use contact::{Extension, PhoneNumber, SipAddress};
pub use custom::{CUSTOM_FIELD_MAX_CHARS, LABEL_MAX_CHARS, default_labels, parse_label};
pub use field::{CUSTOM_FIELDS, Field, FieldErrors, Value};
pub use form::CallPreferencesForm;
pub use schedule::{
    DAY_MINUTES, Days, MAX_RANGES_PER_DAY, TextWindow, TimeRange, TimeWindow, Weekday,
    WeeklySchedule, hhmm, parse_hhmm,
};
/// The SIP parser itself, for its property tests (`app/tests/parser_properties.rs`).
pub use sip::parse_sip_address;

/// A person's call preferences, every field checked. Made by
/// [`CallPreferencesForm::parse`] (which also applies the rules between fields: calls sent
/// by text need a phone number, by e-mail an address, an extension its number) or by
/// [`CallPreferences::defaults`]. On the wire it is its form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "CallPreferencesForm", try_from = "CallPreferencesForm")]
pub struct CallPreferences {
    pub send_calls_to: SendCallsTo,
    /// Mobile number for text messages.
    pub phone: Option<PhoneNumber>,
    pub email: Option<Email>,
    pub missed_call_email: MissedCallEmail,
    /// Softphone: ring the app before anything else.
    pub dial_app_first: bool,
    /// Softphone: a second call may ring during a call.
    pub call_waiting: bool,
    pub audio_bitrate: AudioBitrate,
    /// External direct dial: the receiving number and its extension.
    pub direct_dial_number: Option<PhoneNumber>,
    pub direct_dial_extension: Option<Extension>,
    pub sip_address: Option<SipAddress>,
    pub schedule: WeeklySchedule,
    pub text_window: TextWindow,
    pub admin_flags: AdminFlags,
    /// The four custom user fields, labelled by the agency: trimmed, at most
    /// [`CUSTOM_FIELD_MAX_CHARS`] characters, `""` when empty. Plain text, so it stays a
    /// `String`.
    pub custom_fields: [String; CUSTOM_FIELDS],
}

impl CallPreferences {
    /// What a person has before they (or an administrator) save anything: calls sent by
    /// e-mail to `own_email`.
    pub fn defaults(own_email: &str) -> Self {
        Self {
            send_calls_to: SendCallsTo::Email,
            phone: None,
            email: Email::parse(own_email).ok(),
            missed_call_email: MissedCallEmail::Team,
            dial_app_first: false,
            call_waiting: true,
            audio_bitrate: AudioBitrate::default(),
            direct_dial_number: None,
            direct_dial_extension: None,
            sip_address: None,
            schedule: WeeklySchedule::default(),
            text_window: TextWindow::default(),
            admin_flags: AdminFlags::default(),
            custom_fields: Default::default(),
        }
    }
}
