//! The Jobs page: every job, its schedule and runs; "Run now" and pausing a schedule.

use leptos::prelude::*;
use seatsync_domain::kinds::JobKind;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;

pub use seatsync_api_types::jobs::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

/// Every job with its schedule, the run going now and the last runs; Viewer and up.
#[server(prefix = "/api", endpoint = "jobs/list")]
pub async fn list_jobs() -> Result<JobsView, AppError> {
    serve(Role::Viewer, |c| async move { c.services.jobs_view().await }).await
}

/// Queues a run of a sync or the refresh now; Editor and up.
#[server(prefix = "/api", endpoint = "jobs/run")]
pub async fn run_job(kind: JobKind) -> Result<i64, AppError> {
    serve(Role::Editor, |c| async move { c.services.run_job(&c.user, kind).await }).await
}

/// Pauses or resumes a job's schedule; Admin.
#[server(prefix = "/api", endpoint = "jobs/pause")]
pub async fn pause_job(kind: JobKind, paused: bool) -> Result<(), AppError> {
    serve(Role::Admin, |c| async move { c.services.pause_job(&c.user, kind, paused).await }).await
}

/// Sends an e-mail that may not have arrived once more, under the same message id; Editor and
/// up. What came of it, in words.
#[server(prefix = "/api", endpoint = "jobs/send_again")]
pub async fn send_again(id: i64) -> Result<seatsync_api_types::settings::TestDelivery, AppError> {
    serve(Role::Editor, |c| async move { c.services.send_again(&c.user, id).await }).await
}
