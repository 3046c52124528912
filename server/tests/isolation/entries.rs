//! The isolation suite's table: every registered server function with its cases, the
//! permissions each needs and where, and what an allowed call may change; and the functions
//! without cases, with the reason.

use super::{
    cases::Kind::{self, Teams as T},
    fixture::Table,
    teams_cases::TeamsKind as K,
};
use app::domain::{BuiltinRole, Permission as P};

/// Registered endpoints without cases, and why.
pub const EXEMPT: &[(&str, &str)] = &[
    ("/api/sign_in", "public; acts on the caller's own session (tests/foundation.rs)"),
    ("/api/sign_out", "public; ends the caller's own session (tests/foundation.rs)"),
    ("/api/get_session", "public; the caller's own session (tests/foundation.rs)"),
    ("/api/complete_setup", "public; closed once an agency exists (tests/foundation.rs)"),
    ("/api/get_invitation", "public; the link's token is the credential (tests/invitations.rs)"),
    ("/api/accept_invitation", "public; the link's token is the credential (tests/invitations.rs)"),
    ("/api/change_password", "the caller's own password only; no ids taken (tests/account.rs)"),
    ("/api/list_my_sessions", "the caller's own sessions only; no ids taken (tests/account.rs)"),
    ("/api/end_my_session", "matches the caller's own sessions only (tests/account.rs)"),
    (
        "/api/request_password_reset",
        "public; same answer for every address (tests/password_reset.rs)",
    ),
    (
        "/api/get_password_reset",
        "public; the link's token is the credential (tests/password_reset.rs)",
    ),
    ("/api/reset_password", "public; the link's token is the credential (tests/password_reset.rs)"),
];

/// Where a permission is needed, relative to the case's target node.
#[derive(Clone, Copy, Debug)]
pub enum At {
    Target,
    /// The target's parent (the agency itself for the agency, where the server checks it).
    ParentOfTarget,
    /// The root of the target's agency.
    AgencyOfTarget,
    /// The caller's grant node (or a node made for the case just below it).
    Grant,
    /// The root of the caller's own agency.
    AgencyOfCaller,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Run for every position of the target.
    Target,
    /// No target: once per caller.
    Caller,
}

pub struct Entry {
    pub path: &'static str,
    pub kind: Kind,
    pub scope: Scope,
    /// Every permission the call needs, and where.
    pub needs: &'static [(P, At)],
    /// What an allowed call may change.
    pub touches: &'static [Table],
}

const fn entry(
    path: &'static str,
    kind: Kind,
    needs: &'static [(P, At)],
    touches: &'static [Table],
) -> Entry {
    Entry { path, kind, scope: Scope::Target, needs, touches }
}

const NODES: &[Table] = &[Table::Nodes];
const MEMBERS: &[Table] = &[Table::Memberships];
const ROLES: &[Table] = &[Table::Roles];
const USERS: &[Table] = &[Table::Users];
const READ: &[Table] = &[];
const CONTACTS: &[Table] = &[Table::Contacts];
const CALL_TEAMS: &[Table] = &[Table::CallTeams];
const TEAMS: &[Table] = &[Table::Teams];
const NUMBERS: &[Table] = &[Table::TrackingNumbers];
const GROUPS: &[Table] = &[Table::AccessGroups];
const CALL_TEAMS_AT_TARGET: &[(P, At)] = &[(P::ManageCallTeams, At::Target)];
const CALL_TEAMS_AT_GRANT: &[(P, At)] = &[(P::ManageCallTeams, At::Grant)];
const SETTINGS_AT_TARGET: &[(P, At)] = &[(P::ManageAccountSettings, At::Target)];

/// Every server function with its cases: what it needs, and what it may change.
pub const TABLE: &[Entry] = &[
    // Contacts, call teams, teams, activity visibility, tracking numbers and access-control
    // groups (isolation/teams_cases.rs, with their own rules).
    entry("/api/list_contacts", T(K::ListContacts), &[(P::ViewAccount, At::Target)], READ),
    entry("/api/create_contact", T(K::CreateContact), CALL_TEAMS_AT_TARGET, CONTACTS),
    entry("/api/update_contact", T(K::UpdateContact), CALL_TEAMS_AT_TARGET, CONTACTS),
    entry("/api/update_contact", T(K::UpdateContactViaGrant), CALL_TEAMS_AT_GRANT, CONTACTS),
    entry("/api/delete_contact", T(K::DeleteContact), CALL_TEAMS_AT_TARGET, CONTACTS),
    entry("/api/list_call_teams", T(K::ListCallTeams), &[(P::ViewAccount, At::Target)], READ),
    entry("/api/create_call_team", T(K::CreateCallTeam), CALL_TEAMS_AT_TARGET, CALL_TEAMS),
    entry("/api/rename_call_team", T(K::RenameCallTeam), CALL_TEAMS_AT_TARGET, CALL_TEAMS),
    entry(
        "/api/set_call_team_missed_call_emails",
        T(K::SetCallTeamMissedCalls),
        CALL_TEAMS_AT_TARGET,
        CALL_TEAMS,
    ),
    entry("/api/delete_call_team", T(K::DeleteCallTeam), CALL_TEAMS_AT_TARGET, CALL_TEAMS),
    entry("/api/set_call_team_members", T(K::SetCallTeamMembers), CALL_TEAMS_AT_TARGET, CALL_TEAMS),
    entry("/api/set_call_team_members", T(K::SetCallTeamPerson), CALL_TEAMS_AT_GRANT, CALL_TEAMS),
    entry("/api/set_call_team_members", T(K::SetCallTeamContact), CALL_TEAMS_AT_GRANT, CALL_TEAMS),
    entry("/api/list_teams", T(K::ListTeams), &[(P::ViewUsers, At::Target)], READ),
    entry("/api/create_team", T(K::CreateTeam), &[(P::ManageUsers, At::Target)], TEAMS),
    entry("/api/delete_team", T(K::DeleteTeam), &[(P::ManageUsers, At::Target)], TEAMS),
    entry("/api/set_team_members", T(K::SetTeamMembers), &[(P::ManageUsers, At::Target)], TEAMS),
    entry("/api/set_team_members", T(K::SetTeamPerson), &[(P::ManageUsers, At::Grant)], TEAMS),
    entry(
        "/api/list_activity_visibility",
        T(K::ListActivityVisibility),
        &[(P::ViewUsers, At::Target)],
        READ,
    ),
    entry(
        "/api/set_activity_visibility",
        T(K::SetActivityVisibility),
        &[(P::ManageUsers, At::Target)],
        &[Table::ActivityVisibility],
    ),
    entry("/api/list_member_candidates", T(K::CandidatesCallTeam), CALL_TEAMS_AT_TARGET, READ),
    entry(
        "/api/list_member_candidates",
        T(K::CandidatesTeam),
        &[(P::ManageUsers, At::Target)],
        READ,
    ),
    entry("/api/list_member_candidates", T(K::CandidatesAccessGroup), SETTINGS_AT_TARGET, READ),
    entry(
        "/api/list_tracking_numbers",
        T(K::ListTrackingNumbers),
        &[(P::ViewAccount, At::Target)],
        READ,
    ),
    entry("/api/create_tracking_number", T(K::CreateTrackingNumber), SETTINGS_AT_TARGET, NUMBERS),
    entry("/api/delete_tracking_number", T(K::DeleteTrackingNumber), SETTINGS_AT_TARGET, NUMBERS),
    entry("/api/list_access_groups", T(K::ListAccessGroups), &[(P::ViewAccount, At::Target)], READ),
    entry("/api/create_access_group", T(K::CreateAccessGroup), SETTINGS_AT_TARGET, GROUPS),
    entry("/api/delete_access_group", T(K::DeleteAccessGroup), SETTINGS_AT_TARGET, GROUPS),
    entry("/api/set_access_group_numbers", T(K::SetAccessGroupNumbers), SETTINGS_AT_TARGET, GROUPS),
    entry("/api/set_access_group_members", T(K::SetAccessGroupMembers), SETTINGS_AT_TARGET, GROUPS),
    entry(
        "/api/set_access_group_members",
        T(K::SetAccessGroupPerson),
        &[(P::ManageAccountSettings, At::Grant)],
        GROUPS,
    ),
    // Filters rather than refuses, as a person's roles do.
    entry("/api/list_user_teams_and_groups", T(K::ListUserTeams), &[], READ),
    entry("/api/get_node", Kind::GetNode, &[(P::ViewAccount, At::Target)], READ),
    entry("/api/get_tree", Kind::GetTree, &[(P::ViewAccount, At::Target)], READ),
    entry("/api/list_node_members", Kind::ListNodeMembers, &[(P::ViewUsers, At::Target)], READ),
    entry("/api/list_roles", Kind::ListRoles, &[(P::ViewUsers, At::Target)], READ),
    entry("/api/list_agency_users", Kind::ListAgencyUsers, &[(P::ManageUsers, At::Target)], READ),
    entry("/api/create_node", Kind::CreateNode, &[(P::ManageSubAccounts, At::Target)], NODES),
    entry("/api/rename_node", Kind::RenameNode, &[(P::ManageAccountSettings, At::Target)], NODES),
    // A move needs the right where the node is (at its parent), not at the node itself.
    entry(
        "/api/move_node",
        Kind::MoveTarget,
        &[(P::ManageSubAccounts, At::ParentOfTarget), (P::ManageSubAccounts, At::Grant)],
        NODES,
    ),
    entry(
        "/api/move_node",
        Kind::MoveInto,
        &[(P::ManageSubAccounts, At::Grant), (P::ManageSubAccounts, At::Target)],
        NODES,
    ),
    entry(
        "/api/archive_node",
        Kind::ArchiveNode,
        &[(P::ManageSubAccounts, At::ParentOfTarget)],
        NODES,
    ),
    entry(
        "/api/grant_role",
        Kind::GrantRole(BuiltinRole::CallAgent),
        &[(P::ManageUsers, At::Target)],
        MEMBERS,
    ),
    entry(
        "/api/grant_role",
        Kind::GrantRole(BuiltinRole::Administrator),
        &[(P::ManageUsers, At::Target)],
        MEMBERS,
    ),
    entry(
        "/api/grant_role",
        Kind::GrantRole(BuiltinRole::AgencyBillingManager),
        &[(P::ManageUsers, At::Target)],
        MEMBERS,
    ),
    entry("/api/grant_role", Kind::GrantPerson, &[(P::ManageUsers, At::Grant)], MEMBERS),
    entry("/api/revoke_role", Kind::RevokeAtTarget, &[(P::ManageUsers, At::Target)], MEMBERS),
    entry("/api/revoke_role", Kind::RevokeAtGrant, &[(P::ManageUsers, At::Grant)], MEMBERS),
    // Filters rather than refuses: what is out of reach is left out (see `rules`).
    entry("/api/list_user_roles", Kind::ListUserRoles, &[], READ),
    entry("/api/get_user", Kind::GetUser, &[], READ),
    entry("/api/get_role", Kind::GetRole, &[], READ),
    entry("/api/save_role", Kind::SaveRoleCreate, &[(P::ManageRoles, At::Target)], ROLES),
    entry("/api/save_role", Kind::SaveRoleUpdate, &[(P::ManageRoles, At::AgencyOfCaller)], ROLES),
    entry(
        "/api/preview_role_change",
        Kind::PreviewRoleChange,
        &[(P::ManageRoles, At::AgencyOfTarget)],
        READ,
    ),
    entry(
        "/api/delete_role",
        Kind::DeleteRole,
        &[(P::ManageRoles, At::AgencyOfTarget)],
        &[Table::Roles, Table::Memberships],
    ),
    entry(
        "/api/invite_user",
        Kind::InviteUser,
        &[(P::ManageUsers, At::Target)],
        &[Table::Users, Table::Invitations, Table::Outbox],
    ),
    entry("/api/invite_user", Kind::InvitePerson, &[(P::ManageUsers, At::Grant)], READ),
    entry("/api/list_invitations", Kind::ListInvitations, &[(P::ViewUsers, At::Target)], READ),
    entry(
        "/api/resend_invitation",
        Kind::ResendInvitation,
        &[(P::ManageUsers, At::Target)],
        &[Table::Invitations, Table::Outbox],
    ),
    entry(
        "/api/revoke_invitation",
        Kind::RevokeInvitation,
        &[(P::ManageUsers, At::Target)],
        &[Table::Invitations],
    ),
    entry("/api/list_directory", Kind::ListDirectory, &[(P::ViewUsers, At::Target)], READ),
    // Each person is then handled as by `grant_role` (see `cases::check_allowed`).
    entry("/api/apply_to_users", Kind::BulkAddRole, &[(P::ManageUsers, At::Target)], MEMBERS),
    entry(
        "/api/apply_to_users",
        Kind::BulkAddRoleToPerson,
        &[(P::ManageUsers, At::Grant)],
        MEMBERS,
    ),
    Entry {
        path: "/api/list_entry_points",
        kind: Kind::ListEntryPoints,
        scope: Scope::Caller,
        needs: &[],
        touches: READ,
    },
    Entry {
        path: "/api/list_reachable_nodes",
        kind: Kind::ListReachableNodes,
        scope: Scope::Caller,
        needs: &[],
        touches: READ,
    },
    entry("/api/get_profile", Kind::GetProfile, &[], READ),
    entry(
        "/api/update_profile",
        Kind::UpdateProfile,
        &[(P::ManageUsers, At::Target)],
        &[Table::Users],
    ),
    Entry {
        path: "/api/list_time_zones",
        kind: Kind::ListTimeZones,
        scope: Scope::Caller,
        needs: &[],
        touches: READ,
    },
    entry("/api/list_audit_log", Kind::ListAuditLog, &[(P::ViewAuditLog, At::Target)], READ),
    // A status is changed by someone managing users at the person's home and wherever they
    // hold a role: for the person at `t`, all at `t` (and, with a role above, there too).
    entry("/api/suspend_user", Kind::SuspendUser, &[(P::ManageUsers, At::Target)], USERS),
    entry(
        "/api/suspend_user",
        Kind::SuspendHeldAbove,
        &[(P::ManageUsers, At::Target), (P::ManageUsers, At::ParentOfTarget)],
        USERS,
    ),
    entry("/api/reactivate_user", Kind::ReactivateUser, &[(P::ManageUsers, At::Target)], USERS),
    entry("/api/disable_user", Kind::DisableUser, &[(P::ManageUsers, At::Target)], USERS),
    entry(
        "/api/reinvite_user",
        Kind::ReinviteUser,
        &[(P::ManageUsers, At::Target)],
        // The new link is a password reset (purpose 'reinvite'), mailed.
        &[Table::Users, Table::PasswordResets, Table::Outbox],
    ),
    entry(
        "/api/delete_user",
        Kind::DeleteUser,
        &[(P::ManageUsers, At::Target)],
        &[Table::Users, Table::Memberships, Table::Invitations],
    ),
    entry("/api/list_disabled_users", Kind::ListDisabledUsers, &[(P::ViewUsers, At::Target)], READ),
    // Bulk add: each line as the single flows (`cases::check_allowed` checks each outcome).
    entry("/api/preview_bulk_add", Kind::BulkAddPreview, &[(P::ManageUsers, At::Target)], READ),
    entry(
        "/api/preview_bulk_add",
        Kind::BulkAddPreviewPerson,
        &[(P::ManageUsers, At::Grant)],
        READ,
    ),
    entry(
        "/api/commit_bulk_add",
        Kind::BulkAddCommit,
        &[(P::ManageUsers, At::Target)],
        &[Table::Users, Table::Invitations, Table::Outbox, Table::Memberships],
    ),
    entry(
        "/api/commit_bulk_add",
        Kind::BulkAddCommitPerson,
        &[(P::ManageUsers, At::Grant)],
        &[Table::Outbox, Table::Memberships],
    ),
    // Only the caller's own batches, whoever asks.
    Entry {
        path: "/api/bulk_add_progress",
        kind: Kind::BulkAddProgress,
        scope: Scope::Caller,
        needs: &[],
        touches: READ,
    },
    // Seen as the person is (see `rules`); changed by whoever manages users at their home.
    entry("/api/get_call_preferences", Kind::GetCallPreferences, &[], READ),
    entry(
        "/api/save_call_preferences",
        Kind::SaveCallPreferences,
        &[(P::ManageUsers, At::Target)],
        &[Table::CallPreferences],
    ),
    // Read by anyone viewing some account of the agency (see `rules`).
    entry("/api/get_agency_settings", Kind::GetAgencySettings, &[], READ),
    entry(
        "/api/save_agency_settings",
        Kind::SaveAgencySettings,
        &[(P::ManageAccountSettings, At::AgencyOfTarget)],
        &[Table::AgencySettings],
    ),
];
