//! Integration settings and the settings an Admin changes in the app.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;

pub use seatsync_api_types::settings::*;
use seatsync_domain::kinds::TicketPsa;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// Every integration with its endpoint and whether it is ready (Admin only: endpoints and
/// account names are not for everyone).
#[server(prefix = "/api", endpoint = "settings/integrations")]
pub async fn list_integrations() -> Result<Vec<IntegrationInfo>, AppError> {
    serve(Role::Admin, |c| async move { c.services.integrations().await }).await
}

/// One integration's page: its fields (a secret only as "set"), where each value comes from,
/// and its history (Admin).
#[server(prefix = "/api", endpoint = "settings/integration")]
pub async fn get_integration(key: String) -> Result<IntegrationDetail, AppError> {
    serve(Role::Admin, |c| async move { c.services.integration(&key).await }).await
}

/// Saves changes to one integration's fields; `value: None` removes the saved value (Admin).
#[server(prefix = "/api", endpoint = "settings/save_integration", input = server_fn::codec::Json)]
pub async fn save_integration(key: String, changes: Vec<FieldChange>) -> Result<IntegrationDetail, AppError> {
    serve(Role::Admin, |c| async move { c.services.save_integration(&c.user, &key, changes).await }).await
}

/// Makes one harmless call to an integration and says what happened (Admin).
#[server(prefix = "/api", endpoint = "settings/test_connection")]
pub async fn test_connection(key: String) -> Result<ConnectionTest, AppError> {
    serve(Role::Admin, |c| async move { c.services.test_connection(&key).await }).await
}

/// How many integrations are ready, for the dashboard (everyone with a role).
#[server(prefix = "/api", endpoint = "settings/readiness")]
pub async fn integration_readiness() -> Result<ReadinessSummary, AppError> {
    serve(Role::Viewer, |c| async move { c.services.integration_readiness().await }).await
}

#[server(prefix = "/api", endpoint = "settings/mapping")]
pub async fn mapping_settings() -> Result<MappingSettingsInfo, AppError> {
    serve(Role::Admin, |c| async move { c.services.mapping_settings().await }).await
}

#[server(prefix = "/api", endpoint = "settings/save_mapping")]
pub async fn save_mapping_settings(
    service_name_template: String,
    contract_name_template: String,
    adjustment_date: String,
    service_billing_code_id: String,
    time_reporting_requires_start_stop: bool,
    contract_grouping: String,
) -> Result<(), AppError> {
    serve(Role::Admin, |c| async move {
        let form = seatsync_services::settings::SettingsForm {
            service_name_template,
            contract_name_template,
            adjustment_date,
            service_billing_code_id,
            time_reporting_requires_start_stop,
            contract_grouping,
        };
        c.services.save_mapping_settings(&c.user, form).await
    })
    .await
}

/// The active allocation codes of the Autotask database, recurring-service ones first (Admin).
#[server(prefix = "/api", endpoint = "settings/billing_codes")]
pub async fn allocation_codes() -> Result<Vec<AllocationCode>, AppError> {
    serve(Role::Admin, |c| async move { c.services.allocation_codes().await }).await
}

/// Sends a test e-mail with a small attachment (Admin).
#[server(prefix = "/api", endpoint = "settings/test_email")]
pub async fn send_test_email(to: String) -> Result<TestDelivery, AppError> {
    serve(Role::Admin, |c| async move { c.services.send_test_email(&c.user, &to).await }).await
}

/// The companies (Halo: clients) of a PSA, to open a test ticket for one (Admin).
#[server(prefix = "/api", endpoint = "settings/psa_companies")]
pub async fn psa_companies(psa: TicketPsa) -> Result<Vec<PsaCompany>, AppError> {
    serve(Role::Admin, |c| async move { c.services.psa_companies(psa).await }).await
}

/// Opens a test ticket with a small attachment for a company of a PSA (Admin).
#[server(prefix = "/api", endpoint = "settings/test_ticket")]
pub async fn send_test_ticket(psa: TicketPsa, company_id: i64) -> Result<TestDelivery, AppError> {
    serve(Role::Admin, |c| async move { c.services.send_test_ticket(&c.user, psa, company_id).await }).await
}

/// The ticket fields SeatSync sets, each with Autotask's list and the default chosen (Admin).
#[server(prefix = "/api", endpoint = "settings/ticket_defaults")]
pub async fn ticket_defaults() -> Result<TicketDefaultsInfo, AppError> {
    serve(Role::Admin, |c| async move { c.services.ticket_defaults().await }).await
}

/// Saves how SeatSync files its tickets (Admin).
#[server(prefix = "/api", endpoint = "settings/save_ticket_defaults", input = server_fn::codec::Json)]
pub async fn save_ticket_defaults(chosen: Vec<TicketDefaultChoice>) -> Result<TicketDefaultsInfo, AppError> {
    serve(Role::Admin, |c| async move { c.services.save_ticket_defaults(&c.user, chosen).await }).await
}

/// The board and status ConnectWise tickets open in, with ConnectWise's lists (Admin).
#[server(prefix = "/api", endpoint = "settings/cw_defaults")]
pub async fn connectwise_defaults() -> Result<ConnectWiseDefaultsInfo, AppError> {
    serve(Role::Admin, |c| async move { c.services.connectwise_defaults().await }).await
}

/// The statuses of a ConnectWise board (Admin).
#[server(prefix = "/api", endpoint = "settings/cw_statuses")]
pub async fn connectwise_statuses(board_id: i64) -> Result<Vec<PickOption>, AppError> {
    serve(Role::Admin, |c| async move { c.services.connectwise_statuses(board_id).await }).await
}

/// Saves the board and status ConnectWise tickets open in (Admin).
#[server(prefix = "/api", endpoint = "settings/save_cw_defaults")]
pub async fn save_connectwise_defaults(
    board_id: Option<i64>,
    status_id: Option<i64>,
) -> Result<ConnectWiseDefaultsInfo, AppError> {
    serve(Role::Admin, |c| async move { c.services.save_connectwise_defaults(&c.user, board_id, status_id).await })
        .await
}

/// The ticket type HaloPSA tickets open as, with Halo's list (Admin).
#[server(prefix = "/api", endpoint = "settings/halo_defaults")]
pub async fn halo_defaults() -> Result<HaloDefaultsInfo, AppError> {
    serve(Role::Admin, |c| async move { c.services.halo_defaults().await }).await
}

/// Saves the ticket type HaloPSA tickets open as (Admin).
#[server(prefix = "/api", endpoint = "settings/save_halo_defaults")]
pub async fn save_halo_defaults(ticket_type_id: Option<i64>) -> Result<HaloDefaultsInfo, AppError> {
    serve(Role::Admin, |c| async move { c.services.save_halo_defaults(&c.user, ticket_type_id).await }).await
}
