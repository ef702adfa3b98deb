//! The billing count report on the queue: every tool asked in turn, the table stored whole, then
//! sent where the Admin said. A run taken over simply runs again (it reads the tools and writes
//! one new report, whose sending has keys of its own); a tool that fails leaves its columns blank
//! and ends the run partial, naming it, as does a way of sending that failed.

use seatsync_db::kinds::JobStatus;
use seatsync_domain::billing::ToolStatus;

use crate::{Ended, JobParts, JobRun, Stop};

pub(crate) async fn run(parts: &JobParts, stored: &JobRun) -> Result<Ended, Stop> {
    let summary = parts.billing.run(Some(stored.id)).await.map_err(|e| Stop::Retry(e.to_string()))?;
    let failed: Vec<String> = summary
        .tools
        .iter()
        .filter_map(|t| match &t.status {
            ToolStatus::Failed(why) => Some(format!("{}: {why}", t.tool)),
            _ => None,
        })
        .collect();
    let mut failed = failed;
    match parts.billing.deliver(&parts.delivery, summary.report_id).await {
        Ok(sent) => failed.extend(sent.into_iter().filter(|s| !s.ok).map(|s| format!("{}: {}", s.what, s.said))),
        Err(e) => failed.push(format!("sending the report: {e}")),
    }
    Ok(if failed.is_empty() {
        Ended::ok()
    } else {
        Ended { status: JobStatus::Partial, error: Some(format!("What failed: {}", failed.join("; "))) }
    })
}
