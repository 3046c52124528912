//! Tenant isolation, generated: every registered server function, called by a holder of each
//! of the 11 built-in roles, on a target at every position relative to the node their role
//! is held at, on SQLite and on PostgreSQL (over 1,000 cases per backend).
//!
//! **The fixture** (`isolation/fixture.rs`): agency A > account X > groups X1 (> X1a) and
//! X2; agency B > account Y. One caller per built-in role, holding it at X1, or at A for
//! the agency-level roles (they can only be given there). One person at home at every node,
//! holding User and their agency's custom role there, and an invitation pending there.
//!
//! **Positions**: the target is the grant node G itself, its parent, its child, its sibling,
//! or an account of the other agency (a grant at an agency root has no ancestor, and no
//! sibling within the tenant: those cases are skipped).
//!
//! **How the expectation is computed**, from the policy's definition rather than from the
//! server: a caller holds permission P at node N iff P is in `BuiltinRole::permissions()` of
//! their role and N is G or below G in the model tree (so never in the other agency). Each
//! entry of [`TABLE`] lists the permissions its server function needs and where (the target,
//! its parent, its agency, the caller's own grant or agency); when one is missing, the call
//! must be refused with 403 or 404. Past those, the function's own rules ([`rules`]) decide:
//! a move needs the permission at both ends and no cycle; archiving is checked at the parent
//! and the agency itself cannot be archived; custom roles are managed at the agency root;
//! a role can only be given by someone holding all its permissions (no escalation), to
//! someone they may see, and an agency-level role only at the agency; the filtering
//! functions (a person's roles, a role's holders, a person) hide what is out of reach.
//!
//! **What is asserted** for every case: the status (200 when allowed; 403 or 404 when
//! refused; the rule's own 409 or 422 where a rule refuses); a snapshot of every table of the
//! schema (isolation/snapshot.rs: every row, or the number of rows where a table changes on
//! its own) unchanged after a refusal and after any read, and only the declared tables
//! changed by an allowed change; allowed lists equal to exactly what the model lets
//! the caller see; and no answer, allowed or refused, containing the name of anything (node,
//! person, role) belonging to a node neither at/below G nor above it. Every change is undone
//! before the next case, row by row.
//!
//! A registered server function missing from [`TABLE`] (isolation/entries.rs) fails the
//! suite: add its cases there, or list it in [`EXEMPT`] with the reason. So does a table of
//! the schema the snapshot does not cover ([`snapshot::COVER`]).

mod cases;
mod entries;
mod fixture;
mod phantom;
mod snapshot;
mod teams_cases;

use crate::common::{Backend, catalog};
use app::domain::{BuiltinRole, Permission as P, permission::PermissionSet, role_rules::beyond};
use cases::Kind;
use entries::{At, EXEMPT, Entry, Scope, TABLE};
use fixture::{Caller, Node, Position, Table, World};
use reqwest::StatusCode;
use snapshot::Cover;
use std::{collections::BTreeSet, time::Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Allow,
    /// 403 or 404.
    Refuse,
    /// Authorised, but refused by one of the function's own rules with this status.
    Invalid(u16),
}

/// No escalation: `caller` may hand out (or take back) `role` only holding all it allows.
fn within_own(caller: &Caller, role: BuiltinRole) -> bool {
    beyond(&caller.role.permissions(), &role.permissions()).is_empty()
}

/// The same for the fixture's custom roles.
fn within_own_custom(caller: &Caller) -> bool {
    let custom = PermissionSet::from_keys(&fixture::CUSTOM_PERMISSIONS.join(" "));
    beyond(&caller.role.permissions(), &custom).is_empty()
}

/// The person at `t` is someone `c` may see: at home and holding roles at `t`.
fn sees_person_at(c: &Caller, t: Node) -> bool {
    c.holds(P::ViewUsers, t)
}

fn expect(e: &Entry, c: &Caller, t: Node) -> Expect {
    let g = c.grant;
    let authorised = e.needs.iter().all(|(permission, at)| {
        let node = match at {
            At::Target => t,
            At::ParentOfTarget => t.parent().unwrap_or(t),
            At::AgencyOfTarget => t.root(),
            At::Grant => g,
            At::AgencyOfCaller => g.root(),
        };
        c.holds(*permission, node)
    });
    if !authorised { Expect::Refuse } else { rules(e.kind, c, t) }
}

/// The server function's own rules, once its permissions are held.
fn rules(kind: Kind, c: &Caller, t: Node) -> Expect {
    let g = c.grant;
    match kind {
        Kind::MoveTarget if t.parent().is_none() => Expect::Invalid(409),
        // The destination is below the grant: under the moved node when that is G.
        Kind::MoveTarget if g.is_at_or_below(t) => Expect::Invalid(422),
        Kind::ArchiveNode if t.parent().is_none() => Expect::Invalid(409),
        Kind::GrantRole(r) if r.is_agency_level() && t.parent().is_some() => Expect::Invalid(422),
        Kind::GrantRole(r) if !within_own(c, r) || !sees_person_at(c, t) => Expect::Refuse,
        Kind::GrantPerson if !within_own(c, BuiltinRole::CallAgent) || !sees_person_at(c, t) => {
            Expect::Refuse
        }
        Kind::RevokeAtTarget | Kind::DeleteRole if !within_own(c, BuiltinRole::User) => {
            Expect::Refuse
        }
        // Held at the grant node only by the person at home there.
        Kind::RevokeAtGrant if !within_own_custom(c) || t != g => Expect::Refuse,
        Kind::GetUser | Kind::GetProfile | Kind::GetCallPreferences if !sees_person_at(c, t) => {
            Expect::Refuse
        }
        Kind::GetAgencySettings
            if t.root() != g.root() || !c.role.permissions().contains(P::ViewAccount) =>
        {
            Expect::Refuse
        }
        Kind::InviteUser if !within_own(c, BuiltinRole::CallAgent) => Expect::Refuse,
        // The address is taken: named back to those who may see its owner, 409 to others.
        Kind::InvitePerson if !within_own(c, BuiltinRole::CallAgent) => Expect::Refuse,
        Kind::InvitePerson if !sees_person_at(c, t) => Expect::Invalid(409),
        // Sending the link again is giving its roles again.
        Kind::ResendInvitation if !within_own(c, BuiltinRole::User) => Expect::Refuse,
        // Bulk add gives Call Agent; a person out of sight makes the whole batch invalid.
        Kind::BulkAddPreview
        | Kind::BulkAddPreviewPerson
        | Kind::BulkAddCommit
        | Kind::BulkAddCommitPerson
            if !within_own(c, BuiltinRole::CallAgent) =>
        {
            Expect::Refuse
        }
        Kind::BulkAddCommit | Kind::BulkAddCommitPerson if !sees_person_at(c, t) => {
            Expect::Invalid(422)
        }
        // Another agency's role does not exist for the caller; nor does one of their own
        // agency when they may view no one there.
        Kind::GetRole if t.root() != g.root() || !c.role.permissions().contains(P::ViewUsers) => {
            Expect::Refuse
        }
        Kind::SaveRoleCreate if t.parent().is_some() => Expect::Refuse,
        Kind::SaveRoleUpdate if t.root() != g.root() => Expect::Refuse,
        Kind::Teams(k) => teams_cases::rules(k, c, t),
        _ => Expect::Allow,
    }
}

#[test]
fn every_registered_server_function_has_cases_or_a_reason() {
    let registered: BTreeSet<&str> = server_fn::axum::server_fn_paths().map(|(p, _)| p).collect();
    let covered: BTreeSet<&str> =
        TABLE.iter().map(|e| e.path).chain(EXEMPT.iter().map(|(p, _)| *p)).collect();
    let missing: Vec<&&str> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "server functions without isolation cases: {missing:?}. Add them to TABLE in \
         server/tests/isolation.rs (or to EXEMPT, with the reason)"
    );
    let gone: Vec<&&str> = covered.difference(&registered).collect();
    assert!(gone.is_empty(), "no longer registered: {gone:?}");
    for public in app::api::PUBLIC_ENDPOINTS {
        assert!(EXEMPT.iter().any(|(p, _)| p == public), "{public} is public: list it in EXEMPT");
    }
}

on_both_backends!(every_table_is_covered_or_exempt);

/// A table the snapshot neither covers nor names with a reason is a table a server function
/// could change unseen.
async fn every_table_is_covered_or_exempt(backend: Backend) {
    let catalog = catalog::of_fresh_database(backend).await;
    let missing: Vec<&String> =
        catalog.tables.keys().filter(|t| snapshot::cover(t).is_none()).collect();
    assert!(
        missing.is_empty(),
        "tables the isolation snapshot does not cover: {missing:?}. Add each to COVER in \
         server/tests/isolation/snapshot.rs: the Table that server functions change there, or \
         why it is derived, counted or exempt"
    );
    let gone: Vec<&str> = (snapshot::COVER.iter().map(|(t, _)| *t))
        .filter(|t| !catalog.tables.contains_key(*t))
        .collect();
    assert!(gone.is_empty(), "COVER names tables the schema does not have: {gone:?}");
    let unexplained: Vec<&str> = (snapshot::COVER.iter())
        .filter(|(_, c)| c.reason().is_some_and(|why| why.trim().len() < 20))
        .map(|(t, _)| *t)
        .collect();
    assert!(unexplained.is_empty(), "say why these are not compared row by row: {unexplained:?}");
    let keyless: Vec<&String> = (catalog.tables.iter())
        .filter(|(t, table)| {
            matches!(snapshot::cover(t), Some(Cover::Rows(_) | Cover::Derived(_)))
                && table.primary_key.is_empty()
        })
        .map(|(t, _)| t)
        .collect();
    assert!(keyless.is_empty(), "rows without a primary key cannot be restored: {keyless:?}");
}

on_both_backends!(every_server_function_for_every_role_at_every_position);

async fn every_server_function_for_every_role_at_every_position(backend: Backend) {
    let started = Instant::now();
    let w = World::build(backend).await;
    let built = started.elapsed();
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();
    let mut phantoms = 0;
    for c in &w.callers {
        for e in TABLE.iter().filter(|e| e.scope == Scope::Caller) {
            outcomes.push(run(&w, c, e, None, &mut failures).await.0);
        }
        for position in Position::ALL {
            let Some(t) = position.target(c.grant) else { continue };
            for e in TABLE.iter().filter(|e| e.scope == Scope::Target) {
                let (outcome, compared) = run(&w, c, e, Some((position, t)), &mut failures).await;
                outcomes.push(outcome);
                phantoms += usize::from(compared);
            }
        }
    }
    let count = outcomes.len();
    let tally = |f: fn(&Expect) -> bool| outcomes.iter().filter(|o| f(o)).count();
    println!(
        "isolation on {backend:?}: {count} cases ({} allowed, {} refused for want of a \
         permission or out of reach, {} refused by a rule) in {:.1} s (fixture {:.1} s)",
        tally(|o| *o == Expect::Allow),
        tally(|o| *o == Expect::Refuse),
        tally(|o| matches!(o, Expect::Invalid(_))),
        started.elapsed().as_secs_f64(),
        built.as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed on {backend:?}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 500, "only {count} cases on {backend:?}");
    // Cases naming the other agency's objects by id, answered as ids that never existed.
    println!("isolation on {backend:?}: {phantoms} cases compared with ids that never existed");
    assert!(phantoms >= 100, "only {phantoms} cases compared with ids that never existed");

    // Every action the endpoints wrote has words for the audit page and its filter.
    let written: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT action FROM audit_log")
        .fetch_all(&w.app.server.state.db.pool)
        .await
        .unwrap();
    let unlabelled: Vec<&str> = written
        .iter()
        .map(|(a,)| a.as_str())
        .filter(|a| app::domain::audit::label(a) == *a)
        .collect();
    assert!(written.len() >= 20, "only {} kinds of audit entry written", written.len());
    assert!(unlabelled.is_empty(), "audit actions without a label: {unlabelled:?}");
}

/// Calls the case's server function with `form`: the status and the body.
async fn send(w: &World, c: &Caller, e: &Entry, form: &[(String, String)]) -> (StatusCode, String) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let endpoint = e.path.strip_prefix("/api/").expect("an /api/ path");
    let res = match cases::json_body(e.kind, form) {
        Some(json) => {
            let url = w.app.url(&format!("/api/{endpoint}"));
            c.client.post(url).json(&json).send().await.expect("request")
        }
        None => w.app.call_with(&c.client, endpoint, &pairs).await,
    };
    let status = res.status();
    (status, res.text().await.expect("a body"))
}

/// Whether the case makes the server say that an address belongs to someone outside the
/// caller's reach, which is audited (and counted) even when the call changes nothing else.
fn looks_up_outside_reach(kind: Kind, c: &Caller, t: Node, expected: Expect) -> bool {
    let looks_up = matches!(
        kind,
        Kind::InvitePerson
            | Kind::BulkAddPreview
            | Kind::BulkAddPreviewPerson
            | Kind::BulkAddCommit
            | Kind::BulkAddCommitPerson
    );
    looks_up && expected != Expect::Refuse && !sees_person_at(c, t)
}

/// Runs one case and returns what was expected, and whether its answer was compared with
/// the answer for ids that never existed; what went wrong is added to `failures`.
async fn run(
    w: &World,
    c: &Caller,
    e: &Entry,
    at: Option<(Position, Node)>,
    failures: &mut Vec<String>,
) -> (Expect, bool) {
    let t = at.map_or(c.grant, |(_, t)| t);
    let expected = expect(e, c, t);
    let form = cases::prepare(e.kind, w, c, t).await;
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let before = w.snapshot().await;
    let (status, body) = send(w, c, e, &form).await;
    let after = w.snapshot().await;

    let mut problems = Vec::new();
    let mut changed = before.changed(&after);
    let mut audited = before.audit_entries != after.audit_entries;
    if looks_up_outside_reach(e.kind, c, t, expected) {
        if !audited {
            problems.push("an address outside reach was looked up without an audit entry".into());
        }
        // That entry is expected, of a read or a refusal too, and so is the lookup counted
        // against the caller's hourly bound.
        audited = false;
        changed.retain(|t| *t != Table::EmailLookups);
    }
    match expected {
        Expect::Allow => {
            if status != StatusCode::OK {
                problems.push(format!("expected 200, got {status}"));
            } else {
                let json = serde_json::from_str(&body).unwrap_or_default();
                if let Err(p) = cases::check_allowed(e.kind, w, c, t, &json) {
                    problems.push(p);
                }
            }
            let stray: Vec<&Table> = changed.iter().filter(|t| !e.touches.contains(t)).collect();
            if !stray.is_empty() || (e.touches.is_empty() && audited) {
                problems.push(format!("changed {stray:?} (audit log: {audited})"));
            }
        }
        Expect::Refuse | Expect::Invalid(_) => {
            let ok = match expected {
                Expect::Invalid(code) => status.as_u16() == code,
                _ => status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            };
            if !ok {
                problems.push(format!("expected {expected:?}, got {status}"));
            }
            if !changed.is_empty() || audited {
                problems.push(format!("refused but changed {changed:?} (audit log: {audited})"));
            }
        }
    }
    let mut lower = body.to_lowercase();
    for sent in cases::echoed(e.kind, w, t) {
        lower = lower.replace(&sent.to_lowercase(), "");
    }
    for n in Node::ALL.into_iter().filter(|n| !c.in_sight(*n)) {
        if lower.contains(n.token()) {
            problems.push(format!("leaked something of {n:?} (\"{}\")", n.token()));
        }
    }
    // One answer for "not yours" and "not there" (isolation/phantom.rs).
    let mut compared = false;
    let other_agency = matches!(at, Some((Position::OtherAgency, _)));
    if other_agency
        && changed.is_empty()
        && !audited
        && let Some(p) = phantom::phantom(w, &form, cases::JSON).await
    {
        let (never_status, never_body) = send(w, c, e, &p.form).await;
        let never_body = p.as_if_real(&never_body);
        if (never_status, &never_body) != (status, &body) {
            problems.push(format!(
                "another agency's ids are told from ids that never existed: \
                 {never_status} {never_body} for those"
            ));
        }
        compared = true;
    }
    w.restore(&after).await;
    if !problems.is_empty() {
        let position = at.map_or("-".into(), |(p, t)| format!("{p:?} ({t:?})"));
        let rows = before.differences(&after);
        failures.push(format!(
            "{} {:?} as {}, target {position}: {}\n    form {pairs:?}\n    answer {body}{}",
            e.path,
            e.kind,
            c.label(),
            problems.join("; "),
            if rows.is_empty() { String::new() } else { format!("\n    rows {}", rows.join("; ")) }
        ));
    }
    (expected, compared)
}
