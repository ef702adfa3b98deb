//! Pax8 companies and the tenants they are.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use seatsync_domain::{Pax8CompanyId, TenantId};

pub use seatsync_api_types::pax8::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// Every Pax8 company with the tenant SeatSync matched, suggests or was told; Viewer and up.
#[server(prefix = "/api", endpoint = "pax8/companies")]
pub async fn pax8_companies() -> Result<Pax8CompaniesView, AppError> {
    serve(Role::Viewer, |c| async move { c.services.pax8_companies().await }).await
}

/// Confirms a company as a tenant (its suggestion, or `tenant_id`), ignores it, or gives it
/// back to SeatSync's matching; Editor and up. What happened, in words.
#[server(prefix = "/api", endpoint = "pax8/decide")]
pub async fn decide_pax8_company(
    company_id: Pax8CompanyId,
    decide: Pax8Decide,
    tenant_id: Option<TenantId>,
) -> Result<String, AppError> {
    serve(Role::Editor, |c| async move { c.services.decide_pax8_company(&c.user, company_id, decide, tenant_id).await })
        .await
}

/// Confirms every suggestion; Editor and up.
#[server(prefix = "/api", endpoint = "pax8/accept_all")]
pub async fn accept_pax8_suggestions() -> Result<String, AppError> {
    serve(Role::Editor, |c| async move { c.services.accept_pax8_suggestions(&c.user).await }).await
}

/// The Pax8 product table, with the products Pax8 holds that it does not know; Viewer and up.
#[server(prefix = "/api", endpoint = "pax8/products")]
pub async fn pax8_products() -> Result<Pax8ProductsView, AppError> {
    serve(Role::Viewer, |c| async move { c.services.pax8_products().await }).await
}

/// Says which SKU part number a Pax8 product is, or (`part_number` empty) removes an Admin's
/// addition; Admin only.
#[server(prefix = "/api", endpoint = "pax8/set_product")]
pub async fn set_pax8_product(product_name: String, part_number: Option<String>) -> Result<(), AppError> {
    serve(Role::Admin, |c| async move { c.services.set_pax8_product(&c.user, product_name, part_number).await }).await
}
