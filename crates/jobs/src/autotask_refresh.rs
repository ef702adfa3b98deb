//! The Autotask refresh on the queue: companies and services read again into the cache. Reads
//! only, so a run taken over simply reads again; a failed read keeps the previous cache.

use seatsync_db::{jobs as db, PgPool};
use seatsync_domain::kinds::JobTrigger;

use crate::{Ended, JobParts, JobRun, Stop};

pub(crate) async fn run(pool: &PgPool, parts: &JobParts, stored: &JobRun) -> Result<Ended, Stop> {
    // The refresh history's own spelling of why it ran.
    let trigger = match stored.trigger {
        JobTrigger::Manual => "manual",
        JobTrigger::Start => "start",
        JobTrigger::Schedule | JobTrigger::CatchUp => "schedule",
    };
    match parts.mapping.refresh_cache(trigger, stored.requested_by).await {
        Ok(summary) => {
            db::set_detail(pool, stored.id, summary.refresh).await.map_err(|e| Stop::Retry(e.to_string()))?;
            Ok(Ended::ok())
        }
        Err(e) => Ok(Ended::failed(format!("{e}; the previous companies and services stay"))),
    }
}
