//! Contacts: people who get called but never sign in (no password, no session, no roles),
//! kept at a node of the account tree and put on its call teams.
//!
//! Reading needs ViewAccount at the node, changing ManageCallTeams there. Each function
//! takes the node it acts at, and a contact of any other node is "not found".

// `update_contact` takes the form's fields one by one (eight of them): the browser build
// of the server function does not carry an `allow` on the function itself.
#![allow(clippy::too_many_arguments)]

use crate::domain::call_prefs::SendCallsTo;
use crate::{
    domain::{NodeId, phone::display_phone},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where one person's calls go, as a call team uses it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRoute {
    pub by: SendCallsTo,
    /// The phone number (E.164) or the e-mail address.
    pub to: String,
}

impl CallRoute {
    /// "Text +1 202 555 0100", "E-mail ann@example.com".
    pub fn describe(&self) -> String {
        match self.by {
            SendCallsTo::Text => format!("Text {}", display_phone(&self.to)),
            SendCallsTo::Email => format!("E-mail {}", self.to),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: i64,
    pub node_id: NodeId,
    pub first_name: String,
    pub last_name: String,
    /// E.164, e.g. `+12025550100`.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub calls_by: SendCallsTo,
    /// Moves with every save: a save made from an older version is refused.
    pub version: i64,
}

impl Contact {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }

    /// Their own call preference, which every call team they are on uses.
    pub fn route(&self) -> CallRoute {
        let to = match self.calls_by {
            SendCallsTo::Text => self.phone.clone(),
            SendCallsTo::Email => self.email.clone(),
        };
        CallRoute { by: self.calls_by, to: to.unwrap_or_default() }
    }
}

/// The contacts of `node_id`, by name.
#[server(endpoint = "list_contacts")]
pub async fn list_contacts(node_id: NodeId) -> Result<Vec<Contact>, AppError> {
    // Taken before the first await: a page's data fetch can outlive its render.
    let state = crate::server::AppState::get()?;
    crate::server::policy::require(crate::domain::Permission::ViewAccount, node_id).await?;
    ssr::list_contacts(&state, node_id).await
}

/// Adds a contact at `node_id`. `send_calls_to` is `text` (needs `phone`) or `email` (needs
/// `email`).
#[server(endpoint = "create_contact")]
pub async fn create_contact(
    node_id: NodeId,
    #[server(default)] first_name: String,
    #[server(default)] last_name: String,
    #[server(default)] phone: String,
    #[server(default)] email: String,
    #[server(default)] send_calls_to: String,
) -> Result<Contact, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageCallTeams, node_id).await?;
    let input = ssr::ContactInput { first_name, last_name, phone, email, send_calls_to };
    ssr::create_contact(&caller, node_id, input).await
}

/// Saves a contact of `node_id`, if it is still at `version`.
#[server(endpoint = "update_contact")]
pub async fn update_contact(
    node_id: NodeId,
    contact_id: i64,
    #[server(default)] first_name: String,
    #[server(default)] last_name: String,
    #[server(default)] phone: String,
    #[server(default)] email: String,
    #[server(default)] send_calls_to: String,
    version: i64,
) -> Result<Contact, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageCallTeams, node_id).await?;
    let input = ssr::ContactInput { first_name, last_name, phone, email, send_calls_to };
    ssr::update_contact(&caller, node_id, contact_id, input, version).await
}

/// Deletes a contact of `node_id`: it leaves every call team (history keeps the name).
#[server(endpoint = "delete_contact")]
pub async fn delete_contact(node_id: NodeId, contact_id: i64) -> Result<(), AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageCallTeams, node_id).await?;
    ssr::delete_contact(&caller, node_id, contact_id).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_read_as_people_say_them() {
        let text = CallRoute { by: SendCallsTo::Text, to: "+12025550100".into() };
        assert_eq!(text.describe(), "Text +1 202 555 0100");
        let mail = CallRoute { by: SendCallsTo::Email, to: "ann@example.com".into() };
        assert_eq!(mail.describe(), "E-mail ann@example.com");
        for c in SendCallsTo::ALL {
            assert_eq!(SendCallsTo::from_key(c.key()), Some(c));
        }
    }
}
