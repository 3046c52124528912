//! Bulk add: many people at once at a node, from pasted lines or an uploaded file of
//! `email, first name, last name`, all with one role. A preview says what each line will
//! do; the commit does all of it in one transaction, or nothing.
//!
//! Each line means what the single flows mean: a new address is invited (as `invite_user`
//! does), the address of someone the caller may see gets the role (as `grant_role` with
//! notification does), and an address of someone out of the caller's sight is refused with
//! no more than "A user with this e-mail address already exists."

use crate::{
    domain::{NodeId, RoleId, UserId},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// At most this many non-blank lines in one batch.
pub const MAX_LINES: usize = 10_000;
/// At most this many bytes of text in one batch (1 MiB).
pub const MAX_BYTES: usize = 1_048_576;

/// What one line of the batch does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkOutcome {
    /// A new person: added as invited, with an invitation mail.
    Invite,
    /// Someone the caller may see: given the role here (told by mail when active).
    GrantAccess { user_id: UserId, name: String },
    /// Someone who holds the role here already: nothing changes.
    AlreadyHasRole { user_id: UserId, name: String },
    /// The same address as an earlier line: skipped.
    Duplicate { of_line: u32 },
    /// Cannot be added as it is: the whole batch waits until it is fixed or removed.
    Invalid { reason: String },
}

/// One non-blank line of the batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkLine {
    /// 1-based line number in the text as pasted.
    pub line: u32,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub outcome: BulkOutcome,
}

/// How many lines of each kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkCounts {
    pub invite: u32,
    pub grant: u32,
    pub unchanged: u32,
    pub duplicate: u32,
    pub invalid: u32,
}

impl BulkCounts {
    pub fn of(lines: &[BulkLine]) -> Self {
        let mut c = Self::default();
        for l in lines {
            match l.outcome {
                BulkOutcome::Invite => c.invite += 1,
                BulkOutcome::GrantAccess { .. } => c.grant += 1,
                BulkOutcome::AlreadyHasRole { .. } => c.unchanged += 1,
                BulkOutcome::Duplicate { .. } => c.duplicate += 1,
                BulkOutcome::Invalid { .. } => c.invalid += 1,
            }
        }
        c
    }

    /// People the commit adds or gives the role to.
    pub fn to_add(&self) -> u32 {
        self.invite + self.grant
    }
}

/// What a commit would do, line by line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkPreview {
    pub lines: Vec<BulkLine>,
    pub counts: BulkCounts,
}

/// How far a running commit has got: `done` of `total` people written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkProgress {
    pub done: u32,
    pub total: u32,
}

/// What a commit did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkResult {
    pub invited: u32,
    pub granted: u32,
    /// Already held the role here.
    pub unchanged: u32,
    /// Lines skipped as repeats of an earlier line.
    pub duplicates: u32,
}

impl BulkResult {
    /// "12 invited, 3 given access, 1 already had the role, 2 duplicates skipped".
    pub fn summary(&self) -> String {
        let plural = |n: u32, one: &str, many: &str| {
            if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
        };
        format!(
            "{} invited, {} given access, {} already had the role, {} skipped",
            self.invited,
            self.granted,
            self.unchanged,
            plural(self.duplicates, "duplicate", "duplicates")
        )
    }
}

/// What each line of `text` would do if committed at `node_id` with the role `role_id`.
/// Nothing is written. Refuses a batch over 10,000 lines or 1 MiB (field `text`), and a role
/// the caller could not give there (see `grant_role`).
#[server(endpoint = "preview_bulk_add", input = server_fn::codec::Json)]
pub async fn preview_bulk_add(
    node_id: NodeId,
    role_id: RoleId,
    text: String,
) -> Result<BulkPreview, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageUsers, node_id).await?;
    ssr::preview(&caller, node_id, role_id, &text).await
}

/// Adds everyone in `text` at `node_id` with the role `role_id`, in one transaction, after
/// checking every line again (a preview is never trusted). Any invalid line: nothing is
/// written, and the error (field `text`) names the first few. `batch_id` (chosen by the
/// page, 1 to 64 letters, digits, `-` or `_`) is what `bulk_add_progress` is asked about.
#[server(endpoint = "commit_bulk_add", input = server_fn::codec::Json)]
pub async fn commit_bulk_add(
    node_id: NodeId,
    role_id: RoleId,
    text: String,
    batch_id: String,
) -> Result<BulkResult, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageUsers, node_id).await?;
    ssr::commit(&caller, node_id, role_id, &text, &batch_id).await
}

/// How far the caller's commit `batch_id` has got; `None` when this server knows of no such
/// batch of the caller's (not started yet, long finished, someone else's, or running on
/// another server process).
#[server(endpoint = "bulk_add_progress")]
pub async fn bulk_add_progress(batch_id: String) -> Result<Option<BulkProgress>, AppError> {
    let caller = crate::server::auth::require()?;
    let state = crate::server::AppState::get()?;
    Ok(state
        .bulk_progress
        .get(caller.viewer.id, &batch_id)
        .map(|(done, total)| BulkProgress { done, total }))
}

#[cfg(feature = "ssr")]
mod ssr;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_as_a_sentence() {
        let r = BulkResult { invited: 12, granted: 3, unchanged: 1, duplicates: 2 };
        assert_eq!(
            r.summary(),
            "12 invited, 3 given access, 1 already had the role, 2 duplicates skipped"
        );
        let r = BulkResult { duplicates: 1, ..Default::default() };
        assert_eq!(
            r.summary(),
            "0 invited, 0 given access, 0 already had the role, 1 duplicate skipped"
        );
    }
}
