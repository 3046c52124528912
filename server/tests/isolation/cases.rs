//! What each kind of case sends, and what an allowed answer must contain: exactly what the
//! model says the caller may see, nothing from outside it.

use super::fixture::{CUSTOM_PERMISSIONS, Caller, Node, World};
use crate::common::START;
use app::{
    domain::{BuiltinRole, NodeId, Permission, RoleId, UserId, call_prefs::CallPreferences},
    server::repo::memberships,
};
use serde_json::Value;
use std::collections::BTreeSet;

/// One way of calling a server function, given the target node `t` of the case. The person
/// "at" a node is the fixture's subject at home there (holding User and the custom role).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Contacts, call teams, teams, tracking numbers and access groups (`teams_cases.rs`).
    Teams(super::teams_cases::TeamsKind),
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
    /// The users directory at `t` (default filter: everyone within reach there).
    ListDirectory,
    /// Bulk action at `t`: Call Agent for the person at `t`.
    BulkAddRole,
    /// Bulk action at the caller's grant node: Call Agent for the person at `t` (someone
    /// out of reach is refused without being named).
    BulkAddRoleToPerson,
    /// Previews a bulk add at `t` as Call Agent: a new address and the person at `t`.
    BulkAddPreview,
    /// Previews a bulk add at the caller's grant node of the person at `t`: given access if
    /// the caller may see them, else "already exists" without a name.
    BulkAddPreviewPerson,
    /// Commits the batch of [`Kind::BulkAddPreview`] (one invalid line: nothing is added).
    BulkAddCommit,
    /// Commits the batch of [`Kind::BulkAddPreviewPerson`].
    BulkAddCommitPerson,
    /// No target: the progress of the batch id every commit case uses, which callers
    /// before this one ran (this caller's own cases come later): never seen.
    BulkAddProgress,
    /// No target: the caller's own entry points.
    ListEntryPoints,
    ListReachableNodes,
    /// The profile of the person at `t`.
    GetProfile,
    /// Saves the profile of the person at `t` (same names, another time zone).
    UpdateProfile,
    /// No target: the time zone names.
    ListTimeZones,
    ListAuditLog,
    /// Suspends the person at `t`.
    SuspendUser,
    /// Suspends the person at `t`, who for the case also holds User at `t`'s parent (at `t`
    /// for an agency): the caller must manage users there too, not only at `t`.
    SuspendHeldAbove,
    /// Reactivates the person at `t`, suspended for the case 15 days before.
    ReactivateUser,
    DisableUser,
    /// Re-invites the person at `t`, disabled for the case.
    ReinviteUser,
    DeleteUser,
    /// The disabled people at `t`: for the case, every fixture person at home at a node.
    ListDisabledUsers,
    /// The call preferences of the person at `t`.
    GetCallPreferences,
    /// Saves the call preferences of the person at `t`, an administrators' flag included.
    SaveCallPreferences,
    /// The settings of `t`'s agency.
    GetAgencySettings,
    /// Renames the custom fields of `t`'s agency.
    SaveAgencySettings,
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
        Kind::Teams(k) => super::teams_cases::prepare(k, w, c, t).await,
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
        Kind::ListDirectory => vec![field("node_id", id(t))],
        Kind::BulkAddRole | Kind::BulkAddRoleToPerson => {
            let at = if kind == Kind::BulkAddRole { t } else { g };
            vec![
                field("node_id", id(at)),
                field("user_ids[0]", w.subject(t)),
                field("action[AddRole]", role(BuiltinRole::CallAgent)),
            ]
        }
        Kind::ResendInvitation | Kind::RevokeInvitation => {
            vec![field("invitation_id", w.invitation(t))]
        }
        Kind::BulkAddPreview | Kind::BulkAddCommit => {
            let text = format!(
                "bulk-{}@example.com,Case,Bulk\n{},Case,Person\n",
                w.serial(),
                w.subject_email(t)
            );
            bulk_add_form(kind, id(t), role(BuiltinRole::CallAgent), text)
        }
        Kind::BulkAddPreviewPerson | Kind::BulkAddCommitPerson => {
            let text = format!("{},Case,Person\n", w.subject_email(t));
            bulk_add_form(kind, id(g), role(BuiltinRole::CallAgent), text)
        }
        Kind::BulkAddProgress => vec![field("batch_id", BULK_BATCH)],
        Kind::ListEntryPoints | Kind::ListReachableNodes | Kind::ListTimeZones => Vec::new(),
        Kind::GetProfile => vec![field("user_id", w.subject(t))],
        Kind::UpdateProfile => {
            let (first, last, username, zone, version): (String, String, String, String, i64) =
                sqlx::query_as(
                    "SELECT first_name, last_name, username, time_zone, version FROM users \
                     WHERE id = $1",
                )
                .bind(w.subject(t))
                .fetch_one(&w.app.server.state.db.pool)
                .await
                .unwrap();
            let other = if zone == "UTC" { "Europe/Paris" } else { "UTC" };
            vec![
                field("user_id", w.subject(t)),
                field("first_name", first),
                field("last_name", last),
                field("username", username),
                field("time_zone", other),
                field("version", version),
            ]
        }
        Kind::ListAuditLog => vec![field("node_id", id(t))],
        Kind::SuspendUser | Kind::DisableUser => {
            vec![field("user_id", w.subject(t)), field("reason", "Case")]
        }
        Kind::SuspendHeldAbove => {
            let above = NodeId(id(t.parent().unwrap_or(t)));
            let mut conn = w.app.server.state.db.pool.acquire().await.unwrap();
            let (user, role) = (UserId(w.subject(t)), RoleId(role(BuiltinRole::User)));
            memberships::grant(&mut conn, user, above, role, None, START).await.unwrap();
            vec![field("user_id", w.subject(t)), field("reason", "Case")]
        }
        Kind::ReactivateUser => {
            w.set_status(w.subject(t), "suspended", w.app.clock.now() - 15 * DAY).await;
            vec![field("user_id", w.subject(t))]
        }
        Kind::ReinviteUser => {
            w.set_status(w.subject(t), "disabled", w.app.clock.now()).await;
            vec![field("user_id", w.subject(t))]
        }
        Kind::DeleteUser => vec![field("user_id", w.subject(t))],
        Kind::ListDisabledUsers => {
            for n in Node::ALL {
                w.set_status(w.subject(n), "disabled", w.app.clock.now()).await;
            }
            vec![field("node_id", id(t))]
        }
        Kind::GetCallPreferences => vec![field("user_id", w.subject(t))],
        Kind::SaveCallPreferences => {
            let mut prefs = CallPreferences::defaults(&w.subject_email(t));
            prefs.custom_fields[0] = format!("Case {}", w.serial());
            prefs.admin_flags.can_view_all_sms = true;
            let version = w.version_of("call_preferences", "user_id", w.subject(t)).await;
            let body = serde_json::json!({
                "user_id": w.subject(t),
                "prefs": prefs,
                "version": version,
            });
            vec![field(JSON, body)]
        }
        Kind::GetAgencySettings => vec![field("agency_id", id(t.root()))],
        Kind::SaveAgencySettings => {
            let version = w.version_of("agency_settings", "agency_id", id(t.root())).await;
            let n = w.serial();
            let mut form = vec![field("agency_id", id(t.root())), field("version", version)];
            form.extend(list(
                "custom_field_labels",
                &[&format!("Region {n}"), "Language", "Team", "Badge"],
            ));
            form
        }
    }
}

/// The one field of a case whose whole JSON body is prepared (see [`json_body`]).
pub const JSON: &str = "(json body)";

const DAY: i64 = 24 * 60 * 60 * 1000;

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
        Kind::Teams(k) => super::teams_cases::check_allowed(k, w, c, t, body),
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
        Kind::GetUser => {
            if body["id"].as_i64() != Some(w.subject(t)) {
                return Err("another person".into());
            }
            // The person's home and roles are all at `t`.
            let manages = c.holds(Permission::ManageUsers, t);
            match body["may_manage"].as_bool() == Some(manages) {
                true => Ok(()),
                false => Err(format!("may_manage should be {manages}")),
            }
        }
        // Everyone at home at or below `t` (all disabled for the case), each manageable
        // where the caller manages users.
        Kind::ListDisabledUsers => {
            let want: BTreeSet<i64> = t.subtree().into_iter().map(|n| w.subject(n)).collect();
            same("disabled people", ids(body, "id"), want)?;
            for p in body.as_array().into_iter().flatten() {
                let home = Node::ALL.into_iter().find(|n| p["id"].as_i64() == Some(w.subject(*n)));
                let manages = home.is_some_and(|n| c.holds(Permission::ManageUsers, n));
                if p["may_manage"].as_bool() != Some(manages) {
                    return Err(format!("may_manage of {:?} should be {manages}", home));
                }
            }
            Ok(())
        }
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
        // Changed by those managing users at the person's home (`t`), flags included.
        Kind::GetCallPreferences | Kind::SaveCallPreferences => {
            if body["user_id"].as_i64() != Some(w.subject(t)) {
                return Err("another person".into());
            }
            let manages = c.holds(Permission::ManageUsers, t);
            let rights = (body["can_edit"].as_bool(), body["can_edit_admin_flags"].as_bool());
            if rights != (Some(manages), Some(manages)) {
                return Err(format!("can_edit and can_edit_admin_flags should be {manages}"));
            }
            match kind == Kind::GetCallPreferences
                || body["prefs"]["admin_flags"]["can_view_all_sms"] == true
            {
                true => Ok(()),
                false => Err("the flag was not saved".into()),
            }
        }
        Kind::GetAgencySettings | Kind::SaveAgencySettings => {
            if body["agency_id"].as_i64() != Some(w.id(t.root())) {
                return Err("another agency".into());
            }
            let edits = c.holds(Permission::ManageAccountSettings, t.root());
            match body["can_edit"].as_bool() == Some(edits) {
                true => Ok(()),
                false => Err(format!("can_edit should be {edits}")),
            }
        }
        Kind::GetProfile => match body["user_id"].as_i64() == Some(w.subject(t)) {
            true => Ok(()),
            false => Err("another person".into()),
        },
        Kind::ListTimeZones => match body.as_array().is_some_and(|z| z.len() > 300) {
            true => Ok(()),
            false => Err("not the time zone list".into()),
        },
        // Entries filed at the target or below it, and only there (nodes made by earlier
        // cases are not in the model: the name check covers them).
        Kind::ListAuditLog => {
            let at = ids(&body["entries"], "node_id");
            let under = node_ids(w, t.subtree());
            match at.iter().all(|n| under.contains(n) || w.node_of(*n).is_none()) {
                true => Ok(()),
                false => Err(format!("entries at {at:?}, expected within {under:?}")),
            }
        }
        Kind::BulkAddPreview | Kind::BulkAddPreviewPerson => {
            let lines = body["lines"].as_array().cloned().unwrap_or_default();
            let mut want = Vec::new();
            if kind == Kind::BulkAddPreview {
                want.push(("invite", None));
            }
            // The person at `t`: named to those who may see them, else not even their id.
            let sees = sees_person_at(c, t);
            want.push(if sees { ("grant_access", Some(w.subject(t))) } else { ("invalid", None) });
            let got: Vec<(&str, Option<i64>)> = lines
                .iter()
                .map(|l| {
                    (l["outcome"]["kind"].as_str().unwrap_or(""), l["outcome"]["user_id"].as_i64())
                })
                .collect();
            match got == want {
                true => Ok(()),
                false => Err(format!("lines {got:?}, expected {want:?}")),
            }
        }
        Kind::BulkAddCommit => {
            let want =
                serde_json::json!({"invited": 1, "granted": 1, "unchanged": 0, "duplicates": 0});
            same_json(body, want)
        }
        Kind::BulkAddCommitPerson => {
            let want =
                serde_json::json!({"invited": 0, "granted": 1, "unchanged": 0, "duplicates": 0});
            same_json(body, want)
        }
        Kind::BulkAddProgress => same_json(body, Value::Null),
        Kind::InvitePerson => {
            let found = (body["outcome"].as_str(), body["user_id"].as_i64());
            match found == (Some("already_exists"), Some(w.subject(t))) {
                true => Ok(()),
                false => Err("not the person at the target".into()),
            }
        }
        Kind::ListInvitations => same("invitations", ids(body, "id"), [w.invitation(t)].into()),
        // Everyone at home at or below `t` or holding a role there or below, counted exactly.
        Kind::ListDirectory => {
            let homes = w.users.iter().filter(|(_, home)| home.is_at_or_below(t)).map(|(u, _)| *u);
            let holders = w.memberships.iter().filter(|(_, n, _)| n.is_at_or_below(t)).map(|m| m.0);
            let want: BTreeSet<i64> = homes.chain(holders).collect();
            if body["count"].as_u64() != Some(want.len() as u64) || body["count_exact"] != true {
                return Err(format!("count {} (exact {})", body["count"], body["count_exact"]));
            }
            same("people", ids(&body["rows"], "user_id"), want)
        }
        // Allowed, the call answers for the one person: given the role only by someone who
        // holds all it allows, to someone they may see.
        Kind::BulkAddRole | Kind::BulkAddRoleToPerson => {
            let outcome = body.as_array().filter(|a| a.len() == 1).map(|a| &a[0]);
            let Some(o) = outcome.filter(|o| o["user_id"].as_i64() == Some(w.subject(t))) else {
                return Err("not one outcome for the person at the target".into());
            };
            let own = c.role.permissions();
            let within =
                app::domain::role_rules::beyond(&own, &BuiltinRole::CallAgent.permissions())
                    .is_empty();
            let done = within && c.holds(Permission::ViewUsers, t);
            match o["done"].as_bool() == Some(done) {
                true => Ok(()),
                false => Err(format!("done should be {done}")),
            }
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
        | Kind::RevokeInvitation
        | Kind::UpdateProfile
        | Kind::SuspendUser
        | Kind::SuspendHeldAbove
        | Kind::ReactivateUser
        | Kind::DisableUser
        | Kind::ReinviteUser
        | Kind::DeleteUser => Ok(()),
    }
}

/// The batch id of every bulk-add commit case.
pub const BULK_BATCH: &str = "isolation-batch";

fn bulk_add_form(kind: Kind, node: i64, role: i64, text: String) -> Vec<(String, String)> {
    let mut form = vec![field("node_id", node), field("role_id", role), field("text", text)];
    if matches!(kind, Kind::BulkAddCommit | Kind::BulkAddCommitPerson) {
        form.push(field("batch_id", BULK_BATCH));
    }
    form
}

fn same_json(got: &Value, want: Value) -> Result<(), String> {
    if *got == want { Ok(()) } else { Err(format!("got {got}, expected {want}")) }
}

/// The person at `t` is someone `c` may see (as `sees_person_at` in the suite).
fn sees_person_at(c: &Caller, t: Node) -> bool {
    c.holds(Permission::ViewUsers, t)
}

/// The JSON body of the calls whose server function takes JSON (the bulk add text can be
/// 1 MiB); `None` for the form-encoded rest.
pub fn json_body(kind: Kind, form: &[(String, String)]) -> Option<Value> {
    if let [(name, body)] = form
        && name == JSON
    {
        return Some(serde_json::from_str(body).expect("a prepared JSON body"));
    }
    if !matches!(
        kind,
        Kind::BulkAddPreview
            | Kind::BulkAddPreviewPerson
            | Kind::BulkAddCommit
            | Kind::BulkAddCommitPerson
    ) {
        return None;
    }
    let mut body = serde_json::Map::new();
    for (k, v) in form {
        let value = match k.as_str() {
            "node_id" | "role_id" => Value::from(v.parse::<i64>().expect("an id")),
            _ => Value::from(v.as_str()),
        };
        body.insert(k.clone(), value);
    }
    Some(Value::Object(body))
}

/// What the answer may repeat of what the caller sent, which is no leak: the addresses of a
/// bulk add come back in its preview.
pub fn echoed(kind: Kind, w: &World, t: Node) -> Vec<String> {
    match kind {
        Kind::BulkAddPreview
        | Kind::BulkAddPreviewPerson
        | Kind::BulkAddCommit
        | Kind::BulkAddCommitPerson => vec![w.subject_email(t)],
        _ => Vec::new(),
    }
}
