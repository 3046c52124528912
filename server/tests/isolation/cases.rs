//! What each kind of case sends, and what an allowed answer must contain: exactly what the
//! model says the caller may see, nothing from outside it.

use super::fixture::{CUSTOM_PERMISSIONS, Caller, Node, World};
use app::domain::{BuiltinRole, Permission};
use serde_json::Value;
use std::collections::BTreeSet;

/// One way of calling a server function, given the target node `t` of the case. The person
/// "at" a node is the fixture's subject at home there (holding User and the custom role).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    GetNode,
    GetTree,
    ListNodeMembers,
    ListRoles,
    ListAgencyUsers,
    CreateNode,
    RenameNode,
    /// Moves `t` under a node made for the case below the grant.
    MoveTarget,
    /// Moves a node made for the case below the grant under `t`.
    MoveInto,
    ArchiveNode,
    /// Gives the person at `t` this built-in role at `t`.
    GrantRole(BuiltinRole),
    /// Gives the person at `t` the Call Agent role at the caller's own grant node.
    GrantPerson,
    /// Takes User, held at `t`, from the person at `t`.
    RevokeAtTarget,
    /// Takes the custom role of `t`'s agency, at the caller's grant node, from the person at
    /// `t` (who holds it at `t`: at the grant node only if `t` is the grant node). A refusal
    /// must name neither a person nor a role out of reach.
    RevokeAtGrant,
    ListUserRoles,
    GetUser,
    /// The custom role of `t`'s agency.
    GetRole,
    /// A new custom role with `t` as the agency.
    SaveRoleCreate,
    /// Edits the custom role of `t`'s agency, as the caller's own agency.
    SaveRoleUpdate,
    PreviewRoleChange,
    /// Deletes a custom role of `t`'s agency, made for the case and held at `t`, handing its
    /// holder User instead.
    DeleteRole,
    /// Invites someone new to `t`, as Call Agent there.
    InviteUser,
    /// Invites, at the caller's grant node, the e-mail address of the person at `t`: named
    /// back only if the caller may see them.
    InvitePerson,
    ListInvitations,
    /// The fixture's pending invitation at `t`.
    ResendInvitation,
    RevokeInvitation,
    /// No target: the caller's own entry points.
    ListEntryPoints,
    ListReachableNodes,
    ListDevMailbox,
}

fn field(name: impl Into<String>, value: impl ToString) -> (String, String) {
    (name.into(), value.to_string())
}

fn list(name: &str, values: &[&str]) -> Vec<(String, String)> {
    values.iter().enumerate().map(|(i, v)| field(format!("{name}[{i}]"), v)).collect()
}

/// The form fields of the call; makes what the case needs first (nodes and roles made
/// here are removed by [`World::restore`]).
pub async fn prepare(kind: Kind, w: &World, c: &Caller, t: Node) -> Vec<(String, String)> {
    let (g, id) = (c.grant, |n: Node| w.id(n));
    let role = |r: BuiltinRole| w.role(r);
    match kind {
        Kind::GetNode | Kind::ListNodeMembers | Kind::ArchiveNode => vec![field("node_id", id(t))],
        Kind::GetTree => vec![field("root_id", id(t))],
        Kind::ListRoles => vec![field("agency_node_id", id(t))],
        Kind::ListAgencyUsers => vec![field("node_id", id(t)), field("query", "")],
        Kind::CreateNode => {
            vec![field("parent_id", id(t)), field("name", format!("Made {}", w.serial()))]
        }
        Kind::RenameNode => {
            vec![field("node_id", id(t)), field("name", format!("Renamed {}", w.serial()))]
        }
        Kind::MoveTarget => {
            let fresh = w.fresh_node(g).await;
            vec![field("node_id", id(t)), field("new_parent_id", fresh)]
        }
        Kind::MoveInto => {
            let fresh = w.fresh_node(g).await;
            vec![field("node_id", fresh), field("new_parent_id", id(t))]
        }
        Kind::GrantRole(r) => {
            vec![field("node_id", id(t)), field("user_id", w.subject(t)), field("role_id", role(r))]
        }
        Kind::GrantPerson => vec![
            field("node_id", id(g)),
            field("user_id", w.subject(t)),
            field("role_id", role(BuiltinRole::CallAgent)),
        ],
        Kind::RevokeAtTarget => vec![
            field("node_id", id(t)),
            field("user_id", w.subject(t)),
            field("role_id", role(BuiltinRole::User)),
        ],
        Kind::RevokeAtGrant => vec![
            field("node_id", id(g)),
            field("user_id", w.subject(t)),
            field("role_id", w.custom_role(t)),
        ],
        Kind::ListUserRoles | Kind::GetUser => vec![field("user_id", w.subject(t))],
        Kind::GetRole => vec![field("role_id", w.custom_role(t))],
        Kind::SaveRoleCreate => {
            let mut form = vec![
                field("agency_node_id", id(t)),
                field("name", format!("Made role {}", w.serial())),
            ];
            form.extend(list("permissions", &["view_account"]));
            form
        }
        Kind::SaveRoleUpdate => {
            let target = w.custom_role(t);
            let mut form = vec![
                field("agency_node_id", id(g.root())),
                field("role_id", target),
                field("name", w.custom_role_name(t)),
                field("description", format!("Edited {}", w.serial())),
                field("expected_version", w.role_version(target).await),
            ];
            form.extend(list("permissions", &CUSTOM_PERMISSIONS));
            form
        }
        Kind::PreviewRoleChange => {
            let mut form = vec![field("role_id", w.custom_role(t))];
            form.extend(list("permissions", &["view_account", "text_and_chat"]));
            form
        }
        Kind::DeleteRole => {
            let temp = w.temp_role(t).await;
            vec![field("role_id", temp), field("replacement", role(BuiltinRole::User))]
        }
        Kind::InviteUser => vec![
            field("node_id", id(t)),
            field("email", format!("invitee-{}@example.com", w.serial())),
            field("first_name", "Case"),
            field("last_name", "Invitee"),
            field("role_ids[0]", role(BuiltinRole::CallAgent)),
        ],
        Kind::InvitePerson => vec![
            field("node_id", id(g)),
            field("email", w.subject_email(t)),
            field("first_name", "Case"),
            field("last_name", "Invitee"),
            field("role_ids[0]", role(BuiltinRole::CallAgent)),
        ],
        Kind::ListInvitations => vec![field("node_id", id(t))],
        Kind::ResendInvitation | Kind::RevokeInvitation => {
            vec![field("invitation_id", w.invitation(t))]
        }
        Kind::ListEntryPoints | Kind::ListReachableNodes | Kind::ListDevMailbox => Vec::new(),
    }
}

fn ids(v: &Value, key: &str) -> BTreeSet<i64> {
    v.as_array().map(|a| a.iter().filter_map(|x| x[key].as_i64()).collect()).unwrap_or_default()
}

fn node_ids(w: &World, nodes: impl IntoIterator<Item = Node>) -> BTreeSet<i64> {
    nodes.into_iter().map(|n| w.id(n)).collect()
}

fn same<T: Ord + std::fmt::Debug>(
    what: &str,
    got: BTreeSet<T>,
    want: BTreeSet<T>,
) -> Result<(), String> {
    if got == want { Ok(()) } else { Err(format!("{what}: got {got:?}, expected {want:?}")) }
}

/// People the caller may view: at home or holding a role at or below their grant.
fn people_in_reach(w: &World, c: &Caller) -> BTreeSet<i64> {
    if !c.role.permissions().contains(Permission::ViewUsers) {
        return BTreeSet::new();
    }
    let homes = w.users.iter().filter(|(_, home)| home.is_at_or_below(c.grant)).map(|(u, _)| *u);
    let holders = w.memberships.iter().filter(|(_, n, _)| n.is_at_or_below(c.grant)).map(|m| m.0);
    homes.chain(holders).collect()
}

/// Checks the body of an allowed call against the model (`Ok` for calls that only change
/// things: for those, the answer succeeding is the assertion).
pub fn check_allowed(
    kind: Kind,
    w: &World,
    c: &Caller,
    t: Node,
    body: &Value,
) -> Result<(), String> {
    let g = c.grant;
    match kind {
        Kind::GetNode => {
            if body["node"]["id"].as_i64() != Some(w.id(t)) {
                return Err("another node".into());
            }
            same("children", ids(&body["children"], "id"), node_ids(w, t.children()))?;
            let visible =
                t.ancestors().into_iter().filter(|a| c.holds(Permission::ViewAccount, *a));
            same("ancestors", ids(&body["ancestors"], "id"), node_ids(w, visible))
        }
        Kind::GetTree => same("tree", ids(body, "id"), node_ids(w, t.subtree())),
        Kind::ListNodeMembers => {
            let mut got = BTreeSet::new();
            for m in body.as_array().into_iter().flatten() {
                for r in m["roles"].as_array().into_iter().flatten() {
                    let triple =
                        (m["user_id"].as_i64(), r["at_node_id"].as_i64(), r["role_id"].as_i64());
                    got.insert(triple);
                }
            }
            let above = |n: &Node| t.is_at_or_below(*n);
            let want = w
                .memberships
                .iter()
                .filter(|(_, n, _)| above(n))
                .map(|(u, n, r)| (Some(*u), Some(w.id(*n)), Some(*r)))
                .collect();
            same("members (user, node, role)", got, want)
        }
        Kind::ListRoles => {
            let at_root = t.parent().is_none();
            let mut want: BTreeSet<i64> = w
                .builtin_roles()
                .filter(|(r, _)| at_root || !r.is_agency_level())
                .map(|(_, id)| id)
                .collect();
            want.insert(w.custom_role(t));
            same("roles", ids(body, "id"), want)
        }
        Kind::ListAgencyUsers => same("people", ids(body, "user_id"), people_in_reach(w, c)),
        Kind::ListUserRoles => {
            let subject = w.subject(t);
            let got: BTreeSet<(Option<i64>, Option<i64>)> = body
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| (r["role_id"].as_i64(), r["at_node_id"].as_i64()))
                .collect();
            let want = w
                .memberships
                .iter()
                .filter(|(u, n, _)| *u == subject && c.holds(Permission::ViewUsers, *n))
                .map(|(_, n, r)| (Some(*r), Some(w.id(*n))))
                .collect();
            same("roles held", got, want)
        }
        Kind::GetUser => match body["id"].as_i64() == Some(w.subject(t)) {
            true => Ok(()),
            false => Err("another person".into()),
        },
        Kind::GetRole => {
            let role = w.custom_role(t);
            let got: BTreeSet<(Option<i64>, Option<i64>)> = body["holders"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|h| (h["user_id"].as_i64(), h["node_id"].as_i64()))
                .collect();
            let want = w
                .memberships
                .iter()
                .filter(|(_, n, r)| *r == role && c.holds(Permission::ViewUsers, *n))
                .map(|(u, n, _)| (Some(*u), Some(w.id(*n))))
                .collect();
            same("holders (user, node)", got, want)
        }
        Kind::ListEntryPoints => {
            let entries = body.as_array().cloned().unwrap_or_default();
            let got: BTreeSet<Option<i64>> =
                entries.iter().map(|e| e["node"]["id"].as_i64()).collect();
            same("entry points", got, [Some(w.id(g))].into())?;
            same("children", ids(&entries[0]["children"], "id"), node_ids(w, g.children()))
        }
        Kind::ListReachableNodes => same("reachable", ids(body, "id"), node_ids(w, g.subtree())),
        Kind::InvitePerson => {
            let found = (body["outcome"].as_str(), body["user_id"].as_i64());
            match found == (Some("already_exists"), Some(w.subject(t))) {
                true => Ok(()),
                false => Err("not the person at the target".into()),
            }
        }
        Kind::ListInvitations => same("invitations", ids(body, "id"), [w.invitation(t)].into()),
        // Mail to the people invited within reach (the first case of the first caller: no
        // case has sent mail yet).
        Kind::ListDevMailbox => {
            let to = body.as_array().into_iter().flatten().filter_map(|m| m["to"].as_str());
            same("mail to", to.map(str::to_owned).collect(), w.invitees_under(g))
        }
        Kind::CreateNode
        | Kind::RenameNode
        | Kind::MoveTarget
        | Kind::MoveInto
        | Kind::ArchiveNode
        | Kind::GrantRole(_)
        | Kind::GrantPerson
        | Kind::RevokeAtTarget
        | Kind::RevokeAtGrant
        | Kind::SaveRoleCreate
        | Kind::SaveRoleUpdate
        | Kind::PreviewRoleChange
        | Kind::DeleteRole
        | Kind::InviteUser
        | Kind::ResendInvitation
        | Kind::RevokeInvitation => Ok(()),
    }
}
