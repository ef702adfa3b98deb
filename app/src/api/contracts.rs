//! Suggested contracts per tenant, creating and updating Autotask contracts, and the contract
//! sync (also as a dry run). Viewers read; Editors act.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use seatsync_domain::TenantId;

pub use seatsync_api_types::contracts::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// A tenant's suggested contracts. The first view of a mapped tenant reads its contracts from
/// Autotask; later views show the stored snapshot (refreshed by actions, the sync and "Refresh").
#[server(prefix = "/api", endpoint = "contracts/tenant")]
pub async fn tenant_contracts(tenant_id: TenantId) -> Result<TenantContractsView, AppError> {
    serve(Role::Viewer, |c| async move { c.services.tenant_contracts(&tenant_id, false).await }).await
}

/// Mapped tenants whose current contracts differ from Partner Center.
#[server(prefix = "/api", endpoint = "contracts/differing")]
pub async fn differing_contracts() -> Result<Vec<ContractDifference>, AppError> {
    serve(Role::Viewer, |c| async move { c.services.differing_contracts().await }).await
}

/// Re-reads a tenant's contracts from Autotask (Editor: it spends Autotask's request budget).
#[server(prefix = "/api", endpoint = "contracts/refresh")]
pub async fn refresh_tenant_contracts(tenant_id: TenantId) -> Result<TenantContractsView, AppError> {
    serve(Role::Editor, |c| async move { c.services.tenant_contracts(&tenant_id, true).await }).await
}

/// Creates the group's contract in Autotask with its services. Safe on double clicks, from two
/// tabs and after a timeout: the same contract comes back.
#[server(prefix = "/api", endpoint = "contracts/create")]
pub async fn create_contract(tenant_id: TenantId, group_key: String) -> Result<PushOutcome, AppError> {
    serve(Role::Editor, |c| async move { c.services.create_group_contract(&c.user, &tenant_id, &group_key).await })
        .await
}

/// Pushes the group's quantities to its contract now.
#[server(prefix = "/api", endpoint = "contracts/update")]
pub async fn update_contract(tenant_id: TenantId, group_key: String) -> Result<PushOutcome, AppError> {
    serve(Role::Editor, |c| async move { c.services.update_group_contract(&c.user, &tenant_id, &group_key).await })
        .await
}

/// Starts the contract sync of every mapped tenant (or one), for real or as a dry run.
#[server(prefix = "/api", endpoint = "contracts/sync")]
pub async fn start_contract_sync(dry_run: bool, tenant_id: Option<TenantId>) -> Result<i64, AppError> {
    serve(Role::Editor, |c| async move { c.services.start_contract_sync(&c.user, dry_run, tenant_id).await }).await
}

/// The latest contract sync run with its changes.
#[server(prefix = "/api", endpoint = "contracts/sync_status")]
pub async fn contract_sync_status() -> Result<Option<ContractRunStatus>, AppError> {
    serve(Role::Viewer, |c| async move { c.services.contract_sync_status().await }).await
}
