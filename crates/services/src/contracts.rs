//! The Contracts page: a tenant's suggested contracts, creating and updating Autotask contracts,
//! and the contract sync (also as a dry run).

use chrono::Utc;
use seatsync_api_types::{
    contracts::{
        ChangeEntry, ContractDifference, ContractGroupView, ContractInfo, ContractRow, ContractRunStatus, PushOutcome,
        TenantContractsView,
    },
    licences::SyncFailure,
    links,
    mapping::MappingState,
};
use seatsync_contracts::view::{mapped_tenant_contracts, tenant_contracts, Group, Row, Shared, TenantContracts};
use seatsync_domain::{
    contract_plan::{Change, RowState},
    grouping::{ContractMatch, GroupKey},
    TenantId,
};

use crate::{ServiceError, Services, Staff};

/// A short label for the state column's badge.
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

fn row(r: Row) -> ContractRow {
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

fn group(g: Group, web: Option<&str>) -> ContractGroupView {
    let pushable = g.pushable();
    let contract = match g.contract {
        ContractMatch::Active { id } | ContractMatch::Expired { id, .. } => Some(ContractInfo {
            id,
            name: g.contract_name.clone().unwrap_or_else(|| format!("Contract {id}")),
            start: g.contract_dates.map(|d| d.0).unwrap_or(g.contract_start),
            end: g.contract_dates.map(|d| d.1).unwrap_or(g.contract_end),
            url: web.map(|w| links::autotask_contract(w, id)),
            expired: matches!(g.contract, ContractMatch::Expired { .. }),
        }),
        ContractMatch::None => None,
    };
    let span = format!("{} to {}", g.span.start, g.span.end);
    let heading = match g.key {
        GroupKey::Aligned { term, .. } => format!("{} term · {span}", capitalised(term.label())),
        GroupKey::Term(term) => format!("All {} subscriptions · current terms {span}", term.label()),
        GroupKey::Customer => format!("All subscriptions · current terms {span}"),
    };
    ContractGroupView {
        key: g.key.to_key_string(),
        heading,
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

fn change(c: seatsync_db::contracts::Change) -> ChangeEntry {
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

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// What the page shows besides the view itself.
struct Around {
    web: Option<String>,
    snapshot_error: Option<String>,
    changes: Vec<ChangeEntry>,
    autotask_configured: bool,
}

fn view(v: TenantContracts, around: Around) -> TenantContractsView {
    let state = v.mapping.state();
    let web = around.web.as_deref();
    TenantContractsView {
        tenant_id: v.tenant.tenant_id.clone(),
        name: v.tenant.name.clone(),
        state,
        company_url: match (web, &v.company) {
            (Some(w), Some(c)) => Some(links::autotask_company(w, c.id)),
            _ => None,
        },
        company_name: v.company.map(|c| c.name),
        snapshot_at: v.snapshot_at,
        snapshot_error: around.snapshot_error,
        groups: v.groups.into_iter().map(|g| group(g, web)).collect(),
        not_grouped: v.not_grouped.into_iter().map(row).collect(),
        superseded: v
            .superseded
            .into_iter()
            .map(|c| ContractInfo {
                url: web.map(|w| links::autotask_contract(w, c.id)),
                id: c.id,
                name: c.name,
                start: c.start,
                end: c.end,
                expired: false,
            })
            .collect(),
        changes: around.changes,
        autotask_configured: around.autotask_configured,
    }
}

/// What differs between a tenant's contracts and Partner Center; `None` when nothing does.
fn difference(t: TenantContracts) -> Option<ContractDifference> {
    let differing: Vec<&Group> = t.groups.iter().filter(|g| g.differs()).collect();
    if differing.is_empty() {
        return None;
    }
    let count = |kind: fn(&Change) -> bool| differing.iter().flat_map(|g| &g.plan).filter(|p| kind(&p.change)).count();
    Some(ContractDifference {
        contracts: differing.len(),
        adjustments: count(|c| matches!(c, Change::AdjustUnits { .. })),
        additions: count(|c| matches!(c, Change::AddService { .. })),
        ended: count(|c| matches!(c, Change::FlagEnded { .. })),
        tenant_id: t.tenant.tenant_id,
        tenant_name: t.tenant.name,
        company_name: t.company.map(|c| c.name),
        read_at: t.snapshot_at,
    })
}

impl Services {
    /// A tenant's suggested contracts. The first view of a mapped tenant (or `reread`) reads
    /// its contracts from Autotask; later views show the stored snapshot.
    pub async fn tenant_contracts(
        &self,
        tenant_id: &TenantId,
        reread: bool,
    ) -> Result<TenantContractsView, ServiceError> {
        let today = Utc::now().date_naive();
        let shared = Shared::load(&self.pool).await?;
        let mut contracts = tenant_contracts(&self.pool, &shared, tenant_id, today).await?;
        let mut snapshot_error = None;
        let mapped = contracts.mapping.state() == MappingState::Mapped;
        let configured = self.mapping.autotask_configured();
        if mapped && configured && (reread || contracts.snapshot_at.is_none()) {
            match self.contracts.reread_tenant_contracts(tenant_id, today).await {
                Ok(()) => contracts = tenant_contracts(&self.pool, &shared, tenant_id, today).await?,
                Err(e) => snapshot_error = Some(ServiceError::from(e).to_string()),
            }
        }
        let changes =
            seatsync_db::contracts::tenant_changes(&self.pool, tenant_id, 50).await?.into_iter().map(change).collect();
        let web = self.autotask_web_url().await;
        Ok(view(contracts, Around { web, snapshot_error, changes, autotask_configured: configured }))
    }

    /// Mapped tenants whose current contracts differ from Partner Center, as of each company's
    /// last contract read, by name. Reads PostgreSQL only, in a fixed number of queries.
    pub async fn differing_contracts(&self) -> Result<Vec<ContractDifference>, ServiceError> {
        let shared = Shared::load(&self.pool).await?;
        let all = mapped_tenant_contracts(&self.pool, &shared, Utc::now().date_naive()).await?;
        Ok(all.into_iter().filter_map(difference).collect())
    }

    /// Creates the group's contract in Autotask with its services; safe on double clicks, from
    /// two tabs and after a timeout: the same contract comes back.
    pub async fn create_group_contract(
        &self,
        by: &Staff,
        tenant_id: &TenantId,
        group_key: &str,
    ) -> Result<PushOutcome, ServiceError> {
        let c =
            self.contracts.create_group_contract(tenant_id, group_key, Some(by.id), Utc::now().date_naive()).await?;
        tracing::info!(by = %by.email, %tenant_id, group_key, contract = %c.contract_id, existed = c.existed, "contract created");
        Ok(PushOutcome {
            contract_id: Some(c.contract_id),
            contract_name: c.contract_name,
            existed: c.existed,
            applied: c.services.applied,
            flagged: c.services.flagged,
            failed: c.services.failed,
        })
    }

    /// Pushes the group's quantities to its contract now.
    pub async fn update_group_contract(
        &self,
        by: &Staff,
        tenant_id: &TenantId,
        group_key: &str,
    ) -> Result<PushOutcome, ServiceError> {
        let p = self.contracts.update_group(tenant_id, group_key, Some(by.id), Utc::now().date_naive()).await?;
        tracing::info!(by = %by.email, %tenant_id, group_key, applied = p.applied.len(), "contract updated");
        Ok(PushOutcome {
            contract_id: None,
            contract_name: String::new(),
            existed: true,
            applied: p.applied,
            flagged: p.flagged,
            failed: p.failed,
        })
    }

    /// Queues the contract sync of every mapped tenant (or one), for real or as a dry run, and
    /// waits until it has begun; the run's id on the Jobs page.
    pub async fn start_contract_sync(
        &self,
        by: &Staff,
        dry_run: bool,
        tenant_id: Option<TenantId>,
    ) -> Result<i64, ServiceError> {
        let scope = tenant_id.filter(|t| !t.as_str().trim().is_empty());
        let request = seatsync_jobs::RunRequest { scope, dry_run };
        self.run_by_hand(seatsync_domain::kinds::JobKind::ContractSync, by, request).await
    }

    /// The latest contract sync run with its changes.
    pub async fn contract_sync_status(&self) -> Result<Option<ContractRunStatus>, ServiceError> {
        let Some(run) = seatsync_db::contracts::latest_run(&self.pool).await? else { return Ok(None) };
        let (failures, changes) = tokio::try_join!(
            seatsync_db::contracts::run_failures(&self.pool, run.id),
            seatsync_db::contracts::run_changes(&self.pool, run.id)
        )?;
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
            failures: failures
                .into_iter()
                .map(|f| SyncFailure {
                    tenant: f.tenant_name.unwrap_or_else(|| f.tenant_id.into_string()),
                    error: f.error.unwrap_or_default(),
                })
                .collect(),
            changes_list: changes.into_iter().map(change).collect(),
        }))
    }
}
