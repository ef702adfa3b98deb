//! The jobs' schedules and runs (`job_schedules`, `job_runs`). The queue itself is underway's
//! (schema `underway`); these tables say what each run was for and how it ended.

use chrono::{DateTime, Utc};
use seatsync_domain::{
    kinds::{JobKind, JobStatus, JobTrigger},
    TenantId,
};
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use crate::DbError;

/// A job's schedule as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Schedule {
    pub job: JobKind,
    /// As configured (the environment or its default).
    pub cron: String,
    /// As an Admin set it in the app, which wins over `cron`.
    pub app_cron: Option<String>,
    pub last_slot: DateTime<Utc>,
    pub paused: bool,
    pub paused_by_name: Option<String>,
    pub paused_at: Option<DateTime<Utc>>,
}

/// Records the job's schedule as configured. A new job starts from `now`: slots before it were
/// never missed, since nothing was scheduled. A changed expression is taken as it is.
pub async fn register_schedule(
    db: impl PgExecutor<'_>,
    job: JobKind,
    cron: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO job_schedules (job, cron, last_slot) VALUES ($1, $2, $3)
         ON CONFLICT (job) DO UPDATE SET cron = EXCLUDED.cron, updated_at = now()
         WHERE job_schedules.cron <> EXCLUDED.cron",
    )
    .bind(job)
    .bind(cron)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

const SCHEDULE_COLUMNS: &str =
    "s.job, s.cron, s.app_cron, s.last_slot, s.paused, u.display_name AS paused_by_name, s.paused_at";

/// Every registered schedule.
pub async fn schedules(db: impl PgExecutor<'_>) -> Result<Vec<Schedule>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SCHEDULE_COLUMNS} FROM job_schedules s LEFT JOIN users u ON u.id = s.paused_by ORDER BY s.job"
    ))
    .fetch_all(db)
    .await?)
}

/// The job's schedule, locked until the transaction ends: whoever holds it decides the next slot.
pub async fn lock_schedule(tx: &mut PgConnection, job: JobKind) -> Result<Option<Schedule>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {SCHEDULE_COLUMNS} FROM job_schedules s LEFT JOIN users u ON u.id = s.paused_by
         WHERE s.job = $1 FOR UPDATE OF s"
    ))
    .bind(job)
    .fetch_optional(tx)
    .await?)
}

/// Sets (or, with `None`, clears) the schedule an Admin chose in the app; whether the job has a
/// schedule row (it has once an instance with the job configured has started).
pub async fn set_app_cron(db: impl PgExecutor<'_>, job: JobKind, cron: Option<&str>) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE job_schedules SET app_cron = $2, updated_at = now() WHERE job = $1")
        .bind(job)
        .bind(cron)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks `slot` as handed out (or, while paused, passed over).
pub async fn advance_slot(tx: &mut PgConnection, job: JobKind, slot: DateTime<Utc>) -> Result<(), DbError> {
    sqlx::query("UPDATE job_schedules SET last_slot = $2, updated_at = now() WHERE job = $1")
        .bind(job)
        .bind(slot)
        .execute(tx)
        .await?;
    Ok(())
}

/// Pauses or resumes the schedule. Slots passing while paused are passed over, so resuming does
/// not run one late.
pub async fn set_paused(db: impl PgExecutor<'_>, job: JobKind, paused: bool, by: Uuid) -> Result<(), DbError> {
    let updated = sqlx::query(
        "UPDATE job_schedules SET paused = $2, paused_by = CASE WHEN $2 THEN $3 END,
             paused_at = CASE WHEN $2 THEN now() END, updated_at = now()
         WHERE job = $1",
    )
    .bind(job)
    .bind(paused)
    .bind(by)
    .execute(db)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// What a new run is for.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub job: JobKind,
    pub trigger: JobTrigger,
    pub requested_by: Option<Uuid>,
    pub slot: Option<DateTime<Utc>>,
    pub scope: Option<&'a TenantId>,
    pub dry_run: bool,
}

/// Records a queued run; its id.
pub async fn insert_run(db: impl PgExecutor<'_>, run: &NewRun<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO job_runs (job, trigger, requested_by, slot, scope_tenant_id, dry_run, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'queued') RETURNING id",
    )
    .bind(run.job)
    .bind(run.trigger)
    .bind(run.requested_by)
    .bind(run.slot)
    .bind(run.scope.map(TenantId::as_str))
    .bind(run.dry_run)
    .fetch_one(db)
    .await?)
}

/// A run that will not happen, with the reason.
pub async fn skip_run(db: impl PgExecutor<'_>, run: i64, why: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE job_runs SET status = 'skipped', finished_at = now(), error = $2 WHERE id = $1")
        .bind(run)
        .bind(why)
        .execute(db)
        .await?;
    Ok(())
}

/// A run as stored, with the name of who asked for it and the progress of the job's own record.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct JobRun {
    pub id: i64,
    pub job: JobKind,
    pub trigger: JobTrigger,
    pub requested_by: Option<Uuid>,
    pub requested_by_name: Option<String>,
    pub slot: Option<DateTime<Utc>>,
    pub scope_tenant_id: Option<TenantId>,
    pub dry_run: bool,
    pub status: JobStatus,
    pub queued_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub instance: Option<String>,
    pub detail_run_id: Option<i64>,
    pub error: Option<String>,
    /// Tenants (or, for the billing report, tools) done and in all.
    pub done: Option<i32>,
    pub total: Option<i32>,
    pub failed: Option<i32>,
    /// What a step-by-step job is still waiting for.
    pub step_note: Option<String>,
}

const RUN_COLUMNS: &str = "r.id, r.job, r.trigger, r.requested_by, u.display_name AS requested_by_name, r.slot,
     r.scope_tenant_id, r.dry_run, r.status, r.queued_at, r.started_at, r.finished_at, r.attempts, r.instance,
     r.detail_run_id, r.error,
     COALESCE(ls.tenants_done, cs.tenants_done, r.steps_done) AS done,
     COALESCE(ls.tenants_total, cs.tenants_total, r.steps_total) AS total,
     COALESCE(ls.tenants_failed, cs.tenants_failed) AS failed, r.step_note";

const RUN_FROM: &str = "job_runs r
     LEFT JOIN users u ON u.id = r.requested_by
     LEFT JOIN sync_runs ls ON r.job = 'licence_sync' AND ls.id = r.detail_run_id
     LEFT JOIN contract_sync_runs cs ON r.job = 'contract_sync' AND cs.id = r.detail_run_id";

/// How far a step-by-step run has got, and what it still waits for.
pub async fn set_steps(
    db: impl PgExecutor<'_>,
    run: i64,
    done: i32,
    total: i32,
    note: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE job_runs SET steps_done = $2, steps_total = $3, step_note = $4 WHERE id = $1")
        .bind(run)
        .bind(done)
        .bind(total)
        .bind(note)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn find_run(db: impl PgExecutor<'_>, run: i64) -> Result<JobRun, DbError> {
    sqlx::query_as(&format!("SELECT {RUN_COLUMNS} FROM {RUN_FROM} WHERE r.id = $1"))
        .bind(run)
        .fetch_optional(db)
        .await?
        .ok_or(DbError::NotFound)
}

/// The job's run queued or going now, if any, other than `except`.
pub async fn active_run(db: impl PgExecutor<'_>, job: JobKind, except: Option<i64>) -> Result<Option<i64>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM job_runs WHERE job = $1 AND status IN ('queued', 'running') AND id IS DISTINCT FROM $2
         ORDER BY id DESC LIMIT 1",
    )
    .bind(job)
    .bind(except)
    .fetch_optional(db)
    .await?)
}

/// The latest `limit` runs of each job, newest first.
pub async fn recent_runs(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<JobRun>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT * FROM (SELECT {RUN_COLUMNS}, row_number() OVER (PARTITION BY r.job ORDER BY r.id DESC) AS n
                        FROM {RUN_FROM}) x
         WHERE n <= $1 ORDER BY id DESC"
    ))
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// A finished run's duration, for the chart.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct RunDuration {
    pub job: JobKind,
    pub started_at: DateTime<Utc>,
    pub seconds: f64,
    pub status: JobStatus,
}

/// The durations of the finished runs started since `since`, oldest first.
pub async fn durations(db: impl PgExecutor<'_>, since: DateTime<Utc>) -> Result<Vec<RunDuration>, DbError> {
    Ok(sqlx::query_as(
        "SELECT job, started_at, EXTRACT(EPOCH FROM finished_at - started_at)::float8 AS seconds, status
         FROM job_runs WHERE started_at >= $1 AND finished_at IS NOT NULL ORDER BY started_at",
    )
    .bind(since)
    .fetch_all(db)
    .await?)
}

/// Marks the run as started by `instance` (again, when its first instance died); the run as it
/// now stands, with the job's own record of earlier attempts in `detail_run_id`.
pub async fn begin_attempt(db: impl PgExecutor<'_>, run: i64, instance: &str) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE job_runs SET status = 'running', started_at = COALESCE(started_at, now()),
             attempts = attempts + 1, instance = $2
         WHERE id = $1",
    )
    .bind(run)
    .bind(instance)
    .execute(db)
    .await?;
    Ok(())
}

/// An attempt that stopped and will be tried again: back to queued, with why.
pub async fn retry_later(db: impl PgExecutor<'_>, run: i64, error: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE job_runs SET status = 'queued', error = $2 WHERE id = $1")
        .bind(run)
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

/// Ties the run to the job's own record of its work, as soon as that exists.
pub async fn set_detail(db: impl PgExecutor<'_>, run: i64, detail: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE job_runs SET detail_run_id = $2 WHERE id = $1").bind(run).bind(detail).execute(db).await?;
    Ok(())
}

pub async fn finish_run(
    db: impl PgExecutor<'_>,
    run: i64,
    status: JobStatus,
    error: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE job_runs SET status = $2, error = $3, finished_at = now() WHERE id = $1")
        .bind(run)
        .bind(status)
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

/// Runs still queued or running whose queue task is gone for good (its attempts used up, or
/// deleted): failed, so the page does not show them running forever.
pub async fn fail_orphans(db: impl PgExecutor<'_>) -> Result<u64, DbError> {
    Ok(sqlx::query(
        "UPDATE job_runs r SET status = 'failed', finished_at = now(),
             error = COALESCE(r.error, 'the run stopped with its server and could not be taken over')
         WHERE r.status IN ('queued', 'running') AND r.queued_at < now() - interval '1 minute'
           AND NOT EXISTS (SELECT 1 FROM underway.task t
                           WHERE t.input->>'run' = r.id::text AND t.state IN ('pending', 'in_progress'))",
    )
    .execute(db)
    .await?
    .rows_affected())
}

/// Forgets old runs: every finished run after 90 days, and the every-minute resume's uneventful
/// runs after a day (it runs 1,440 times a day; its failures stay the 90 days).
pub async fn prune_runs(db: impl PgExecutor<'_>) -> Result<u64, DbError> {
    Ok(sqlx::query(
        "DELETE FROM job_runs WHERE finished_at < now() - interval '90 days'
            OR (job = 'contract_resume' AND status IN ('succeeded', 'skipped') AND finished_at < now() - interval '1 day')",
    )
    .execute(db)
    .await?
    .rows_affected())
}
