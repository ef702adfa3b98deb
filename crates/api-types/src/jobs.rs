//! The Jobs page: every job with its schedule, what runs now and how the last runs went.

use chrono::{DateTime, Utc};
use seatsync_domain::{
    kinds::{DeliveryChannel, DeliveryStatus, JobKind, JobStatus, JobTrigger},
    TenantId,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobsView {
    pub jobs: Vec<JobInfo>,
    /// Finished runs of the last 30 days, oldest first, for the chart of durations.
    pub durations: Vec<RunDuration>,
    /// This instance's name, to tell it from others in the runs.
    pub instance: String,
    /// The newest tickets and e-mails SeatSync sent, newest first.
    pub deliveries: Vec<DeliveryInfo>,
}

/// A ticket or e-mail SeatSync sent (or tried to).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryInfo {
    pub id: i64,
    pub channel: DeliveryChannel,
    /// What it was for, in words.
    pub purpose: String,
    pub title: String,
    /// The addresses, or the company, in words.
    pub recipient: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub attachments: i32,
    /// The ticket number or the mail server's answer.
    pub answer: Option<String>,
    pub error: Option<String>,
    pub requested_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobInfo {
    pub kind: JobKind,
    pub title: String,
    pub purpose: String,
    /// Its vendors are configured; otherwise it neither runs nor can be run.
    pub configured: bool,
    /// The schedule in words, and as configured.
    pub schedule: Option<String>,
    pub cron: Option<String>,
    pub next_run: Option<DateTime<Utc>>,
    pub paused: bool,
    pub paused_by: Option<String>,
    pub paused_at: Option<DateTime<Utc>>,
    /// An Editor may start it by hand (the syncs and the refresh).
    pub runs_by_hand: bool,
    /// The run queued or going now, if any.
    pub active: Option<RunInfo>,
    /// The latest runs, newest first.
    pub recent: Vec<RunInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub id: i64,
    pub trigger: JobTrigger,
    pub requested_by: Option<String>,
    pub scope_tenant_id: Option<TenantId>,
    pub dry_run: bool,
    pub status: JobStatus,
    pub queued_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Attempts so far: more than one when an instance stopped and another took the run over.
    pub attempts: i32,
    pub instance: Option<String>,
    /// Tenants done, failed and in all, for the jobs that go tenant by tenant (tools read, for
    /// the billing report).
    pub done: Option<i32>,
    pub failed: Option<i32>,
    pub total: Option<i32>,
    /// What `done` counts, in words: "tenants done", "tools read".
    pub done_words: String,
    /// What a run that goes step by step is waiting for ("reading Huntress, Auvik").
    pub note: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDuration {
    pub kind: JobKind,
    pub started_at: DateTime<Utc>,
    pub seconds: f64,
    pub status: JobStatus,
}
