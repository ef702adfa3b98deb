//! Where SeatSync's tickets go: the PSA for tickets and each customer's company there.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use seatsync_domain::{kinds::TicketPsa, TenantId};

pub use seatsync_api_types::tickets::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// The PSA for tickets and the ones set up; Viewer and up.
#[server(prefix = "/api", endpoint = "tickets/psa")]
pub async fn load_ticket_psa() -> Result<TicketPsaInfo, AppError> {
    serve(Role::Viewer, |c| async move { c.services.ticket_psa().await }).await
}

/// Chooses the PSA SeatSync opens its tickets in; Admin only.
#[server(prefix = "/api", endpoint = "tickets/save_psa")]
pub async fn save_ticket_psa(psa: TicketPsa) -> Result<TicketPsaInfo, AppError> {
    serve(Role::Admin, |c| async move { c.services.save_ticket_psa(&c.user, psa).await }).await
}

/// Every customer with its company in the PSA for tickets, and suggestions; Viewer and up.
#[server(prefix = "/api", endpoint = "tickets/companies")]
pub async fn ticket_companies() -> Result<TicketCompaniesView, AppError> {
    serve(Role::Viewer, |c| async move { c.services.ticket_companies().await }).await
}

/// Sets a customer's company (or clears it, without `company_id`); Editor and up.
#[server(prefix = "/api", endpoint = "tickets/set_company")]
pub async fn set_ticket_company(tenant_id: TenantId, company_id: Option<i64>) -> Result<String, AppError> {
    serve(Role::Editor, |c| async move { c.services.set_ticket_company(&c.user, &tenant_id, company_id).await }).await
}

/// Takes every suggestion; Editor and up.
#[server(prefix = "/api", endpoint = "tickets/accept_companies")]
pub async fn accept_ticket_companies() -> Result<String, AppError> {
    serve(Role::Editor, |c| async move { c.services.accept_ticket_companies(&c.user).await }).await
}
