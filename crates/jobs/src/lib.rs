//! SeatSync's jobs on a durable queue in PostgreSQL.
//!
//! The queue is underway's: a task is a row, taken with `FOR UPDATE SKIP LOCKED`, kept alive by a
//! heartbeat while it runs, and taken over by any instance once the heartbeat stops for longer
//! than the lease (its instance died). Each job has its own queue whose tasks share one
//! concurrency key, so a job runs one at a time across every instance, whether the schedule or a
//! person asked for it.
//!
//! On top of it, this crate adds what underway's own scheduler does not give: each slot of a
//! job's cron schedule is handed to the queue once, by whichever instance moves the job's
//! `last_slot` forward under a row lock in the same transaction as the enqueue (clock skew
//! between instances cannot make a slot run twice), and the newest slot missed while every
//! instance was down runs once at start. Every run is recorded in `job_runs` (trigger, who,
//! scope, status, error), the one run model for every job; a job's own table holds the detail
//! of its work, which a run taken over continues.
//!
//! One file per job (`licence_sync`, `autotask_refresh`, `contract_sync`, `contract_resume`, `delivery_resume`,
//! `licence_alerts`, `billing_report`),
//! each a plain `run` over the services it drives. [`Jobs::tick`] and [`Jobs::work_once`] are
//! the single steps the background loops repeat, so tests drive them deterministically.

mod autotask_refresh;
mod billing_report;
mod contract_resume;
mod contract_sync;
mod delivery_resume;
mod licence_alerts;
mod licence_sync;
mod queue;
pub mod schedule;

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use seatsync_alert_tickets::AlertTickets;
use seatsync_billing::BillingReports;
use seatsync_contracts::Contracts;
use seatsync_db::{jobs as db, DbError, PgPool};
use seatsync_delivery::Delivery;
use seatsync_domain::{
    kinds::{JobKind, JobStatus, JobTrigger},
    TenantId,
};
use seatsync_licence_alerts::LicenceAlerts;
use seatsync_licence_sync::LicenceSync;
use seatsync_mapping::Mapping;
use seatsync_vendors::Slot;
use underway::{Queue, Worker};
use uuid::Uuid;

use crate::queue::JobTask;
pub use db::JobRun;

/// What the jobs drive. A job whose vendor is not configured is not scheduled and cannot be run.
#[derive(Clone)]
pub struct JobParts {
    pub licence_sync: Slot<LicenceSync>,
    pub mapping: Arc<Mapping>,
    pub contracts: Arc<Contracts>,
    pub delivery: Arc<Delivery>,
    pub licence_alerts: Arc<LicenceAlerts>,
    pub alert_tickets: Arc<AlertTickets>,
    pub billing: Arc<BillingReports>,
}

impl JobParts {
    /// Whether the job's vendors are configured.
    pub fn configured(&self, kind: JobKind) -> bool {
        match kind {
            JobKind::LicenceSync => self.licence_sync.is_set(),
            JobKind::AutotaskRefresh | JobKind::ContractSync | JobKind::ContractResume => {
                self.mapping.autotask_configured()
            }
            // Deliveries already recorded are finished whatever is configured now (a channel
            // removed since is said on the delivery).
            JobKind::DeliveryResume => true,
            // Without Pax8 the run still weighs Partner Center's subscriptions.
            JobKind::LicenceAlerts => self.licence_sync.is_set(),
            // Rows are Autotask's companies.
            JobKind::BillingReport => self.mapping.autotask_configured(),
        }
    }
}

/// How the jobs run on this instance.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// Each job's cron schedule (UTC, with seconds).
    pub schedules: Vec<(JobKind, cron::Schedule)>,
    /// A running job's heartbeat interval: when its instance stops, another takes the run over
    /// once this much time has passed without a heartbeat.
    pub lease: Duration,
    /// How often an idle instance looks for runs to take over (new runs wake it at once).
    pub poll: Duration,
    /// This instance's name in the run history (host and process).
    pub instance: String,
}

impl JobSettings {
    pub fn instance_name() -> String {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "seatsync".into());
        format!("{host}:{}", std::process::id())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("{0}")]
    Busy(String),
    #[error("{0}")]
    NotConfigured(String),
    #[error("the job queue failed: {0}")]
    Queue(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<underway::queue::Error> for JobError {
    fn from(e: underway::queue::Error) -> Self {
        JobError::Queue(e.to_string())
    }
}

impl From<sqlx::Error> for JobError {
    fn from(e: sqlx::Error) -> Self {
        JobError::Db(DbError::Sqlx(e))
    }
}

/// A run asked for by a person.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    pub scope: Option<TenantId>,
    pub dry_run: bool,
}

/// The jobs of this instance: their queues, schedules and workers.
pub struct Jobs {
    pool: PgPool,
    parts: JobParts,
    settings: JobSettings,
    queues: HashMap<JobKind, (Arc<Queue<JobTask>>, JobTask)>,
}

impl Jobs {
    /// Prepares the queue's tables and one queue per job, and records the configured schedules.
    /// Nothing runs until [`Jobs::start`] (or the single steps).
    pub async fn new(pool: PgPool, parts: JobParts, settings: JobSettings) -> Result<Arc<Self>, JobError> {
        underway::run_migrations(&pool).await?;
        let mut queues = HashMap::new();
        for kind in JobKind::ALL {
            let queue = Queue::builder().name(queue::name(kind)).pool(pool.clone()).build().await?;
            let task = JobTask::new(kind, pool.clone(), parts.clone(), &settings);
            queues.insert(kind, (Arc::new(queue), task));
        }
        let now = Utc::now();
        for (kind, schedule) in &settings.schedules {
            if parts.configured(*kind) {
                db::register_schedule(&pool, *kind, schedule.source(), now).await?;
            }
        }
        Ok(Arc::new(Self { pool, parts, settings, queues }))
    }

    pub fn parts(&self) -> &JobParts {
        &self.parts
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// This instance's name in the runs it takes.
    pub fn instance(&self) -> &str {
        &self.settings.instance
    }

    /// The job's configured schedule, when it has one and its vendors are configured.
    pub fn schedule(&self, kind: JobKind) -> Option<&cron::Schedule> {
        self.settings.schedules.iter().find(|(k, _)| *k == kind).map(|(_, s)| s).filter(|_| self.parts.configured(kind))
    }

    /// Starts this instance's scheduler and workers in the background.
    pub fn start(self: &Arc<Self>) {
        let mut wakes = Vec::new();
        for kind in JobKind::ALL {
            if !self.parts.configured(kind) {
                continue;
            }
            let wake = Arc::new(tokio::sync::Notify::new());
            tokio::spawn(self.clone().work(kind, wake.clone()));
            wakes.push((queue::name(kind), wake));
            if let Some(schedule) = self.schedule(kind).cloned() {
                tokio::spawn(self.clone().keep_schedule(kind, schedule));
            }
        }
        tokio::spawn(queue::listen(self.pool.clone(), wakes));
        tokio::spawn(self.clone().sweep_orphans());
        // underway keeps finished tasks until their time to live is over, and deletes them only
        // while this routine runs (hourly).
        let pool = self.pool.clone();
        tokio::spawn(async move {
            if let Err(e) = underway::queue::run_deletion(&pool).await {
                tracing::warn!(error = %e, "deleting expired queue tasks stopped");
            }
        });
    }

    /// One scheduling step for `kind` at `now`: hands the due slot, if any, to the queue. The run
    /// recorded, if one was queued (or skipped because a run of the job was still going).
    pub async fn tick(&self, kind: JobKind, now: DateTime<Utc>) -> Result<Option<i64>, JobError> {
        let Some(configured) = self.schedule(kind) else { return Ok(None) };
        let (queue, task) = &self.queues[&kind];
        let mut tx = self.pool.begin().await?;
        let Some(stored) = db::lock_schedule(&mut tx, kind).await? else { return Ok(None) };
        // An Admin's schedule from the app wins; read here, under the row's lock, so every
        // instance follows a change within a minute.
        let chosen = stored.app_cron.as_deref().and_then(|c| c.parse::<cron::Schedule>().ok());
        let schedule = chosen.as_ref().unwrap_or(configured);
        let Some((slot, trigger)) = schedule::due_slot(schedule, stored.last_slot, now) else { return Ok(None) };
        db::advance_slot(&mut tx, kind, slot).await?;
        if stored.paused {
            tx.commit().await?;
            tracing::info!(job = %kind, %slot, "slot passed over: the schedule is paused");
            return Ok(None);
        }
        let new = db::NewRun { job: kind, trigger, requested_by: None, slot: Some(slot), scope: None, dry_run: false };
        let run = db::insert_run(&mut *tx, &new).await?;
        match queue::enqueue(&mut tx, queue, task, kind, run).await? {
            queue::Enqueued::Queued => tracing::info!(job = %kind, %slot, run, ?trigger, "scheduled run queued"),
            queue::Enqueued::AlreadyActive => {
                db::skip_run(&mut *tx, run, "A run of this job was still going at this time; it covers this slot.")
                    .await?;
                tracing::info!(job = %kind, %slot, "slot skipped: a run of the job is still going");
            }
        }
        tx.commit().await?;
        Ok(Some(run))
    }

    /// Queues a run a person asked for; its id. Refused while a run of the job is queued or
    /// going: one at a time, whoever asked.
    pub async fn request(&self, kind: JobKind, by: Uuid, request: RunRequest) -> Result<i64, JobError> {
        self.enqueue(kind, JobTrigger::Manual, Some(by), request).await
    }

    /// Queues the first run of a new installation (nothing is refused: a run already going is
    /// as good).
    pub async fn request_first(&self, kind: JobKind) -> Result<Option<i64>, JobError> {
        match self.enqueue(kind, JobTrigger::Start, None, RunRequest::default()).await {
            Ok(run) => Ok(Some(run)),
            Err(JobError::Busy(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn enqueue(
        &self,
        kind: JobKind,
        trigger: JobTrigger,
        by: Option<Uuid>,
        request: RunRequest,
    ) -> Result<i64, JobError> {
        if !self.parts.configured(kind) {
            return Err(JobError::NotConfigured(format!(
                "The {} cannot run: its vendor is not configured. An Admin can see what is missing under Settings.",
                kind.title().to_lowercase()
            )));
        }
        let (queue, task) = &self.queues[&kind];
        let mut tx = self.pool.begin().await?;
        let new = db::NewRun {
            job: kind,
            trigger,
            requested_by: by,
            slot: None,
            scope: request.scope.as_ref(),
            dry_run: request.dry_run,
        };
        let run = db::insert_run(&mut *tx, &new).await?;
        match queue::enqueue(&mut tx, queue, task, kind, run).await? {
            queue::Enqueued::Queued => {
                tx.commit().await?;
                Ok(run)
            }
            queue::Enqueued::AlreadyActive => Err(JobError::Busy(format!(
                "A {} is already queued or running; wait for it to finish.",
                kind.title().to_lowercase()
            ))),
        }
    }

    /// The job's run queued or going now, if any.
    pub async fn active_run(&self, kind: JobKind) -> Result<Option<i64>, JobError> {
        Ok(db::active_run(&self.pool, kind, None).await?)
    }

    /// Waits (at most `limit`) until the run has started its work or ended; the run as it stands.
    pub async fn wait_started(&self, run: i64, limit: Duration) -> Result<JobRun, JobError> {
        self.wait_for(run, limit, |r| r.detail_run_id.is_some() || r.status.is_finished()).await
    }

    /// Waits (at most `limit`) until the run has ended; the run as it stands.
    pub async fn wait_finished(&self, run: i64, limit: Duration) -> Result<JobRun, JobError> {
        self.wait_for(run, limit, |r| r.status.is_finished()).await
    }

    async fn wait_for(&self, run: i64, limit: Duration, done: impl Fn(&JobRun) -> bool) -> Result<JobRun, JobError> {
        let until = tokio::time::Instant::now() + limit;
        loop {
            let now = db::find_run(&self.pool, run).await?;
            if done(&now) || tokio::time::Instant::now() >= until {
                return Ok(now);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Takes the next run of `kind` from the queue, if one is waiting (or was left by a dead
    /// instance and its lease has run out), and runs it to its end.
    pub async fn work_once(&self, kind: JobKind) -> Result<bool, JobError> {
        let (queue, task) = &self.queues[&kind];
        let worker = Worker::new(queue.clone(), task.clone());
        worker.process_next_task().await.map(|t| t.is_some()).map_err(|e| JobError::Queue(e.to_string()))
    }

    /// Marks failed the runs whose queue task is gone for good (its attempts used up); how many.
    pub async fn close_orphans(&self) -> Result<u64, JobError> {
        Ok(db::fail_orphans(&self.pool).await?)
    }

    /// Forgets old runs (see `db::jobs::prune_runs`); how many.
    pub async fn forget_old_runs(&self) -> Result<u64, JobError> {
        Ok(db::prune_runs(&self.pool).await?)
    }

    /// Pauses or resumes a job's schedule (Admin).
    pub async fn set_paused(&self, kind: JobKind, paused: bool, by: Uuid) -> Result<(), JobError> {
        Ok(db::set_paused(&self.pool, kind, paused, by).await?)
    }

    /// Runs of `kind` one after another, woken by a new run or every `poll` to take over runs
    /// whose instance stopped.
    async fn work(self: Arc<Self>, kind: JobKind, wake: Arc<tokio::sync::Notify>) {
        loop {
            match self.work_once(kind).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(job = %kind, error = %e, "taking a run from the queue failed"),
            }
            let _ = tokio::time::timeout(self.settings.poll, wake.notified()).await;
        }
    }

    /// Hands each slot of the schedule to the queue (once across instances), sleeping until the
    /// next one; at start, the newest slot missed while every instance was down.
    async fn keep_schedule(self: Arc<Self>, kind: JobKind, schedule: cron::Schedule) {
        loop {
            if let Err(e) = self.tick(kind, Utc::now()).await {
                tracing::error!(job = %kind, error = %e, "scheduling failed; trying again shortly");
            }
            let now = Utc::now();
            let next = schedule::next_slot(&schedule, now).unwrap_or(now + chrono::Duration::hours(1));
            // Woken at least every minute, so a resumed schedule or a slow clock is noticed.
            let wait = (next - now).to_std().unwrap_or(Duration::ZERO).min(Duration::from_secs(60));
            tokio::time::sleep(wait + Duration::from_millis(5)).await;
        }
    }

    /// Closes runs whose queue task is gone for good, every minute, and forgets old runs hourly.
    async fn sweep_orphans(self: Arc<Self>) {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        for minute in 0u64.. {
            every.tick().await;
            match self.close_orphans().await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(runs = n, "runs whose task is gone marked failed"),
                Err(e) => tracing::warn!(error = %e, "checking for orphaned runs failed"),
            }
            if minute % 60 == 0 {
                if let Err(e) = self.forget_old_runs().await {
                    tracing::warn!(error = %e, "forgetting old runs failed");
                }
            }
        }
    }
}

/// How a job's run ended, for `job_runs`.
#[derive(Debug)]
pub(crate) struct Ended {
    pub status: JobStatus,
    pub error: Option<String>,
}

impl Ended {
    pub fn ok() -> Self {
        Self { status: JobStatus::Succeeded, error: None }
    }

    pub fn failed(error: impl Into<String>) -> Self {
        Self { status: JobStatus::Failed, error: Some(error.into()) }
    }
}

/// Why a job's run could not go on.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Worth another attempt later (the database, a lock held by an instance still alive).
    Retry(String),
    /// An attempt cannot change it (a tenant that does not exist, a vendor not configured).
    Fail(String),
}
