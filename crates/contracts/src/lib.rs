//! Suggested contracts and keeping Autotask contracts in line with Partner Center.
//!
//! - [`view`]: a tenant's subscriptions grouped into suggested contracts (term and aligned dates),
//!   each matched to its Autotask contract, each row with its state in words.
//! - [`snapshot`]: reading contracts, their services and units from Autotask (three batched reads
//!   for any number of companies) into PostgreSQL.
//! - [`create`]: one click, one contract: the intent is recorded first and Autotask re-read before
//!   any create is retried, so double clicks, two tabs, timeouts and crashes never duplicate.
//! - [`push`]: bringing one group's contract in line (adjustments, added services, flags).
//! - [`job`]: the contract sync of every mapped tenant, scheduled or on demand, or as a dry run.

pub mod create;
mod error;
pub mod job;
pub mod push;
pub mod snapshot;
pub mod view;

use std::sync::Arc;

use seatsync_db::{locks::AdvisoryLock, PgPool};
use seatsync_domain::TenantId;
use seatsync_vendors::{autotask::Autotask, Slot};

pub use error::ContractError;

/// Advisory-lock class of per-tenant contract work ("SeatSync contracts").
const TENANT_LOCK_CLASS: i32 = 0x005e_a7c0;
/// Advisory-lock key of the contract sync job.
const JOB_LOCK_KEY: i64 = 0x5ea7_c05c;

/// The contract service.
pub struct Contracts {
    pool: PgPool,
    autotask: Slot<dyn Autotask>,
    /// An open creation intent not touched for this long belongs to a process that stopped.
    stale_after_secs: i64,
}

impl Contracts {
    pub fn new(pool: PgPool, autotask: Slot<dyn Autotask>) -> Arc<Self> {
        Self::with_stale_after(pool, autotask, 60)
    }

    /// Like [`Contracts::new`], with the age after which an unfinished creation is resumed.
    pub fn with_stale_after(pool: PgPool, autotask: Slot<dyn Autotask>, stale_after_secs: i64) -> Arc<Self> {
        Arc::new(Self { pool, autotask, stale_after_secs: stale_after_secs.max(1) })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn autotask(&self) -> Result<Arc<dyn Autotask>, ContractError> {
        self.autotask.get().ok_or(ContractError::NotConfigured)
    }

    /// Holds the tenant's contract lock while `work` runs, so a click, a second tab and the
    /// sync job never plan from the same units at once (adjustments are deltas).
    async fn with_tenant_lock<T>(
        &self,
        tenant_id: &TenantId,
        work: impl std::future::Future<Output = Result<T, ContractError>>,
    ) -> Result<T, ContractError> {
        let lock = AdvisoryLock::acquire_named(&self.pool, TENANT_LOCK_CLASS, tenant_id.as_str()).await?;
        let out = work.await;
        lock.release().await;
        out
    }
}
