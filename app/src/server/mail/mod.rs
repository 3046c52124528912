//! Outgoing mail through a transactional outbox.
//!
//! A change that sends mail writes the mail into the `outbox` table in its own transaction
//! ([`outbox::enqueue`]), so a mail exists exactly when the change committed. A background
//! task ([`worker`]) delivers what is due over SMTP, retrying with back-off, and never sends
//! a mail again once it is marked sent. Without SMTP configured, mail is written to a folder
//! only the operator can read. Either way, a mail's text (with its links) leaves the table
//! when the mail is marked sent: nothing readable stays at rest.

pub mod outbox;
pub mod templates;
pub mod worker;

use std::sync::Arc;
use tokio::sync::Notify;

/// Wakes the outbox worker so mail queued by a committed transaction leaves at once instead
/// of at the worker's next poll.
#[derive(Clone, Debug, Default)]
pub struct Wakeup(Arc<Notify>);

impl Wakeup {
    /// Call after the commit: a wake-up before it could find nothing to send.
    pub fn wake(&self) {
        // A stored permit: a wake-up while the worker is busy is not lost.
        self.0.notify_one();
    }

    pub async fn woken(&self) {
        self.0.notified().await;
    }
}
