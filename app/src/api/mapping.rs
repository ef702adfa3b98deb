//! Customer (tenant → Autotask company) and service (Microsoft offer → Autotask service)
//! mappings: lists, the pickers' data, saving, suggestions and history. Reading is for everyone
//! signed in with a role; changing needs Editor.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use seatsync_domain::{CompanyId, ServiceId, TenantId};

pub use seatsync_api_types::mapping::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// Every tenant with its mapping and, for unmapped ones, a suggested company.
#[server(prefix = "/api", endpoint = "mapping/customers")]
pub async fn customer_mappings() -> Result<CustomerMappingList, AppError> {
    serve(Role::Viewer, |c| async move { c.services.customer_mappings().await }).await
}

/// Every Autotask company, for the picker (which filters in the browser).
#[server(prefix = "/api", endpoint = "mapping/companies")]
pub async fn autotask_companies() -> Result<Vec<CompanyOption>, AppError> {
    serve(Role::Editor, |c| async move { c.services.autotask_companies().await }).await
}

/// Changes a tenant's mapping, if it is still at `version` (what the editor saw).
#[server(prefix = "/api", endpoint = "mapping/save_tenant")]
pub async fn save_tenant_mapping(
    tenant_id: TenantId,
    action: MappingAction,
    company_id: Option<CompanyId>,
    version: i32,
) -> Result<TenantMappingRow, AppError> {
    serve(Role::Editor, |c| async move {
        c.services.save_tenant_mapping(&c.user, &tenant_id, action, company_id, version).await
    })
    .await
}

/// The form for creating a tenant's company in Autotask, prefilled from the tenant.
#[server(prefix = "/api", endpoint = "mapping/company_draft")]
pub async fn company_draft(tenant_id: TenantId) -> Result<CompanyDraftInfo, AppError> {
    serve(Role::Editor, |c| async move { c.services.company_draft(&c.user, &tenant_id).await }).await
}

/// Creates the tenant's company in Autotask (never twice) and maps the tenant to it.
#[server(prefix = "/api", endpoint = "mapping/create_company", input = server_fn::codec::Json)]
pub async fn create_company(form: NewCompanyForm) -> Result<TenantMappingRow, AppError> {
    serve(Role::Editor, |c| async move { c.services.create_company(&c.user, form).await }).await
}

/// Maps several offers to their suggested services at once; each is saved on its own.
#[server(prefix = "/api", endpoint = "mapping/accept_service_suggestions", input = server_fn::codec::Json)]
pub async fn accept_service_suggestions(items: Vec<AcceptServiceItem>) -> Result<Vec<AcceptServiceOutcome>, AppError> {
    serve(Role::Editor, |c| async move { c.services.accept_service_suggestions(&c.user, items).await }).await
}

/// Accepts several suggestions at once; each is saved on its own, so one conflict does not stop
/// the others.
#[server(prefix = "/api", endpoint = "mapping/accept_suggestions", input = server_fn::codec::Json)]
pub async fn accept_suggestions(items: Vec<AcceptItem>) -> Result<Vec<AcceptOutcome>, AppError> {
    serve(Role::Editor, |c| async move { c.services.accept_suggestions(&c.user, items).await }).await
}

/// Takes a bulk accept back: each tenant is unmapped again unless someone changed it since; the
/// suggestions a person turned down stay turned down.
#[server(prefix = "/api", endpoint = "mapping/undo_accept", input = server_fn::codec::Json)]
pub async fn undo_accepted_suggestions(items: Vec<UndoTenantAccept>) -> Result<Vec<AcceptOutcome>, AppError> {
    serve(Role::Editor, |c| async move { c.services.undo_accepted_suggestions(&c.user, items).await }).await
}

/// Takes a bulk accept of services back: each offer is unmapped again unless changed since.
#[server(prefix = "/api", endpoint = "mapping/undo_accept_services", input = server_fn::codec::Json)]
pub async fn undo_accepted_services(items: Vec<UndoServiceAccept>) -> Result<Vec<AcceptServiceOutcome>, AppError> {
    serve(Role::Editor, |c| async move { c.services.undo_accepted_services(&c.user, items).await }).await
}

/// The service the naming template names for every unmapped offer: the bulk create's preview.
#[server(prefix = "/api", endpoint = "mapping/template_drafts")]
pub async fn template_service_drafts() -> Result<Vec<TemplateServiceDraft>, AppError> {
    serve(Role::Editor, |c| async move { c.services.template_service_drafts().await }).await
}

/// Creates the confirmed services in Autotask (or finds them by name) and maps their offers.
#[server(prefix = "/api", endpoint = "mapping/create_from_template", input = server_fn::codec::Json)]
pub async fn create_services_from_template(
    items: Vec<TemplateServiceItem>,
) -> Result<Vec<AcceptServiceOutcome>, AppError> {
    serve(Role::Editor, |c| async move { c.services.create_services_from_template(&c.user, items).await }).await
}

/// Turns a suggestion down: that company is never suggested for that tenant again.
#[server(prefix = "/api", endpoint = "mapping/dismiss_suggestion")]
pub async fn dismiss_suggestion(tenant_id: TenantId, company_id: CompanyId) -> Result<(), AppError> {
    serve(Role::Editor, |c| async move { c.services.dismiss_suggestion(&c.user, &tenant_id, company_id).await }).await
}

/// The history of a tenant's (`kind` = "tenant") or an offer's (`kind` = "offer") mapping.
#[server(prefix = "/api", endpoint = "mapping/history")]
pub async fn mapping_history(kind: String, key: String) -> Result<Vec<HistoryEntry>, AppError> {
    serve(Role::Viewer, |c| async move { c.services.mapping_history(&kind, &key).await }).await
}

/// Re-reads companies and services from Autotask now.
#[server(prefix = "/api", endpoint = "mapping/refresh")]
pub async fn refresh_autotask() -> Result<RefreshInfo, AppError> {
    serve(Role::Editor, |c| async move { c.services.refresh_autotask(&c.user).await }).await
}

/// Every Microsoft offer seen in the subscriptions (offer + term + billing cycle) with its service.
#[server(prefix = "/api", endpoint = "mapping/offers")]
pub async fn offer_mappings() -> Result<OfferMappingList, AppError> {
    serve(Role::Viewer, |c| async move { c.services.offer_mappings().await }).await
}

/// Every Autotask service, for the picker.
#[server(prefix = "/api", endpoint = "mapping/services")]
pub async fn autotask_services() -> Result<Vec<ServiceOption>, AppError> {
    serve(Role::Editor, |c| async move { c.services.autotask_services().await }).await
}

#[server(prefix = "/api", endpoint = "mapping/save_offer")]
pub async fn save_offer_mapping(
    offer_key: String,
    action: MappingAction,
    service_id: Option<ServiceId>,
    version: i32,
) -> Result<OfferMappingRow, AppError> {
    serve(Role::Editor, |c| async move {
        c.services.save_offer_mapping(&c.user, &offer_key, action, service_id, version).await
    })
    .await
}

/// The service the naming template proposes for an offer, with price and cost where known.
#[server(prefix = "/api", endpoint = "mapping/service_draft")]
pub async fn service_draft(offer_key: String) -> Result<ServiceDraftInfo, AppError> {
    serve(Role::Editor, |c| async move { c.services.service_draft(&offer_key).await }).await
}

/// Creates the service in Autotask (or finds it by name) and maps the offer to it.
#[server(prefix = "/api", endpoint = "mapping/create_service")]
pub async fn create_service(
    offer_key: String,
    name: String,
    unit_price: String,
    unit_cost: String,
    version: i32,
) -> Result<OfferMappingRow, AppError> {
    serve(Role::Editor, |c| async move {
        c.services.create_service(&c.user, &offer_key, &name, &unit_price, &unit_cost, version).await
    })
    .await
}
