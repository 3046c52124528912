//! Bulk add, server side: reading the batch ([`parse`]) and how far a running one has got
//! ([`progress`]). The server functions are in `crate::api::bulk_add`; the multi-row
//! queries in `crate::server::repo::bulk`.

pub mod parse;
pub mod progress;
