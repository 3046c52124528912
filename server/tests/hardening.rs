//! Issue 11, over HTTP on SQLite and PostgreSQL: the common-password list wherever a password
//! is set, the `__Host-` session cookie, HSTS and session timeouts, and garbage directory
//! cursors. Each test is written as the attack it stops.

mod cursor;
mod passwords;
mod sessions;
