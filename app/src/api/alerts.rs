//! The unused-licence alerts.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;

pub use seatsync_api_types::alerts::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// Every tenant's reducible seats as the newest run found them; Viewer and up.
#[server(prefix = "/api", endpoint = "alerts/view")]
pub async fn load_alerts() -> Result<AlertsView, AppError> {
    serve(Role::Viewer, |c| async move { c.services.alerts_view().await }).await
}
