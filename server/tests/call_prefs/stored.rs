//! Rows as the table holds them, written straight to the database (as earlier versions
//! of the server wrote them) read back as they were; a field stored under rules that no
//! longer hold reads as its default, without losing the others.

use super::{get, person, saved, setup};
use crate::common::{Backend, TestApp};
use app::domain::BuiltinRole;
use serde_json::json;

on_both_backends!(stored_rows_read_back_and_a_stale_field_reads_as_its_default);

/// A row as the table holds it (migration 0007's columns), written straight to the
/// database: the server must read what earlier versions stored.
async fn store_row(app: &TestApp, user: i64, sip: &str, bitrate: i64) {
    sqlx::query(
        "INSERT INTO call_preferences (user_id, send_calls_to, phone, email, missed_call_email, \
         dial_app_first, call_waiting, audio_bitrate, direct_dial_number, direct_dial_extension, \
         sip_address, text_window_start, text_window_end, schedule, can_view_messages_tab, \
         can_view_all_sms, can_view_missed_calls, can_view_unassigned_recordings, custom_1, \
         custom_2, custom_3, custom_4, updated_at, version) VALUES ($1, 'text', '+12025550123', \
         NULL, 'never', 1, 0, $2, '+442079460958', '204', $3, 420, 1440, \
         '[[[540,720],[780,1020]],[],[],[],[],[],[[0,1440]]]', 0, 1, 0, 0, 'Spanish', '', '', \
         'Night shift', 0, 3)",
    )
    .bind(user)
    .bind(bitrate)
    .bind(sip)
    .execute(&app.server.state.db.pool)
    .await
    .unwrap();
}

async fn stored_rows_read_back_and_a_stale_field_reads_as_its_default(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let (cal, c) = person(&app, "cal@example.com", agency, BuiltinRole::CallAgent).await;
    store_row(&app, cal, "sip:cal@pbx.example.com", 16).await;
    let seen = get(&app, &c, cal).await;
    assert_eq!(seen["version"], 3);
    assert_eq!(
        seen["prefs"],
        json!({
            "send_calls_to": "text",
            "phone": "+12025550123",
            "email": "",
            "missed_call_email": "never",
            "dial_app_first": true,
            "call_waiting": false,
            "audio_bitrate": 16,
            "direct_dial_number": "+442079460958",
            "direct_dial_extension": "204",
            "sip_address": "sip:cal@pbx.example.com",
            "schedule": [[[540, 720], [780, 1020]], [], [], [], [], [], [[0, 1440]]],
            "text_window": { "start": 420, "end": 1440 },
            "admin_flags": {
                "can_view_messages_tab": false,
                "can_view_all_sms": true,
                "can_view_missed_calls": false,
                "can_view_unassigned_recordings": false
            },
            "custom_fields": ["Spanish", "", "", "Night shift"]
        })
    );
    // Saved back unchanged: nothing written, and the row is as it was.
    assert_eq!(saved(&app, &c, cal, &seen["prefs"], 3).await["version"], 3);

    // Fields stored under rules that no longer hold (a bitrate off today's list, a SIP
    // address today's parser refuses) read as their defaults; every other field is kept
    // and the page still opens.
    let bob = app.add_user("bob@example.com", "Bob", agency).await;
    store_row(&app, bob, "sip:no host", 33).await;
    let stale = get(&app, &app.client, bob).await;
    assert_eq!(stale["prefs"]["audio_bitrate"], 32, "the default");
    assert_eq!(stale["prefs"]["sip_address"], "");
    assert_eq!(stale["prefs"]["phone"], "+12025550123", "kept");
    assert_eq!(stale["prefs"]["custom_fields"][3], "Night shift", "kept");
    // Saving what was shown changes nothing, so writes nothing; the next real change
    // writes the whole row, defaults included.
    assert_eq!(saved(&app, &app.client, bob, &stale["prefs"], 3).await["version"], 3);
    let mut change = stale["prefs"].clone();
    change["call_waiting"] = true.into();
    assert_eq!(saved(&app, &app.client, bob, &change, 3).await["version"], 4);
    let (bitrate, sip): (i64, Option<String>) = sqlx::query_as(
        "SELECT audio_bitrate, sip_address FROM call_preferences WHERE user_id = $1",
    )
    .bind(bob)
    .fetch_one(&app.server.state.db.pool)
    .await
    .unwrap();
    assert_eq!((bitrate, sip), (32, None));
}
