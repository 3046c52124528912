//! Permissions: the one vocabulary of access control, shared by server and browser.
//!
//! Stored as stable string keys (`Permission::key`) so a custom role survives a re-ordering
//! of this enum; unknown keys read from storage are dropped, never widened.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Kinds of business records whose access is granted per action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordType {
    Contact,
    Policy,
    Opportunity,
}

impl RecordType {
    pub const ALL: [RecordType; 3] = [Self::Contact, Self::Policy, Self::Opportunity];

    pub fn key(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Policy => "policy",
            Self::Opportunity => "opportunity",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Contact => "Contact records",
            Self::Policy => "Policy records",
            Self::Opportunity => "Opportunity records",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RecordAction {
    View,
    Add,
    Edit,
    Delete,
}

impl RecordAction {
    pub const ALL: [RecordAction; 4] = [Self::View, Self::Add, Self::Edit, Self::Delete];

    pub fn key(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Add => "add",
            Self::Edit => "edit",
            Self::Delete => "delete",
        }
    }
}

/// Something a role allows at a node of the account tree (and everything below it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    ViewAccount,
    ManageAccountSettings,
    ManageSubAccounts,
    ViewUsers,
    /// Invite, edit, suspend, disable and delete users.
    ManageUsers,
    ManageRoles,
    ViewBilling,
    ManageBilling,
    ViewReports,
    ManageReports,
    ViewCallLog,
    EditCallLog,
    /// Narrows the call log to the holder's own assigned calls.
    ViewOwnCallsOnly,
    /// Read and reply to text messages and chat.
    TextAndChat,
    ManageCallTeams,
    ViewAuditLog,
    Record(RecordType, RecordAction),
}

/// Where a permission is shown in the role editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PermissionArea {
    Account,
    Users,
    Billing,
    Reports,
    Calls,
    Records,
}

impl PermissionArea {
    pub fn label(self) -> &'static str {
        match self {
            Self::Account => "Account",
            Self::Users => "Users and roles",
            Self::Billing => "Billing",
            Self::Reports => "Reports",
            Self::Calls => "Calls and messaging",
            Self::Records => "Records",
        }
    }
}

impl Permission {
    const SIMPLE: [Permission; 16] = [
        Self::ViewAccount,
        Self::ManageAccountSettings,
        Self::ManageSubAccounts,
        Self::ViewUsers,
        Self::ManageUsers,
        Self::ManageRoles,
        Self::ViewBilling,
        Self::ManageBilling,
        Self::ViewReports,
        Self::ManageReports,
        Self::ViewCallLog,
        Self::EditCallLog,
        Self::ViewOwnCallsOnly,
        Self::TextAndChat,
        Self::ManageCallTeams,
        Self::ViewAuditLog,
    ];

    /// Every permission, in display order.
    pub fn all() -> Vec<Permission> {
        let mut all = Self::SIMPLE.to_vec();
        for t in RecordType::ALL {
            for a in RecordAction::ALL {
                all.push(Self::Record(t, a));
            }
        }
        all
    }

    /// The stable storage key.
    pub fn key(self) -> String {
        let simple = match self {
            Self::ViewAccount => "view_account",
            Self::ManageAccountSettings => "manage_account_settings",
            Self::ManageSubAccounts => "manage_sub_accounts",
            Self::ViewUsers => "view_users",
            Self::ManageUsers => "manage_users",
            Self::ManageRoles => "manage_roles",
            Self::ViewBilling => "view_billing",
            Self::ManageBilling => "manage_billing",
            Self::ViewReports => "view_reports",
            Self::ManageReports => "manage_reports",
            Self::ViewCallLog => "view_call_log",
            Self::EditCallLog => "edit_call_log",
            Self::ViewOwnCallsOnly => "view_own_calls_only",
            Self::TextAndChat => "text_and_chat",
            Self::ManageCallTeams => "manage_call_teams",
            Self::ViewAuditLog => "view_audit_log",
            Self::Record(t, a) => return format!("record:{}:{}", t.key(), a.key()),
        };
        simple.to_string()
    }

    pub fn from_key(key: &str) -> Option<Permission> {
        Self::all().into_iter().find(|p| p.key() == key)
    }

    pub fn label(self) -> String {
        match self {
            Self::ViewAccount => "View the account".into(),
            Self::ManageAccountSettings => "Manage account settings".into(),
            Self::ManageSubAccounts => "Create and archive sub-accounts".into(),
            Self::ViewUsers => "View users".into(),
            Self::ManageUsers => "Manage users (invite, edit, suspend, disable, delete)".into(),
            Self::ManageRoles => "Manage roles".into(),
            Self::ViewBilling => "View billing".into(),
            Self::ManageBilling => "Manage billing".into(),
            Self::ViewReports => "View reports".into(),
            Self::ManageReports => "Manage reports".into(),
            Self::ViewCallLog => "View the call log".into(),
            Self::EditCallLog => "Edit the call log".into(),
            Self::ViewOwnCallsOnly => "Only their own assigned calls".into(),
            Self::TextAndChat => "Read and reply to text and chat".into(),
            Self::ManageCallTeams => "Manage call teams and contacts".into(),
            Self::ViewAuditLog => "View the audit log".into(),
            Self::Record(t, a) => format!("{}: {}", t.label(), a.key()),
        }
    }

    pub fn area(self) -> PermissionArea {
        match self {
            Self::ViewAccount | Self::ManageAccountSettings | Self::ManageSubAccounts => {
                PermissionArea::Account
            }
            Self::ViewUsers | Self::ManageUsers | Self::ManageRoles | Self::ViewAuditLog => {
                PermissionArea::Users
            }
            Self::ViewBilling | Self::ManageBilling => PermissionArea::Billing,
            Self::ViewReports | Self::ManageReports => PermissionArea::Reports,
            Self::ViewCallLog
            | Self::EditCallLog
            | Self::ViewOwnCallsOnly
            | Self::TextAndChat
            | Self::ManageCallTeams => PermissionArea::Calls,
            Self::Record(..) => PermissionArea::Records,
        }
    }
}

/// A set of permissions, as held by a role or by a person at a node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSet(pub BTreeSet<Permission>);

impl PermissionSet {
    pub fn contains(&self, p: Permission) -> bool {
        self.0.contains(&p)
    }

    pub fn is_superset(&self, other: &PermissionSet) -> bool {
        self.0.is_superset(&other.0)
    }

    /// Space-separated storage keys.
    pub fn to_keys(&self) -> String {
        self.0.iter().map(|p| p.key()).collect::<Vec<_>>().join(" ")
    }

    /// Reads stored keys, ignoring any this build does not know.
    pub fn from_keys(keys: &str) -> Self {
        Self(keys.split_whitespace().filter_map(Permission::from_key).collect())
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let all = Permission::all();
        let keys: BTreeSet<String> = all.iter().map(|p| p.key()).collect();
        assert_eq!(keys.len(), all.len());
        for p in all {
            assert_eq!(Permission::from_key(&p.key()), Some(p));
        }
    }

    #[test]
    fn unknown_keys_are_dropped() {
        let set = PermissionSet::from_keys("view_users launch_missiles record:policy:edit");
        assert_eq!(
            set,
            [Permission::ViewUsers, Permission::Record(RecordType::Policy, RecordAction::Edit)]
                .into_iter()
                .collect()
        );
    }
}
