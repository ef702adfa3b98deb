//! The billing count report: its table, its CSV files, and which PSA company each billing
//! tool's customer is.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use seatsync_domain::{billing_delivery::Frequency, kinds::BillingTool};

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

/// A billing tool's customers, each with its company or a suggestion; Viewer and up.
#[server(prefix = "/api", endpoint = "billing/tool_customers")]
pub async fn load_tool_customers(tool: BillingTool) -> Result<ToolCustomersView, AppError> {
    serve(Role::Viewer, |c| async move { c.services.tool_customers(tool).await }).await
}

/// Places a tool customer in a company (or withdraws the decision, without `company_id`); Editor
/// and up.
#[server(prefix = "/api", endpoint = "billing/place_tool_customer")]
pub async fn place_tool_customer(tool: BillingTool, key: String, company_id: Option<i64>) -> Result<String, AppError> {
    serve(Role::Editor, |c| async move { c.services.place_tool_customer(&c.user, tool, &key, company_id).await }).await
}

/// Leaves a tool customer out of the report; Editor and up.
#[server(prefix = "/api", endpoint = "billing/ignore_tool_customer")]
pub async fn ignore_tool_customer(tool: BillingTool, key: String) -> Result<String, AppError> {
    serve(Role::Editor, |c| async move { c.services.ignore_tool_customer(&c.user, tool, &key).await }).await
}

/// Takes every suggestion for a tool's customers; Editor and up.
#[server(prefix = "/api", endpoint = "billing/accept_tool_customers")]
pub async fn accept_tool_customers(tool: BillingTool) -> Result<String, AppError> {
    serve(Role::Editor, |c| async move { c.services.accept_tool_customers(&c.user, tool).await }).await
}

/// When reports are made and where they go; Viewer and up.
#[server(prefix = "/api", endpoint = "billing/settings")]
pub async fn load_billing_settings() -> Result<BillingSettingsView, AppError> {
    serve(Role::Viewer, |c| async move { c.services.billing_settings().await }).await
}

/// Sets when reports are made (frequency, weekday 1 Monday to 7 Sunday, day of the month, hour
/// UTC) and where they go (a company of the PSA for tickets by name, e-mail addresses); Admin only.
#[server(prefix = "/api", endpoint = "billing/save_settings")]
pub async fn save_billing_settings(
    frequency: Frequency,
    weekday: u8,
    day: u8,
    hour: u8,
    ticket_company: Option<String>,
    email_to: Option<String>,
) -> Result<String, AppError> {
    use seatsync_domain::billing_delivery::BillingSchedule;
    let form = seatsync_services::BillingSettingsForm {
        schedule: BillingSchedule { frequency, weekday, day, hour },
        ticket_company,
        email_to: email_to.unwrap_or_default(),
    };
    serve(Role::Admin, |c| async move { c.services.save_billing_settings(&c.user, form).await }).await
}
