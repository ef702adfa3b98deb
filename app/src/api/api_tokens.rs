//! API tokens for other systems (Settings, Admin only): list, make (shown once), revoke.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;

pub use seatsync_api_types::api_tokens::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// Every token (never a token's value); Admin only.
#[server(prefix = "/api", endpoint = "api_tokens/list")]
pub async fn load_api_tokens() -> Result<Vec<ApiTokenLine>, AppError> {
    serve(Role::Admin, |c| async move { c.services.api_tokens().await }).await
}

/// Makes a token that reads billing reports, its value in this answer only; Admin only.
#[server(prefix = "/api", endpoint = "api_tokens/create")]
pub async fn create_api_token(name: String) -> Result<CreatedApiToken, AppError> {
    serve(Role::Admin, |c| async move { c.services.create_api_token(&c.user, &name).await }).await
}

/// Revokes a token; Admin only.
#[server(prefix = "/api", endpoint = "api_tokens/revoke")]
pub async fn revoke_api_token(id: i64) -> Result<String, AppError> {
    serve(Role::Admin, |c| async move { c.services.revoke_api_token(&c.user, id).await }).await
}
