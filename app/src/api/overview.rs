//! The seats overview of every tenant, and the spare seats each may keep.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use seatsync_domain::TenantId;

pub use seatsync_api_types::overview::*;

#[cfg(feature = "ssr")]
use crate::server::serve;
use crate::{api::licences::SeatSeries, error::AppError};

/// Every tenant's seats, worst first.
#[server(prefix = "/api", endpoint = "overview/tenants")]
pub async fn seats_overview() -> Result<Vec<OverviewRow>, AppError> {
    serve(Role::Viewer, |c| async move { c.services.seats_overview().await }).await
}

/// Sets the spare seats per product a tenant may keep without it counting as waste (Editor).
#[server(prefix = "/api", endpoint = "overview/spare_seats")]
pub async fn set_spare_seats(tenant_id: TenantId, spare_seats: i32) -> Result<i32, AppError> {
    serve(Role::Editor, |c| async move { c.services.set_spare_seats(&c.user, &tenant_id, spare_seats).await }).await
}

/// Seats bought and assigned across every tenant, one point per day, for the overview's chart.
#[server(prefix = "/api", endpoint = "overview/history")]
pub async fn fleet_history() -> Result<SeatSeries, AppError> {
    serve(Role::Viewer, |c| async move { c.services.fleet_history().await }).await
}

/// The overview as a CSV file, one line per tenant.
#[server(prefix = "/api", endpoint = "overview/export")]
pub async fn overview_csv() -> Result<CsvFile, AppError> {
    serve(Role::Viewer, |c| async move { c.services.overview_csv().await }).await
}
