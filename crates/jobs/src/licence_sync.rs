//! The licence sync on the queue: a run begins (or, taken over, continues) its `sync_runs` record
//! and goes through every tenant.

use seatsync_db::{jobs as db, PgPool};
use seatsync_licence_sync::{Scope, SyncError, Trigger};

use crate::{queue::status_of, Ended, JobParts, JobRun, Stop};

pub(crate) async fn run(pool: &PgPool, parts: &JobParts, stored: &JobRun) -> Result<Ended, Stop> {
    let Some(sync) = parts.licence_sync.get() else {
        return Err(Stop::Fail("Partner Center and Microsoft Graph are not configured.".into()));
    };
    let trigger = match stored.requested_by {
        Some(by) => Trigger::Manual { by },
        None => Trigger::Schedule,
    };
    let scope = match &stored.scope_tenant_id {
        Some(tenant) => Scope::Tenant(tenant.clone()),
        None => Scope::All,
    };
    let begun = match sync.begin(trigger, scope, stored.detail_run_id).await {
        Ok(begun) => begun,
        // Held outside the queue (a benchmark, or an instance cut off from the database but
        // still running): later.
        Err(SyncError::AlreadyRunning) => return Err(Stop::Retry(SyncError::AlreadyRunning.to_string())),
        Err(e @ SyncError::UnknownTenant) => return Err(Stop::Fail(e.to_string())),
        Err(SyncError::Db(e)) => return Err(Stop::Retry(e.to_string())),
    };
    db::set_detail(pool, stored.id, begun.run).await.map_err(|e| Stop::Retry(e.to_string()))?;
    let finished = sync.complete(begun).await.map_err(|e| Stop::Retry(e.to_string()))?;
    Ok(Ended { status: status_of(finished.status), error: finished.error })
}
