//! Profiles over HTTP on SQLite and PostgreSQL: people change their own; someone else's
//! profile, picture, call preferences and status are changed only by whoever manages users
//! at every place the person has, with every permission of the roles they hold there
//! (others see them read-only); every field is checked; a save against an older version is
//! refused; pictures are limited in pixels and the caller is checked before the upload.

use crate::common::{self, Backend, TestApp, call, ok, refused};
use image::{ImageFormat, RgbImage};
use reqwest::{Client, StatusCode, multipart};
use serde_json::Value;
use std::io::Cursor;

on_both_backends!(
    people_edit_their_own_profile_and_every_field_is_checked,
    only_those_who_manage_every_place_of_a_person_edit_their_profile,
    no_one_edits_someone_with_more_power_here_or_elsewhere,
    a_picture_of_too_many_pixels_is_refused_from_its_header,
    an_upload_the_caller_may_not_make_is_refused_before_its_body_is_read,
    a_save_against_an_older_version_is_refused_and_loses_nothing,
    pictures_are_checked_by_content_stored_as_squares_and_changed_only_by_editors,
);

async fn setup(app: &TestApp) -> i64 {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    entry[0]["node"]["id"].as_i64().unwrap()
}

async fn create(app: &TestApp, parent: i64, name: &str) -> i64 {
    let (parent, name) = (parent.to_string(), name.to_string());
    let node =
        ok(app, &app.client, "create_node", &[("parent_id", &parent), ("name", &name)]).await;
    node["id"].as_i64().unwrap()
}

async fn grant(app: &TestApp, node: i64, user: i64, role_name: &str, agency: i64) {
    let roles =
        ok(app, &app.client, "list_roles", &[("agency_node_id", &agency.to_string())]).await;
    let role = roles.as_array().unwrap().iter().find(|r| r["name"] == role_name).unwrap()["id"]
        .as_i64()
        .unwrap();
    let form = [
        ("node_id", node.to_string()),
        ("user_id", user.to_string()),
        ("role_id", role.to_string()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok(app, &app.client, "grant_role", &form).await;
}

async fn profile(app: &TestApp, c: &Client, user: i64) -> Value {
    ok(app, c, "get_profile", &[("user_id", &user.to_string())]).await
}

async fn save(
    app: &TestApp,
    c: &Client,
    user: i64,
    fields: [(&str, &str); 4],
    version: i64,
) -> (StatusCode, Value) {
    let (user, version) = (user.to_string(), version.to_string());
    let mut form = vec![("user_id", user.as_str()), ("version", version.as_str())];
    form.extend(fields);
    call(app, c, "update_profile", &form).await
}

fn fields<'a>(
    first: &'a str,
    last: &'a str,
    username: &'a str,
    tz: &'a str,
) -> [(&'a str, &'a str); 4] {
    [("first_name", first), ("last_name", last), ("username", username), ("time_zone", tz)]
}

async fn people_edit_their_own_profile_and_every_field_is_checked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let bob = app.add_user("bob@example.com", "Bob", agency).await;
    let c = app.client_for("bob@example.com").await;
    let before = profile(&app, &c, bob).await;
    assert_eq!(before["time_zone"], "America/New_York", "the default time zone");
    assert_eq!(before["username"], "bob");
    assert!(before["read_only_because"].is_null());
    let v = before["version"].as_i64().unwrap();

    let (status, err) = save(&app, &c, bob, fields(" ", "Tester", "b", "Mars/Olympus"), v).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut named: Vec<&str> =
        err["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    named.sort();
    assert_eq!(named, ["first_name", "time_zone", "username"], "{err}");
    assert_eq!(profile(&app, &c, bob).await, before, "nothing saved");

    // Taken username (Ada's), at the field.
    let (status, err) =
        save(&app, &c, bob, fields("Bob", "Tester", "ADA", "Europe/Paris"), v).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["fields"][0]["field"], "username", "{err}");

    let after = ok(
        &app,
        &c,
        "update_profile",
        &[
            ("user_id", &bob.to_string()),
            ("version", &v.to_string()),
            ("first_name", "Robert"),
            ("last_name", "Tester"),
            ("username", " Rob.T "),
            ("time_zone", "Europe/Paris"),
        ],
    )
    .await;
    assert_eq!(after["first_name"], "Robert");
    assert_eq!(after["username"], "rob.t");
    assert_eq!(after["time_zone"], "Europe/Paris");
    assert!(after["version"].as_i64().unwrap() > v);
    let (details,): (String,) = sqlx::query_as(
        "SELECT details FROM audit_log WHERE action = 'profile_updated' AND target_user_id = $1",
    )
    .bind(bob)
    .fetch_one(&app.server.state.db.pool)
    .await
    .unwrap();
    assert!(details.contains("username: bob → rob.t"), "{details}");
    let zones = ok(&app, &c, "list_time_zones", &[]).await;
    assert!(zones.as_array().unwrap().iter().any(|z| z == "America/New_York"));
}

async fn only_those_who_manage_every_place_of_a_person_edit_their_profile(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let (north, south) = (create(&app, agency, "North").await, create(&app, agency, "South").await);
    let nadia = app.add_user("nadia@example.com", "Nadia", north).await;
    let sam = app.add_user("sam@example.com", "Sam", south).await;
    let bob = app.add_user("bob@example.com", "Bob", north).await;
    let nell = app.add_user("nell@example.com", "Nell", north).await;
    grant(&app, north, nadia, "Administrator", agency).await;
    grant(&app, south, sam, "Administrator", agency).await;
    grant(&app, north, nell, "User", agency).await;
    // Bob, created by North, also works at South.
    grant(&app, north, bob, "User", agency).await;
    grant(&app, south, bob, "Call Agent", agency).await;

    let (nadia_c, sam_c) =
        (app.client_for("nadia@example.com").await, app.client_for("sam@example.com").await);
    // Neither North's administrator nor South's manages all of Bob's places.
    for c in [&sam_c, &nadia_c] {
        let seen = profile(&app, c, bob).await;
        let why = seen["read_only_because"].as_str().unwrap();
        assert!(why.contains("wherever they hold a role"), "says why: {why}");
        let v = seen["version"].as_i64().unwrap();
        let (status, _) = save(&app, c, bob, fields("Bobby", "Tester", "bob", "UTC"), v).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(profile(&app, &nadia_c, bob).await["first_name"], "Bob", "unchanged");
    // Agency administrators manage every account below them.
    let seen = profile(&app, &app.client, bob).await;
    assert!(seen["read_only_because"].is_null());
    let v = seen["version"].as_i64().unwrap();
    let (status, body) =
        save(&app, &app.client, bob, fields("Bobby", "Tester", "bob", "UTC"), v).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Nell is only at North: North's administrator edits her profile.
    let seen = profile(&app, &nadia_c, nell).await;
    assert!(seen["read_only_because"].is_null());
    let v = seen["version"].as_i64().unwrap();
    let (status, body) =
        save(&app, &nadia_c, nell, fields("Nellie", "Tester", "nell", "UTC"), v).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Out of reach: the same answer as nobody at all.
    let err = refused(
        &app,
        &sam_c,
        "get_profile",
        &[("user_id", &nadia.to_string())],
        StatusCode::NOT_FOUND,
    )
    .await;
    let unknown =
        refused(&app, &sam_c, "get_profile", &[("user_id", "99999")], StatusCode::NOT_FOUND).await;
    assert_eq!(err, unknown);
    let (status, _) = save(&app, &sam_c, nadia, fields("N", "N", "nnn", "UTC"), 1).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_save_against_an_older_version_is_refused_and_loses_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let bob = app.add_user("bob@example.com", "Bob", agency).await;
    let eve_id = app.add_user("eve@example.com", "Eve", agency).await;
    grant(&app, agency, eve_id, "Administrator", agency).await;
    let eve = app.client_for("eve@example.com").await;
    let v = profile(&app, &app.client, bob).await["version"].as_i64().unwrap();
    // Both admins opened the form at version v; Ada saves first.
    let (status, _) = save(&app, &app.client, bob, fields("Bob", "First", "bob", "UTC"), v).await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) =
        save(&app, &eve, bob, fields("Bob", "Second", "bob", "Asia/Tokyo"), v).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(err["message"].as_str().unwrap().contains("Someone else changed"), "{err}");
    let now = profile(&app, &eve, bob).await;
    assert_eq!(
        (now["last_name"].as_str(), now["time_zone"].as_str()),
        (Some("First"), Some("UTC"))
    );
}

fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 128]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// Uploads `bytes` as `user`'s picture, as a script would (no `Accept: text/html`).
async fn upload(
    app: &TestApp,
    c: &Client,
    user: i64,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let part = multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = multipart::Form::new().part("picture", part);
    let res =
        c.post(app.url(&format!("/users/{user}/picture"))).multipart(form).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn picture_of(app: &TestApp, c: &Client, user: i64) -> (StatusCode, Vec<u8>) {
    let res = c.get(app.url(&format!("/users/{user}/picture"))).send().await.unwrap();
    (res.status(), res.bytes().await.unwrap().to_vec())
}

async fn pictures_are_checked_by_content_stored_as_squares_and_changed_only_by_editors(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let (north, south) = (create(&app, agency, "North").await, create(&app, agency, "South").await);
    let bob = app.add_user("bob@example.com", "Bob", north).await;
    let sam = app.add_user("sam@example.com", "Sam", south).await;
    grant(&app, north, bob, "User", agency).await;
    grant(&app, south, bob, "Call Agent", agency).await;
    grant(&app, south, sam, "Administrator", agency).await;
    let (bob_c, sam_c) =
        (app.client_for("bob@example.com").await, app.client_for("sam@example.com").await);
    assert!(profile(&app, &bob_c, bob).await["picture"].is_null());

    // A JPEG of any shape becomes a 256 × 256 PNG, whatever the file is called.
    let (status, body) =
        upload(&app, &bob_c, bob, "me.gif", encoded(900, 300, ImageFormat::Jpeg)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, png) = picture_of(&app, &bob_c, bob).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(image::guess_format(&png).unwrap(), ImageFormat::Png);
    let kept = image::load_from_memory(&png).unwrap();
    assert_eq!((kept.width(), kept.height()), (256, 256));
    let first = profile(&app, &bob_c, bob).await["picture"].as_str().unwrap().to_string();
    assert!(first.starts_with(&format!("/users/{bob}/picture?v=")), "{first}");

    // Refused by content, with the reason at the field; the kept picture stays.
    let webp = encoded(64, 64, ImageFormat::WebP);
    let mut too_big = encoded(32, 32, ImageFormat::Png);
    too_big.resize(2 * 1024 * 1024 + 1, 0);
    for (name, bytes, words) in [
        ("photo.png", b"GIF89a not really".to_vec(), "not a PNG, JPEG or WebP"),
        (
            "photo.png",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            "not a PNG, JPEG or WebP",
        ),
        ("photo.png", encoded(64, 64, ImageFormat::Png)[..50].to_vec(), "could not be read"),
        ("photo.png", too_big, "larger than 2 MiB"),
        ("photo.png", Vec::new(), "Choose a picture"),
    ] {
        let (status, body) = upload(&app, &bob_c, bob, name, bytes).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["fields"][0]["field"], "picture", "{body}");
        assert!(body["message"].as_str().unwrap().contains(words), "{words}: {body}");
    }
    assert_eq!(picture_of(&app, &bob_c, bob).await.1, png, "the kept picture is unchanged");

    // Sam (South) sees Bob's picture but may not change it: he does not manage North.
    assert_eq!(picture_of(&app, &sam_c, bob).await.0, StatusCode::OK);
    let (status, _) = upload(&app, &sam_c, bob, "x.webp", webp.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = sam_c.post(app.url(&format!("/users/{bob}/picture/remove"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Ada (at home at the agency) is out of Bob's reach: the same answer as nobody at all.
    let ada = ok(&app, &app.client, "get_session", &[]).await["viewer"]["id"].as_i64().unwrap();
    assert_eq!(picture_of(&app, &bob_c, ada).await.0, StatusCode::NOT_FOUND);
    assert_eq!(picture_of(&app, &bob_c, 99_999).await.0, StatusCode::NOT_FOUND);
    let anonymous = Client::new();
    let res = anonymous.get(app.url(&format!("/users/{bob}/picture"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // The agency's administrator replaces it (WebP this time): a new address.
    let (status, body) = upload(&app, &app.client, bob, "x.webp", webp).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let second = profile(&app, &bob_c, bob).await["picture"].as_str().unwrap().to_string();
    assert_ne!(first, second, "the address changes with the picture");
    assert_ne!(picture_of(&app, &bob_c, bob).await.1, png);

    // A browser's form post is sent back to its page with the outcome; never elsewhere.
    let form_post = |back: &str, bytes: Vec<u8>| {
        let part = multipart::Part::bytes(bytes).file_name("x.png");
        let form = multipart::Form::new().text("back", back.to_string()).part("picture", part);
        bob_c
            .post(app.url(&format!("/users/{bob}/picture")))
            .header("accept", "text/html,application/xhtml+xml")
            .multipart(form)
            .send()
    };
    let location =
        |res: &reqwest::Response| res.headers()["location"].to_str().unwrap().to_string();
    let res = form_post("/profile", b"nope".to_vec()).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/profile?picture_error=not_an_image#picture");
    let res = form_post("https://evil.example/", encoded(40, 40, ImageFormat::Png)).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/users/{bob}?picture=saved#picture"));
    let anonymous = multipart::Form::new().part("picture", multipart::Part::bytes(vec![1]));
    let res = Client::new()
        .post(app.url(&format!("/users/{bob}/picture")))
        .header("accept", "text/html")
        .multipart(anonymous)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "refused, not sent back");

    // Removal, audited like the changes.
    let res = bob_c.post(app.url(&format!("/users/{bob}/picture/remove"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(profile(&app, &bob_c, bob).await["picture"].is_null());
    assert_eq!(picture_of(&app, &bob_c, bob).await.0, StatusCode::NOT_FOUND);
    let actions: Vec<(String,)> = sqlx::query_as(
        "SELECT action FROM audit_log WHERE action LIKE 'profile_picture_%' ORDER BY id",
    )
    .fetch_all(&app.server.state.db.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = actions.iter().map(|(a,)| a.as_str()).collect();
    assert_eq!(
        actions,
        ["profile_picture_changed"; 3]
            .into_iter()
            .chain(["profile_picture_removed"])
            .collect::<Vec<_>>()
    );
}

/// Saves call preferences (JSON, as the page sends it).
async fn save_prefs(app: &TestApp, c: &Client, user: i64, prefs: &Value, v: &Value) -> StatusCode {
    let body = serde_json::json!({ "user_id": user, "prefs": prefs, "version": v });
    c.post(app.url("/api/save_call_preferences")).json(&body).send().await.unwrap().status()
}

/// Carl, an Account Admin at North, tries every edit of a person against Olga, who holds
/// Administrator at North (billing, which Carl lacks), and against Bob, whose calls North
/// does not own alone (he is also a Call Agent at South): each is refused and nothing
/// changes. People within his powers he still edits.
async fn no_one_edits_someone_with_more_power_here_or_elsewhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let (north, south) = (create(&app, agency, "North").await, create(&app, agency, "South").await);
    let carl = app.add_user("carl@example.com", "Carl", north).await;
    let olga = app.add_user("olga@example.com", "Olga", north).await;
    let bob = app.add_user("bob@example.com", "Bob", north).await;
    let ulla = app.add_user("ulla@example.com", "Ulla", north).await;
    grant(&app, north, carl, "Account Admin", agency).await;
    grant(&app, north, olga, "Administrator", agency).await;
    grant(&app, north, bob, "User", agency).await;
    grant(&app, south, bob, "Call Agent", agency).await;
    grant(&app, north, ulla, "Call Agent", agency).await;
    let carl_c = app.client_for("carl@example.com").await;

    for (victim, who) in [(olga, "Olga"), (bob, "Bob")] {
        let seen = profile(&app, &carl_c, victim).await;
        assert!(seen["read_only_because"].is_string(), "{who}: {seen}");
        let v = seen["version"].as_i64().unwrap();
        let (status, body) =
            save(&app, &carl_c, victim, fields("Mallory", "X", "mallory", "UTC"), v).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}'s profile: {body}");
        // Re-routing their calls to a number Carl holds.
        let view =
            ok(&app, &carl_c, "get_call_preferences", &[("user_id", &victim.to_string())]).await;
        assert_eq!(
            (view["can_edit"].as_bool(), view["can_edit_admin_flags"].as_bool()),
            (Some(false), Some(false)),
            "{who}"
        );
        let mut prefs = view["prefs"].clone();
        prefs["send_calls_to"] = "text".into();
        prefs["phone"] = "+1 202 555 0199".into();
        let status = save_prefs(&app, &carl_c, victim, &prefs, &view["version"]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}'s call preferences");
        let (status, _) =
            upload(&app, &carl_c, victim, "me.png", encoded(64, 64, ImageFormat::Png)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}'s picture");
        let res =
            carl_c.post(app.url(&format!("/users/{victim}/picture/remove"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}'s picture removed");
        let form = [("user_id", victim.to_string()), ("reason", "Because".to_string())];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        refused(&app, &carl_c, "suspend_user", &form, StatusCode::FORBIDDEN).await;
        let shown = ok(&app, &carl_c, "get_user", &[("user_id", &victim.to_string())]).await;
        assert_eq!(shown["may_manage"], false, "{who}");
    }
    let (untouched,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE id IN ($1, $2) AND first_name <> 'Mallory' \
         AND status = 'active' \
         AND id NOT IN (SELECT user_id FROM call_preferences) \
         AND id NOT IN (SELECT user_id FROM profile_pictures)",
    )
    .bind(olga)
    .bind(bob)
    .fetch_one(&app.server.state.db.pool)
    .await
    .unwrap();
    assert_eq!(untouched, 2, "nothing of Olga's or Bob's changed");

    // Ulla holds only a role within Carl's: he edits her profile and her call preferences.
    let v = profile(&app, &carl_c, ulla).await["version"].as_i64().unwrap();
    let (status, body) = save(&app, &carl_c, ulla, fields("Ulla", "T", "ulla", "UTC"), v).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view = ok(&app, &carl_c, "get_call_preferences", &[("user_id", &ulla.to_string())]).await;
    assert_eq!(view["can_edit_admin_flags"], true);
    let mut prefs = view["prefs"].clone();
    prefs["phone"] = "+1 202 555 0123".into();
    assert_eq!(save_prefs(&app, &carl_c, ulla, &prefs, &view["version"]).await, StatusCode::OK);
}

/// A one-colour 8,000 × 8,000 PNG is a few hundred KiB but ~64 MB decoded (~250 MB as RGBA):
/// refused from its header with a message at the field, and nothing kept.
async fn a_picture_of_too_many_pixels_is_refused_from_its_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let bob = app.add_user("bob@example.com", "Bob", agency).await;
    let bob_c = app.client_for("bob@example.com").await;
    let mut bomb = Vec::new();
    image::GrayImage::new(8_000, 8_000)
        .write_to(&mut Cursor::new(&mut bomb), ImageFormat::Png)
        .unwrap();
    assert!(bomb.len() < 2 * 1024 * 1024, "under the file size limit: {} bytes", bomb.len());
    let (status, body) = upload(&app, &bob_c, bob, "bomb.png", bomb).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "picture", "{body}");
    assert!(body["message"].as_str().unwrap().contains("at most 4,096 wide"), "{body}");
    assert_eq!(picture_of(&app, &bob_c, bob).await.0, StatusCode::NOT_FOUND, "nothing kept");
    // The largest side accepted still is.
    let (status, body) =
        upload(&app, &bob_c, bob, "ok.png", encoded(4_096, 16, ImageFormat::Png)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

/// Sends an upload's headers and the first bytes of a body that never ends; the status of
/// the answer, which must come while the body is still owed.
async fn stalled_upload(app: &TestApp, user: i64, cookie: Option<&str>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    let head = format!(
        "POST /users/{user}/picture HTTP/1.1\r\nHost: {addr}\r\n{cookie}\
         Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 4500000\r\n\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"picture\"; filename=\"a.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[0x89; 1024]).await.unwrap();
    stream.flush().await.unwrap();
    // The rest of the 4.5 MB is never sent; the server times requests out after 30 s.
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut buf = [0; 1024];
        while !answer.windows(2).any(|w| w == b"\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "connection closed without an answer");
            answer.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(read.is_ok(), "no answer while the body was still owed");
    let line = String::from_utf8_lossy(&answer);
    line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{line}"))
}

/// Someone who may not change a picture (signed out, another account's administrator, a
/// person out of reach) is answered at once, before the server reads a byte of the file.
async fn an_upload_the_caller_may_not_make_is_refused_before_its_body_is_read(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let (north, south) = (create(&app, agency, "North").await, create(&app, agency, "South").await);
    let bob = app.add_user("bob@example.com", "Bob", north).await;
    let sam = app.add_user("sam@example.com", "Sam", south).await;
    grant(&app, south, sam, "Administrator", agency).await;
    let res = app.sign_in_with(&reqwest::Client::new(), "sam@example.com", common::PASSWORD).await;
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect();
    let cookie = cookies.join("; ");
    assert_eq!(stalled_upload(&app, bob, None).await, 401, "signed out");
    assert_eq!(stalled_upload(&app, bob, Some(&cookie)).await, 404, "Bob is out of Sam's reach");
    let ada = ok(&app, &app.client, "get_session", &[]).await["viewer"]["id"].as_i64().unwrap();
    assert_eq!(stalled_upload(&app, ada, Some(&cookie)).await, 404, "so is Ada");
    // Olga, at home at South, Sam may see: he is told he may not change her picture.
    let olga = app.add_user("olga@example.com", "Olga", south).await;
    grant(&app, agency, olga, "Agency Administrator", agency).await;
    assert_eq!(stalled_upload(&app, olga, Some(&cookie)).await, 403, "more power than Sam");
}
