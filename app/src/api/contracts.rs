//! Suggested contracts per tenant, creating and updating Autotask contracts, and the contract
//! sync (also as a dry run). Viewers read; Editors act.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use serde::{Deserialize, Serialize};

use crate::{api::mapping::MappingState, error::AppError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRow {
    pub subscription_id: String,
    /// The offer (product, term, billing) the row is mapped to a service through.
    pub offer_key: String,
    pub product: String,
    pub quantity: i64,
    pub term: Option<String>,
    pub billing: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub status: Option<String>,
    pub service_name: Option<String>,
    pub on_contract: bool,
    /// The state in words ("On contract", "Missing from the contract: …").
    pub reason: String,
    /// A short label for the state column's badge.
    pub badge: String,
    /// Autotask's units differ from Partner Center's seats.
    pub mismatch: bool,
    pub autotask_units: Option<i64>,
    /// Partner Center's seats of the group billed through this row's service.
    pub partner_center_quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractInfo {
    pub id: i64,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub url: Option<String>,
    /// The group's contract ended (or was deactivated): a new one is needed.
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractGroupView {
    pub key: String,
    pub term: String,
    pub term_label: String,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
    pub proposed_name: String,
    pub contract: Option<ContractInfo>,
    pub rows: Vec<ContractRow>,
    /// What "Update contract" would do, in words.
    pub plan: Vec<String>,
    pub pushable: usize,
    pub flagged: usize,
    pub create_blocked: Option<String>,
    /// A creation under way (or interrupted and about to be resumed).
    pub creating: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEntry {
    pub tenant_id: String,
    pub tenant_name: Option<String>,
    pub kind: String,
    pub description: String,
    pub outcome: String,
    pub error: Option<String>,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantContractsView {
    pub tenant_id: String,
    pub name: String,
    pub state: MappingState,
    pub company_name: Option<String>,
    pub company_url: Option<String>,
    pub snapshot_at: Option<DateTime<Utc>>,
    /// Why the contracts could not be read from Autotask just now (the snapshot is older).
    pub snapshot_error: Option<String>,
    pub groups: Vec<ContractGroupView>,
    pub not_grouped: Vec<ContractRow>,
    pub changes: Vec<ChangeEntry>,
    pub autotask_configured: bool,
}

#[cfg(feature = "ssr")]
mod convert {
    use seatsync_contracts::view::{Group, Row, TenantContracts};
    use seatsync_domain::{
        contract_plan::{Change, RowState},
        grouping::ContractMatch,
    };

    use super::*;

    fn badge(state: &RowState) -> &'static str {
        match state {
            RowState::OnContract { .. } => "On contract",
            RowState::MissingFromContract { .. } => "Missing from contract",
            RowState::NoContract => "No contract",
            RowState::ContractExpired { .. } => "Contract expired",
            RowState::ServiceNotMapped => "Service not mapped",
            RowState::ServiceIgnored => "Service ignored",
            RowState::TenantNotMapped => "Tenant not mapped",
            RowState::TenantIgnored => "Tenant ignored",
            RowState::NotGrouped { .. } => "Not on a contract",
        }
    }

    pub fn row(r: Row) -> ContractRow {
        let autotask_units = match &r.state {
            RowState::OnContract { autotask_units, .. } => Some(*autotask_units),
            _ => None,
        };
        let s = r.subscription;
        ContractRow {
            offer_key: r.offer_key.to_key_string(),
            product: s.friendly_name.clone().or_else(|| s.offer_name.clone()).unwrap_or_else(|| s.offer_id.clone()),
            subscription_id: s.id,
            quantity: s.quantity,
            term: s.term,
            billing: s.billing_cycle,
            start: s.effective_start,
            end: s.commitment_end,
            status: s.status,
            service_name: r.service_name,
            on_contract: r.state.is_on_contract(),
            reason: r.state.reason(),
            badge: badge(&r.state).into(),
            mismatch: r.state.quantity_mismatch(),
            autotask_units,
            partner_center_quantity: r.group_quantity,
        }
    }

    pub fn group(g: Group, web: Option<&str>) -> ContractGroupView {
        let pushable = g.pushable();
        let contract = match g.contract {
            ContractMatch::Active { id } | ContractMatch::Expired { id, .. } => Some(ContractInfo {
                id,
                name: g.contract_name.clone().unwrap_or_else(|| format!("Contract {id}")),
                start: g.contract_dates.map(|d| d.0).unwrap_or(g.contract_start),
                end: g.contract_dates.map(|d| d.1).unwrap_or(g.contract_end),
                url: web.map(|w| crate::api::links::autotask_contract(w, id)),
                expired: matches!(g.contract, ContractMatch::Expired { .. }),
            }),
            ContractMatch::None => None,
        };
        ContractGroupView {
            key: g.key.to_key_string(),
            term: g.key.term.as_str().into(),
            term_label: g.key.term.label().into(),
            term_start: g.key.start,
            term_end: g.key.end,
            contract_start: g.contract_start,
            contract_end: g.contract_end,
            proposed_name: g.proposed_name,
            contract,
            plan: g.plan.iter().map(|p| p.description.clone()).collect(),
            flagged: g.plan.iter().filter(|p| matches!(p.change, Change::FlagEnded { .. })).count(),
            pushable,
            create_blocked: g.create_blocked.map(|b| b.reason().to_string()),
            creating: g.open_creation.map(|c| {
                format!(
                    "{} started creating this contract at {}.",
                    c.requested_by_name.unwrap_or_else(|| "SeatSync".into()),
                    c.requested_at.format("%H:%M:%S UTC")
                )
            }),
            rows: g.rows.into_iter().map(row).collect(),
        }
    }

    pub fn change(c: seatsync_db::contracts::Change) -> ChangeEntry {
        ChangeEntry {
            tenant_id: c.tenant_id,
            tenant_name: c.tenant_name,
            kind: c.kind,
            description: c.description,
            outcome: c.outcome,
            error: c.error,
            by: c.changed_by_name,
            at: c.changed_at,
        }
    }

    pub fn view(
        v: TenantContracts,
        web: Option<&str>,
        snapshot_error: Option<String>,
        changes: Vec<ChangeEntry>,
        configured: bool,
    ) -> TenantContractsView {
        let state = match v.mapping {
            seatsync_domain::TenantMapping::Mapped { .. } => MappingState::Mapped,
            seatsync_domain::TenantMapping::Ignored => MappingState::Ignored,
            seatsync_domain::TenantMapping::NotMapped => MappingState::Unmapped,
        };
        TenantContractsView {
            tenant_id: v.tenant.tenant_id.clone(),
            name: v.tenant.name.clone(),
            state,
            company_url: match (web, &v.company) {
                (Some(w), Some(c)) => Some(crate::api::links::autotask_company(w, c.id)),
                _ => None,
            },
            company_name: v.company.map(|c| c.name),
            snapshot_at: v.snapshot_at,
            snapshot_error,
            groups: v.groups.into_iter().map(|g| group(g, web)).collect(),
            not_grouped: v.not_grouped.into_iter().map(row).collect(),
            changes,
            autotask_configured: configured,
        }
    }
}

/// A tenant's suggested contracts. The first view of a mapped tenant reads its contracts from
/// Autotask; later views show the stored snapshot (refreshed by actions, the sync and "Refresh").
#[server(prefix = "/api", endpoint = "contracts/tenant")]
pub async fn tenant_contracts(tenant_id: String) -> Result<TenantContractsView, AppError> {
    let caller = crate::server::require(Role::Viewer).await?;
    load_view(&caller, &tenant_id, false).await
}

/// Re-reads a tenant's contracts from Autotask (Editor: it spends Autotask's request budget).
#[server(prefix = "/api", endpoint = "contracts/refresh")]
pub async fn refresh_tenant_contracts(tenant_id: String) -> Result<TenantContractsView, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    load_view(&caller, &tenant_id, true).await
}

#[cfg(feature = "ssr")]
async fn load_view(
    caller: &crate::server::Caller,
    tenant_id: &str,
    force: bool,
) -> Result<TenantContractsView, AppError> {
    let ctx = &caller.ctx;
    let today = Utc::now().date_naive();
    let shared = seatsync_contracts::view::Shared::load(&ctx.pool).await.map_err(|e| caller.fail(e))?;
    let mut view = seatsync_contracts::view::tenant_contracts(&ctx.pool, &shared, tenant_id, today)
        .await
        .map_err(|e| caller.fail(e))?;
    let mut snapshot_error = None;
    let mapped = matches!(view.mapping, seatsync_domain::TenantMapping::Mapped { .. });
    if mapped && ctx.mapping.autotask_configured() && (force || view.snapshot_at.is_none()) {
        match ctx.contracts.refresh_tenant_snapshot(tenant_id, today).await {
            Ok(()) => {
                view = seatsync_contracts::view::tenant_contracts(&ctx.pool, &shared, tenant_id, today)
                    .await
                    .map_err(|e| caller.fail(e))?
            }
            Err(e) => snapshot_error = Some(AppError::from(e).to_string()),
        }
    }
    let web = crate::server::autotask_web_url(ctx).await;
    let changes = seatsync_db::contracts::tenant_changes(&ctx.pool, tenant_id, 50)
        .await
        .map_err(|e| caller.fail(e))?
        .into_iter()
        .map(convert::change)
        .collect();
    Ok(convert::view(view, web.as_deref(), snapshot_error, changes, ctx.mapping.autotask_configured()))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushOutcome {
    pub contract_id: i64,
    pub contract_name: String,
    pub existed: bool,
    pub applied: Vec<String>,
    pub flagged: Vec<String>,
    pub failed: Vec<String>,
}

/// Creates the group's contract in Autotask with its services. Safe on double clicks, from two
/// tabs and after a timeout: the same contract comes back.
#[server(prefix = "/api", endpoint = "contracts/create")]
pub async fn create_contract(tenant_id: String, group_key: String) -> Result<PushOutcome, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    let c = caller
        .ctx
        .contracts
        .create_contract(&tenant_id, &group_key, Some(caller.user.id), Utc::now().date_naive())
        .await
        .map_err(|e| caller.fail(e))?;
    tracing::info!(by = %caller.user.email, tenant_id, group_key, contract = c.contract_id, existed = c.existed, "contract created");
    Ok(PushOutcome {
        contract_id: c.contract_id,
        contract_name: c.contract_name,
        existed: c.existed,
        applied: c.services.applied,
        flagged: c.services.flagged,
        failed: c.services.failed,
    })
}

/// Pushes the group's quantities to its contract now.
#[server(prefix = "/api", endpoint = "contracts/update")]
pub async fn update_contract(tenant_id: String, group_key: String) -> Result<PushOutcome, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    let p = caller
        .ctx
        .contracts
        .update_group(&tenant_id, &group_key, Some(caller.user.id), Utc::now().date_naive())
        .await
        .map_err(|e| caller.fail(e))?;
    tracing::info!(by = %caller.user.email, tenant_id, group_key, applied = p.applied.len(), "contract updated");
    Ok(PushOutcome {
        contract_id: 0,
        contract_name: String::new(),
        existed: true,
        applied: p.applied,
        flagged: p.flagged,
        failed: p.failed,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRunStatus {
    pub run_id: i64,
    pub running: bool,
    pub dry_run: bool,
    pub status: String,
    pub requested_by: Option<String>,
    pub total: i32,
    pub done: i32,
    pub failed: i32,
    pub changes: i32,
    pub autotask_requests: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub failures: Vec<(String, String)>,
    /// The run's changes (for a dry run: what it would do), tenant by tenant.
    pub changes_list: Vec<ChangeEntry>,
}

/// Starts the contract sync of every mapped tenant (or one), for real or as a dry run.
#[server(prefix = "/api", endpoint = "contracts/sync")]
pub async fn start_contract_sync(dry_run: bool, tenant_id: Option<String>) -> Result<i64, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    use seatsync_contracts::job::{Scope, Trigger};
    let scope = match tenant_id.filter(|t| !t.trim().is_empty()) {
        Some(t) => Scope::Tenant(t),
        None => Scope::All,
    };
    caller
        .ctx
        .contracts
        .start_sync(Trigger::Manual { by: caller.user.id }, scope, dry_run)
        .await
        .map_err(|e| caller.fail(e))
}

/// The latest contract sync run with its changes.
#[server(prefix = "/api", endpoint = "contracts/sync_status")]
pub async fn contract_sync_status() -> Result<Option<ContractRunStatus>, AppError> {
    let caller = crate::server::require(Role::Viewer).await?;
    let pool = &caller.ctx.pool;
    let Some(run) = seatsync_db::contracts::latest_run(pool).await.map_err(|e| caller.fail(e))? else {
        return Ok(None);
    };
    let failures = seatsync_db::contracts::run_failures(pool, run.id)
        .await
        .map_err(|e| caller.fail(e))?
        .into_iter()
        .map(|(id, name, err)| (name.unwrap_or(id), err.unwrap_or_default()))
        .collect();
    let changes_list = seatsync_db::contracts::run_changes(pool, run.id)
        .await
        .map_err(|e| caller.fail(e))?
        .into_iter()
        .map(convert::change)
        .collect();
    Ok(Some(ContractRunStatus {
        run_id: run.id,
        running: run.finished_at.is_none(),
        dry_run: run.dry_run,
        status: run.status,
        requested_by: run.requested_by_name,
        total: run.tenants_total,
        done: run.tenants_done,
        failed: run.tenants_failed,
        changes: run.changes,
        autotask_requests: run.autotask_requests,
        started_at: run.started_at,
        finished_at: run.finished_at,
        error: run.error,
        failures,
        changes_list,
    }))
}
