//! Nodes of the account tree: the agency at the root, accounts below it, and sub-groups
//! (locations) below those, to any depth.

use super::ids::NodeId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeKind {
    Agency,
    Account,
    Group,
}

impl NodeKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Agency => "agency",
            Self::Account => "account",
            Self::Group => "group",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Agency, Self::Account, Self::Group].into_iter().find(|k| k.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Agency => "Agency",
            Self::Account => "Account",
            Self::Group => "Sub-group",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSummary {
    pub id: NodeId,
    pub parent_id: Option<NodeId>,
    pub name: String,
    pub kind: NodeKind,
}

/// A node name: trimmed, 1 to 120 characters.
pub fn parse_node_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Enter a name.");
    }
    if name.chars().count() > 120 {
        return Err("A name can have at most 120 characters.");
    }
    Ok(name.to_string())
}
