//! The billing count report on the queue: every tool asked in turn, the table stored whole. A run
//! taken over simply runs again (it only reads the tools and writes one new report); a tool that
//! fails leaves its columns blank and ends the run partial, naming it.

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
    Ok(if failed.is_empty() {
        Ended::ok()
    } else {
        Ended {
            status: JobStatus::Partial,
            error: Some(format!("Left blank, as these tools failed: {}", failed.join("; "))),
        }
    })
}
