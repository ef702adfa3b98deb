//! Who is signed in.

use seatsync_domain::Role;
use serde::{Deserialize, Serialize};

/// The signed-in user as the UI needs them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub email: String,
    /// `None`: signed in, but no SeatSync role was assigned yet.
    pub role: Option<Role>,
}

impl Me {
    pub fn may(&self, needed: Role) -> bool {
        self.role.is_some_and(|r| r.allows(needed))
    }
}
