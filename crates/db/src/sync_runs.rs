//! Sync runs: one row per run with live counters, one row per tenant outcome.

use chrono::{DateTime, Utc};
use seatsync_domain::TenantId;
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::{
    kinds::{RunStatus, RunTrigger, TenantOutcome},
    DbError,
};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SyncRun {
    pub id: i64,
    pub trigger: RunTrigger,
    pub scope_tenant_id: Option<TenantId>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: RunStatus,
    pub tenants_total: i32,
    pub tenants_done: i32,
    pub tenants_failed: i32,
    pub error: Option<String>,
}

/// A tenant's outcome in a run, with its name.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TenantResult {
    pub tenant_id: TenantId,
    pub tenant_name: Option<String>,
    pub outcome: TenantOutcome,
    pub error: Option<String>,
    pub subscriptions: Option<i32>,
}

const COLUMNS: &str =
    "id, trigger, scope_tenant_id, started_at, finished_at, status, tenants_total, tenants_done, tenants_failed, error";

pub async fn start(
    db: impl PgExecutor<'_>,
    trigger: RunTrigger,
    scope: Option<&str>,
    requested_by: Option<Uuid>,
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("INSERT INTO sync_runs (trigger, scope_tenant_id, requested_by, status) VALUES ($1, $2, $3, 'running') RETURNING id")
        .bind(trigger)
        .bind(scope)
        .bind(requested_by)
        .fetch_one(db)
        .await?)
}

pub async fn set_total(db: impl PgExecutor<'_>, run: i64, total: i32) -> Result<(), DbError> {
    sqlx::query("UPDATE sync_runs SET tenants_total = $2 WHERE id = $1").bind(run).bind(total).execute(db).await?;
    Ok(())
}

/// One tenant's outcome in a run, for [`record_tenants`].
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    pub tenant_id: &'a TenantId,
    pub outcome: TenantOutcome,
    pub error: Option<&'a str>,
    pub subscriptions: Option<i32>,
}

/// Records several tenants' outcomes and bumps the run's counters in one statement, as
/// [`record_tenant`] does for one. A tenant already recorded in the run is not counted twice.
pub async fn record_tenants(db: impl PgExecutor<'_>, run: i64, outcomes: &[Outcome<'_>]) -> Result<(), DbError> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let tenant_ids: Vec<&str> = outcomes.iter().map(|o| o.tenant_id.as_str()).collect();
    let kinds: Vec<&str> = outcomes.iter().map(|o| o.outcome.as_str()).collect();
    let errors: Vec<Option<&str>> = outcomes.iter().map(|o| o.error).collect();
    let subscriptions: Vec<Option<i32>> = outcomes.iter().map(|o| o.subscriptions).collect();
    sqlx::query(
        "WITH outcome AS (
             INSERT INTO sync_run_tenants (run_id, tenant_id, outcome, error, subscriptions)
             SELECT $1, u.* FROM UNNEST($2::text[], $3::text[], $4::text[], $5::int[]) AS u
             ON CONFLICT (run_id, tenant_id) DO NOTHING RETURNING outcome)
         UPDATE sync_runs SET tenants_done = tenants_done + (SELECT count(*) FROM outcome),
                              tenants_failed = tenants_failed + (SELECT count(*) FROM outcome WHERE outcome IN ('failed', 'partial'))
         WHERE id = $1",
    )
    .bind(run)
    .bind(&tenant_ids)
    .bind(&kinds)
    .bind(&errors)
    .bind(&subscriptions)
    .execute(db)
    .await?;
    Ok(())
}

/// A finished run's status from its error (`$2`) and its tenant counts; shared by the runs of
/// the licence sync and the contract sync.
pub(crate) const FINISHED_STATUS: &str = "CASE WHEN $2::text IS NOT NULL THEN 'failed'
     WHEN tenants_failed = 0 THEN 'succeeded'
     WHEN tenants_failed >= tenants_total THEN 'failed'
     ELSE 'partial' END";

pub async fn finish(db: impl PgExecutor<'_>, run: i64, error: Option<&str>) -> Result<(), DbError> {
    sqlx::query(&format!(
        "UPDATE sync_runs SET finished_at = now(), error = $2, status = {FINISHED_STATUS} WHERE id = $1"
    ))
    .bind(run)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn latest(db: impl PgExecutor<'_>) -> Result<Option<SyncRun>, DbError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM sync_runs ORDER BY id DESC LIMIT 1")).fetch_optional(db).await?)
}

pub async fn find(db: impl PgExecutor<'_>, run: i64) -> Result<SyncRun, DbError> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM sync_runs WHERE id = $1"))
        .bind(run)
        .fetch_optional(db)
        .await?
        .ok_or(DbError::NotFound)
}

/// The failed (and skipped) tenants of a run, with names.
pub async fn problems(db: impl PgExecutor<'_>, run: i64) -> Result<Vec<TenantResult>, DbError> {
    Ok(sqlx::query_as(
        "SELECT o.tenant_id, t.name AS tenant_name, o.outcome, o.error, o.subscriptions
         FROM sync_run_tenants o LEFT JOIN tenants t ON t.tenant_id = o.tenant_id
         WHERE o.run_id = $1 AND o.outcome <> 'ok' ORDER BY t.name",
    )
    .bind(run)
    .fetch_all(db)
    .await?)
}

/// The tenants a run has recorded an outcome for (a run taken up again skips them).
pub async fn recorded_tenants(
    db: impl PgExecutor<'_>,
    run: i64,
) -> Result<std::collections::HashSet<TenantId>, DbError> {
    let ids: Vec<TenantId> =
        sqlx::query_scalar("SELECT tenant_id FROM sync_run_tenants WHERE run_id = $1").bind(run).fetch_all(db).await?;
    Ok(ids.into_iter().collect())
}

/// Marks runs left 'running' by a crashed process as failed, so the page does not wait forever;
/// all but `resumed`, the one being taken up again.
pub async fn abandon_stale(db: impl PgExecutor<'_>, resumed: Option<i64>) -> Result<u64, DbError> {
    Ok(sqlx::query("UPDATE sync_runs SET status = 'failed', finished_at = now(), error = 'the server stopped during this run' WHERE status = 'running' AND id IS DISTINCT FROM $1")
        .bind(resumed)
        .execute(db)
        .await?
        .rows_affected())
}
