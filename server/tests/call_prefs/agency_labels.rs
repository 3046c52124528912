//! The agency's labels for the four custom fields: who reads and renames them, each label
//! checked, optimistic saves, the audit log, and other agencies kept out.

use super::{audit_details, fields_named, get, node, person, rows, setup};
use crate::common::{Backend, TestApp, call, ok, refused};
use app::domain::{BuiltinRole, NodeKind};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

on_both_backends!(the_agency_renames_the_custom_fields);

async fn labels(
    app: &TestApp,
    c: &Client,
    agency: i64,
    names: [&str; 4],
    version: i64,
) -> (StatusCode, Value) {
    let (agency, version) = (agency.to_string(), version.to_string());
    let mut form = vec![("agency_id", agency.as_str()), ("version", version.as_str())];
    let keys = [
        "custom_field_labels[0]",
        "custom_field_labels[1]",
        "custom_field_labels[2]",
        "custom_field_labels[3]",
    ];
    form.extend(keys.into_iter().zip(names));
    call(app, c, "save_agency_settings", &form).await
}

async fn the_agency_renames_the_custom_fields(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let a = agency.to_string();
    let north = node(&app, Some(agency), NodeKind::Account, "North").await;
    let (cal, cal_c) = person(&app, "cal@example.com", north, BuiltinRole::CallAgent).await;
    let (_, nadia_c) = person(&app, "nadia@example.com", north, BuiltinRole::Administrator).await;

    let settings = ok(&app, &app.client, "get_agency_settings", &[("agency_id", &a)]).await;
    assert_eq!(settings["custom_field_labels"][0], "Custom field 1");
    assert_eq!(
        (settings["version"].as_i64(), settings["can_edit"].as_bool()),
        (Some(0), Some(true))
    );
    // Anyone who may view an account of the agency reads them; only the agency's settings
    // managers change them.
    let seen = ok(&app, &cal_c, "get_agency_settings", &[("agency_id", &a)]).await;
    assert_eq!(seen["can_edit"], false);
    let (status, _) = labels(&app, &cal_c, agency, ["A", "B", "C", "D"], 0).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = labels(&app, &nadia_c, agency, ["A", "B", "C", "D"], 0).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an account's administrator is not the agency's");
    // An account is not an agency.
    let n = north.to_string();
    refused(&app, &nadia_c, "get_agency_settings", &[("agency_id", &n)], StatusCode::NOT_FOUND)
        .await;

    let (status, err) =
        labels(&app, &app.client, agency, ["Region", " ", "Team", &"x".repeat(41)], 0).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields_named(&err), ["custom_field_labels[1]", "custom_field_labels[3]"], "{err}");
    assert_eq!(rows(&app, "agency_settings").await, 0, "nothing saved");
    let (status, body) =
        labels(&app, &app.client, agency, [" Region ", "Language", "Team", "Badge"], 0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["custom_field_labels"], json!(["Region", "Language", "Team", "Badge"]));
    assert_eq!(body["version"], 1);
    // A second editor still at version 0 is refused.
    let (status, err) = labels(&app, &app.client, agency, ["W", "X", "Y", "Z"], 0).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");

    // The person's preferences carry the new labels; the audit log says what was renamed.
    let prefs = get(&app, &cal_c, cal).await;
    assert_eq!(prefs["custom_labels"], json!(["Region", "Language", "Team", "Badge"]));
    let details = audit_details(&app, "custom_field_labels_renamed").await;
    assert_eq!(details.len(), 1);
    assert!(details[0].contains("Custom field 1 → Region"), "{details:?}");
    // Another agency's people see neither the labels nor the agency.
    let bravo = node(&app, None, NodeKind::Agency, "Bravo Agency").await;
    let (_, bea_c) = person(&app, "bea@example.com", bravo, BuiltinRole::AgencyAdministrator).await;
    let err =
        refused(&app, &bea_c, "get_agency_settings", &[("agency_id", &a)], StatusCode::NOT_FOUND)
            .await;
    let none = refused(
        &app,
        &bea_c,
        "get_agency_settings",
        &[("agency_id", "99999")],
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(err, none);
    let (status, _) = labels(&app, &bea_c, agency, ["A", "B", "C", "D"], 1).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        ok(&app, &bea_c, "get_agency_settings", &[("agency_id", &bravo.to_string())]).await["custom_field_labels"]
            [0],
        "Custom field 1"
    );
}
