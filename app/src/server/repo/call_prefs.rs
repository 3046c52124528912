//! `call_preferences` (one row per person, none until the first save) and `agency_settings`
//! (one row per agency, none until the first save). Both saves are optimistic: a write made
//! against a version that is no longer current changes nothing and answers `false`.

use crate::domain::{
    NodeId, Permission, UserId,
    call_prefs::{
        AdminFlags, CallPreferences, CallPreferencesForm, Days, MissedCallEmail, SendCallsTo,
        TimeWindow, WeeklySchedule,
    },
    permission::PermissionSet,
};
use sqlx::AnyConnection;

/// The columns, as stored: the preferences' form, one column per field (the schedule as
/// its JSON), so what was saved reads back through the same parser.
#[derive(sqlx::FromRow)]
struct Row {
    send_calls_to: String,
    phone: Option<String>,
    email: Option<String>,
    missed_call_email: String,
    dial_app_first: i64,
    call_waiting: i64,
    audio_bitrate: i64,
    direct_dial_number: Option<String>,
    direct_dial_extension: Option<String>,
    sip_address: Option<String>,
    text_window_start: i64,
    text_window_end: i64,
    schedule: String,
    can_view_messages_tab: i64,
    can_view_all_sms: i64,
    can_view_missed_calls: i64,
    can_view_unassigned_recordings: i64,
    custom_1: String,
    custom_2: String,
    custom_3: String,
    custom_4: String,
    version: i64,
}

/// A stored number as the form's `u16`; out of range reads as a value the parser refuses.
fn small(v: i64) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

impl Row {
    /// The stored values as a form (NULL is blank). A column no type admits (the CHECK
    /// constraints make that unlikely) becomes the form's default, with a warning.
    fn into_form(self) -> CallPreferencesForm {
        let stale = |column: &str, value: &str| {
            tracing::warn!(column, value, "unreadable stored call preference; default used");
        };
        let send_calls_to = SendCallsTo::from_key(&self.send_calls_to).unwrap_or_else(|| {
            stale("send_calls_to", &self.send_calls_to);
            SendCallsTo::default()
        });
        let missed_call_email =
            MissedCallEmail::from_key(&self.missed_call_email).unwrap_or_else(|| {
                stale("missed_call_email", &self.missed_call_email);
                MissedCallEmail::default()
            });
        let schedule = serde_json::from_str::<Days>(&self.schedule).unwrap_or_else(|_| {
            stale("schedule", &self.schedule);
            WeeklySchedule::default().days().clone()
        });
        CallPreferencesForm {
            send_calls_to,
            phone: self.phone.unwrap_or_default(),
            email: self.email.unwrap_or_default(),
            missed_call_email,
            dial_app_first: self.dial_app_first != 0,
            call_waiting: self.call_waiting != 0,
            audio_bitrate: small(self.audio_bitrate),
            direct_dial_number: self.direct_dial_number.unwrap_or_default(),
            direct_dial_extension: self.direct_dial_extension.unwrap_or_default(),
            sip_address: self.sip_address.unwrap_or_default(),
            schedule,
            text_window: TimeWindow {
                start: small(self.text_window_start),
                end: small(self.text_window_end),
            },
            admin_flags: AdminFlags {
                can_view_messages_tab: self.can_view_messages_tab != 0,
                can_view_all_sms: self.can_view_all_sms != 0,
                can_view_missed_calls: self.can_view_missed_calls != 0,
                can_view_unassigned_recordings: self.can_view_unassigned_recordings != 0,
            },
            custom_fields: [self.custom_1, self.custom_2, self.custom_3, self.custom_4],
        }
    }
}

/// Stored preferences, each field in its type. Every save was parsed, so they normally all
/// parse again; a field that no longer does (checked under older rules or phone-number
/// metadata) reads as its default, with a warning, rather than failing the page or losing
/// the other fields. The person then sees the default there and saves what they want.
fn read(row: Row) -> CallPreferences {
    let (prefs, stale) = row.into_form().each_field();
    if !stale.is_empty() {
        tracing::warn!(problems = %stale, "stored call preferences no longer parse; defaults used");
    }
    prefs
}

const COLUMNS: &str = "send_calls_to, phone, email, missed_call_email, dial_app_first, \
    call_waiting, audio_bitrate, direct_dial_number, direct_dial_extension, sip_address, \
    text_window_start, text_window_end, schedule, can_view_messages_tab, can_view_all_sms, \
    can_view_missed_calls, can_view_unassigned_recordings, custom_1, custom_2, custom_3, \
    custom_4";

/// The stored preferences of `user` and their version; `None` before the first save.
pub async fn get(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Option<(CallPreferences, i64)>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, version FROM call_preferences WHERE user_id = $1"
    ))
    .bind(user.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let version = r.version;
        (read(r), version)
    }))
}

/// `""` is stored as NULL.
fn nullable(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Binds the 21 columns of [`COLUMNS`], in order, from the preferences' form (the stored
/// text is the form's: E.164 numbers, the lower-cased address, the schedule's JSON).
fn bind_all<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    p: &CallPreferences,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let f = CallPreferencesForm::from(p);
    let flags = f.admin_flags;
    let schedule = serde_json::to_string(&f.schedule).expect("a schedule always serialises");
    let [c1, c2, c3, c4] = f.custom_fields;
    q.bind(f.send_calls_to.key())
        .bind(nullable(f.phone))
        .bind(nullable(f.email))
        .bind(f.missed_call_email.key())
        .bind(i64::from(f.dial_app_first))
        .bind(i64::from(f.call_waiting))
        .bind(i64::from(f.audio_bitrate))
        .bind(nullable(f.direct_dial_number))
        .bind(nullable(f.direct_dial_extension))
        .bind(nullable(f.sip_address))
        .bind(i64::from(f.text_window.start))
        .bind(i64::from(f.text_window.end))
        .bind(schedule)
        .bind(i64::from(flags.can_view_messages_tab))
        .bind(i64::from(flags.can_view_all_sms))
        .bind(i64::from(flags.can_view_missed_calls))
        .bind(i64::from(flags.can_view_unassigned_recordings))
        .bind(c1)
        .bind(c2)
        .bind(c3)
        .bind(c4)
}

/// Saves `p` for `user` if the stored version is still `version` (0: nothing stored yet).
/// False when someone saved in between.
pub async fn save(
    conn: &mut AnyConnection,
    user: UserId,
    p: &CallPreferences,
    version: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = if version == 0 {
        // A concurrent first save inserts first: this one then inserts nothing.
        let values = super::placeholders(1, 21);
        let sql = format!(
            "INSERT INTO call_preferences ({COLUMNS}, user_id, updated_at, version) \
             VALUES ({values}, $22, $23, 1) ON CONFLICT (user_id) DO NOTHING"
        );
        bind_all(sqlx::query(&sql), p).bind(user.0).bind(now).execute(conn).await?
    } else {
        let set: Vec<String> =
            COLUMNS.split(", ").enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
        let sql = format!(
            "UPDATE call_preferences SET {}, updated_at = $22, version = version + 1 \
             WHERE user_id = $23 AND version = $24",
            set.join(", ")
        );
        bind_all(sqlx::query(&sql), p).bind(now).bind(user.0).bind(version).execute(conn).await?
    };
    Ok(done.rows_affected() == 1)
}

/// The agency's custom field labels and their version; `None` before the first save (or
/// when the stored value cannot be read: the defaults apply).
pub async fn labels(
    conn: &mut AnyConnection,
    agency: NodeId,
) -> Result<Option<([String; 4], i64)>, sqlx::Error> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT custom_field_labels, version FROM agency_settings WHERE agency_id = $1",
    )
    .bind(agency.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(json, version)| {
        let labels = serde_json::from_str::<[String; 4]>(&json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable stored custom field labels");
            crate::domain::call_prefs::default_labels()
        });
        (labels, version)
    }))
}

/// Saves the labels if the stored version is still `version` (0: nothing stored yet).
pub async fn save_labels(
    conn: &mut AnyConnection,
    agency: NodeId,
    labels: &[String; 4],
    version: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let json = serde_json::to_string(labels).expect("strings serialise");
    let done = if version == 0 {
        sqlx::query(
            "INSERT INTO agency_settings (agency_id, custom_field_labels, updated_at, version) \
             VALUES ($1, $2, $3, 1) ON CONFLICT (agency_id) DO NOTHING",
        )
        .bind(agency.0)
        .bind(json)
        .bind(now)
        .execute(conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE agency_settings SET custom_field_labels = $1, updated_at = $2, \
             version = version + 1 WHERE agency_id = $3 AND version = $4",
        )
        .bind(json)
        .bind(now)
        .bind(agency.0)
        .bind(version)
        .execute(conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

/// Whether `user` holds `permission` at some node of the agency (at it, or below it).
pub async fn holds_within(
    conn: &mut AnyConnection,
    user: UserId,
    agency: NodeId,
    permission: Permission,
) -> Result<bool, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT r.permissions FROM memberships m \
         JOIN node_closure c ON c.descendant_id = m.node_id \
         JOIN roles r ON r.id = m.role_id \
         WHERE m.user_id = $1 AND c.ancestor_id = $2",
    )
    .bind(user.0)
    .bind(agency.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().any(|(keys,)| PermissionSet::from_keys(keys).contains(permission)))
}
