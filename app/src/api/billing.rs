//! The billing count report: its table, and its CSV files.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;

pub use seatsync_api_types::{billing::*, overview::CsvFile};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// The report `report_id` (the newest without one) and the list of every report; Viewer and up.
#[server(prefix = "/api", endpoint = "billing/view")]
pub async fn load_billing(report_id: Option<i64>) -> Result<BillingView, AppError> {
    serve(Role::Viewer, |c| async move { c.services.billing_view(report_id).await }).await
}

/// The report as a CSV file; Viewer and up.
#[server(prefix = "/api", endpoint = "billing/csv")]
pub async fn billing_csv(report_id: Option<i64>) -> Result<CsvFile, AppError> {
    serve(Role::Viewer, |c| async move { c.services.billing_csv(report_id).await }).await
}

/// What changed since the report before, as a CSV file; Viewer and up.
#[server(prefix = "/api", endpoint = "billing/changes_csv")]
pub async fn billing_changes_csv(report_id: Option<i64>) -> Result<CsvFile, AppError> {
    serve(Role::Viewer, |c| async move { c.services.billing_changes_csv(report_id).await }).await
}
