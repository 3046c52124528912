//! Where the users directory still finds the node frame: it moved to
//! [`components::node_frame`](crate::components::node_frame). Kept only until
//! `pages/directory.rs` imports it from there (its owner is rewriting it); nothing else uses
//! this path.

pub use crate::components::node_frame::{Loaded, frame_error, node_detail, node_if, use_node_id};
