//! The dashboard's counts of what needs doing.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;

pub use seatsync_api_types::dashboard::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// The monthly waste, what is not mapped, failed syncs, closing cancellation windows and
/// contracts that differ from Partner Center.
#[server(prefix = "/api", endpoint = "dashboard/summary")]
pub async fn dashboard_summary() -> Result<DashboardCounts, AppError> {
    serve(Role::Viewer, |c| async move { c.services.dashboard_summary().await }).await
}
