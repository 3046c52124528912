//! Teams (named groups of users at a node, for shared activities and team notices), "view
//! other users' activities" (whose activities each person may see), the people a team or
//! group may take, and a person's teams, call teams and access-control groups for their page.
//!
//! Reading teams needs ViewUsers at the node, changing them ManageUsers there. Anyone put on
//! a team, call team or group must be someone the caller may view (ViewUsers reach), at
//! home or holding a role at or below the node, or holding a role above it.

use crate::{
    domain::{NodeId, Permission, UserId, UserStatus},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A person as teams and pickers list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub status: UserStatus,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: i64,
    pub node_id: NodeId,
    pub name: String,
    /// By name.
    pub members: Vec<PersonRef>,
}

/// Whose activities `viewer` may see, at one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityVisibility {
    pub viewer: PersonRef,
    pub subjects: Vec<PersonRef>,
}

/// What a list of candidates is for: each needs the permission that changes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidatesFor {
    /// A call team (ManageCallTeams).
    CallTeam,
    /// A team or a "view other users' activities" list (ManageUsers).
    Team,
    /// An access-control group of an account (ManageAccountSettings); only holders of Call
    /// Agent, Call Manager or Report Manager there.
    AccessGroup,
}

impl CandidatesFor {
    pub fn permission(self) -> Permission {
        match self {
            Self::CallTeam => Permission::ManageCallTeams,
            Self::Team => Permission::ManageUsers,
            Self::AccessGroup => Permission::ManageAccountSettings,
        }
    }
}

/// A team, call team or group, and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    pub id: i64,
    pub name: String,
    pub node_id: NodeId,
    pub node_name: String,
}

/// What a person's page shows about their teams, where the caller may see them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserTeams {
    pub teams: Vec<Placed>,
    pub call_teams: Vec<Placed>,
    pub access_groups: Vec<Placed>,
    /// Whose activities they may see, and where.
    pub sees_activities_of: Vec<SeesActivities>,
}

/// Someone whose activities a person may see at a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeesActivities {
    pub subject: PersonRef,
    pub node_id: NodeId,
    pub node_name: String,
}

/// Longest name of a team, call team, access-control group or tracking number.
pub const NAME_MAX_CHARS: usize = 120;

/// A name of a team, call team, group or tracking number: trimmed, 1 to 120 characters, no
/// control characters.
pub fn parse_team_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Enter a name.");
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err("A name can have at most 120 characters.");
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.");
    }
    Ok(name.to_string())
}

/// The teams of `node_id`, by name, with their members.
#[server(endpoint = "list_teams")]
pub async fn list_teams(node_id: NodeId) -> Result<Vec<Team>, AppError> {
    // Taken before the first await: a page's data fetch can outlive its render.
    let state = crate::server::AppState::get()?;
    crate::server::policy::require(Permission::ViewUsers, node_id).await?;
    ssr::list_teams(&state, node_id).await
}

/// A new team at `node_id`; names are unique there, whatever their case.
#[server(endpoint = "create_team")]
pub async fn create_team(
    node_id: NodeId,
    #[server(default)] name: String,
) -> Result<Team, AppError> {
    let caller = crate::server::policy::require(Permission::ManageUsers, node_id).await?;
    ssr::create_team(&caller, node_id, &name).await
}

#[server(endpoint = "delete_team")]
pub async fn delete_team(node_id: NodeId, team_id: i64) -> Result<(), AppError> {
    let caller = crate::server::policy::require(Permission::ManageUsers, node_id).await?;
    ssr::delete_team(&caller, node_id, team_id).await
}

/// Makes `user_ids` the members of a team of `node_id`.
#[server(endpoint = "set_team_members")]
pub async fn set_team_members(
    node_id: NodeId,
    team_id: i64,
    #[server(default)] user_ids: Vec<UserId>,
) -> Result<Team, AppError> {
    let caller = crate::server::policy::require(Permission::ManageUsers, node_id).await?;
    ssr::set_team_members(&caller, node_id, team_id, user_ids).await
}

/// "View other users' activities" at `node_id`: each person with a list, by name.
#[server(endpoint = "list_activity_visibility")]
pub async fn list_activity_visibility(
    node_id: NodeId,
) -> Result<Vec<ActivityVisibility>, AppError> {
    let state = crate::server::AppState::get()?;
    crate::server::policy::require(Permission::ViewUsers, node_id).await?;
    ssr::list_visibility(&state, node_id).await
}

/// Whose activities `user_id` may see at `node_id` (replaces their list; empty clears it).
#[server(endpoint = "set_activity_visibility")]
pub async fn set_activity_visibility(
    node_id: NodeId,
    user_id: UserId,
    #[server(default)] subject_ids: Vec<UserId>,
) -> Result<(), AppError> {
    let caller = crate::server::policy::require(Permission::ManageUsers, node_id).await?;
    ssr::set_visibility(&caller, node_id, user_id, subject_ids).await
}

/// The people the caller may put on a team, call team or group of `node_id` (see
/// [`CandidatesFor`]), whose name or e-mail contains `query`; at most 100, by name.
#[server(endpoint = "list_member_candidates")]
pub async fn list_member_candidates(
    node_id: NodeId,
    purpose: CandidatesFor,
    #[server(default)] query: String,
) -> Result<Vec<PersonRef>, AppError> {
    let state = crate::server::AppState::get()?;
    let caller = crate::server::policy::require(purpose.permission(), node_id).await?;
    ssr::list_candidates(&state, &caller, node_id, purpose, &query).await
}

/// A person's teams (where the caller views users), call teams and access-control groups
/// (where the caller views the account), and whose activities they may see.
#[server(endpoint = "list_user_teams_and_groups")]
pub async fn list_user_teams_and_groups(user_id: UserId) -> Result<UserTeams, AppError> {
    let state = crate::server::AppState::get()?;
    let caller = crate::server::auth::require()?;
    ssr::user_teams(&state, &caller, user_id).await
}

#[cfg(feature = "ssr")]
pub(crate) mod people;
#[cfg(feature = "ssr")]
pub(crate) mod ssr;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(parse_team_name("  Night shift "), Ok("Night shift".into()));
        assert!(parse_team_name("  ").is_err());
        assert!(parse_team_name(&"x".repeat(120)).is_ok());
        assert!(parse_team_name(&"é".repeat(121)).is_err());
        assert!(parse_team_name("a\u{7}b").is_err());
    }
}
