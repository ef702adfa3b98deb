//! The glue to underway: one task type per job, the enqueue that tells "already active" apart,
//! and the wake-up on new runs.

use std::{sync::Arc, time::Duration};

use jiff::{Span, ToSpan};
use seatsync_db::{jobs as db, PgPool};
use seatsync_domain::kinds::{JobKind, JobStatus};
use serde::{Deserialize, Serialize};
use sqlx::{postgres::PgListener, Acquire, Postgres, Transaction};
use underway::{
    task::{Error as TaskError, Result as TaskResult, RetryPolicy},
    Queue, Task,
};

use crate::{
    autotask_refresh, billing_report, contract_resume, contract_sync, delivery_resume, licence_alerts, licence_sync,
    Ended, JobParts, JobSettings, Stop,
};

/// The queue of a job.
pub(crate) fn name(kind: JobKind) -> String {
    format!("seatsync.{}", kind.as_str())
}

/// What a queued task carries: the run it is (everything else is in `job_runs`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct JobInput {
    pub run: i64,
}

/// A job as underway runs it.
#[derive(Clone)]
pub(crate) struct JobTask {
    kind: JobKind,
    pool: PgPool,
    parts: JobParts,
    instance: String,
    lease: Span,
}

impl JobTask {
    pub fn new(kind: JobKind, pool: PgPool, parts: JobParts, settings: &JobSettings) -> Self {
        let lease_ms = i64::try_from(settings.lease.as_millis()).unwrap_or(i64::MAX).max(100);
        Self { kind, pool, parts, instance: settings.instance.clone(), lease: lease_ms.milliseconds() }
    }
}

impl Task for JobTask {
    type Input = JobInput;
    type Output = ();

    async fn execute(&self, _tx: Transaction<'_, Postgres>, input: JobInput) -> TaskResult<()> {
        let run = input.run;
        let record = |e: seatsync_db::DbError| TaskError::Retryable(format!("recording the run failed: {e}"));
        db::begin_attempt(&self.pool, run, &self.instance).await.map_err(record)?;
        let stored = db::find_run(&self.pool, run).await.map_err(record)?;
        let outcome = match self.kind {
            JobKind::LicenceSync => licence_sync::run(&self.pool, &self.parts, &stored).await,
            JobKind::AutotaskRefresh => autotask_refresh::run(&self.pool, &self.parts, &stored).await,
            JobKind::ContractSync => contract_sync::run(&self.pool, &self.parts, &stored).await,
            JobKind::ContractResume => contract_resume::run(&self.parts).await,
            JobKind::DeliveryResume => delivery_resume::run(&self.parts).await,
            JobKind::LicenceAlerts => licence_alerts::run(&self.pool, &self.parts, &stored).await,
            JobKind::BillingReport => billing_report::run(&self.parts, &stored).await,
        };
        let ended = match outcome {
            Ok(ended) => ended,
            Err(Stop::Fail(error)) => Ended::failed(error),
            Err(Stop::Retry(error)) => {
                tracing::warn!(job = %self.kind, run, %error, "run stopped; the queue tries it again");
                let why = format!("Attempt {} stopped ({error}); it is tried again shortly.", stored.attempts);
                db::retry_later(&self.pool, run, &why).await.map_err(record)?;
                return Err(TaskError::Retryable(error));
            }
        };
        db::finish_run(&self.pool, run, ended.status, ended.error.as_deref()).await.map_err(record)?;
        Ok(())
    }

    /// One run of a job at a time across every instance: a second cannot be queued while one is
    /// waiting or going.
    fn concurrency_key(&self) -> Option<String> {
        Some(self.kind.as_str().to_string())
    }

    fn heartbeat(&self) -> Span {
        self.lease
    }

    /// Long enough for the largest partner; a run that takes longer is stopped and retried.
    fn timeout(&self) -> Span {
        match self.kind {
            JobKind::LicenceSync | JobKind::ContractSync | JobKind::LicenceAlerts => 4.hours(),
            JobKind::AutotaskRefresh | JobKind::ContractResume | JobKind::DeliveryResume | JobKind::BillingReport => {
                30.minutes()
            }
        }
    }

    /// Every job is safe to attempt again: the syncs and the refresh read before they write,
    /// and a run taken up again continues its own record (see each job's file).
    fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy::builder().max_attempts(4).initial_interval_ms(5_000).max_interval_ms(300_000).build()
    }
}

pub(crate) enum Enqueued {
    Queued,
    /// A run of the job is already waiting or going (the concurrency key is taken).
    AlreadyActive,
}

/// Enqueues the run inside `tx`, in a savepoint, so that "a run is already active" leaves the
/// transaction usable for recording that. A run that has just ended keeps its queue task "in
/// progress" for the moment its worker takes to commit; that is waited out (at most 2 s) rather
/// than refused.
pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Postgres>,
    queue: &Queue<JobTask>,
    task: &JobTask,
    kind: JobKind,
    run: i64,
) -> Result<Enqueued, crate::JobError> {
    for _ in 0..40 {
        let mut savepoint = tx.begin().await?;
        match queue.enqueue(&mut *savepoint, task, &JobInput { run }).await {
            Ok(_) => {
                savepoint.commit().await?;
                return Ok(Enqueued::Queued);
            }
            Err(underway::queue::Error::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                savepoint.rollback().await?;
                if db::active_run(&mut **tx, kind, Some(run)).await?.is_some() {
                    return Ok(Enqueued::AlreadyActive);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Enqueued::AlreadyActive)
}

/// Wakes a job's worker whenever underway announces a task of its queue: one connection
/// listens for every job of the instance.
pub(crate) async fn listen(pool: PgPool, wakes: Vec<(String, Arc<tokio::sync::Notify>)>) {
    loop {
        if let Err(e) = listen_once(&pool, &wakes).await {
            tracing::warn!(error = %e, "listening for new runs failed; polling until it is back");
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

async fn listen_once(pool: &PgPool, wakes: &[(String, Arc<tokio::sync::Notify>)]) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen("task_change").await?;
    let quoted: Vec<(String, &tokio::sync::Notify)> =
        wakes.iter().map(|(queue, wake)| (format!("\"{queue}\""), wake.as_ref())).collect();
    loop {
        let note = listener.recv().await?;
        for (queue, wake) in &quoted {
            if note.payload().contains(queue.as_str()) {
                wake.notify_one();
            }
        }
    }
}

/// A licence or contract sync's status, as the run's status.
pub(crate) fn status_of(status: seatsync_domain::kinds::RunStatus) -> JobStatus {
    use seatsync_domain::kinds::RunStatus;
    match status {
        RunStatus::Running => JobStatus::Running,
        RunStatus::Succeeded => JobStatus::Succeeded,
        RunStatus::Partial => JobStatus::Partial,
        RunStatus::Failed => JobStatus::Failed,
    }
}
