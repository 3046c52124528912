//! "May this caller change that person?": the one rule behind every edit of someone else
//! (profile, picture, call preferences, status).
//!
//! A person's home account alone is not enough: someone created by an account may also hold
//! a role elsewhere, or a role with more rights than the account's administrators have, and
//! whoever changes their profile or call routing acts on all of those places. So the caller
//! must, at the person's home account and at every node where the person holds a role,
//! manage users there, and, at each of those nodes, hold every permission of the roles the
//! person holds there (the no-escalation rule of giving roles, [`beyond`]). Nobody re-routes
//! the calls of someone with more power than they have.
//!
//! One statement decides, whatever the number of places and the depth of the tree: the
//! person's places (roles and home) joined through the closure table to the caller's roles
//! at or above each place.

use crate::domain::{NodeId, Permission, UserId, permission::PermissionSet, role_rules::beyond};
use std::collections::BTreeMap;

/// What is held at one of the person's places: by the person (their roles there, nothing for
/// a home without a role) and by the caller (the union of their roles at or above it).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub person: PermissionSet,
    pub caller: PermissionSet,
}

/// The rule itself: some place, and at every one the caller manages users and holds all the
/// person holds there.
pub fn manages(places: &BTreeMap<NodeId, Place>) -> bool {
    !places.is_empty()
        && places.values().all(|p| {
            p.caller.contains(Permission::ManageUsers) && beyond(&p.caller, &p.person).is_empty()
        })
}

/// The person's places, each with what the person and the caller hold there.
pub async fn places(
    conn: &mut sqlx::AnyConnection,
    caller: UserId,
    person: UserId,
) -> Result<BTreeMap<NodeId, Place>, sqlx::Error> {
    // LEFT JOINs: a place where the caller holds nothing still comes back (and refuses).
    let rows: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT p.node_id, w.permissions, r.permissions FROM ( \
             SELECT node_id, role_id FROM memberships WHERE user_id = $2 \
             UNION ALL \
             SELECT home_node_id, NULL FROM users WHERE id = $2 AND home_node_id IS NOT NULL \
         ) p \
         LEFT JOIN roles w ON w.id = p.role_id \
         LEFT JOIN node_closure c ON c.descendant_id = p.node_id \
         LEFT JOIN memberships cm ON cm.node_id = c.ancestor_id AND cm.user_id = $1 \
         LEFT JOIN roles r ON r.id = cm.role_id",
    )
    .bind(caller.0)
    .bind(person.0)
    .fetch_all(conn)
    .await?;
    let mut places: BTreeMap<NodeId, Place> = BTreeMap::new();
    for (node, person_keys, caller_keys) in rows {
        let place = places.entry(NodeId(node)).or_default();
        for (set, keys) in [(&mut place.person, person_keys), (&mut place.caller, caller_keys)] {
            set.0.extend(PermissionSet::from_keys(keys.as_deref().unwrap_or_default()).0);
        }
    }
    Ok(places)
}

/// Whether `caller` may change `person` (someone else: callers decide what a person may
/// change of their own).
pub async fn may_manage(
    conn: &mut sqlx::AnyConnection,
    caller: UserId,
    person: UserId,
) -> Result<bool, sqlx::Error> {
    Ok(manages(&places(conn, caller, person).await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BuiltinRole::{self, *};

    fn place(person: &[BuiltinRole], caller: &[BuiltinRole]) -> Place {
        let set = |roles: &[BuiltinRole]| roles.iter().flat_map(|r| r.permissions().0).collect();
        Place { person: set(person), caller: set(caller) }
    }

    #[test]
    fn every_place_must_be_managed_and_no_role_there_may_exceed_the_caller() {
        let at = |pairs: Vec<Place>| -> BTreeMap<NodeId, Place> {
            pairs.into_iter().enumerate().map(|(i, p)| (NodeId(i as i64), p)).collect()
        };
        // (places, expected)
        let table = [
            (vec![], false),
            (vec![place(&[], &[AccountAdmin])], true),
            (vec![place(&[User, CallAgent], &[AccountAdmin])], true),
            (vec![place(&[BillingManager], &[AccountAdmin])], false),
            (vec![place(&[Administrator], &[AccountAdmin])], false),
            (vec![place(&[Administrator], &[Administrator])], true),
            (vec![place(&[User], &[AccountAdmin]), place(&[CallAgent], &[])], false),
            (vec![place(&[User], &[AccountAdmin]), place(&[CallAgent], &[User])], false),
            (
                vec![
                    place(&[User], &[Administrator]),
                    place(&[AgencyAdministrator], &[Administrator]),
                ],
                true,
            ),
            (vec![place(&[User], &[CallAgent])], false),
        ];
        for (i, (places, expected)) in table.into_iter().enumerate() {
            assert_eq!(manages(&at(places)), expected, "case {i}");
        }
    }
}
