//! The form: call preferences as typed, what the page edits and the save sends, parsed
//! once into [`CallPreferences`] with every problem named at its field.

use super::{
    AdminFlags, AudioBitrate, CUSTOM_FIELD_MAX_CHARS, CallPreferences, Days, Email, Extension,
    Field, FieldErrors, MissedCallEmail, PhoneNumber, SendCallsTo, SipAddress, TextWindow,
    TimeWindow, WeeklySchedule, optional, text_of,
};
use serde::{Deserialize, Serialize};

/// Call preferences as typed: text as it is in the inputs, numbers as chosen. Its JSON is
/// the wire form of the preferences both ways (a [`CallPreferences`] serialises as its
/// form), and its fields are the database's columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPreferencesForm {
    pub send_calls_to: SendCallsTo,
    pub phone: String,
    pub email: String,
    pub missed_call_email: MissedCallEmail,
    pub dial_app_first: bool,
    pub call_waiting: bool,
    /// In kbps.
    pub audio_bitrate: u16,
    pub direct_dial_number: String,
    pub direct_dial_extension: String,
    pub sip_address: String,
    pub schedule: Days,
    pub text_window: TimeWindow,
    pub admin_flags: AdminFlags,
    pub custom_fields: [String; 4],
}

impl CallPreferencesForm {
    /// The preferences, or every problem at once: each field's own (its format), then the
    /// rules between fields, each said at the field to fill in.
    pub fn parse(&self) -> Result<CallPreferences, FieldErrors> {
        let (p, mut errors) = self.each_field();
        // `add` keeps a field's first problem: a number that is malformed is not also
        // reported as missing.
        if p.send_calls_to == SendCallsTo::Text && p.phone.is_none() {
            errors.add(
                Field::Phone,
                "Enter the mobile number to text calls to, like +1 202 555 0123.",
            );
        }
        if p.send_calls_to == SendCallsTo::Email && p.email.is_none() {
            errors.add(Field::Email, "Enter the e-mail address to send calls to.");
        }
        if p.direct_dial_extension.is_some() && p.direct_dial_number.is_none() {
            errors.add(
                Field::DirectDialNumber,
                "Enter the receiving number this extension belongs to.",
            );
        }
        errors.or_ok(p)
    }

    /// Each field in its type, without the rules between fields: a field with a problem
    /// holds its default. For reading back what was stored (and checked) under earlier
    /// rules, where one field gone stale must not lose the others; input goes through
    /// [`CallPreferencesForm::parse`].
    pub fn each_field(&self) -> (CallPreferences, FieldErrors) {
        let mut e = FieldErrors::default();
        let phone = e.take(Field::Phone, optional(&self.phone, PhoneNumber::parse));
        let email = e.take(Field::Email, optional(&self.email, Email::parse));
        let audio_bitrate = e.take(Field::AudioBitrate, AudioBitrate::parse(self.audio_bitrate));
        let direct_dial_number =
            e.take(Field::DirectDialNumber, optional(&self.direct_dial_number, PhoneNumber::parse));
        let direct_dial_extension = e.take(
            Field::DirectDialExtension,
            optional(&self.direct_dial_extension, Extension::parse),
        );
        let sip_address = e.take(Field::SipAddress, optional(&self.sip_address, SipAddress::parse));
        let schedule = WeeklySchedule::parse(&self.schedule).unwrap_or_else(|days| {
            e.extend(days);
            WeeklySchedule::default()
        });
        let text_window = TextWindow::parse(self.text_window).unwrap_or_else(|ends| {
            e.extend(ends);
            TextWindow::default()
        });
        let custom_fields = std::array::from_fn(|i| {
            let value = self.custom_fields[i].trim();
            if value.chars().count() > CUSTOM_FIELD_MAX_CHARS {
                e.add(
                    Field::CustomField(i),
                    format!("At most {CUSTOM_FIELD_MAX_CHARS} characters."),
                );
            }
            value.to_string()
        });
        let prefs = CallPreferences {
            send_calls_to: self.send_calls_to,
            phone,
            email,
            missed_call_email: self.missed_call_email,
            dial_app_first: self.dial_app_first,
            call_waiting: self.call_waiting,
            audio_bitrate,
            direct_dial_number,
            direct_dial_extension,
            sip_address,
            schedule,
            text_window,
            admin_flags: self.admin_flags,
            custom_fields,
        };
        (prefs, e)
    }
}

impl From<&CallPreferences> for CallPreferencesForm {
    /// The form filled in with `p`: what the page starts from, and the wire form.
    fn from(p: &CallPreferences) -> Self {
        Self {
            send_calls_to: p.send_calls_to,
            phone: text_of(&p.phone, PhoneNumber::as_str),
            email: text_of(&p.email, Email::as_str),
            missed_call_email: p.missed_call_email,
            dial_app_first: p.dial_app_first,
            call_waiting: p.call_waiting,
            audio_bitrate: p.audio_bitrate.kbps(),
            direct_dial_number: text_of(&p.direct_dial_number, PhoneNumber::as_str),
            direct_dial_extension: text_of(&p.direct_dial_extension, Extension::as_str),
            sip_address: text_of(&p.sip_address, SipAddress::as_str),
            schedule: p.schedule.days().clone(),
            text_window: p.text_window.into(),
            admin_flags: p.admin_flags,
            custom_fields: p.custom_fields.clone(),
        }
    }
}

impl From<CallPreferences> for CallPreferencesForm {
    fn from(p: CallPreferences) -> Self {
        Self::from(&p)
    }
}

impl TryFrom<CallPreferencesForm> for CallPreferences {
    type Error = FieldErrors;

    /// Decoding the server's answer (in the browser): field by field. The rules between
    /// fields are the parser's, applied to everything saved; a server function therefore
    /// takes a [`CallPreferencesForm`] and parses it, never a decoded `CallPreferences`.
    fn try_from(form: CallPreferencesForm) -> Result<Self, FieldErrors> {
        let (prefs, errors) = form.each_field();
        errors.or_ok(prefs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::call_prefs::{AdminFlag, TimeRange, Weekday};

    fn form(own_email: &str) -> CallPreferencesForm {
        (&CallPreferences::defaults(own_email)).into()
    }

    fn fields(errors: &FieldErrors) -> Vec<String> {
        errors.fields().map(Field::name).collect()
    }

    #[test]
    fn the_defaults_parse_back_to_themselves() {
        let defaults = CallPreferences::defaults("ann@example.com");
        assert_eq!(form("ann@example.com").parse(), Ok(defaults));
    }

    #[test]
    fn input_is_tidied_into_its_types() {
        let mut f = form("Ann@Example.com ");
        f.email = " Ann@Example.COM ".into();
        f.sip_address = " SIP:ann@pbx.example.com ".into();
        f.direct_dial_extension = " 42 ".into();
        f.direct_dial_number = "+1 (202) 555-0123".into();
        f.custom_fields[0] = "  blue  ".into();
        f.schedule[Weekday::Saturday.index()] =
            vec![TimeRange::new(780, 840), TimeRange::new(540, 720)];
        let p = f.parse().expect("valid");
        assert_eq!(p.email.as_ref().map(Email::as_str), Some("ann@example.com"));
        assert_eq!(p.sip_address.as_ref().map(SipAddress::as_str), Some("sip:ann@pbx.example.com"));
        assert_eq!(p.direct_dial_extension.as_ref().map(Extension::as_str), Some("42"));
        assert_eq!(p.direct_dial_number.as_ref().map(PhoneNumber::as_str), Some("+12025550123"));
        assert_eq!(p.custom_fields[0], "blue");
        assert_eq!(
            p.schedule.day(Weekday::Saturday),
            [TimeRange::new(540, 720), TimeRange::new(780, 840)]
        );
    }

    #[test]
    fn every_problem_is_named_at_once_at_its_field() {
        let mut f = form("");
        f.send_calls_to = SendCallsTo::Text;
        f.direct_dial_extension = "12a".into();
        f.sip_address = "http://x".into();
        f.audio_bitrate = 33;
        f.schedule[Weekday::Sunday.index()] = vec![TimeRange::new(0, 1500)];
        f.schedule[Weekday::Monday.index()].push(TimeRange::new(600, 660));
        f.text_window = TimeWindow { start: 1140, end: 480 };
        f.custom_fields[3] = "x".repeat(201);
        let errors = f.parse().unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "phone",
                "audio_bitrate",
                "direct_dial_extension",
                "sip_address",
                "schedule.monday",
                "schedule.sunday",
                "text_window.end",
                "custom_fields.3"
            ],
            "{errors}"
        );
        assert!(errors.get(Field::Phone).unwrap().contains("mobile number"));
        assert!(errors.get(Field::SipAddress).unwrap().contains("sip:"));
        // Calls go by text: no e-mail address needed, and none given.
        assert_eq!(errors.get(Field::Email), None);
    }

    #[test]
    fn a_malformed_value_is_not_also_reported_missing() {
        let mut f = form("ann@example.com");
        f.send_calls_to = SendCallsTo::Text;
        f.phone = "555-1234".into();
        let errors = f.parse().unwrap_err();
        assert!(errors.get(Field::Phone).unwrap().contains("international format"), "{errors}");
        // An extension that is itself wrong asks for nothing else.
        let mut f = form("ann@example.com");
        f.direct_dial_extension = "12a".into();
        assert_eq!(fields(&f.parse().unwrap_err()), ["direct_dial_extension"]);
        f.direct_dial_extension = "7".into();
        assert_eq!(fields(&f.parse().unwrap_err()), ["direct_dial_number"]);
    }

    #[test]
    fn the_chosen_destination_is_required() {
        let mut f = form("");
        assert_eq!(fields(&f.parse().unwrap_err()), ["email"]);
        f.send_calls_to = SendCallsTo::Text;
        assert_eq!(fields(&f.parse().unwrap_err()), ["phone"]);
        f.phone = "+44 20 7946 0958".into();
        let p = f.parse().expect("no e-mail needed when calls go to text");
        assert_eq!(p.phone.as_ref().map(PhoneNumber::as_str), Some("+442079460958"));
    }

    #[test]
    fn parsed_preferences_round_trip_through_the_form_and_json() {
        let mut f = form("cal@example.com");
        f.send_calls_to = SendCallsTo::Text;
        f.phone = " +1 202 555 0123 ".into();
        f.sip_address = "SIPS:cal@pbx.example.com;transport=tls".into();
        f.direct_dial_number = "+33 6 12 34 56 78".into();
        f.direct_dial_extension = "204".into();
        f.text_window = TimeWindow { start: 0, end: 1440 };
        f.audio_bitrate = 8;
        f.admin_flags.set(AdminFlag::ViewAllSms, true);
        f.custom_fields = ["a".into(), String::new(), " c ".into(), "d".repeat(200)];
        let p = f.parse().expect("valid");
        // Parsing what was parsed changes nothing.
        let again = CallPreferencesForm::from(&p);
        assert_eq!(again.parse().as_ref(), Ok(&p));
        // The JSON of the typed preferences is their form's, and decodes back to them.
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json, serde_json::to_value(&again).unwrap());
        assert_eq!(json["phone"], "+12025550123");
        assert_eq!(json["text_window"], serde_json::json!({ "start": 0, "end": 1440 }));
        assert_eq!(serde_json::from_value::<CallPreferences>(json).unwrap(), p);
    }

    #[test]
    fn decoding_refuses_a_malformed_field() {
        let mut json = serde_json::to_value(CallPreferences::defaults("a@example.com")).unwrap();
        json["audio_bitrate"] = 33.into();
        let err = serde_json::from_value::<CallPreferences>(json).unwrap_err();
        assert!(err.to_string().contains("audio_bitrate"), "{err}");
    }

    #[test]
    fn one_stale_stored_field_keeps_the_others() {
        let mut f = form("cal@example.com");
        f.sip_address = "not sip".into();
        f.custom_fields[1] = "kept".into();
        let (p, errors) = f.each_field();
        assert_eq!(fields(&errors), ["sip_address"]);
        assert_eq!((p.sip_address, p.custom_fields[1].as_str()), (None, "kept"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Mostly ranges that fit the day, some that do not.
        fn ranges() -> impl Strategy<Value = Vec<TimeRange>> {
            let range = prop_oneof![
                12 => (0u16..1380, 1u16..60).prop_map(|(s, n)| TimeRange::new(s, s + n)),
                1 => (0u16..1500, 0u16..1500).prop_map(TimeRange::from),
            ];
            proptest::collection::vec(range, 0..2)
        }

        /// Valid numbers, in the ways people type them, and anything.
        fn number() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => prop::sample::select(vec![" +1 (202) 555-0123", "+442079460958", "+33 6 12 34 56 78"])
                    .prop_map(String::from),
                1 => "[+]?[0-9 ()-]{0,16}",
            ]
        }

        prop_compose! {
            fn any_form()(
                text in any::<bool>(),
                phone in number(),
                email in prop_oneof![4 => Just(" Ann@Example.com".to_string()), 1 => "[a-zA-Z.@ ]{0,14}"],
                audio_bitrate in prop_oneof![4 => prop::sample::select(vec![8u16, 16, 24, 32, 64]), 1 => 0u16..70],
                number in number(),
                extension in prop_oneof![4 => "[0-9]{0,4}", 1 => "[0-9a ]{0,12}"],
                sip in prop::sample::select(vec!["", "sip:a@b.example", "SIPS:x@[::1]:5061", "http://x", "sip:@h"]),
                days in proptest::array::uniform7(ranges()),
                (start, end) in prop_oneof![
                    4 => (0u16..1380, 1u16..60).prop_map(|(s, n)| (s, s + n)),
                    1 => (0u16..1500, 0u16..1500),
                ],
                custom in prop_oneof![4 => "[ a-z]{0,20}", 1 => "[ a-z]{190,210}"],
            ) -> CallPreferencesForm {
                let mut f = form("own@example.com");
                f.send_calls_to = if text { SendCallsTo::Text } else { SendCallsTo::Email };
                f.phone = phone;
                f.email = email;
                f.audio_bitrate = audio_bitrate;
                f.direct_dial_number = number;
                f.direct_dial_extension = extension;
                f.sip_address = sip.into();
                f.schedule = days;
                f.text_window = TimeWindow { start, end };
                f.custom_fields[2] = custom;
                f
            }
        }

        thread_local!(static PARSED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });

        proptest! {
            /// Whatever is typed: either preferences that parse again to themselves (and
            /// travel as JSON unchanged), or a message for each field at fault, every one
            /// a field the form has.
            #[test]
            fn parsing_is_total_and_normalises_once(f in any_form()) {
                let parsed = f.parse();
                PARSED.with(|n| n.set(n.get() + usize::from(parsed.is_ok())));
                match parsed {
                    Ok(p) => {
                        let again = CallPreferencesForm::from(&p);
                        prop_assert_eq!(again.parse(), Ok(p.clone()));
                        let json = serde_json::to_string(&p).unwrap();
                        prop_assert_eq!(serde_json::from_str::<CallPreferences>(&json).unwrap(), p);
                    }
                    Err(errors) => {
                        prop_assert!(!errors.is_empty());
                        let known: Vec<Field> = Field::all().collect();
                        for field in errors.fields() {
                            prop_assert!(known.contains(&field), "{:?}", field);
                            prop_assert!(!errors.get(field).unwrap().is_empty());
                        }
                        // Each field's own problems are all among the parser's.
                        let (_, own) = f.each_field();
                        for field in own.fields() {
                            prop_assert_eq!(own.get(field), errors.get(field));
                        }
                    }
                }
            }
        }

        /// The property above is worth something only if valid forms come up too.
        #[test]
        fn the_generator_makes_valid_forms_too() {
            parsing_is_total_and_normalises_once();
            assert!(PARSED.with(|n| n.get()) >= 5, "{} valid forms", PARSED.with(|n| n.get()));
        }
    }
}
