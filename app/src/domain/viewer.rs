//! The signed-in person, as resolved once per request on the server and handed to the page.

use super::ids::UserId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: UserId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

impl Viewer {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }
}
