//! The Jobs page, and every run a person starts: through the job queue, one at a time per job.

use std::time::Duration;

use chrono::Utc;
use seatsync_api_types::jobs::{JobInfo, JobsView, RunDuration, RunInfo};
use seatsync_db::jobs as db;
use seatsync_domain::kinds::{JobKind, JobStatus};
use seatsync_jobs::{schedule, RunRequest};

use crate::{ServiceError, Services, Staff};

/// Runs shown per job.
const RECENT_RUNS: i64 = 10;

/// Runs shown of the job that runs every minute and mostly finds nothing to do: the latest few
/// say it is alive and how it last ended.
const RECENT_QUIET_RUNS: usize = 3;

/// How long a person's click waits for the run to begin, so the page can follow it at once.
const START_WAIT: Duration = Duration::from_secs(10);

impl Services {
    /// Queues a run a person asked for and waits until it has begun; the run's id. A run that
    /// ended at once with an error (a tenant gone, say) is that error.
    pub(crate) async fn run_by_hand(
        &self,
        kind: JobKind,
        by: &Staff,
        request: RunRequest,
    ) -> Result<i64, ServiceError> {
        let run = self.jobs.request(kind, by.id, request).await?;
        let now = self.jobs.wait_started(run, START_WAIT).await?;
        match (now.status, now.error) {
            (JobStatus::Failed, Some(error)) => Err(ServiceError::Conflict(error)),
            _ => Ok(run),
        }
    }

    /// "Run now" on the Jobs page (the syncs and the refresh; the resume runs on its own).
    pub async fn run_job(&self, by: &Staff, kind: JobKind) -> Result<i64, ServiceError> {
        if !kind.runs_by_hand() {
            return Err(ServiceError::Invalid(format!("The {} runs on its own schedule only.", kind.title())));
        }
        self.run_by_hand(kind, by, RunRequest::default()).await
    }

    /// Pauses or resumes a job's schedule; runs by hand stay possible.
    pub async fn pause_job(&self, by: &Staff, kind: JobKind, paused: bool) -> Result<(), ServiceError> {
        self.jobs.set_paused(kind, paused, by.id).await.map_err(|e| match e {
            seatsync_jobs::JobError::Db(seatsync_db::DbError::NotFound) => ServiceError::Invalid(format!(
                "The {} has no schedule here: its vendor is not configured.",
                kind.title()
            )),
            other => other.into(),
        })
    }

    pub async fn jobs_view(&self) -> Result<JobsView, ServiceError> {
        let (schedules, runs, durations) = tokio::try_join!(
            db::schedules(&self.pool),
            db::recent_runs(&self.pool, RECENT_RUNS),
            db::durations(&self.pool, Utc::now() - chrono::Duration::days(30)),
        )?;
        let now = Utc::now();
        let jobs = JobKind::ALL
            .into_iter()
            .map(|kind| {
                let stored = schedules.iter().find(|s| s.job == kind);
                let configured = self.jobs.parts().configured(kind);
                // An Admin's schedule from the app wins over the configured one.
                let chosen = stored.and_then(|s| s.app_cron.as_deref()).and_then(|c| c.parse::<cron::Schedule>().ok());
                let cron = chosen.as_ref().or(self.jobs.schedule(kind)).filter(|_| configured);
                let quiet = matches!(kind, JobKind::ContractResume | JobKind::DeliveryResume);
                let shown = if quiet { RECENT_QUIET_RUNS } else { RECENT_RUNS as usize };
                let recent: Vec<RunInfo> = runs.iter().filter(|r| r.job == kind).take(shown).map(run_info).collect();
                let paused = stored.is_some_and(|s| s.paused);
                JobInfo {
                    kind,
                    title: kind.title().into(),
                    purpose: kind.purpose().into(),
                    configured,
                    schedule: cron.map(|c| schedule::describe(c.source())),
                    cron: cron.map(|c| c.source().to_string()),
                    next_run: cron.filter(|_| !paused).and_then(|c| schedule::next_slot(c, now)),
                    paused,
                    paused_by: stored.and_then(|s| s.paused_by_name.clone()),
                    paused_at: stored.and_then(|s| s.paused_at),
                    runs_by_hand: kind.runs_by_hand(),
                    active: recent.iter().find(|r| !r.status.is_finished()).cloned(),
                    recent,
                }
            })
            .collect();
        let durations = durations
            .into_iter()
            .map(|d| RunDuration { kind: d.job, started_at: d.started_at, seconds: d.seconds, status: d.status })
            .collect();
        let deliveries = self.recent_deliveries().await?;
        Ok(JobsView { jobs, durations, instance: self.jobs.instance().to_string(), deliveries })
    }
}

fn run_info(r: &db::JobRun) -> RunInfo {
    RunInfo {
        id: r.id,
        trigger: r.trigger,
        requested_by: r.requested_by_name.clone(),
        scope_tenant_id: r.scope_tenant_id.clone(),
        dry_run: r.dry_run,
        status: r.status,
        queued_at: r.queued_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
        attempts: r.attempts,
        instance: r.instance.clone(),
        done: r.done,
        failed: r.failed,
        total: r.total,
        done_words: match r.job {
            JobKind::BillingReport => "tools read",
            _ => "tenants done",
        }
        .to_string(),
        note: r.step_note.clone(),
        error: r.error.clone(),
    }
}
