//! Autotask contracts as last read (a snapshot per company), the contracts SeatSync created, the
//! intents that make creating one safe to repeat, contract sync runs and every change made.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use seatsync_domain::{CompanyId, ContractId, ServiceId, TenantId};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::{
    kinds::{ChangeKind, ChangeOutcome, CreationState, RunStatus, RunTrigger, TenantOutcome},
    DbError,
};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Contract {
    pub id: ContractId,
    pub company_id: CompanyId,
    pub name: String,
    pub contract_type: Option<i64>,
    pub status: Option<i64>,
    pub is_active: bool,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ContractService {
    pub id: i64,
    pub contract_id: ContractId,
    pub service_id: ServiceId,
    pub units: i64,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
}

/// Replaces what is known of `company_ids`' contracts with a fresh read, in one transaction.
pub async fn store_snapshot(
    db: &sqlx::PgPool,
    company_ids: &[CompanyId],
    contracts: &[Contract],
    services: &[ContractService],
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM autotask_contracts WHERE company_id = ANY($1)")
        .bind(company_ids)
        .execute(&mut *tx)
        .await?;
    upsert_contracts(&mut tx, contracts, at).await?;
    upsert_services(&mut tx, services).await?;
    sqlx::query(
        "INSERT INTO contract_snapshots (company_id, refreshed_at) SELECT u, $2 FROM UNNEST($1::bigint[]) AS u
         ON CONFLICT (company_id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at",
    )
    .bind(company_ids)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records one contract SeatSync has just created or changed, with its services, in its
/// company's snapshot (the rest of the snapshot is as of its last read).
pub async fn store_contract(
    db: &sqlx::PgPool,
    contract: &Contract,
    services: &[ContractService],
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    upsert_contracts(&mut tx, std::slice::from_ref(contract), at).await?;
    sqlx::query("DELETE FROM autotask_contract_services WHERE contract_id = $1")
        .bind(contract.id)
        .execute(&mut *tx)
        .await?;
    upsert_services(&mut tx, services).await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the services of one contract in the snapshot, as just read back.
pub async fn replace_contract_services(
    db: &sqlx::PgPool,
    contract_id: ContractId,
    services: &[ContractService],
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM autotask_contract_services WHERE contract_id = $1")
        .bind(contract_id)
        .execute(&mut *tx)
        .await?;
    upsert_services(&mut tx, services).await?;
    tx.commit().await?;
    Ok(())
}

/// The id of a company's contract named `name` in the snapshot (the oldest, should there be two).
pub async fn snapshot_contract_named(
    db: impl PgExecutor<'_>,
    company_id: CompanyId,
    name: &str,
) -> Result<Option<ContractId>, DbError> {
    Ok(sqlx::query_scalar("SELECT min(id) FROM autotask_contracts WHERE company_id = $1 AND name = $2")
        .bind(company_id)
        .bind(name)
        .fetch_one(db)
        .await?)
}

async fn upsert_contracts(
    conn: &mut sqlx::PgConnection,
    contracts: &[Contract],
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO autotask_contracts (id, company_id, name, contract_type, status, is_active, start_date, end_date, refreshed_at)
         SELECT u.*, $9 FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bool[], $7::date[], $8::date[]) AS u
         ON CONFLICT (id) DO UPDATE SET company_id = EXCLUDED.company_id, name = EXCLUDED.name, contract_type = EXCLUDED.contract_type,
             status = EXCLUDED.status, is_active = EXCLUDED.is_active, start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
             refreshed_at = EXCLUDED.refreshed_at",
    )
    .bind(contracts.iter().map(|c| c.id).collect::<Vec<_>>())
    .bind(contracts.iter().map(|c| c.company_id).collect::<Vec<_>>())
    .bind(contracts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>())
    .bind(contracts.iter().map(|c| c.contract_type).collect::<Vec<_>>())
    .bind(contracts.iter().map(|c| c.status).collect::<Vec<_>>())
    .bind(contracts.iter().map(|c| c.is_active).collect::<Vec<_>>())
    .bind(contracts.iter().map(|c| c.start_date).collect::<Vec<_>>())
    .bind(contracts.iter().map(|c| c.end_date).collect::<Vec<_>>())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn upsert_services(conn: &mut sqlx::PgConnection, services: &[ContractService]) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO autotask_contract_services (id, contract_id, service_id, units, unit_price, unit_cost)
         SELECT u.* FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[]) AS u(id, contract_id, service_id, units, unit_price, unit_cost)
         WHERE EXISTS (SELECT 1 FROM autotask_contracts c WHERE c.id = u.contract_id)
         ON CONFLICT (id) DO UPDATE SET contract_id = EXCLUDED.contract_id, service_id = EXCLUDED.service_id, units = EXCLUDED.units,
             unit_price = EXCLUDED.unit_price, unit_cost = EXCLUDED.unit_cost",
    )
    .bind(services.iter().map(|s| s.id).collect::<Vec<_>>())
    .bind(services.iter().map(|s| s.contract_id).collect::<Vec<_>>())
    .bind(services.iter().map(|s| s.service_id).collect::<Vec<_>>())
    .bind(services.iter().map(|s| s.units).collect::<Vec<_>>())
    .bind(services.iter().map(|s| s.unit_price).collect::<Vec<_>>())
    .bind(services.iter().map(|s| s.unit_cost).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A company's contracts and their services as last read from Autotask.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompanySnapshot {
    pub contracts: Vec<Contract>,
    pub services: Vec<ContractService>,
    /// When they were read; `None`: never.
    pub read_at: Option<DateTime<Utc>>,
}

/// A company's contracts and their services as last read, and when that was.
pub async fn snapshot(db: &sqlx::PgPool, company_id: CompanyId) -> Result<CompanySnapshot, DbError> {
    let contracts: Vec<Contract> = sqlx::query_as(
        "SELECT id, company_id, name, contract_type, status, is_active, start_date, end_date FROM autotask_contracts
         WHERE company_id = $1 ORDER BY start_date DESC, id",
    )
    .bind(company_id)
    .fetch_all(db)
    .await?;
    let services: Vec<ContractService> = sqlx::query_as(
        "SELECT s.id, s.contract_id, s.service_id, s.units, s.unit_price, s.unit_cost FROM autotask_contract_services s
         JOIN autotask_contracts c ON c.id = s.contract_id WHERE c.company_id = $1 ORDER BY s.contract_id, s.id",
    )
    .bind(company_id)
    .fetch_all(db)
    .await?;
    let read_at: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT refreshed_at FROM contract_snapshots WHERE company_id = $1")
            .bind(company_id)
            .fetch_optional(db)
            .await?;
    Ok(CompanySnapshot { contracts, services, read_at })
}

/// Every company's snapshot at once, for views across all tenants (the dashboard): three queries
/// whatever the number of companies. A company never read has no entry.
pub async fn all_snapshots(db: &sqlx::PgPool) -> Result<HashMap<CompanyId, CompanySnapshot>, DbError> {
    let contracts: Vec<Contract> = sqlx::query_as(
        "SELECT id, company_id, name, contract_type, status, is_active, start_date, end_date FROM autotask_contracts
         ORDER BY company_id, start_date DESC, id",
    )
    .fetch_all(db)
    .await?;
    #[derive(FromRow)]
    struct CompanyService {
        company_id: CompanyId,
        #[sqlx(flatten)]
        service: ContractService,
    }
    let services: Vec<CompanyService> = sqlx::query_as(
        "SELECT c.company_id, s.id, s.contract_id, s.service_id, s.units, s.unit_price, s.unit_cost
         FROM autotask_contract_services s JOIN autotask_contracts c ON c.id = s.contract_id ORDER BY s.contract_id, s.id",
    )
    .fetch_all(db)
    .await?;
    #[derive(FromRow)]
    struct ReadAt {
        company_id: CompanyId,
        refreshed_at: DateTime<Utc>,
    }
    let read: Vec<ReadAt> =
        sqlx::query_as("SELECT company_id, refreshed_at FROM contract_snapshots").fetch_all(db).await?;
    let mut all: HashMap<CompanyId, CompanySnapshot> = HashMap::new();
    for r in read {
        all.entry(r.company_id).or_default().read_at = Some(r.refreshed_at);
    }
    for c in contracts {
        all.entry(c.company_id).or_default().contracts.push(c);
    }
    for s in services {
        all.entry(s.company_id).or_default().services.push(s.service);
    }
    Ok(all)
}

/// A contract SeatSync created for one of a tenant's groups.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ContractLink {
    pub tenant_id: TenantId,
    pub group_key: String,
    pub contract_id: ContractId,
}

/// The contracts SeatSync created for a tenant's groups.
pub async fn links(db: impl PgExecutor<'_>, tenant_id: &TenantId) -> Result<Vec<ContractLink>, DbError> {
    Ok(sqlx::query_as("SELECT tenant_id, group_key, contract_id FROM contract_links WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(db)
        .await?)
}

/// The contracts SeatSync created, for every tenant.
pub async fn all_links(db: impl PgExecutor<'_>) -> Result<Vec<ContractLink>, DbError> {
    Ok(sqlx::query_as("SELECT tenant_id, group_key, contract_id FROM contract_links").fetch_all(db).await?)
}

pub async fn link(
    db: impl PgExecutor<'_>,
    tenant_id: &TenantId,
    group_key: &str,
    contract_id: ContractId,
    by: Option<Uuid>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO contract_links (tenant_id, group_key, contract_id, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, group_key) DO UPDATE SET contract_id = EXCLUDED.contract_id, created_by = EXCLUDED.created_by, created_at = now()",
    )
    .bind(tenant_id)
    .bind(group_key)
    .bind(contract_id)
    .bind(by)
    .execute(db)
    .await?;
    Ok(())
}

/// An intent to create a contract.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Creation {
    pub id: i64,
    pub tenant_id: TenantId,
    pub group_key: String,
    pub company_id: CompanyId,
    pub contract_name: String,
    pub state: CreationState,
    pub contract_id: Option<ContractId>,
    pub attempts: i32,
    pub error: Option<String>,
    pub requested_by_name: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const CREATION: &str =
    "SELECT c.id, c.tenant_id, c.group_key, c.company_id, c.contract_name, c.state, c.contract_id, c.attempts, c.error,
        u.display_name AS requested_by_name, c.requested_at, c.updated_at
    FROM contract_creations c LEFT JOIN users u ON u.id = c.requested_by";

/// Records the intent, unless one is already open for the group: then `Err(open intent)`.
pub async fn begin_creation(
    db: &sqlx::PgPool,
    tenant_id: &TenantId,
    group_key: &str,
    company_id: CompanyId,
    contract_name: &str,
    by: Option<Uuid>,
) -> Result<Result<Creation, Creation>, DbError> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO contract_creations (tenant_id, group_key, company_id, contract_name, state, attempts, requested_by)
         VALUES ($1, $2, $3, $4, 'pending', 1, $5)
         ON CONFLICT (tenant_id, group_key) WHERE state IN ('pending', 'contract_created') DO NOTHING RETURNING id",
    )
    .bind(tenant_id)
    .bind(group_key)
    .bind(company_id)
    .bind(contract_name)
    .bind(by)
    .fetch_optional(db)
    .await?;
    match id {
        Some(id) => Ok(Ok(creation(db, id).await?)),
        None => match open_creation(db, tenant_id, group_key).await? {
            Some(open) => Ok(Err(open)),
            // Finished between the insert and the read: try once more.
            None => Box::pin(begin_creation(db, tenant_id, group_key, company_id, contract_name, by)).await,
        },
    }
}

pub async fn creation(db: impl PgExecutor<'_>, id: i64) -> Result<Creation, DbError> {
    sqlx::query_as(&format!("{CREATION} WHERE c.id = $1")).bind(id).fetch_optional(db).await?.ok_or(DbError::NotFound)
}

/// The creation in progress (or interrupted) of a tenant's group.
pub async fn open_creation(
    db: impl PgExecutor<'_>,
    tenant_id: &TenantId,
    group_key: &str,
) -> Result<Option<Creation>, DbError> {
    Ok(sqlx::query_as(&format!(
        "{CREATION} WHERE c.tenant_id = $1 AND c.group_key = $2 AND c.state IN ('pending', 'contract_created')"
    ))
    .bind(tenant_id)
    .bind(group_key)
    .fetch_optional(db)
    .await?)
}

/// A tenant's creations in progress (or interrupted), at most one per group.
pub async fn open_creations(db: impl PgExecutor<'_>, tenant_id: &TenantId) -> Result<Vec<Creation>, DbError> {
    Ok(sqlx::query_as(&format!("{CREATION} WHERE c.tenant_id = $1 AND c.state IN ('pending', 'contract_created')"))
        .bind(tenant_id)
        .fetch_all(db)
        .await?)
}

/// Every tenant's creations in progress (or interrupted).
pub async fn all_open_creations(db: impl PgExecutor<'_>) -> Result<Vec<Creation>, DbError> {
    Ok(sqlx::query_as(&format!("{CREATION} WHERE c.state IN ('pending', 'contract_created')")).fetch_all(db).await?)
}

/// Claims an open intent whose process stopped (not touched for `stale_after_secs`), so exactly
/// one process resumes it. Returns it when claimed.
pub async fn claim_stale(db: &sqlx::PgPool, id: i64, stale_after_secs: i64) -> Result<Option<Creation>, DbError> {
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE contract_creations SET attempts = attempts + 1, updated_at = now()
         WHERE id = $1 AND state IN ('pending', 'contract_created') AND updated_at < now() - make_interval(secs => $2)
         RETURNING id",
    )
    .bind(id)
    .bind(stale_after_secs as f64)
    .fetch_optional(db)
    .await?;
    match claimed {
        Some(id) => Ok(Some(creation(db, id).await?)),
        None => Ok(None),
    }
}

/// Open intents not touched for `stale_after_secs`: their process stopped mid-way.
pub async fn stale_creations(db: impl PgExecutor<'_>, stale_after_secs: i64) -> Result<Vec<Creation>, DbError> {
    Ok(sqlx::query_as(&format!(
        "{CREATION} WHERE c.state IN ('pending', 'contract_created') AND c.updated_at < now() - make_interval(secs => $1) ORDER BY c.id"
    ))
    .bind(stale_after_secs as f64)
    .fetch_all(db)
    .await?)
}

/// Moves an intent on: `contract_created` with the contract's id, `done`, or `failed` with why.
pub async fn advance_creation(
    db: impl PgExecutor<'_>,
    id: i64,
    state: CreationState,
    contract_id: Option<ContractId>,
    error: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE contract_creations SET state = $2, contract_id = coalesce($3, contract_id), error = $4, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(contract_id)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}

/// Keeps an intent marked as alive while its process works on it.
pub async fn touch_creation(db: impl PgExecutor<'_>, id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE contract_creations SET updated_at = now() WHERE id = $1").bind(id).execute(db).await?;
    Ok(())
}

/// One change to a contract (made, planned in a dry run, flagged for a person, or failed).
#[derive(Debug, Clone, PartialEq)]
pub struct NewChange<'a> {
    pub run_id: Option<i64>,
    pub tenant_id: &'a TenantId,
    pub group_key: Option<&'a str>,
    pub contract_id: Option<ContractId>,
    pub service_id: Option<ServiceId>,
    pub kind: ChangeKind,
    pub description: String,
    pub units_before: Option<i64>,
    pub units_after: Option<i64>,
    pub outcome: ChangeOutcome,
    pub error: Option<String>,
    pub changed_by: Option<Uuid>,
}

pub async fn record_change(db: impl PgExecutor<'_>, c: &NewChange<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO contract_changes (run_id, tenant_id, group_key, contract_id, service_id, kind, description, units_before,
             units_after, outcome, error, changed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(c.run_id)
    .bind(c.tenant_id)
    .bind(c.group_key)
    .bind(c.contract_id)
    .bind(c.service_id)
    .bind(c.kind)
    .bind(&c.description)
    .bind(c.units_before)
    .bind(c.units_after)
    .bind(c.outcome)
    .bind(&c.error)
    .bind(c.changed_by)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Change {
    pub id: i64,
    pub run_id: Option<i64>,
    pub tenant_id: TenantId,
    pub tenant_name: Option<String>,
    pub group_key: Option<String>,
    pub contract_id: Option<ContractId>,
    pub service_id: Option<ServiceId>,
    pub kind: ChangeKind,
    pub description: String,
    pub units_before: Option<i64>,
    pub units_after: Option<i64>,
    pub outcome: ChangeOutcome,
    pub error: Option<String>,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

const CHANGE: &str = "SELECT c.id, c.run_id, c.tenant_id, t.name AS tenant_name, c.group_key, c.contract_id, c.service_id, c.kind,
        c.description, c.units_before, c.units_after, c.outcome, c.error, u.display_name AS changed_by_name, c.changed_at
    FROM contract_changes c LEFT JOIN tenants t ON t.tenant_id = c.tenant_id LEFT JOIN users u ON u.id = c.changed_by";

/// A tenant's contract changes, newest first (dry-run plans excluded).
pub async fn tenant_changes(db: impl PgExecutor<'_>, tenant_id: &TenantId, limit: i64) -> Result<Vec<Change>, DbError> {
    Ok(sqlx::query_as(&format!(
        "{CHANGE} WHERE c.tenant_id = $1 AND c.outcome <> 'planned' ORDER BY c.changed_at DESC, c.id DESC LIMIT $2"
    ))
    .bind(tenant_id)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// A run's changes (for a dry run: what it would do), by tenant.
pub async fn run_changes(db: impl PgExecutor<'_>, run_id: i64) -> Result<Vec<Change>, DbError> {
    Ok(sqlx::query_as(&format!("{CHANGE} WHERE c.run_id = $1 ORDER BY lower(t.name), c.tenant_id, c.id"))
        .bind(run_id)
        .fetch_all(db)
        .await?)
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SyncRun {
    pub id: i64,
    pub trigger: RunTrigger,
    pub dry_run: bool,
    pub scope_tenant_id: Option<TenantId>,
    pub requested_by_name: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: RunStatus,
    pub tenants_total: i32,
    pub tenants_done: i32,
    pub tenants_failed: i32,
    pub changes: i32,
    pub autotask_requests: i32,
    pub error: Option<String>,
}

const RUN: &str = "SELECT r.id, r.trigger, r.dry_run, r.scope_tenant_id, u.display_name AS requested_by_name, r.started_at, r.finished_at,
        r.status, r.tenants_total, r.tenants_done, r.tenants_failed, r.changes, r.autotask_requests, r.error
    FROM contract_sync_runs r LEFT JOIN users u ON u.id = r.requested_by";

pub async fn start_run(
    db: impl PgExecutor<'_>,
    trigger: RunTrigger,
    dry_run: bool,
    scope: Option<&str>,
    by: Option<Uuid>,
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO contract_sync_runs (trigger, dry_run, scope_tenant_id, requested_by, status) VALUES ($1, $2, $3, $4, 'running') RETURNING id",
    )
    .bind(trigger)
    .bind(dry_run)
    .bind(scope)
    .bind(by)
    .fetch_one(db)
    .await?)
}

pub async fn set_run_total(db: impl PgExecutor<'_>, run: i64, total: i32) -> Result<(), DbError> {
    sqlx::query("UPDATE contract_sync_runs SET tenants_total = $2 WHERE id = $1")
        .bind(run)
        .bind(total)
        .execute(db)
        .await?;
    Ok(())
}

/// Records one tenant's outcome and bumps the run's counters in one statement.
pub async fn record_run_tenant(
    db: impl PgExecutor<'_>,
    run: i64,
    tenant_id: &TenantId,
    outcome: TenantOutcome,
    error: Option<&str>,
    changes: i32,
) -> Result<(), DbError> {
    sqlx::query(
        "WITH outcome AS (
             INSERT INTO contract_sync_tenants (run_id, tenant_id, outcome, error, changes) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (run_id, tenant_id) DO NOTHING RETURNING outcome, changes)
         UPDATE contract_sync_runs SET tenants_done = tenants_done + (SELECT count(*) FROM outcome),
             tenants_failed = tenants_failed + (SELECT count(*) FROM outcome WHERE outcome = 'failed'),
             changes = changes + coalesce((SELECT sum(changes) FROM outcome), 0)
         WHERE id = $1",
    )
    .bind(run)
    .bind(tenant_id)
    .bind(outcome)
    .bind(error)
    .bind(changes)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn finish_run(
    db: impl PgExecutor<'_>,
    run: i64,
    error: Option<&str>,
    autotask_requests: i32,
) -> Result<(), DbError> {
    sqlx::query(&format!(
        "UPDATE contract_sync_runs SET finished_at = now(), error = $2, autotask_requests = $3, status = {} WHERE id = $1",
        crate::sync_runs::FINISHED_STATUS
    ))
    .bind(run)
    .bind(error)
    .bind(autotask_requests)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn latest_run(db: impl PgExecutor<'_>) -> Result<Option<SyncRun>, DbError> {
    Ok(sqlx::query_as(&format!("{RUN} ORDER BY r.id DESC LIMIT 1")).fetch_optional(db).await?)
}

pub async fn run(db: impl PgExecutor<'_>, id: i64) -> Result<SyncRun, DbError> {
    sqlx::query_as(&format!("{RUN} WHERE r.id = $1")).bind(id).fetch_optional(db).await?.ok_or(DbError::NotFound)
}

/// A tenant a contract sync run failed for.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct RunFailure {
    pub tenant_id: TenantId,
    /// `None` when the tenant has since gone from the database.
    pub tenant_name: Option<String>,
    pub error: Option<String>,
}

/// Failed tenants of a run, with names and errors.
pub async fn run_failures(db: impl PgExecutor<'_>, run: i64) -> Result<Vec<RunFailure>, DbError> {
    Ok(sqlx::query_as(
        "SELECT o.tenant_id, t.name AS tenant_name, o.error FROM contract_sync_tenants o LEFT JOIN tenants t ON t.tenant_id = o.tenant_id
         WHERE o.run_id = $1 AND o.outcome = 'failed' ORDER BY t.name",
    )
    .bind(run)
    .fetch_all(db)
    .await?)
}

/// The tenants a run has recorded an outcome for (a run taken up again skips them).
pub async fn recorded_run_tenants(
    db: impl PgExecutor<'_>,
    run: i64,
) -> Result<std::collections::HashSet<TenantId>, DbError> {
    let ids: Vec<TenantId> = sqlx::query_scalar("SELECT tenant_id FROM contract_sync_tenants WHERE run_id = $1")
        .bind(run)
        .fetch_all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Marks runs left running by a stopped process as failed; all but `resumed`, the one being
/// taken up again.
pub async fn abandon_stale_runs(db: impl PgExecutor<'_>, resumed: Option<i64>) -> Result<u64, DbError> {
    Ok(sqlx::query("UPDATE contract_sync_runs SET status = 'failed', finished_at = now(), error = 'the server stopped during this run' WHERE status = 'running' AND id IS DISTINCT FROM $1")
        .bind(resumed)
        .execute(db)
        .await?
        .rows_affected())
}

/// A tenant mapped to an Autotask company.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct MappedTenant {
    pub tenant_id: TenantId,
    pub name: String,
    pub company_id: CompanyId,
}

/// Mapped tenants and their companies, for the contract sync.
pub async fn mapped_tenants(db: impl PgExecutor<'_>) -> Result<Vec<MappedTenant>, DbError> {
    Ok(sqlx::query_as(
        "SELECT t.tenant_id, t.name, m.company_id FROM tenants t JOIN tenant_mappings m ON m.tenant_id = t.tenant_id AND m.state = 'mapped'
         WHERE t.removed_at IS NULL ORDER BY lower(t.name)",
    )
    .fetch_all(db)
    .await?)
}
