//! Tenants, their subscriptions and seats, and the licence sync.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use seatsync_domain::TenantId;

pub use seatsync_api_types::licences::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

#[server(prefix = "/api", endpoint = "licences/tenants")]
pub async fn list_tenants() -> Result<Vec<TenantItem>, AppError> {
    serve(Role::Viewer, |c| async move { c.services.tenants().await }).await
}

#[server(prefix = "/api", endpoint = "licences/tenant")]
pub async fn tenant_licences(tenant_id: TenantId) -> Result<TenantDetail, AppError> {
    serve(Role::Viewer, |c| async move { c.services.tenant_licences(&tenant_id).await }).await
}

/// Active subscriptions whose cancellation window closes within two days, across all tenants.
#[server(prefix = "/api", endpoint = "licences/closing_windows")]
pub async fn closing_windows() -> Result<Vec<ClosingWindow>, AppError> {
    serve(Role::Viewer, |c| async move { c.services.closing_windows().await }).await
}

/// Starts a licence sync of one tenant or (`tenant_id` empty) all; Editor and up.
#[server(prefix = "/api", endpoint = "licences/sync")]
pub async fn start_licence_sync(tenant_id: Option<TenantId>) -> Result<i64, AppError> {
    serve(Role::Editor, |c| async move { c.services.start_licence_sync(&c.user, tenant_id).await }).await
}

/// The latest sync run, for the live progress everyone on the page sees.
#[server(prefix = "/api", endpoint = "licences/sync_status")]
pub async fn licence_sync_status() -> Result<Option<SyncStatus>, AppError> {
    serve(Role::Viewer, |c| async move { c.services.licence_sync_status().await }).await
}

/// Seat history per product of one tenant, one point per successful sync.
#[server(prefix = "/api", endpoint = "licences/history")]
pub async fn licence_history(tenant_id: TenantId) -> Result<Vec<SeatSeries>, AppError> {
    serve(Role::Viewer, |c| async move { c.services.licence_history(&tenant_id).await }).await
}
