//! Every integration test of the server, as one test binary: one module per capability
//! (`cargo test -p server --test integration -- teams::` runs one of them).
//!
//! One binary rather than one per file: each test binary links the whole server and its
//! dependency tree, so fifteen of them spent most of a test build linking the same code
//! fifteen times, and compiled `common/` fifteen times over. A new file here is a new
//! `mod` line below (`autotests = false` in server/Cargo.toml: Cargo no longer finds test
//! files by itself, and `every_test_file_is_a_module` fails on one left out).

#[macro_use]
mod common;

mod account;
mod audit_log;
mod bulk_add;
mod call_prefs;
mod directory;
mod foundation;
mod hardening;
mod holder_counts;
mod invitations;
mod isolation;
mod lifecycle;
mod multi_server;
mod password_reset;
mod profile;
mod refusal_pages;
mod schema;
mod statements;
mod teams;
mod tree;
mod tree_moves;

/// With `autotests = false`, a test file not named above would compile into nothing and
/// its tests would silently never run.
#[test]
fn every_test_file_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(dir.join("main.rs")).expect("tests/main.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/") {
        let name = entry.expect("an entry").file_name().to_string_lossy().into_owned();
        let Some(module) = name.strip_suffix(".rs") else { continue };
        if module != "main" && !main.lines().any(|l| l == format!("mod {module};")) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "add `mod …;` to server/tests/main.rs for {missing:?}");
}
