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

/// A reduction link for a tenant's alerted subscriptions (one, or all of them); Editor and up.
/// The page opens it: the same confirmation a link in a ticket leads to.
#[server(prefix = "/api", endpoint = "alerts/make_link")]
pub async fn make_link(
    tenant: seatsync_domain::TenantId,
    subscription: Option<seatsync_domain::SubscriptionId>,
) -> Result<String, AppError> {
    serve(Role::Editor, |c| async move { c.services.make_link(&c.user, tenant, subscription).await }).await
}

/// What a reduction link would do now, read live, or why it cannot be used; Editor and up.
#[server(prefix = "/api", endpoint = "alerts/open_link")]
pub async fn open_link(token: String) -> Result<LinkState, AppError> {
    serve(Role::Editor, |c| async move { c.services.link_state(&token).await }).await
}

/// Carries a reduction link out, once; Editor and up.
#[server(prefix = "/api", endpoint = "alerts/confirm_link")]
pub async fn confirm_link(token: String) -> Result<Confirmation, AppError> {
    serve(Role::Editor, |c| async move { c.services.confirm_link(&c.user, &token).await }).await
}

/// Adds a SKU part number to the global ignore list; Editor and up.
#[server(prefix = "/api", endpoint = "alerts/ignore_sku")]
pub async fn ignore_sku(part_number: String, category: String, note: Option<String>) -> Result<(), AppError> {
    serve(Role::Editor, |c| async move { c.services.ignore_sku(&c.user, part_number, category, note).await }).await
}

/// Takes a SKU part number off the global ignore list; Editor and up.
#[server(prefix = "/api", endpoint = "alerts/unignore_sku")]
pub async fn unignore_sku(part_number: String) -> Result<(), AppError> {
    serve(Role::Editor, |c| async move { c.services.unignore_sku(part_number).await }).await
}

/// Leaves a customer, or one licence of it, out of alerts, or takes it back in; Editor and up.
#[server(prefix = "/api", endpoint = "alerts/exclude")]
pub async fn exclude(
    tenant: seatsync_domain::TenantId,
    sku: Option<seatsync_domain::SkuId>,
    excluded: bool,
    note: Option<String>,
) -> Result<(), AppError> {
    serve(Role::Editor, |c| async move { c.services.exclude(&c.user, tenant, sku, excluded, note).await }).await
}

/// Sets how many days before an annual or 3-year renewal its seats are alerted, and whether the
/// tickets also list seats waiting for a Pax8 company (unchanged when not given); Admin only.
#[server(prefix = "/api", endpoint = "alerts/save_settings")]
pub async fn save_alert_settings(renewal_notice_days: i64, ticket_waiting: Option<bool>) -> Result<(), AppError> {
    serve(
        Role::Admin,
        |c| async move { c.services.save_alert_settings(&c.user, renewal_notice_days, ticket_waiting).await },
    )
    .await
}

/// A customer's licences assigned to users, for choosing one to give its own spare seats;
/// Viewer and up.
#[server(prefix = "/api", endpoint = "alerts/licences_of")]
pub async fn licences_of(tenant: seatsync_domain::TenantId) -> Result<TenantLicences, AppError> {
    serve(Role::Viewer, |c| async move { c.services.licences_for_allowances(&tenant).await }).await
}

/// Gives a customer's licence its own spare seats, or (`spare` empty) the customer's default
/// back; Editor and up.
#[server(prefix = "/api", endpoint = "alerts/set_allowance")]
pub async fn set_allowance(
    tenant: seatsync_domain::TenantId,
    sku: seatsync_domain::SkuId,
    spare: Option<i64>,
) -> Result<(), AppError> {
    serve(Role::Editor, |c| async move { c.services.set_allowance(&c.user, tenant, sku, spare).await }).await
}

/// How the alerts are e-mailed and to whom (`to`: addresses with commas, semicolons or lines
/// between them); Admin only.
#[server(prefix = "/api", endpoint = "alerts/save_email")]
pub async fn save_alert_email(mode: seatsync_domain::email::AlertEmailMode, to: String) -> Result<(), AppError> {
    serve(Role::Admin, |c| async move { c.services.save_alert_email(&c.user, mode, to).await }).await
}
