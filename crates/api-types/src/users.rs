//! Staff accounts, their access and its history.

use chrono::{DateTime, Utc};
use seatsync_domain::{AccessChange, Role, RoleOrigin};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    /// What the identity provider's `roles` claim granted at the last sign-in.
    pub claimed_role: Option<Role>,
    /// An Admin's override, which wins over the claim.
    pub role_override: Option<Role>,
    pub role: Option<Role>,
    /// Where `role` comes from.
    pub role_origin: RoleOrigin,
    pub role_changed_at: Option<DateTime<Utc>>,
    pub last_sign_in_at: DateTime<Utc>,
    pub blocked_at: Option<DateTime<Utc>>,
    pub is_you: bool,
}

/// A role waiting for an address's first sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingGrant {
    pub email: String,
    pub role: Role,
    pub granted_by: Option<String>,
    pub granted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersView {
    pub users: Vec<UserRow>,
    pub pending: Vec<PendingGrant>,
}

/// One change to a user's access, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub change: AccessChange,
    pub what: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}
