//! The fields of call preferences, one list for everything that goes field by field: their
//! names (on the wire, in errors, as page ids), their errors ([`FieldErrors`]) and their
//! values ([`CallPreferences::value`]), which the audit log's diff compares one by one.

use super::{
    AdminFlag, AudioBitrate, CallPreferences, Email, Extension, MissedCallEmail, PhoneNumber,
    SendCallsTo, SipAddress, TimeRange, Weekday,
};
use crate::error::{AppError, FieldError};
use std::collections::BTreeMap;

/// One field of the form. Ordered as the form shows them, so errors and diffs read
/// top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    SendCallsTo,
    Phone,
    Email,
    MissedCallEmail,
    DialAppFirst,
    CallWaiting,
    AudioBitrate,
    DirectDialNumber,
    DirectDialExtension,
    SipAddress,
    /// One day of the weekly availability.
    Schedule(Weekday),
    TextWindowStart,
    TextWindowEnd,
    AdminFlag(AdminFlag),
    /// One of the four custom fields, from 0.
    CustomField(usize),
}

/// How many custom fields everyone has; the agency names them.
pub const CUSTOM_FIELDS: usize = 4;

impl Field {
    /// Every field, in form order.
    pub fn all() -> impl Iterator<Item = Field> {
        use Field::*;
        let head = [
            SendCallsTo,
            Phone,
            Email,
            MissedCallEmail,
            DialAppFirst,
            CallWaiting,
            AudioBitrate,
            DirectDialNumber,
            DirectDialExtension,
            SipAddress,
        ];
        let days = Weekday::ALL.map(Schedule);
        let flags = super::AdminFlag::ALL.map(AdminFlag);
        head.into_iter()
            .chain(days)
            .chain([TextWindowStart, TextWindowEnd])
            .chain(flags)
            .chain((0..CUSTOM_FIELDS).map(CustomField))
    }

    /// The field's name where errors and the page meet it: the wire form's key, with a dot
    /// into a part (`schedule.monday`, `text_window.end`, `custom_fields.2`).
    pub fn name(self) -> String {
        let plain = match self {
            Self::SendCallsTo => "send_calls_to",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::MissedCallEmail => "missed_call_email",
            Self::DialAppFirst => "dial_app_first",
            Self::CallWaiting => "call_waiting",
            Self::AudioBitrate => "audio_bitrate",
            Self::DirectDialNumber => "direct_dial_number",
            Self::DirectDialExtension => "direct_dial_extension",
            Self::SipAddress => "sip_address",
            Self::TextWindowStart => "text_window.start",
            Self::TextWindowEnd => "text_window.end",
            Self::Schedule(d) => return format!("schedule.{}", d.key()),
            Self::AdminFlag(f) => return format!("admin_flags.{}", f.key()),
            Self::CustomField(i) => return format!("custom_fields.{i}"),
        };
        plain.to_string()
    }
}

/// Every problem of a form, one message per field (the first found: it is the one to fix
/// first), in form order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<Field, String>);

impl FieldErrors {
    /// Notes a problem, unless the field already has one.
    pub fn add(&mut self, field: Field, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    /// The parsed value, or its default after noting the problem at `field`: parsing goes
    /// on, so one pass finds every problem.
    pub fn take<T: Default, E: Into<String>>(&mut self, field: Field, parsed: Result<T, E>) -> T {
        parsed.unwrap_or_else(|e| {
            self.add(field, e);
            T::default()
        })
    }

    /// Problems of several fields at once (a schedule's days, a window's two ends).
    pub fn extend(&mut self, errors: impl IntoIterator<Item = (Field, String)>) {
        for (field, message) in errors {
            self.add(field, message);
        }
    }

    pub fn get(&self, field: Field) -> Option<&str> {
        self.0.get(&field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.0.keys().copied()
    }

    /// `Ok(value)` when there is no problem.
    pub fn or_ok<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl std::fmt::Display for FieldErrors {
    /// `phone: …; email: …`, for logs and decoding errors.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> =
            self.0.iter().map(|(field, m)| format!("{}: {m}", field.name())).collect();
        f.write_str(&parts.join("; "))
    }
}

impl From<FieldErrors> for AppError {
    /// A validation error naming each field, so the form shows each message at its field.
    fn from(errors: FieldErrors) -> Self {
        let fields = errors
            .0
            .into_iter()
            .map(|(field, message)| FieldError { field: field.name(), message })
            .collect();
        AppError::fields(fields).unwrap_or_else(|| AppError::Validation {
            message: "The call preferences were refused.".into(),
            fields: Vec::new(),
        })
    }
}

/// A field's value, typed enough to compare and to describe. Contact details and the
/// custom fields' text are [`Value::Private`]: a description names them without copying
/// them (the audit log is read by more people than the preferences).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    SendCallsTo(SendCallsTo),
    MissedCallEmail(MissedCallEmail),
    Switch(bool),
    Bitrate(AudioBitrate),
    /// A day's ranges (none: not available).
    Hours(&'a [TimeRange]),
    /// A time of day, in minutes.
    Time(u16),
    Private(&'a str),
}

impl CallPreferences {
    /// The value of one field.
    pub fn value(&self, field: Field) -> Value<'_> {
        fn text<T>(value: &Option<T>, as_str: fn(&T) -> &str) -> Value<'_> {
            Value::Private(value.as_ref().map_or("", as_str))
        }
        match field {
            Field::SendCallsTo => Value::SendCallsTo(self.send_calls_to),
            Field::Phone => text(&self.phone, PhoneNumber::as_str),
            Field::Email => text(&self.email, Email::as_str),
            Field::MissedCallEmail => Value::MissedCallEmail(self.missed_call_email),
            Field::DialAppFirst => Value::Switch(self.dial_app_first),
            Field::CallWaiting => Value::Switch(self.call_waiting),
            Field::AudioBitrate => Value::Bitrate(self.audio_bitrate),
            Field::DirectDialNumber => text(&self.direct_dial_number, PhoneNumber::as_str),
            Field::DirectDialExtension => text(&self.direct_dial_extension, Extension::as_str),
            Field::SipAddress => text(&self.sip_address, SipAddress::as_str),
            Field::Schedule(d) => Value::Hours(self.schedule.day(d)),
            Field::TextWindowStart => Value::Time(self.text_window.start()),
            Field::TextWindowEnd => Value::Time(self.text_window.end()),
            Field::AdminFlag(f) => Value::Switch(self.admin_flags.get(f)),
            Field::CustomField(i) => Value::Private(self.custom_fields.get(i).map_or("", |s| s)),
        }
    }

    /// The fields whose values differ from `other`'s, in form order.
    pub fn changed_fields<'a>(
        &'a self,
        other: &'a CallPreferences,
    ) -> Vec<(Field, Value<'a>, Value<'a>)> {
        Field::all()
            .map(|f| (f, self.value(f), other.value(f)))
            .filter(|(_, a, b)| a != b)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_in_form_order() {
        let names: Vec<String> = Field::all().map(Field::name).collect();
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(names.len(), 10 + 7 + 2 + 4 + CUSTOM_FIELDS);
        assert_eq!(names[10], "schedule.monday");
        assert_eq!(names.last().unwrap(), "custom_fields.3");
        let all: Vec<Field> = Field::all().collect();
        assert!(all.windows(2).all(|w| w[0] < w[1]), "ordered as listed");
    }

    #[test]
    fn one_message_per_field_the_first() {
        let mut e = FieldErrors::default();
        e.add(Field::Email, "first");
        e.add(Field::Email, "second");
        e.add(Field::Phone, "phone");
        assert_eq!(e.get(Field::Email), Some("first"));
        assert_eq!(e.fields().collect::<Vec<_>>(), [Field::Phone, Field::Email], "form order");
        assert_eq!(e.to_string(), "phone: phone; email: first");
        let err = AppError::from(e);
        assert_eq!(err.field_message("email").as_deref(), Some("first"));
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn a_diff_compares_field_by_field() {
        let a = CallPreferences::defaults("ann@example.com");
        let mut b = a.clone();
        assert!(a.changed_fields(&b).is_empty());
        b.call_waiting = false;
        b.custom_fields[2] = "blue".into();
        b.admin_flags.can_view_missed_calls = true;
        let changed: Vec<Field> = a.changed_fields(&b).into_iter().map(|c| c.0).collect();
        assert_eq!(
            changed,
            [
                Field::CallWaiting,
                Field::AdminFlag(AdminFlag::ViewMissedCalls),
                Field::CustomField(2)
            ]
        );
    }
}
