//! A run's progress on its job run, for the Billing and Jobs pages to follow a long report.

use seatsync_db::{jobs, PgPool};

/// How far a run has got, kept on its job run for the pages: tools read of all, and the ones
/// still being read. The list is held while it is written, so a later state is never overwritten
/// by an earlier one.
pub(crate) struct Progress<'a> {
    pool: &'a PgPool,
    job_run_id: Option<i64>,
    total: usize,
    waiting: tokio::sync::Mutex<Vec<&'static str>>,
}

impl<'a> Progress<'a> {
    pub(crate) fn new(pool: &'a PgPool, job_run_id: Option<i64>, tools: Vec<&'static str>) -> Self {
        Self { pool, job_run_id, total: tools.len(), waiting: tokio::sync::Mutex::new(tools) }
    }

    pub(crate) async fn show(&self) {
        let waiting = self.waiting.lock().await;
        self.write(&waiting).await;
    }

    pub(crate) async fn finished(&self, tool: &str) {
        let mut waiting = self.waiting.lock().await;
        waiting.retain(|t| *t != tool);
        self.write(&waiting).await;
    }

    /// Writes it down; a failure to is only logged (the run goes on).
    async fn write(&self, waiting: &[&str]) {
        let Some(run) = self.job_run_id else { return };
        let note = (!waiting.is_empty()).then(|| format!("reading {}", waiting.join(", ")));
        let done = (self.total - waiting.len()) as i32;
        if let Err(e) = jobs::set_steps(self.pool, run, done, self.total as i32, note.as_deref()).await {
            tracing::warn!(error = %e, run, "the billing report's progress could not be written");
        }
    }
}
