//! The unused-licence alerts on the queue: Pax8 read, companies matched, every tenant weighed.
//! A run taken over simply runs again: it reads and replaces, and changes no vendor. A Pax8 read
//! that fails keeps the last good one; the run then ends partial and says so.

use seatsync_db::{jobs as db, kinds::JobStatus, PgPool};

use crate::{Ended, JobParts, JobRun, Stop};

pub(crate) async fn run(pool: &PgPool, parts: &JobParts, stored: &JobRun) -> Result<Ended, Stop> {
    match parts.licence_alerts.run(chrono::Utc::now()).await {
        Ok(summary) => {
            db::set_detail(pool, stored.id, summary.run_id).await.map_err(|e| Stop::Retry(e.to_string()))?;
            Ok(match summary.pax8_error {
                Some(e) => Ended {
                    status: JobStatus::Partial,
                    error: Some(format!("Pax8 could not be read ({e}); its last good read was used")),
                },
                None => Ended::ok(),
            })
        }
        Err(e) => Err(Stop::Retry(e.to_string())),
    }
}
