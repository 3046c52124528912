//! The built-in roles and what each allows. This table is the source of truth: the server
//! writes it into the `roles` table at start, so stored built-ins never drift from the code.

use super::permission::{Permission as P, PermissionSet, RecordAction, RecordType};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BuiltinRole {
    AgencyAdministrator,
    AgencyBillingManager,
    MarketingManager,
    Administrator,
    AccountAdmin,
    BillingManager,
    ReportManager,
    CallManager,
    CallAgent,
    MessagingAgent,
    User,
}

impl BuiltinRole {
    pub const ALL: [BuiltinRole; 11] = [
        Self::AgencyAdministrator,
        Self::AgencyBillingManager,
        Self::MarketingManager,
        Self::Administrator,
        Self::AccountAdmin,
        Self::BillingManager,
        Self::ReportManager,
        Self::CallManager,
        Self::CallAgent,
        Self::MessagingAgent,
        Self::User,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::AgencyAdministrator => "agency_administrator",
            Self::AgencyBillingManager => "agency_billing_manager",
            Self::MarketingManager => "marketing_manager",
            Self::Administrator => "administrator",
            Self::AccountAdmin => "account_admin",
            Self::BillingManager => "billing_manager",
            Self::ReportManager => "report_manager",
            Self::CallManager => "call_manager",
            Self::CallAgent => "call_agent",
            Self::MessagingAgent => "messaging_agent",
            Self::User => "user",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::AgencyAdministrator => "Agency Administrator",
            Self::AgencyBillingManager => "Agency Billing Manager",
            Self::MarketingManager => "Marketing Manager",
            Self::Administrator => "Administrator",
            Self::AccountAdmin => "Account Admin",
            Self::BillingManager => "Billing Manager",
            Self::ReportManager => "Report Manager",
            Self::CallManager => "Call Manager",
            Self::CallAgent => "Call Agent",
            Self::MessagingAgent => "Messaging Agent",
            Self::User => "User",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::AgencyAdministrator => "Everything, in every account of the agency.",
            Self::AgencyBillingManager => "Billing of every account in the agency.",
            Self::MarketingManager => "Reports and the call log across the agency.",
            Self::Administrator => "Manages every aspect of an account.",
            Self::AccountAdmin => "Manages users, teams and settings of an account; no billing.",
            Self::BillingManager => "Payment history and statements only.",
            Self::ReportManager => "Manages reports; views and edits the call log.",
            Self::CallManager => "Manages the call log only.",
            Self::CallAgent => "Makes and receives calls; sees only their assigned calls.",
            Self::MessagingAgent => "Reads and replies to text and chat.",
            Self::User => "Views the account; no text or chat.",
        }
    }

    /// Agency-level roles are meant to be granted at the agency (root) node.
    pub fn is_agency_level(self) -> bool {
        matches!(
            self,
            Self::AgencyAdministrator | Self::AgencyBillingManager | Self::MarketingManager
        )
    }

    /// Roles whose holders administer the node; the last one of these cannot be removed.
    pub fn is_administrator(self) -> bool {
        matches!(self, Self::AgencyAdministrator | Self::Administrator)
    }

    /// The permission mapping of every built-in role.
    pub fn permissions(self) -> PermissionSet {
        let view_records = || RecordType::ALL.into_iter().map(|t| P::Record(t, RecordAction::View));
        let everything = || P::all().into_iter().filter(|p| *p != P::ViewOwnCallsOnly);
        match self {
            Self::AgencyAdministrator | Self::Administrator => everything().collect(),
            Self::AgencyBillingManager | Self::BillingManager => {
                [P::ViewAccount, P::ViewBilling, P::ManageBilling].into_iter().collect()
            }
            Self::MarketingManager => [
                P::ViewAccount,
                P::ViewUsers,
                P::ViewReports,
                P::ManageReports,
                P::ViewCallLog,
                P::EditCallLog,
            ]
            .into_iter()
            .chain(view_records())
            .collect(),
            Self::AccountAdmin => {
                everything().filter(|p| !matches!(p, P::ViewBilling | P::ManageBilling)).collect()
            }
            Self::ReportManager => {
                [P::ViewAccount, P::ViewReports, P::ManageReports, P::ViewCallLog, P::EditCallLog]
                    .into_iter()
                    .chain(view_records())
                    .collect()
            }
            Self::CallManager => [P::ViewAccount, P::ViewCallLog, P::EditCallLog]
                .into_iter()
                .chain(view_records())
                .collect(),
            Self::CallAgent => [P::ViewAccount, P::ViewCallLog, P::ViewOwnCallsOnly]
                .into_iter()
                .chain([
                    P::Record(RecordType::Contact, RecordAction::View),
                    P::Record(RecordType::Contact, RecordAction::Add),
                    P::Record(RecordType::Contact, RecordAction::Edit),
                ])
                .collect(),
            Self::MessagingAgent => [P::ViewAccount, P::ViewCallLog, P::TextAndChat]
                .into_iter()
                .chain([P::Record(RecordType::Contact, RecordAction::View)])
                .collect(),
            Self::User => [P::ViewAccount].into_iter().chain(view_records()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for r in BuiltinRole::ALL {
            assert_eq!(BuiltinRole::from_key(r.key()), Some(r));
        }
    }

    #[test]
    fn mapping_table() {
        use BuiltinRole::*;
        let has = |r: BuiltinRole, p: P| r.permissions().contains(p);
        // (role, permission, expected)
        let table = [
            (AgencyAdministrator, P::ManageUsers, true),
            (AgencyAdministrator, P::ManageBilling, true),
            (AgencyAdministrator, P::ViewOwnCallsOnly, false),
            (Administrator, P::ManageRoles, true),
            (AccountAdmin, P::ManageUsers, true),
            (AccountAdmin, P::ViewBilling, false),
            (BillingManager, P::ViewBilling, true),
            (BillingManager, P::ViewCallLog, false),
            (BillingManager, P::ViewUsers, false),
            (ReportManager, P::EditCallLog, true),
            (ReportManager, P::ManageUsers, false),
            (CallManager, P::EditCallLog, true),
            (CallManager, P::ViewReports, false),
            (CallAgent, P::ViewOwnCallsOnly, true),
            (CallAgent, P::EditCallLog, false),
            (MessagingAgent, P::TextAndChat, true),
            (User, P::ViewAccount, true),
            (User, P::TextAndChat, false),
            (MarketingManager, P::ManageBilling, false),
        ];
        for (role, perm, expected) in table {
            assert_eq!(has(role, perm), expected, "{role:?} {perm:?}");
        }
    }

    #[test]
    fn administrator_holds_every_other_role() {
        let admin = BuiltinRole::Administrator.permissions();
        for r in BuiltinRole::ALL {
            let mut p = r.permissions();
            p.0.remove(&P::ViewOwnCallsOnly);
            assert!(admin.is_superset(&p), "{r:?}");
        }
    }
}
