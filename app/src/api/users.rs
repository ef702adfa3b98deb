//! Staff accounts and their access (Admin only): roles and where they come from, blocking,
//! signing out everywhere, roles given to an address before its first sign-in, and the history.

use leptos::prelude::*;
use seatsync_domain::Role;

pub use seatsync_api_types::users::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// Everyone who has signed in, and the roles waiting for a first sign-in.
#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users() -> Result<UsersView, AppError> {
    serve(Role::Admin, |c| async move { c.services.users(&c.user).await }).await
}

/// Overrides a user's role, or (`role = None`) goes back to what the identity provider grants.
#[server(prefix = "/api", endpoint = "users/set_role")]
pub async fn set_user_role(user_id: String, role: Option<Role>) -> Result<UserRow, AppError> {
    serve(Role::Admin, |c| async move { c.services.set_user_role(&c.user, &user_id, role).await }).await
}

/// Blocks a user at once (every session ends at its next request, sign-in is refused), or lifts
/// the block.
#[server(prefix = "/api", endpoint = "users/set_blocked")]
pub async fn set_user_blocked(user_id: String, blocked: bool) -> Result<UserRow, AppError> {
    serve(Role::Admin, |c| async move { c.services.set_user_blocked(&c.user, &user_id, blocked).await }).await
}

/// Ends every session the user has, on every device; they can sign in again.
#[server(prefix = "/api", endpoint = "users/sign_out_everywhere")]
pub async fn sign_out_everywhere(user_id: String) -> Result<UserRow, AppError> {
    serve(Role::Admin, |c| async move { c.services.sign_out_everywhere(&c.user, &user_id).await }).await
}

/// Gives a role to whoever signs in with `email`, before their first sign-in; applied at once
/// when someone already has.
#[server(prefix = "/api", endpoint = "users/grant_role")]
pub async fn grant_role(email: String, role: Role) -> Result<String, AppError> {
    serve(Role::Admin, |c| async move { c.services.grant_role(&c.user, &email, role).await }).await
}

/// Withdraws a role waiting for an address's first sign-in.
#[server(prefix = "/api", endpoint = "users/withdraw_grant")]
pub async fn withdraw_grant(email: String) -> Result<(), AppError> {
    serve(Role::Admin, |c| async move { c.services.withdraw_grant(&c.user, &email).await }).await
}

/// Every change to a user's access, newest first.
#[server(prefix = "/api", endpoint = "users/history")]
pub async fn access_history(user_id: String) -> Result<Vec<AccessEntry>, AppError> {
    serve(Role::Admin, |c| async move { c.services.access_history(&user_id).await }).await
}
