//! The contract sync on the queue: a run begins (or, taken over, continues) its
//! `contract_sync_runs` record. A run taken over re-reads Autotask before it plans, so a change
//! its dead instance already made is seen there and not made again.

use seatsync_contracts::{
    job::{Scope, Trigger},
    ContractError,
};
use seatsync_db::{jobs as db, PgPool};

use crate::{queue::status_of, Ended, JobParts, JobRun, Stop};

pub(crate) async fn run(pool: &PgPool, parts: &JobParts, stored: &JobRun) -> Result<Ended, Stop> {
    let trigger = match stored.requested_by {
        Some(by) => Trigger::Manual { by },
        None => Trigger::Schedule,
    };
    let scope = match &stored.scope_tenant_id {
        Some(tenant) => Scope::Tenant(tenant.clone()),
        None => Scope::All,
    };
    let contracts = &parts.contracts;
    let begun = match contracts.begin_sync(trigger, scope, stored.dry_run, stored.detail_run_id).await {
        Ok(begun) => begun,
        Err(e @ (ContractError::Busy(_) | ContractError::Db(_) | ContractError::Vendor(_))) => {
            return Err(Stop::Retry(e.to_string()))
        }
        Err(e) => return Err(Stop::Fail(e.to_string())),
    };
    db::set_detail(pool, stored.id, begun.run).await.map_err(|e| Stop::Retry(e.to_string()))?;
    let finished = contracts.complete_sync(begun).await.map_err(|e| Stop::Retry(e.to_string()))?;
    Ok(Ended { status: status_of(finished.status), error: finished.error })
}
