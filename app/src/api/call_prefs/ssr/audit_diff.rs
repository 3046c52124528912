//! What a save of call preferences changed, in the audit log's words. Derived from the
//! fields: every field whose value differs ([`CallPreferences::changed_fields`]), in form
//! order, described by the kind of its value, so a new field needs only its name here.
//! Contact details and custom field text are named, never copied: the log is read by
//! more people than the preferences.

use crate::domain::call_prefs::{
    AdminFlag, CallPreferences, Field, MissedCallEmail, SendCallsTo, Value, Weekday, hhmm,
};

/// One line per changed field.
pub fn changes(
    before: &CallPreferences,
    after: &CallPreferences,
    labels: &[String; 4],
) -> Vec<String> {
    before
        .changed_fields(after)
        .into_iter()
        .map(|(field, was, now)| describe(field, &was, &now, labels))
        .collect()
}

fn describe(field: Field, was: &Value, now: &Value, labels: &[String; 4]) -> String {
    let name = name(field, labels);
    match now {
        Value::Private(_) => name,
        // The new state says it all.
        Value::Switch(on) => format!("{name}: {}", on_off(*on)),
        _ => format!("{name}: {} → {}{}", shown(was), shown(now), unit(now)),
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// The field as the log calls it; a custom field by the agency's label.
fn name(field: Field, labels: &[String; 4]) -> String {
    let name = match field {
        Field::SendCallsTo => "send calls to",
        Field::Phone => "mobile number",
        Field::Email => "e-mail address",
        Field::MissedCallEmail => "missed-call e-mails",
        Field::DialAppFirst => "dial the app first",
        Field::CallWaiting => "call waiting",
        Field::AudioBitrate => "audio bitrate",
        Field::DirectDialNumber => "direct dial number",
        Field::DirectDialExtension => "extension",
        Field::SipAddress => "SIP address",
        Field::Schedule(day) => return format!("hours on {}", day_name(day)),
        Field::TextWindowStart => "texting from",
        Field::TextWindowEnd => "texting until",
        Field::AdminFlag(AdminFlag::ViewMessagesTab) => "can view the messages tab",
        Field::AdminFlag(AdminFlag::ViewAllSms) => "can view all sms",
        Field::AdminFlag(AdminFlag::ViewMissedCalls) => "can view missed calls",
        Field::AdminFlag(AdminFlag::ViewUnassignedRecordings) => "can view unassigned recordings",
        Field::CustomField(i) => return labels.get(i).cloned().unwrap_or_default(),
    };
    name.to_string()
}

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::SendCallsTo(SendCallsTo::Text) => "Text message (SMS)".into(),
        Value::SendCallsTo(SendCallsTo::Email) => "E-mail".into(),
        Value::MissedCallEmail(MissedCallEmail::Team) => "Follow the team setting".into(),
        Value::MissedCallEmail(MissedCallEmail::Always) => "Always".into(),
        Value::MissedCallEmail(MissedCallEmail::Never) => "Never".into(),
        Value::Bitrate(b) => b.kbps().to_string(),
        Value::Hours([]) => "not available".into(),
        Value::Hours(ranges) => {
            ranges.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        }
        Value::Time(minutes) => hhmm(*minutes),
        Value::Switch(on) => on_off(*on).into(),
        Value::Private(_) => "(not shown)".into(),
    }
}

/// Said once, after both values ("32 → 64 kbps").
fn unit(value: &Value) -> &'static str {
    match value {
        Value::Bitrate(_) => " kbps",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::call_prefs::{CallPreferencesForm, TimeRange, TimeWindow, default_labels};

    #[test]
    fn each_changed_field_is_described_and_contacts_are_not_copied() {
        let before = CallPreferences::defaults("ann@example.com");
        let mut form = CallPreferencesForm::from(&before);
        form.send_calls_to = SendCallsTo::Text;
        form.phone = "+1 202 555 0123".into();
        form.audio_bitrate = 64;
        form.call_waiting = false;
        form.schedule[Weekday::Saturday.index()] =
            vec![TimeRange::new(540, 720), TimeRange::new(780, 840)];
        form.schedule[Weekday::Monday.index()].clear();
        form.text_window = TimeWindow { start: 0, end: 1440 };
        form.admin_flags.can_view_all_sms = true;
        form.custom_fields[0] = "Spanish".into();
        let after = form.parse().unwrap();
        let mut labels = default_labels();
        labels[0] = "Language".into();
        assert_eq!(
            changes(&before, &after, &labels),
            [
                "send calls to: E-mail → Text message (SMS)",
                "mobile number",
                "call waiting: off",
                "audio bitrate: 32 → 64 kbps",
                "hours on Monday: 09:00–17:00 → not available",
                "hours on Saturday: not available → 09:00–12:00, 13:00–14:00",
                "texting from: 08:00 → 00:00",
                "texting until: 19:00 → 24:00",
                "can view all sms: on",
                "Language",
            ]
        );
        assert!(changes(&after, &after, &labels).is_empty());
    }

    #[test]
    fn every_field_has_a_name() {
        let labels = default_labels();
        for field in Field::all() {
            assert!(!name(field, &labels).is_empty(), "{field:?}");
        }
    }
}
