//! Staff accounts and their roles (Admin only).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use seatsync_domain::Role;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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
    pub last_sign_in_at: DateTime<Utc>,
    pub is_you: bool,
}

#[cfg(feature = "ssr")]
fn row(u: seatsync_db::users::User, me: uuid::Uuid) -> UserRow {
    UserRow {
        id: u.id.to_string(),
        role: u.role(),
        is_you: u.id == me,
        name: u.display_name,
        email: u.email,
        claimed_role: u.claimed_role,
        role_override: u.role_override,
        last_sign_in_at: u.last_sign_in_at,
    }
}

/// Everyone who has signed in.
#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let users = seatsync_db::users::list(&caller.ctx.pool).await?;
    Ok(users.into_iter().map(|u| row(u, caller.user.id)).collect())
}

/// Overrides a user's role, or (`role = None`) goes back to what the identity provider grants.
#[server(prefix = "/api", endpoint = "users/set_role")]
pub async fn set_user_role(user_id: String, role: Option<Role>) -> Result<UserRow, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let id: uuid::Uuid = user_id
        .parse()
        .map_err(|_| caller.respond.fail(AppError::Invalid(format!("'{user_id}' is not a user id."))))?;
    if id == caller.user.id {
        // An Admin demoting themselves could leave nobody able to undo it.
        return Err(caller.respond.fail(AppError::Invalid("You cannot change your own role; ask another Admin.".into())));
    }
    let updated = seatsync_db::users::set_role_override(&caller.ctx.pool, id, role, caller.user.id)
        .await
        .map_err(|e| match e {
            seatsync_db::DbError::NotFound => caller.respond.fail(AppError::NotFound("That user".into())),
            other => caller.respond.fail(AppError::from(other)),
        })?;
    tracing::info!(by = %caller.user.email, user = %updated.email, role = ?role, "role override changed");
    Ok(row(updated, caller.user.id))
}
