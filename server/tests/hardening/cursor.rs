//! The directory's `cursor` comes back from the browser, so anyone can send anything in it:
//! whatever it holds, the answer is a page (a cursor of another list starts again) or a
//! 422 that asks to start again, never a 500 from a statement built on it.

use crate::common::{Backend, TestApp, call, ok};
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::StatusCode;
use serde_json::{Value, json};

crate::on_both_backends!(garbage_cursors_are_refused_with_422_never_500);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// A page of one row in the order `sort` (`Name`, `-Created`...) after `cursor`.
async fn page(app: &TestApp, agency: i64, sort: &str, cursor: &str) -> (StatusCode, Value) {
    let agency = agency.to_string();
    let (descending, sort) = match sort.strip_prefix('-') {
        Some(sort) => ("true", sort),
        None => ("false", sort),
    };
    let form = [
        ("node_id", agency.as_str()),
        ("filter[sort]", sort),
        ("filter[descending]", descending),
        ("filter[page_size]", "1"),
        ("cursor", cursor),
    ];
    call(app, &app.client, "list_directory", &form).await
}

async fn garbage_cursors_are_refused_with_422_never_500(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(&app, &app.client, "list_entry_points", &[]).await;
    let agency = entry[0]["node"]["id"].as_i64().unwrap();
    for (email, name) in [("bob@example.com", "Bob"), ("cy@example.com", "Cy")] {
        app.add_user(email, name, agency).await;
    }
    let (status, first) = page(&app, agency, "Name", "").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let real = first["next_cursor"].as_str().expect("more than one page").to_owned();
    assert_eq!(page(&app, agency, "Name", &real).await.0, StatusCode::OK, "a real cursor");
    let decoded: Value = serde_json::from_slice(&unhex(&real)).expect("a cursor is hex JSON");

    // A real cursor with its position forged: the shape of a sort key is the server's to know.
    let forged = |k: Value| {
        let mut c = decoded.clone();
        c["k"] = k;
        hex(c.to_string().as_bytes())
    };
    let mut must_refuse = vec![
        "zz".to_string(),
        "not a cursor".to_string(),
        real[..real.len() - 1].to_string(),
        hex(b"{}"),
        hex(b"null"),
        hex(&[0xff, 0xfe, 0x00]),
        forged(json!([])),
        forged(json!(["lovelace"])),
        forged(json!(["a", "b", "c"])),
        forged(json!([1, 2])),
        forged(json!([1])),
        forged(json!(["a", 2])),
        forged(json!(["a\u{0}b", "c"])),
        forged(json!(["x".repeat(5_000), "y"])),
        forged(json!([{"a": 1}, "b"])),
        forged(json!(null)),
    ];
    for (field, value) in [("i", json!("1")), ("i", json!(1e300)), ("p", json!("Teleport"))] {
        let mut c = decoded.clone();
        c[field] = value;
        must_refuse.push(hex(c.to_string().as_bytes()));
    }
    for cursor in &must_refuse {
        let (status, body) = page(&app, agency, "Name", cursor).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{cursor}: {body}");
        assert_eq!(body["fields"][0]["field"], "cursor", "{body}");
    }
    // The creation-time order has one number for a key: text there is refused too.
    let mut created = decoded.clone();
    created["s"] = json!("created");
    created["k"] = json!(["2020-01-01"]);
    let (status, body) = page(&app, agency, "Created", &hex(created.to_string().as_bytes())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Random bytes and random damage to the real cursor: a page or a 422, nothing else.
    let mut rng = StdRng::seed_from_u64(11);
    for round in 0..60 {
        let cursor = if round % 2 == 0 {
            let len = rng.gen_range(0..80);
            hex(&(0..len).map(|_| rng.r#gen::<u8>()).collect::<Vec<_>>())
        } else {
            let mut bytes = unhex(&real);
            let at = rng.gen_range(0..bytes.len());
            bytes[at] = rng.r#gen();
            hex(&bytes)
        };
        for sort in ["Name", "-Created", "Status", "Email"] {
            let (status, body) = page(&app, agency, sort, &cursor).await;
            assert!(
                status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY,
                "{sort} {cursor}: {status} {body}"
            );
        }
    }
}
