//! The actions the audit log records, with the words the audit page shows for them.

/// Every action key written to the audit log, and its label.
pub const ACTIONS: &[(&str, &str)] = &[
    ("agency_administrator_created", "Agency administrator created"),
    ("node_created", "Account created"),
    ("node_renamed", "Account renamed"),
    ("node_moved", "Account moved"),
    ("node_archived", "Account archived"),
    ("role_created", "Role created"),
    ("role_updated", "Role changed"),
    ("role_deleted", "Role deleted"),
    ("role_granted", "Role given"),
    ("role_revoked", "Role taken away"),
    ("user_invited", "Invited"),
    ("invitation_resent", "Invitation resent"),
    ("invitation_revoked", "Invitation withdrawn"),
    ("invitation_accepted", "Invitation accepted"),
    ("bulk_added", "Bulk add"),
    ("email_outside_reach_looked_up", "Address of someone outside reach looked up"),
    ("user_suspended", "Suspended"),
    ("user_reactivated", "Reactivated"),
    ("user_disabled", "Disabled"),
    ("user_reinvited", "Re-invited"),
    ("user_deleted", "Deleted"),
    ("profile_updated", "Profile changed"),
    ("profile_picture_changed", "Profile picture changed"),
    ("profile_picture_removed", "Profile picture removed"),
    ("call_preferences_updated", "Call preferences changed"),
    ("custom_field_labels_renamed", "Custom field labels renamed"),
    ("signed_in", "Signed in"),
    ("sign_in_locked", "Sign-in locked after failed attempts"),
    ("password_reset_requested", "Password reset asked for"),
    ("password_reset", "Password reset"),
    ("password_changed", "Password changed"),
    ("contact_created", "Contact added"),
    ("contact_updated", "Contact changed"),
    ("contact_deleted", "Contact deleted"),
    ("call_team_created", "Call team created"),
    ("call_team_renamed", "Call team renamed"),
    ("call_team_members_set", "Call team members changed"),
    ("call_team_missed_call_emails_set", "Call team missed-call e-mails changed"),
    ("call_team_deleted", "Call team deleted"),
    ("team_created", "Team created"),
    ("team_members_set", "Team members changed"),
    ("team_deleted", "Team deleted"),
    ("activity_visibility_set", "Activity visibility changed"),
    ("tracking_number_created", "Tracking number added"),
    ("tracking_number_deleted", "Tracking number deleted"),
    ("access_group_created", "Access group created"),
    ("access_group_members_set", "Access group members changed"),
    ("access_group_numbers_set", "Access group numbers changed"),
    ("access_group_deleted", "Access group deleted"),
];

/// The label of an action key; unknown keys (from a newer version) show as they are.
pub fn label(action: &str) -> &str {
    ACTIONS.iter().find(|(key, _)| *key == action).map_or(action, |(_, label)| label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_labelled() {
        let mut keys: Vec<&str> = ACTIONS.iter().map(|(k, _)| *k).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), ACTIONS.len());
        assert_eq!(label("role_granted"), "Role given");
        assert_eq!(label("something_new"), "something_new");
    }
}
