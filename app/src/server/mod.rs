//! Everything that runs only on the server: state, storage, authentication, policy.
//! Compiled only with the `ssr` feature, so none of it reaches the WASM bundle.

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod client_ip;
pub mod clock;
pub mod db;
pub mod device;
pub mod mail;
pub mod password;
pub mod password_policy;
pub mod person_access;
pub mod picture;
pub mod policy;
pub mod repo;
pub mod respond;
pub mod security;
pub mod session;
pub mod setup;
pub mod state;
pub mod throttle;
pub mod token;

pub use state::{AppConfig, AppState};
