//! Call teams: at a node, an ordered list of people to call, each a user or a contact, each
//! reached the way they themselves prefer (text or e-mail).
//!
//! A disabled user stays on their teams, marked disabled; a suspended one is marked
//! suspended; a deleted one leaves every team. Reading needs ViewAccount at the node,
//! changing ManageCallTeams there; only those who may change a team see where its members'
//! calls go (their personal numbers and addresses). The member list carries a version: a change made from an
//! older list is refused rather than overwriting someone else's.

use crate::{
    api::contacts::CallRoute,
    domain::{NodeId, UserId, UserStatus},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// One member of a call team: a user or a contact. Sent as `user:12` or `contact:5`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum MemberRef {
    User(UserId),
    Contact(i64),
}

impl fmt::Display for MemberRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(u) => write!(f, "user:{u}"),
            Self::Contact(c) => write!(f, "contact:{c}"),
        }
    }
}

impl FromStr for MemberRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is neither user:ID nor contact:ID");
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        match kind {
            "user" => Ok(Self::User(UserId(id))),
            "contact" => Ok(Self::Contact(id)),
            _ => Err(bad()),
        }
    }
}

impl TryFrom<String> for MemberRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<MemberRef> for String {
    fn from(m: MemberRef) -> String {
        m.to_string()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallTeamMember {
    pub member: MemberRef,
    pub name: String,
    /// Users only: shown when not active ("Disabled", "Suspended"...).
    pub status: Option<UserStatus>,
    /// Their own call preference: personal contact details, so `None` to a caller who may
    /// only view the team (they see who is called, and in which order), except their own.
    pub route: Option<CallRoute>,
    /// Whether they are e-mailed about missed calls: their own choice, or the team's.
    pub missed_call_email: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallTeam {
    pub id: i64,
    pub node_id: NodeId,
    pub name: String,
    /// Moves with every change of the member list.
    pub version: i64,
    /// E-mail members about missed calls, unless their own preference says otherwise.
    pub missed_call_emails: bool,
    /// In calling order.
    pub members: Vec<CallTeamMember>,
}

impl CallTeam {
    /// The member list with `i` moved one place up (`-1`) or down (`1`); unchanged at the
    /// ends.
    pub fn moved(&self, i: usize, by: isize) -> Vec<MemberRef> {
        let mut list: Vec<MemberRef> = self.members.iter().map(|m| m.member).collect();
        let j = i as isize + by;
        if i < list.len() && j >= 0 && (j as usize) < list.len() {
            list.swap(i, j as usize);
        }
        list
    }
}

/// Most members a call team may have.
pub const MAX_MEMBERS: usize = 50;

/// The call teams of `node_id`, by name, each with its members in calling order.
#[server(endpoint = "list_call_teams")]
pub async fn list_call_teams(node_id: NodeId) -> Result<Vec<CallTeam>, AppError> {
    // Taken before the first await: a page's data fetch can outlive its render.
    let state = crate::server::AppState::get()?;
    let caller =
        crate::server::policy::require(crate::domain::Permission::ViewAccount, node_id).await?;
    ssr::list_call_teams(&state, &caller, node_id).await
}

/// A new, empty call team at `node_id`; names are unique there, whatever their case.
#[server(endpoint = "create_call_team")]
pub async fn create_call_team(
    node_id: NodeId,
    #[server(default)] name: String,
) -> Result<CallTeam, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageCallTeams, node_id).await?;
    ssr::create_call_team(&caller, node_id, &name).await
}

#[server(endpoint = "rename_call_team")]
pub async fn rename_call_team(
    node_id: NodeId,
    team_id: i64,
    #[server(default)] name: String,
) -> Result<(), AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageCallTeams, node_id).await?;
    ssr::rename_call_team(&caller, node_id, team_id, &name).await
}

#[server(endpoint = "delete_call_team")]
pub async fn delete_call_team(node_id: NodeId, team_id: i64) -> Result<(), AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageCallTeams, node_id).await?;
    ssr::delete_call_team(&caller, node_id, team_id).await
}

/// Turns the team's missed-call e-mails on or off; members whose own preference is
/// "always" or "never" keep it.
#[server(endpoint = "set_call_team_missed_call_emails")]
pub async fn set_call_team_missed_call_emails(
    node_id: NodeId,
    team_id: i64,
    #[server(default)] enabled: bool,
) -> Result<CallTeam, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageCallTeams, node_id).await?;
    ssr::set_missed_call_emails(&caller, node_id, team_id, enabled).await
}

/// Makes `members`, in this order, the members of a call team of `node_id`, if its list is
/// still at `version`. Users must be people the caller may add here; contacts must be
/// contacts of `node_id`.
#[server(endpoint = "set_call_team_members")]
pub async fn set_call_team_members(
    node_id: NodeId,
    team_id: i64,
    #[server(default)] members: Vec<MemberRef>,
    version: i64,
) -> Result<CallTeam, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageCallTeams, node_id).await?;
    ssr::set_members(&caller, node_id, team_id, members, version).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_refs_round_trip() {
        for m in [MemberRef::User(UserId(12)), MemberRef::Contact(5)] {
            assert_eq!(m.to_string().parse::<MemberRef>(), Ok(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<MemberRef>(&json).unwrap(), m);
        }
        assert_eq!(MemberRef::User(UserId(12)).to_string(), "user:12");
        for bad in ["", "user", "user:", "user:x", "team:1", "contact:1.5"] {
            assert!(bad.parse::<MemberRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn moving_members() {
        use crate::domain::call_prefs::SendCallsTo;
        let member = |m| CallTeamMember {
            member: m,
            name: String::new(),
            status: None,
            route: Some(CallRoute { by: SendCallsTo::Email, to: String::new() }),
            missed_call_email: false,
        };
        let (a, b, c) =
            (MemberRef::User(UserId(1)), MemberRef::Contact(2), MemberRef::User(UserId(3)));
        let team = CallTeam {
            id: 1,
            node_id: NodeId(1),
            name: "T".into(),
            version: 1,
            missed_call_emails: false,
            members: vec![member(a), member(b), member(c)],
        };
        assert_eq!(team.moved(1, -1), vec![b, a, c]);
        assert_eq!(team.moved(1, 1), vec![a, c, b]);
        assert_eq!(team.moved(0, -1), vec![a, b, c]);
        assert_eq!(team.moved(2, 1), vec![a, b, c]);
    }
}
