//! Staff accounts and their access (Admin only): roles and where they come from, blocking,
//! signing out everywhere, roles given to an address before its first sign-in, and the history.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use seatsync_domain::{AccessChange, Role, RoleOrigin};
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

#[cfg(feature = "ssr")]
fn row(u: seatsync_db::users::User, me: uuid::Uuid) -> UserRow {
    UserRow {
        id: u.id.to_string(),
        role: u.role(),
        role_origin: u.role_origin(),
        is_you: u.id == me,
        role_changed_at: u.role_changed_at,
        blocked_at: u.blocked_at,
        name: u.display_name,
        email: u.email,
        claimed_role: u.claimed_role,
        role_override: u.role_override,
        last_sign_in_at: u.last_sign_in_at,
    }
}

#[cfg(feature = "ssr")]
fn user_id(caller: &crate::server::Caller, text: &str) -> Result<uuid::Uuid, AppError> {
    text.parse().map_err(|_| caller.fail(AppError::Invalid(format!("'{text}' is not a user id."))))
}

#[cfg(feature = "ssr")]
fn not_found(caller: &crate::server::Caller) -> impl Fn(seatsync_db::DbError) -> AppError + '_ {
    move |e| match e {
        seatsync_db::DbError::NotFound => caller.fail(AppError::NotFound("That user".into())),
        other => caller.fail(other),
    }
}

/// Everyone who has signed in, and the roles waiting for a first sign-in.
#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users() -> Result<UsersView, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let pool = &caller.ctx.pool;
    let (users, grants) = tokio::try_join!(seatsync_db::users::list(pool), seatsync_db::users::grants(pool))
        .map_err(|e| caller.fail(e))?;
    Ok(UsersView {
        users: users.into_iter().map(|u| row(u, caller.user.id)).collect(),
        pending: grants
            .into_iter()
            .map(|g| PendingGrant {
                email: g.email,
                role: g.role,
                granted_by: g.granted_by_name,
                granted_at: g.granted_at,
            })
            .collect(),
    })
}

/// Overrides a user's role, or (`role = None`) goes back to what the identity provider grants.
#[server(prefix = "/api", endpoint = "users/set_role")]
pub async fn set_user_role(user_id: String, role: Option<Role>) -> Result<UserRow, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let id = self::user_id(&caller, &user_id)?;
    if id == caller.user.id {
        // An Admin demoting themselves could leave nobody able to undo it.
        return Err(caller.fail(AppError::Invalid("You cannot change your own role; ask another Admin.".into())));
    }
    let updated = seatsync_db::users::set_role_override(&caller.ctx.pool, id, role, caller.user.id)
        .await
        .map_err(not_found(&caller))?;
    tracing::info!(by = %caller.user.email, user = %updated.email, role = ?role, "role override changed");
    Ok(row(updated, caller.user.id))
}

/// Blocks a user at once (every session ends at its next request, sign-in is refused), or lifts
/// the block.
#[server(prefix = "/api", endpoint = "users/set_blocked")]
pub async fn set_user_blocked(user_id: String, blocked: bool) -> Result<UserRow, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let id = self::user_id(&caller, &user_id)?;
    if id == caller.user.id && blocked {
        return Err(caller.fail(AppError::Invalid("You cannot block yourself; ask another Admin.".into())));
    }
    let updated = seatsync_db::users::set_blocked(&caller.ctx.pool, id, blocked, caller.user.id)
        .await
        .map_err(not_found(&caller))?;
    tracing::info!(by = %caller.user.email, user = %updated.email, blocked, "user access changed");
    Ok(row(updated, caller.user.id))
}

/// Ends every session the user has, on every device; they can sign in again.
#[server(prefix = "/api", endpoint = "users/sign_out_everywhere")]
pub async fn sign_out_everywhere(user_id: String) -> Result<UserRow, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let id = self::user_id(&caller, &user_id)?;
    let updated =
        seatsync_db::users::revoke_sessions(&caller.ctx.pool, id, caller.user.id).await.map_err(not_found(&caller))?;
    tracing::info!(by = %caller.user.email, user = %updated.email, "every session of the user ended");
    Ok(row(updated, caller.user.id))
}

/// Gives a role to whoever signs in with `email`, before their first sign-in; applied at once
/// when someone already has.
#[server(prefix = "/api", endpoint = "users/grant_role")]
pub async fn grant_role(email: String, role: Role) -> Result<String, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let email = email.trim().to_string();
    let plausible = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.'));
    if !plausible || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(caller.fail(AppError::Invalid(format!("'{email}' is not an e-mail address."))));
    }
    if email.eq_ignore_ascii_case(&caller.user.email) {
        return Err(caller.fail(AppError::Invalid("You cannot change your own role; ask another Admin.".into())));
    }
    let outcome = seatsync_db::users::grant_role(&caller.ctx.pool, &email, role, caller.user.id)
        .await
        .map_err(|e| caller.fail(e))?;
    tracing::info!(by = %caller.user.email, %email, ?role, "role given to an address");
    Ok(match outcome {
        seatsync_db::users::GrantOutcome::Applied(u) => {
            format!("{} has signed in before: they act as {} from their next request.", u.display_name, role.label())
        }
        seatsync_db::users::GrantOutcome::Waiting(g) => {
            format!("{} will be {} from their first sign-in.", g.email, g.role.label())
        }
    })
}

/// Withdraws a role waiting for an address's first sign-in.
#[server(prefix = "/api", endpoint = "users/withdraw_grant")]
pub async fn withdraw_grant(email: String) -> Result<(), AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    seatsync_db::users::withdraw_grant(&caller.ctx.pool, &email, caller.user.id).await.map_err(|e| match e {
        seatsync_db::DbError::NotFound => {
            caller.fail(AppError::NotFound(format!("A role waiting for '{}'", email.trim())))
        }
        other => caller.fail(other),
    })
}

/// Every change to a user's access, newest first.
#[server(prefix = "/api", endpoint = "users/history")]
pub async fn access_history(user_id: String) -> Result<Vec<AccessEntry>, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let id = self::user_id(&caller, &user_id)?;
    seatsync_db::users::find(&caller.ctx.pool, id).await.map_err(not_found(&caller))?;
    let events = seatsync_db::users::access_history(&caller.ctx.pool, id).await.map_err(|e| caller.fail(e))?;
    Ok(events
        .into_iter()
        .map(|e| AccessEntry {
            change: e.change,
            what: e.change.describe(e.role_before, e.role_after),
            by: e.by_name,
            at: e.at,
        })
        .collect())
}
