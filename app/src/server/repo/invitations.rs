use crate::domain::{NodeId, RoleId, UserId};
use sqlx::AnyConnection;

/// Where an invitation stands at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Expired,
    Revoked,
    Accepted,
}

/// An invitation with its invitee and whoever sent it.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct InvitationRow {
    pub id: i64,
    pub user_id: i64,
    pub node_id: i64,
    pub role_ids: String,
    pub invited_by: Option<i64>,
    pub created_at: i64,
    pub last_sent_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub user_status: String,
    pub inviter_first_name: Option<String>,
    pub inviter_last_name: Option<String>,
}

impl InvitationRow {
    pub fn role_ids(&self) -> Vec<RoleId> {
        decode_role_ids(&self.role_ids)
    }

    pub fn state(&self, now: i64) -> InvitationState {
        if self.accepted_at.is_some() {
            InvitationState::Accepted
        } else if self.revoked_at.is_some() {
            InvitationState::Revoked
        } else if self.expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Pending
        }
    }

    pub fn invitee_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }

    pub fn inviter_name(&self) -> String {
        match (&self.inviter_first_name, &self.inviter_last_name) {
            (Some(f), Some(l)) => format!("{f} {l}").trim().to_string(),
            _ => "Roster".into(),
        }
    }
}

pub fn encode_role_ids(ids: &[RoleId]) -> String {
    ids.iter().map(|r| r.0.to_string()).collect::<Vec<_>>().join(" ")
}

pub fn decode_role_ids(s: &str) -> Vec<RoleId> {
    s.split_whitespace().filter_map(|t| t.parse().ok()).map(RoleId).collect()
}

const SELECT: &str = "SELECT i.id, i.user_id, i.node_id, i.role_ids, i.invited_by, i.created_at, \
     i.last_sent_at, i.expires_at, i.accepted_at, i.revoked_at, u.first_name, u.last_name, \
     u.email, u.status AS user_status, b.first_name AS inviter_first_name, \
     b.last_name AS inviter_last_name \
     FROM invitations i JOIN users u ON u.id = i.user_id LEFT JOIN users b ON b.id = i.invited_by";

pub struct NewInvitation<'a> {
    pub user: UserId,
    pub node: NodeId,
    pub roles: &'a [RoleId],
    pub token_hash: &'a str,
    pub invited_by: Option<UserId>,
    pub expires_at: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    n: NewInvitation<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO invitations (user_id, node_id, role_ids, token_hash, invited_by, \
         created_at, last_sent_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) \
         RETURNING id",
    )
    .bind(n.user.0)
    .bind(n.node.0)
    .bind(encode_role_ids(n.roles))
    .bind(n.token_hash)
    .bind(n.invited_by.map(|u| u.0))
    .bind(now)
    .bind(n.expires_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<InvitationRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE i.id = $1")).bind(id).fetch_optional(conn).await
}

pub async fn find_by_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<InvitationRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE i.token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(conn)
        .await
}

/// The node an invitation gives roles at.
pub async fn node_of(conn: &mut AnyConnection, id: i64) -> Result<Option<NodeId>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT node_id FROM invitations WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| NodeId(r.0)))
}

/// Invitations at `node` neither accepted nor revoked (expired ones included, to be resent),
/// of people still invited; newest first.
pub async fn pending_at(
    conn: &mut AnyConnection,
    node: NodeId,
    limit: usize,
) -> Result<Vec<InvitationRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE i.node_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL \
         AND u.status = 'invited' ORDER BY i.last_sent_at DESC, i.id DESC LIMIT $2"
    ))
    .bind(node.0)
    .bind(limit as i64)
    .fetch_all(conn)
    .await
}

/// A new token (the old link stops working), roles and expiry for a pending invitation;
/// `sent_by` becomes its inviter, whose power acceptance checks again.
pub async fn renew(
    conn: &mut AnyConnection,
    id: i64,
    token_hash: &str,
    roles: &[RoleId],
    sent_by: UserId,
    now: i64,
    expires_at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET token_hash = $1, role_ids = $2, last_sent_at = $3, \
         expires_at = $4, invited_by = $5 \
         WHERE id = $6 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .bind(encode_role_ids(roles))
    .bind(now)
    .bind(expires_at)
    .bind(sent_by.0)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws a pending invitation; false when it was accepted or revoked already.
pub async fn revoke(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $1 \
         WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Spends the invitation with this token if it is still usable. Exactly one of any number
/// of concurrent callers gets `true`: the row is updated only while `accepted_at` is NULL.
pub async fn mark_accepted(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET accepted_at = $1 WHERE token_hash = $2 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(token_hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets the password of an invited user and makes them active; false when the user is no
/// longer `invited` (disabled, deleted, or active already).
pub async fn activate_user(
    conn: &mut AnyConnection,
    user: UserId,
    password_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = $1, status = 'active', status_changed_at = $2, \
         updated_at = $2, version = version + 1 \
         WHERE id = $3 AND status = 'invited'",
    )
    .bind(password_hash)
    .bind(now)
    .bind(user.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_ids_round_trip() {
        let ids = [RoleId(3), RoleId(12)];
        assert_eq!(encode_role_ids(&ids), "3 12");
        assert_eq!(decode_role_ids("3 12"), ids);
        assert_eq!(decode_role_ids(" 3  x 12 "), ids);
    }
}
