//! The contract sync: for every mapped tenant, bring Autotask in line with Partner Center.
//! Quantity changes become adjustments (the delta), new subscriptions become contract services,
//! services without an active subscription are flagged for a person (never removed). A dry run
//! records exactly what would change, tenant by tenant, and writes nothing to Autotask.
//!
//! Reads are batched across tenants: the contracts, contract services and units of all mapped
//! companies are read with `in` filters (500 ids a request), so a full run costs a few reads per
//! 500 tenants plus one write per change. One run at a time across instances (advisory lock).

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use seatsync_db::{
    contracts as db,
    kinds::{RunTrigger, TenantOutcome},
    locks::AdvisoryLock,
};
use seatsync_domain::{grouping::ContractMatch, CompanyId, TenantId};
use uuid::Uuid;

use crate::{
    push::{adjustment_date, Applier},
    view::{tenant_contracts, Shared},
    ContractError, Contracts, JOB_LOCK_KEY,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    Manual { by: Uuid },
}

/// Tenants the run covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Tenant(TenantId),
}

/// A contract sync that holds the lock and is recorded, ready to [`Contracts::complete_sync`].
#[derive(Debug)]
pub struct BegunSync {
    pub run: i64,
    scope: Scope,
    dry_run: bool,
    lock: AdvisoryLock,
}

impl Contracts {
    /// Runs a sync to the end (tests and the benchmark; the job queue goes through
    /// [`Contracts::begin_sync`] and [`Contracts::complete_sync`]).
    pub async fn run_sync(
        self: &Arc<Self>,
        trigger: Trigger,
        scope: Scope,
        dry_run: bool,
    ) -> Result<i64, ContractError> {
        let begun = self.begin_sync(trigger, scope, dry_run, None).await?;
        let run = begun.run;
        self.complete_sync(begun).await?;
        Ok(run)
    }

    /// Takes the lock and records the run, or takes up `resume` again when that run was cut short
    /// (its instance died). A run taken up skips the tenants it recorded, and plans the others
    /// from a fresh read of Autotask, so a change its first attempt made is not made again.
    pub async fn begin_sync(
        &self,
        trigger: Trigger,
        scope: Scope,
        dry_run: bool,
        resume: Option<i64>,
    ) -> Result<BegunSync, ContractError> {
        self.autotask()?;
        let Some(lock) = AdvisoryLock::try_acquire(&self.pool, JOB_LOCK_KEY).await? else {
            return Err(ContractError::Busy("A contract sync is already running; wait for it to finish.".into()));
        };
        let resumed = match resume {
            Some(run) => db::run(&self.pool, run).await.ok().filter(|r| r.finished_at.is_none()).map(|r| r.id),
            None => None,
        };
        db::abandon_stale_runs(&self.pool, resumed).await?;
        let run = match resumed {
            Some(run) => run,
            None => {
                let (kind, by) = match trigger {
                    Trigger::Schedule => (RunTrigger::Schedule, None),
                    Trigger::Manual { by } => (RunTrigger::Manual, Some(by)),
                };
                let scope_id = match &scope {
                    Scope::All => None,
                    Scope::Tenant(t) => Some(t.as_str()),
                };
                db::start_run(&self.pool, kind, dry_run, scope_id, by).await?
            }
        };
        Ok(BegunSync { run, scope, dry_run, lock })
    }

    /// Runs a begun sync to its end and releases the lock; the run as recorded.
    pub async fn complete_sync(&self, begun: BegunSync) -> Result<db::SyncRun, ContractError> {
        let BegunSync { run, scope, dry_run, lock } = begun;
        let client = self.autotask.get();
        let before = client.as_ref().map(|a| a.usage().used_last_hour).unwrap_or(0);
        let outcome = self.sync_tenants(run, scope, dry_run).await;
        let used = client.as_ref().map(|a| a.usage().used_last_hour).unwrap_or(0).saturating_sub(before);
        let error = outcome.err().map(|e| e.to_string());
        let finished = db::finish_run(&self.pool, run, error.as_deref(), used as i32).await;
        if let Err(e) = &finished {
            tracing::error!(run, error = %e, "recording the end of the contract sync failed");
        }
        lock.release().await;
        tracing::info!(run, dry_run, autotask_requests = used, error = ?error, "contract sync finished");
        finished?;
        Ok(db::run(&self.pool, run).await?)
    }

    async fn sync_tenants(&self, run: i64, scope: Scope, dry_run: bool) -> Result<(), ContractError> {
        let today = Utc::now().date_naive();
        let mut tenants = db::mapped_tenants(&self.pool).await?;
        if let Scope::Tenant(id) = &scope {
            tenants.retain(|t| t.tenant_id == *id);
            if tenants.is_empty() {
                return Err(ContractError::Refused(
                    "That tenant is not mapped to an Autotask company, so it has no contract to sync.".into(),
                ));
            }
        }
        db::set_run_total(&self.pool, run, tenants.len() as i32).await?;
        // A run taken up again goes on where it stopped.
        let recorded = db::recorded_run_tenants(&self.pool, run).await?;
        tenants.retain(|t| !recorded.contains(&t.tenant_id));
        let mut companies: Vec<CompanyId> = tenants.iter().map(|t| t.company_id).collect();
        companies.sort_unstable();
        companies.dedup();
        // One batched read of every company's contracts, services and units.
        self.reread_company_contracts(&companies, today).await?;
        let shared = Shared::load(&self.pool).await?;
        for db::MappedTenant { tenant_id, .. } in &tenants {
            let outcome =
                self.with_tenant_lock(tenant_id, self.sync_tenant(run, &shared, tenant_id, dry_run, today)).await;
            let recorded = match &outcome {
                Ok(changes) => {
                    db::record_run_tenant(&self.pool, run, tenant_id, TenantOutcome::Ok, None, *changes as i32).await
                }
                Err(e) => {
                    tracing::warn!(%tenant_id, error = %e, "contract sync of a tenant failed");
                    db::record_run_tenant(&self.pool, run, tenant_id, TenantOutcome::Failed, Some(&e.to_string()), 0)
                        .await
                }
            };
            if let Err(e) = recorded {
                tracing::error!(%tenant_id, error = %e, "recording a tenant's contract-sync outcome failed");
            }
        }
        Ok(())
    }

    /// Plans (and unless a dry run, applies) every group with an active contract; returns the
    /// number of changes.
    async fn sync_tenant(
        &self,
        run: i64,
        shared: &Shared,
        tenant_id: &TenantId,
        dry_run: bool,
        today: NaiveDate,
    ) -> Result<usize, ContractError> {
        let view = tenant_contracts(&self.pool, shared, tenant_id, today).await?;
        let mut changes = 0;
        let mut failed = Vec::new();
        for group in view.groups.iter().filter(|g| !g.plan.is_empty()) {
            let ContractMatch::Active { id } = group.contract else { continue };
            let pushed = self
                .apply_plan(
                    tenant_id,
                    group,
                    id,
                    adjustment_date(&shared.settings, group, today),
                    Applier::run(run, dry_run),
                )
                .await?;
            changes += pushed.applied.len() + pushed.flagged.len();
            if !dry_run && !pushed.applied.is_empty() {
                // The contract's units as Autotask now holds them (one read), so the pages and
                // the dashboard stop counting it as different at once, not after the next read.
                self.refresh_contract_units(id, today).await?;
            }
            failed.extend(pushed.failed);
        }
        if !failed.is_empty() {
            return Err(ContractError::Refused(failed.join("; ")));
        }
        Ok(changes)
    }
}
