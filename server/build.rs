//! `sqlx::migrate!` embeds the migration files at compile time; without this, adding a
//! migration (and changing no Rust file) would leave a cached server binary without it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
