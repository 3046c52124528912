//! The users directory of a node: everyone within reach there, searched, filtered, sorted
//! and paged by keyset; one action applied to several people at once; and (in the server
//! crate, `GET /export/users.csv`) the same list as a CSV file.
//!
//! "Within reach at N": people at home at N or below it, or holding a role at N or below
//! it; with `inherited`, also people holding a role above N (they have a say at N too).
//! Deleted people never appear.

use crate::{
    domain::{NodeId, RoleId, UserId, UserStatus},
    error::AppError,
    format::thousands,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

// The directory page reads and writes its address through these.
pub use crate::format::{parse_query, query_string, short_date};

/// Rows per page unless asked otherwise, and the most a page holds.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;
/// People one bulk action may be applied to at once.
pub const MAX_BULK: usize = 500;
/// Rows an export holds at the most.
pub const MAX_EXPORT_ROWS: u64 = 100_000;

/// The orders the directory can be sorted in (each ends with the id, so it is total).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    /// Last name, first name (case-insensitive).
    #[default]
    Name,
    Email,
    /// Status (alphabetical: active, disabled, invited, suspended), then name.
    Status,
    /// When the person was added.
    Created,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [Self::Name, Self::Email, Self::Status, Self::Created];

    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Status => "status",
            Self::Created => "created",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Email => "E-mail",
            Self::Status => "Status",
            Self::Created => "Added",
        }
    }

    /// The direction a first click on the column sorts in: newest first for dates.
    pub fn starts_descending(self) -> bool {
        self == Self::Created
    }
}

/// What the directory shows: the same fields travel in the page's address (see
/// [`DirectoryFilter::to_query`]), the server function's arguments and the export link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirectoryFilter {
    /// Words, each the start of the first name, last name, e-mail address or username.
    pub query: String,
    /// Only people in one of these states (none chosen: every state but deleted).
    pub statuses: Vec<UserStatus>,
    /// Only people holding this role at a node in view.
    pub role_id: Option<RoleId>,
    /// Narrow the view to this account or sub-group below the node.
    pub subtree: Option<NodeId>,
    /// Only members of this team (one the caller may view).
    pub team_id: Option<i64>,
    /// Also people holding a role above the node.
    pub inherited: bool,
    pub sort: SortKey,
    pub descending: bool,
    /// Rows per page; 0 for [`DEFAULT_PAGE_SIZE`], at most [`MAX_PAGE_SIZE`].
    pub page_size: u32,
}

impl DirectoryFilter {
    /// The filter as address parameters: `q`, `status` (repeated), `role`, `under`, `team`,
    /// `inherited=1`, `sort` (`-` in front for descending), `per_page`. Defaults are left out.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.query.trim().is_empty() {
            out.push(("q", self.query.trim().to_string()));
        }
        for s in &self.statuses {
            out.push(("status", s.key().to_string()));
        }
        if let Some(r) = self.role_id {
            out.push(("role", r.to_string()));
        }
        if let Some(n) = self.subtree {
            out.push(("under", n.to_string()));
        }
        if let Some(t) = self.team_id {
            out.push(("team", t.to_string()));
        }
        if self.inherited {
            out.push(("inherited", "1".into()));
        }
        if self.sort != SortKey::Name || self.descending {
            out.push(("sort", sort_param(self.sort, self.descending)));
        }
        if self.page_size != 0 && self.page_size != DEFAULT_PAGE_SIZE {
            out.push(("per_page", self.page_size.to_string()));
        }
        out
    }

    /// Reads the parameters [`to_query`](Self::to_query) writes; anything unknown or
    /// malformed is left at its default, so an edited address still shows a list.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = DirectoryFilter::default();
        for (key, value) in pairs {
            match key {
                "q" => f.query = value.trim().to_string(),
                "status" => {
                    if let Some(s) = UserStatus::from_key(value)
                        && !f.statuses.contains(&s)
                    {
                        f.statuses.push(s);
                    }
                }
                "role" => f.role_id = value.parse().ok(),
                "under" => f.subtree = value.parse().ok(),
                "team" => f.team_id = value.parse().ok(),
                "inherited" => f.inherited = matches!(value, "1" | "true" | "on"),
                "sort" => {
                    let (desc, key) = match value.strip_prefix('-') {
                        Some(k) => (true, k),
                        None => (false, value),
                    };
                    if let Some(s) = SortKey::from_key(key) {
                        f.sort = s;
                        f.descending = desc;
                    }
                }
                "per_page" => f.page_size = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        f
    }

    /// The page size asked for, within bounds.
    pub fn page_size(&self) -> u32 {
        match self.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        }
    }
}

/// `name`, or `-name` for descending.
pub fn sort_param(sort: SortKey, descending: bool) -> String {
    format!("{}{}", if descending { "-" } else { "" }, sort.key())
}

/// The export link for a node's directory with this filter.
pub fn export_path(node: NodeId, filter: &DirectoryFilter) -> String {
    let mut pairs = vec![("node_id", node.to_string())];
    pairs.extend(filter.to_query().into_iter().filter(|(k, _)| *k != "per_page"));
    format!("/export/users.csv?{}", query_string(&pairs))
}

/// One person in the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryRow {
    pub user_id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub status: UserStatus,
    /// Their home account, when the caller may see it.
    pub home_node_name: Option<String>,
    /// Names of the roles they hold in view (at the node or below; above it too when the
    /// list includes inherited access), alphabetical.
    pub roles_here: Vec<String>,
    /// When they were added (UTC milliseconds).
    pub created_at: i64,
}

impl DirectoryRow {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }
}

/// A page of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryPage {
    pub rows: Vec<DirectoryRow>,
    /// Pass back as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// How many people match in all.
    pub count: u64,
    /// False when `count` is an estimate (large lists): say "about".
    pub count_exact: bool,
}

/// "1 person", "1,234 people", "about 12,000 people", "about 1.2 million people".
pub fn count_label(count: u64, exact: bool) -> String {
    let noun = if count == 1 && exact { "person" } else { "people" };
    if exact {
        return format!("{} {noun}", thousands(count));
    }
    let rough = if count >= 950_000 {
        let tenths = (count + 50_000) / 100_000;
        match tenths % 10 {
            0 => format!("{} million", tenths / 10),
            t => format!("{}.{t} million", tenths / 10),
        }
    } else {
        // Two significant figures.
        let mut step = 1;
        while count / step >= 100 {
            step *= 10;
        }
        thousands((count + step / 2) / step * step)
    };
    format!("about {rough} {noun}")
}

/// One action applied to each of several people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkUserAction {
    /// Give the role at the node.
    AddRole(RoleId),
    /// Take the role held at the node.
    RemoveRole(RoleId),
    Suspend {
        reason: String,
    },
    Disable,
    /// Send a new invitation link to people who have not accepted yet.
    ResendInvitation,
}

impl BulkUserAction {
    /// Whether it takes something away from people (asked with a red button).
    pub fn takes_away(&self) -> bool {
        matches!(self, Self::RemoveRole(_) | Self::Suspend { .. } | Self::Disable)
    }

    /// "Suspend 3 people?"
    pub fn question(&self, people: usize, role_name: Option<&str>) -> String {
        let who = if people == 1 { "1 person".to_string() } else { format!("{people} people") };
        let role = role_name.unwrap_or("the role");
        match self {
            Self::AddRole(_) => format!("Give {role} to {who}?"),
            Self::RemoveRole(_) => format!("Take {role} from {who}?"),
            Self::Suspend { .. } => format!("Suspend {who}?"),
            Self::Disable => format!("Disable {who}?"),
            Self::ResendInvitation => format!("Resend the invitation to {who}?"),
        }
    }
}

/// What a bulk action did to one person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerUserOutcome {
    pub user_id: UserId,
    /// Their name; empty for someone out of the caller's reach (or who does not exist).
    pub name: String,
    pub done: bool,
    /// What happened: "Done." or why not, written for people.
    pub message: String,
}

/// A page of the people within reach at `node_id` (see the module documentation), matching
/// `filter`; `cursor` is the previous page's `next_cursor`. Needs ViewUsers at the node.
#[server(endpoint = "list_directory")]
pub async fn list_directory(
    node_id: NodeId,
    #[server(default)] filter: DirectoryFilter,
    #[server(default)] cursor: Option<String>,
) -> Result<DirectoryPage, AppError> {
    let state = crate::server::AppState::get()?;
    let caller =
        crate::server::policy::require(crate::domain::Permission::ViewUsers, node_id).await?;
    ssr::list(&state, &caller, node_id, &filter, cursor.as_deref()).await
}

/// Applies `action` to each of `user_ids` (at most 500) within reach at `node_id`, one by
/// one: one refusal does not stop the others. Needs ManageUsers at the node; each person is
/// then handled by the same rules as the single-person action.
#[server(endpoint = "apply_to_users")]
pub async fn apply_to_users(
    node_id: NodeId,
    #[server(default)] user_ids: Vec<UserId>,
    action: BulkUserAction,
) -> Result<Vec<PerUserOutcome>, AppError> {
    let state = crate::server::AppState::get()?;
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageUsers, node_id).await?;
    ssr::apply(&state, &caller, node_id, user_ids, action).await
}

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod query;
#[cfg(feature = "ssr")]
pub mod ssr;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally() {
        assert_eq!(count_label(0, true), "0 people");
        assert_eq!(count_label(1, true), "1 person");
        assert_eq!(count_label(1234, true), "1,234 people");
        assert_eq!(count_label(12_345, false), "about 12,000 people");
        assert_eq!(count_label(987, false), "about 990 people");
        assert_eq!(count_label(1_234_567, false), "about 1.2 million people");
        assert_eq!(count_label(2_000_001, false), "about 2 million people");
        assert_eq!(count_label(999_999, false), "about 1 million people");
        assert_eq!(count_label(94_449, false), "about 94,000 people");
    }

    #[test]
    fn filter_round_trips_through_the_address() {
        let f = DirectoryFilter {
            query: "ada lov".into(),
            statuses: vec![UserStatus::Active, UserStatus::Invited],
            role_id: Some(RoleId(7)),
            subtree: Some(NodeId(9)),
            team_id: Some(4),
            inherited: true,
            sort: SortKey::Created,
            descending: true,
            page_size: 20,
        };
        let pairs = f.to_query();
        let back = DirectoryFilter::from_query(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, f);
        assert!(DirectoryFilter::default().to_query().is_empty());
        let address = parse_query(&query_string(&pairs));
        let back = DirectoryFilter::from_query(address.iter().map(|(k, v)| (&**k, &**v)));
        assert_eq!(back, f, "through the percent-encoded address too");
        assert_eq!(
            export_path(NodeId(3), &f),
            "/export/users.csv?node_id=3&q=ada%20lov&status=active&status=invited&role=7\
             &under=9&team=4&inherited=1&sort=-created",
            "the export link carries the filter but not the page size"
        );
    }

    #[test]
    fn malformed_parameters_fall_back_to_defaults() {
        let f = DirectoryFilter::from_query([
            ("status", "nonsense"),
            ("status", "active"),
            ("status", "active"),
            ("role", "x"),
            ("sort", "-bogus"),
            ("per_page", "-3"),
        ]);
        assert_eq!(f.statuses, vec![UserStatus::Active]);
        assert_eq!(f.role_id, None);
        assert_eq!((f.sort, f.descending), (SortKey::Name, false));
        assert_eq!(f.page_size(), DEFAULT_PAGE_SIZE);
        let big = DirectoryFilter { page_size: 10_000, ..Default::default() };
        assert_eq!(big.page_size(), MAX_PAGE_SIZE);
    }

    #[test]
    fn confirmation_names_how_many() {
        assert_eq!(BulkUserAction::Disable.question(1, None), "Disable 1 person?");
        let suspend = BulkUserAction::Suspend { reason: "x".into() };
        assert_eq!(suspend.question(3, None), "Suspend 3 people?");
        assert_eq!(
            BulkUserAction::AddRole(RoleId(1)).question(2, Some("Call Agent")),
            "Give Call Agent to 2 people?"
        );
    }
}
