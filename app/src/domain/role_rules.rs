//! Rules for giving roles and editing custom roles, shared by the server (which enforces
//! them) and the role editor (which can show their effect before saving).

use super::permission::{Permission, PermissionSet};

/// A role name: trimmed, 1 to 60 characters, no control characters.
pub fn parse_role_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Enter a name for the role.");
    }
    if name.chars().count() > 60 {
        return Err("A role name can have at most 60 characters.");
    }
    if name.chars().any(char::is_control) {
        return Err("A role name cannot contain control characters.");
    }
    Ok(name.to_string())
}

/// Permission keys as a form sends them; the first unknown key is the error.
pub fn parse_permission_keys(keys: &[String]) -> Result<PermissionSet, String> {
    keys.iter().map(|k| Permission::from_key(k).ok_or_else(|| k.clone())).collect::<Result<_, _>>()
}

/// The permissions of `wanted` that `own` lacks: what giving `wanted` would escalate.
/// `ViewOwnCallsOnly` narrows rather than grants, so handing it out takes nothing one does
/// not have (and administrators, who do not hold it, can give the roles that carry it).
pub fn beyond(own: &PermissionSet, wanted: &PermissionSet) -> Vec<Permission> {
    wanted
        .0
        .iter()
        .copied()
        .filter(|p| *p != Permission::ViewOwnCallsOnly && !own.contains(*p))
        .collect()
}

/// Whether someone holding `own` at a node may give there, or take away, a role carrying
/// `role`: nothing in it beyond what they hold. Forms offer only such roles; the server
/// checks the same rule on every change.
pub fn may_give(own: &[Permission], role: &[Permission]) -> bool {
    let own: PermissionSet = own.iter().copied().collect();
    beyond(&own, &role.iter().copied().collect()).is_empty()
}

/// The changes of a role from `old` to `new` that someone holding `own` may not make: a role
/// editor may add or remove only permissions they hold, so an edit can neither hand out nor
/// take away what is beyond them. Unchanged permissions they lack stay as they are. Adding
/// or removing `ViewOwnCallsOnly` changes how much of the call log the holders see, so it
/// needs `ViewCallLog`.
pub fn changes_beyond(
    own: &PermissionSet,
    old: &PermissionSet,
    new: &PermissionSet,
) -> Vec<Permission> {
    let (added, removed) = diff(old, new);
    let needs = |p: &Permission| match p {
        Permission::ViewOwnCallsOnly => Permission::ViewCallLog,
        p => *p,
    };
    let mut out: Vec<Permission> =
        added.into_iter().chain(removed).filter(|p| !own.contains(needs(p))).collect();
    out.sort();
    out
}

/// (added, removed) going from `old` to `new`, each in display order.
pub fn diff(old: &PermissionSet, new: &PermissionSet) -> (Vec<Permission>, Vec<Permission>) {
    (new.0.difference(&old.0).copied().collect(), old.0.difference(&new.0).copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BuiltinRole;

    #[test]
    fn role_names() {
        assert_eq!(parse_role_name("  Front desk "), Ok("Front desk".into()));
        assert!(parse_role_name(" ").is_err());
        assert!(parse_role_name(&"x".repeat(61)).is_err());
        assert!(parse_role_name("a\nb").is_err());
    }

    #[test]
    fn keys_parse_or_name_the_unknown_one() {
        let keys = |ks: &[&str]| ks.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        let set = parse_permission_keys(&keys(&["view_account", "view_users"])).unwrap();
        assert_eq!(set, [Permission::ViewAccount, Permission::ViewUsers].into_iter().collect());
        assert_eq!(parse_permission_keys(&keys(&["view_account", "fly"])), Err("fly".into()));
    }

    #[test]
    fn escalation_ignores_the_narrowing_permission() {
        let admin = BuiltinRole::Administrator.permissions();
        for role in BuiltinRole::ALL {
            assert_eq!(beyond(&admin, &role.permissions()), [], "{role:?}");
        }
        let account_admin = BuiltinRole::AccountAdmin.permissions();
        assert_eq!(
            beyond(&account_admin, &BuiltinRole::BillingManager.permissions()),
            [Permission::ViewBilling, Permission::ManageBilling]
        );
    }

    #[test]
    fn only_roles_within_ones_own_permissions_may_be_given() {
        let perms = |r: BuiltinRole| r.permissions().0.into_iter().collect::<Vec<_>>();
        let admin = perms(BuiltinRole::Administrator);
        assert!(BuiltinRole::ALL.iter().all(|r| may_give(&admin, &perms(*r))));
        let account_admin = perms(BuiltinRole::AccountAdmin);
        assert!(may_give(&account_admin, &perms(BuiltinRole::CallAgent)));
        assert!(!may_give(&account_admin, &perms(BuiltinRole::BillingManager)));
        assert!(!may_give(&[], &[Permission::ViewAccount]));
        assert!(may_give(&[], &[Permission::ViewOwnCallsOnly]));
    }

    #[test]
    fn an_edit_adds_or_removes_only_what_the_editor_holds() {
        use Permission::*;
        let set = |ps: &[Permission]| ps.iter().copied().collect::<PermissionSet>();
        let own = BuiltinRole::AccountAdmin.permissions();
        let role = set(&[ViewAccount, ViewBilling]);
        // (new permissions, what the Account Admin may not change)
        let table: [(&[Permission], &[Permission]); 6] = [
            (&[ViewAccount], &[ViewBilling]),
            (&[ViewAccount, ViewBilling, ManageBilling], &[ManageBilling]),
            (&[ViewAccount, ViewBilling], &[]),
            (&[ViewAccount, ViewBilling, ViewUsers], &[]),
            (&[ViewBilling], &[]),
            (&[ViewAccount, ViewBilling, ViewOwnCallsOnly], &[]),
        ];
        for (new, refused) in table {
            assert_eq!(changes_beyond(&own, &role, &set(new)), refused, "{new:?}");
        }
        let billing = BuiltinRole::BillingManager.permissions();
        let agent = BuiltinRole::CallAgent.permissions();
        let mut widened = agent.clone();
        widened.0.remove(&ViewOwnCallsOnly);
        assert_eq!(changes_beyond(&billing, &agent, &widened), [ViewOwnCallsOnly]);
    }

    #[test]
    fn diffs() {
        let old: PermissionSet =
            [Permission::ViewAccount, Permission::ViewCallLog].into_iter().collect();
        let new: PermissionSet =
            [Permission::ViewAccount, Permission::TextAndChat].into_iter().collect();
        assert_eq!(
            diff(&old, &new),
            (vec![Permission::TextAndChat], vec![Permission::ViewCallLog])
        );
    }
}
