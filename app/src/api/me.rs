//! Who is signed in.

use leptos::prelude::*;
use seatsync_domain::Role;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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

/// The signed-in user, or `None`. Open to everyone: the sign-in page asks it too.
#[server(prefix = "/api", endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let ctx = crate::server::context();
    let user = crate::server::signed_in_user(&ctx).await?;
    Ok(user.map(|u| Me { role: u.role(), name: u.display_name, email: u.email }))
}
