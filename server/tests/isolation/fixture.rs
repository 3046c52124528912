//! The isolation suite's fixture: two agencies, one caller per built-in role, a person with
//! roles at every node, and the in-memory model the expectations are computed from. Its
//! database is snapshotted, compared and put back after each case by isolation/snapshot.rs.

pub use super::snapshot::{Snapshot, Table};

use super::snapshot::Schema;
use crate::common::{Backend, START, TestApp};
use app::{
    domain::{BuiltinRole, Email, NodeId, NodeKind, RoleId, UserId, permission::PermissionSet},
    server::repo::{
        memberships, nodes,
        roles::{self, RoleFields},
        users,
    },
};
use reqwest::{Client, StatusCode};
use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

/// The nodes of the fixture:
///
/// ```text
/// A  "Acme Agency"            B  "Bravo Agency"
/// └─ X  "Account Xray"        └─ Y  "Account Yankee"
///    ├─ X1  "Group Xone"
///    │  └─ X1a  "Group Xsub"
///    └─ X2  "Group Xtwo"
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    A,
    X,
    X1,
    X1a,
    X2,
    B,
    Y,
}

impl Node {
    /// Parents before children.
    pub const ALL: [Node; 7] = [Node::A, Node::X, Node::X1, Node::X1a, Node::X2, Node::B, Node::Y];

    pub fn parent(self) -> Option<Node> {
        match self {
            Node::A | Node::B => None,
            Node::X => Some(Node::A),
            Node::X1 | Node::X2 => Some(Node::X),
            Node::X1a => Some(Node::X1),
            Node::Y => Some(Node::B),
        }
    }

    /// A word found in the name of the node and of everything belonging to it (the person
    /// at home there, the agency's custom role), and nowhere else: an answer containing the
    /// word of a node out of the caller's sight has leaked something.
    pub fn token(self) -> &'static str {
        match self {
            Node::A => "acme",
            Node::X => "xray",
            Node::X1 => "xone",
            Node::X1a => "xsub",
            Node::X2 => "xtwo",
            Node::B => "bravo",
            Node::Y => "yankee",
        }
    }

    fn capitalised(self) -> String {
        let t = self.token();
        format!("{}{}", t[..1].to_uppercase(), &t[1..])
    }

    pub fn name(self) -> String {
        match self.kind() {
            // "Acme Agency" is the name `TestApp::complete_setup` gives the first agency.
            NodeKind::Agency => format!("{} Agency", self.capitalised()),
            NodeKind::Account => format!("Account {}", self.capitalised()),
            NodeKind::Group => format!("Group {}", self.capitalised()),
        }
    }

    pub fn kind(self) -> NodeKind {
        match self.parent() {
            None => NodeKind::Agency,
            Some(p) if p.parent().is_none() => NodeKind::Account,
            Some(_) => NodeKind::Group,
        }
    }

    pub fn root(self) -> Node {
        self.parent().map_or(self, Node::root)
    }

    /// `self` is `ancestor` or somewhere below it.
    pub fn is_at_or_below(self, ancestor: Node) -> bool {
        self == ancestor || self.parent().is_some_and(|p| p.is_at_or_below(ancestor))
    }

    pub fn children(self) -> Vec<Node> {
        Node::ALL.into_iter().filter(|n| n.parent() == Some(self)).collect()
    }

    pub fn subtree(self) -> Vec<Node> {
        Node::ALL.into_iter().filter(|n| n.is_at_or_below(self)).collect()
    }

    /// Root first, without `self`.
    pub fn ancestors(self) -> Vec<Node> {
        let mut out = Vec::new();
        let mut at = self.parent();
        while let Some(n) = at {
            out.insert(0, n);
            at = n.parent();
        }
        out
    }
}

/// Where the target is, relative to the node the caller's role is held at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    Same,
    Ancestor,
    Descendant,
    Sibling,
    OtherAgency,
}

impl Position {
    pub const ALL: [Position; 5] = [
        Position::Same,
        Position::Ancestor,
        Position::Descendant,
        Position::Sibling,
        Position::OtherAgency,
    ];

    /// The fixture node at this position from `grant`; `None` when there is none (a grant
    /// at an agency root has no ancestor, and no sibling within the tenant).
    pub fn target(self, grant: Node) -> Option<Node> {
        match self {
            Position::Same => Some(grant),
            Position::Ancestor => grant.parent(),
            Position::Descendant => grant.children().first().copied(),
            Position::Sibling => {
                grant.parent().and_then(|p| p.children().into_iter().find(|c| *c != grant))
            }
            Position::OtherAgency => Node::ALL
                .into_iter()
                .find(|n| n.parent().is_some_and(|p| p.parent().is_none() && p != grant.root())),
        }
    }
}

/// A signed-in person holding one built-in role at one node.
pub struct Caller {
    pub role: BuiltinRole,
    pub grant: Node,
    pub client: Client,
}

impl Caller {
    /// The policy, restated over the model: a role held at a node applies there and below.
    pub fn holds(&self, permission: app::domain::Permission, at: Node) -> bool {
        self.role.permissions().contains(permission) && at.is_at_or_below(self.grant)
    }

    /// Nodes whose names (and people, and roles) this caller may come to know: everything
    /// at or below their grant, and the nodes above it (whose holders apply to their nodes
    /// too, so the members page names them).
    pub fn in_sight(&self, n: Node) -> bool {
        n.is_at_or_below(self.grant) || self.grant.is_at_or_below(n)
    }

    pub fn label(&self) -> String {
        format!("{} at {:?}", self.role.key(), self.grant)
    }
}

pub struct World {
    pub app: TestApp,
    ids: BTreeMap<Node, i64>,
    builtin: HashMap<BuiltinRole, i64>,
    /// The custom role of each agency, by agency root.
    custom: BTreeMap<Node, i64>,
    /// The person at home at each node, holding User and the agency's custom role there.
    subject: BTreeMap<Node, i64>,
    /// The pending invitation at each node (of someone invited with the User role there),
    /// and the home of the person invited.
    invitation: BTreeMap<Node, (i64, Node)>,
    /// Every person and their home node.
    pub users: Vec<(i64, Node)>,
    /// Every (user, node, role) membership of the fixture.
    pub memberships: BTreeSet<(i64, Node, i64)>,
    pub callers: Vec<Caller>,
    serial: AtomicU32,
    /// The covered tables, read from the catalog.
    schema: Arc<Schema>,
    /// The database as the fixture leaves it, which [`World::restore`] puts back.
    baseline: Snapshot,
}

pub const CUSTOM_PERMISSIONS: [&str; 2] = ["view_account", "view_call_log"];

impl World {
    /// Builds the fixture: the first agency through first-run setup, the rest with the
    /// repositories the server functions use; then signs every caller in once.
    pub async fn build(backend: Backend) -> World {
        let app = TestApp::spawn(backend).await;
        assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
        let now = app.clock.now();
        let pool = app.server.state.db.pool.clone();
        let schema = Schema::read(&pool, backend).await;
        let baseline = Snapshot::take(&schema, &pool).await;
        let mut conn = pool.acquire().await.expect("connection");
        let mut ids = BTreeMap::new();
        for n in Node::ALL {
            let id = match n.parent() {
                None => match nodes::find_agency_by_name(&mut conn, &n.name()).await.unwrap() {
                    Some(id) => id,
                    None => nodes::insert(&mut conn, None, n.kind(), &n.name(), now).await.unwrap(),
                },
                Some(p) => {
                    let parent = Some(NodeId(ids[&p]));
                    nodes::insert(&mut conn, parent, n.kind(), &n.name(), now).await.unwrap()
                }
            };
            ids.insert(n, id.0);
        }
        let mut builtin = HashMap::new();
        for r in BuiltinRole::ALL {
            builtin.insert(r, roles::builtin_id(&mut conn, r).await.unwrap().0);
        }
        let mut custom = BTreeMap::new();
        for root in Node::ALL.into_iter().filter(|n| n.parent().is_none()) {
            let fields = RoleFields {
                name: &format!("Custom {}", root.capitalised()),
                description: "",
                permissions: &PermissionSet::from_keys(&CUSTOM_PERMISSIONS.join(" ")),
            };
            let id = roles::insert_custom(&mut conn, NodeId(ids[&root]), fields, now).await;
            custom.insert(root, id.unwrap().0);
        }
        let mut w = World {
            app,
            ids,
            builtin,
            custom,
            subject: BTreeMap::new(),
            invitation: BTreeMap::new(),
            users: Vec::new(),
            memberships: BTreeSet::new(),
            callers: Vec::new(),
            serial: AtomicU32::new(0),
            schema,
            baseline,
        };
        drop(conn);

        let ada = users::find_id_by_email(&mut pool.acquire().await.unwrap(), &email("ada"))
            .await
            .unwrap()
            .expect("setup created Ada")
            .0;
        w.users.push((ada, Node::A));
        w.memberships.insert((ada, Node::A, w.role(BuiltinRole::AgencyAdministrator)));
        // Bravo's own administrator: someone no caller may ever learn of.
        let bea = w.person("bea.bravo", "Bea Bravo", Node::B).await;
        w.give(bea, Node::B, w.role(BuiltinRole::AgencyAdministrator)).await;
        for n in Node::ALL {
            let t = n.capitalised();
            let id = w.person(&format!("subject.{}", n.token()), &format!("Subject {t}"), n).await;
            w.give(id, n, w.role(BuiltinRole::User)).await;
            w.give(id, n, w.custom_role(n)).await;
            w.subject.insert(n, id);
        }
        // An invitation waiting at every node, sent by each agency's administrator.
        let bea = w.app.client_for("bea.bravo@example.com").await;
        for n in Node::ALL {
            let inviter = if n.root() == Node::A { &w.app.client } else { &bea };
            let form = [
                ("node_id", w.id(n).to_string()),
                ("email", format!("invitee.{}@example.com", n.token())),
                ("first_name", "Invitee".into()),
                ("last_name", n.capitalised()),
                ("role_ids[0]", w.role(BuiltinRole::User).to_string()),
            ];
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = w.app.call_with(inviter, "invite_user", &form).await;
            assert_eq!(res.status(), StatusCode::OK, "invite at {n:?}");
            let user = crate::common::json(res).await["user_id"].as_i64().expect("invited");
            let (id, home): (i64, i64) = sqlx::query_as(
                "SELECT i.id, u.home_node_id FROM invitations i \
                                JOIN users u ON u.id = i.user_id WHERE i.user_id = $1",
            )
            .bind(user)
            .fetch_one(&pool)
            .await
            .unwrap();
            let home = w.node_of(home).expect("a fixture node");
            w.users.push((user, home));
            w.invitation.insert(n, (id, home));
        }
        for role in BuiltinRole::ALL {
            // Agency-level roles can only be given at the agency itself.
            let grant = if role.is_agency_level() { Node::A } else { Node::X1 };
            let local = format!("caller.{}", role.key());
            let id = w.person(&local, "Caller", grant).await;
            w.give(id, grant, w.role(role)).await;
            let client = w.app.client_for(&format!("{local}@example.com")).await;
            w.callers.push(Caller { role, grant, client });
        }
        w.baseline = w.snapshot().await;
        w
    }

    /// Sets a person's status directly, as if changed at `at` (to prepare a case).
    pub async fn set_status(&self, user: i64, status: &str, at: i64) {
        sqlx::query("UPDATE users SET status = $1, status_changed_at = $2 WHERE id = $3")
            .bind(status)
            .bind(at)
            .bind(user)
            .execute(&self.app.server.state.db.pool)
            .await
            .unwrap();
    }

    async fn person(&mut self, local: &str, first_name: &str, home: Node) -> i64 {
        let id =
            self.app.add_user(&format!("{local}@example.com"), first_name, self.id(home)).await;
        self.users.push((id, home));
        id
    }

    async fn give(&mut self, user: i64, at: Node, role: i64) {
        let mut conn = self.app.server.state.db.pool.acquire().await.unwrap();
        memberships::grant(&mut conn, UserId(user), NodeId(self.id(at)), RoleId(role), None, START)
            .await
            .unwrap();
        self.memberships.insert((user, at, role));
    }

    pub fn id(&self, n: Node) -> i64 {
        self.ids[&n]
    }

    pub fn node_of(&self, id: i64) -> Option<Node> {
        self.ids.iter().find(|(_, v)| **v == id).map(|(n, _)| *n)
    }

    pub fn role(&self, r: BuiltinRole) -> i64 {
        self.builtin[&r]
    }

    pub fn builtin_roles(&self) -> impl Iterator<Item = (BuiltinRole, i64)> + '_ {
        BuiltinRole::ALL.into_iter().map(|r| (r, self.builtin[&r]))
    }

    /// The custom role of the agency `n` belongs to.
    pub fn custom_role(&self, n: Node) -> i64 {
        self.custom[&n.root()]
    }

    pub fn custom_role_name(&self, n: Node) -> String {
        format!("Custom {}", n.root().capitalised())
    }

    pub fn subject(&self, n: Node) -> i64 {
        self.subject[&n]
    }

    pub fn subject_email(&self, n: Node) -> String {
        format!("subject.{}@example.com", n.token())
    }

    pub fn invitation(&self, n: Node) -> i64 {
        self.invitation[&n].0
    }

    /// A number for names made during a case.
    pub fn serial(&self) -> u32 {
        self.serial.fetch_add(1, Ordering::Relaxed)
    }

    /// A new node under `parent`, for a case to move around; archived again afterwards.
    pub async fn fresh_node(&self, parent: Node) -> i64 {
        let mut conn = self.app.server.state.db.pool.acquire().await.unwrap();
        let kind = if parent.parent().is_none() { NodeKind::Account } else { NodeKind::Group };
        let name = format!("Temp {}", self.serial());
        let parent = Some(NodeId(self.id(parent)));
        nodes::insert(&mut conn, parent, kind, &name, START).await.unwrap().0
    }

    /// A new custom role of `n`'s agency held by the person at `n`; removed afterwards.
    pub async fn temp_role(&self, n: Node) -> i64 {
        let mut conn = self.app.server.state.db.pool.acquire().await.unwrap();
        let fields = RoleFields {
            name: &format!("Temp role {}", self.serial()),
            description: "",
            permissions: &PermissionSet::from_keys("view_account"),
        };
        let role = roles::insert_custom(&mut conn, NodeId(self.id(n.root())), fields, START)
            .await
            .unwrap();
        let (user, at) = (UserId(self.subject(n)), NodeId(self.id(n)));
        memberships::grant(&mut conn, user, at, role, None, START).await.unwrap();
        role.0
    }

    /// The version of the row of `table` whose `key` is `id`; 0 when there is none.
    pub async fn version_of(&self, table: &str, key: &str, id: i64) -> i64 {
        let sql = format!("SELECT version FROM {table} WHERE {key} = $1");
        let row: Option<(i64,)> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.app.server.state.db.pool)
            .await
            .unwrap();
        row.map_or(0, |r| r.0)
    }

    pub async fn role_version(&self, role: i64) -> i64 {
        let (v,): (i64,) = sqlx::query_as("SELECT version FROM roles WHERE id = $1")
            .bind(role)
            .fetch_one(&self.app.server.state.db.pool)
            .await
            .unwrap();
        v
    }

    pub async fn snapshot(&self) -> Snapshot {
        Snapshot::take(&self.schema, &self.app.server.state.db.pool).await
    }

    /// Puts the database back as the fixture left it, from `now`, the state the case left:
    /// rows made since deleted, rows removed put back, rows changed reset.
    pub async fn restore(&self, now: &Snapshot) {
        self.baseline.restore(now, &self.app.server.state.db.pool).await;
    }
}

fn email(local: &str) -> Email {
    Email::parse(&format!("{local}@example.com")).unwrap()
}
