//! The licence sync job.
//!
//! For every customer tenant Partner Center lists: its subscriptions (Partner Center) and its
//! seats bought and assigned (Graph `subscribedSkus`), stored in one transaction per tenant. At
//! most `concurrency` tenants are in flight at once. A tenant that fails keeps its last good data
//! and its error is recorded, both on the tenant and in the run. One run at a time across every
//! SeatSync instance: a PostgreSQL advisory lock is held for the whole run.
//!
//! The job is idempotent: running it twice stores the same data and adds one history point per
//! run.

use std::sync::Arc;

use chrono::Utc;
use futures::{stream, StreamExt};
use seatsync_db::{licences, sync_runs, tenants, DbError, PgPool};
use seatsync_vendors::{
    graph::{Graph, SubscribedSku},
    partner_center::{PartnerCenter, Subscription},
};
use sqlx::pool::PoolConnection;
use uuid::Uuid;

/// The advisory-lock key of the licence sync ("SeatSync licences").
const LOCK_KEY: i64 = 0x5ea7_5c_11ce;

/// Who asked for a run.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    Schedule,
    Manual { by: Uuid },
}

/// Which tenants a run covers.
#[derive(Debug, Clone)]
pub enum Scope {
    All,
    Tenant(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("a licence sync is already running; wait for it to finish")]
    AlreadyRunning,
    #[error("that tenant is not known; run a sync of all tenants first")]
    UnknownTenant,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Db(DbError::Sqlx(e))
    }
}

pub struct LicenceSync {
    pool: PgPool,
    partner_center: Arc<dyn PartnerCenter>,
    graph: Arc<dyn Graph>,
    concurrency: usize,
}

impl LicenceSync {
    pub fn new(pool: PgPool, partner_center: Arc<dyn PartnerCenter>, graph: Arc<dyn Graph>, concurrency: usize) -> Arc<Self> {
        Arc::new(Self { pool, partner_center, graph, concurrency: concurrency.max(1) })
    }

    /// Takes the lock and records the run, then runs it in the background. Returns the run id
    /// at once, so the page can follow its progress.
    pub async fn start(self: &Arc<Self>, trigger: Trigger, scope: Scope) -> Result<i64, SyncError> {
        let (run, lock) = self.begin(trigger, &scope).await?;
        let this = self.clone();
        tokio::spawn(async move { this.execute(run, scope, lock).await });
        Ok(run)
    }

    /// Runs a sync to the end (the scheduler, tests and the benchmark use this).
    pub async fn run(self: &Arc<Self>, trigger: Trigger, scope: Scope) -> Result<i64, SyncError> {
        let (run, lock) = self.begin(trigger, &scope).await?;
        self.execute(run, scope, lock).await;
        Ok(run)
    }

    async fn begin(&self, trigger: Trigger, scope: &Scope) -> Result<(i64, PoolConnection<sqlx::Postgres>), SyncError> {
        if let Scope::Tenant(id) = scope {
            match tenants::find(&self.pool, id).await {
                Err(DbError::NotFound) => return Err(SyncError::UnknownTenant),
                other => other.map(|_| ())?,
            }
        }
        // A session-level lock on a connection of its own, released when the run ends.
        let mut lock = self.pool.acquire().await?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(LOCK_KEY).fetch_one(&mut *lock).await?;
        if !locked {
            return Err(SyncError::AlreadyRunning);
        }
        // Holding the lock, any run still marked running was cut short by a crash.
        sync_runs::abandon_stale(&self.pool).await?;
        let (kind, by) = match trigger {
            Trigger::Schedule => ("schedule", None),
            Trigger::Manual { by } => ("manual", Some(by)),
        };
        let scope_id = match scope {
            Scope::All => None,
            Scope::Tenant(id) => Some(id.as_str()),
        };
        let run = sync_runs::start(&self.pool, kind, scope_id, by).await?;
        Ok((run, lock))
    }

    async fn execute(&self, run: i64, scope: Scope, mut lock: PoolConnection<sqlx::Postgres>) {
        let started = std::time::Instant::now();
        let outcome = self.sync_tenants(run, scope).await;
        let error = outcome.err().map(|e| e.to_string());
        if let Err(e) = sync_runs::finish(&self.pool, run, error.as_deref()).await {
            tracing::error!(run, error = %e, "recording the end of the licence sync failed");
        }
        if let Err(e) = sqlx::query("SELECT pg_advisory_unlock($1)").bind(LOCK_KEY).execute(&mut *lock).await {
            // Closing the connection releases the lock as well.
            tracing::warn!(error = %e, "releasing the licence-sync lock failed; closing its connection");
            lock.detach();
        }
        tracing::info!(run, elapsed_ms = started.elapsed().as_millis() as u64, error = ?error, "licence sync finished");
    }

    async fn sync_tenants(&self, run: i64, scope: Scope) -> Result<(), String> {
        let ids = match scope {
            Scope::Tenant(id) => vec![id],
            Scope::All => {
                let customers = self.partner_center.customers().await.map_err(|e| format!("listing customers failed: {e}"))?;
                let listed: Vec<(String, String, Option<String>)> = customers
                    .iter()
                    .map(|c| {
                        let name = c.company_profile.company_name.clone().unwrap_or_else(|| c.tenant_id().to_string());
                        (c.tenant_id().to_ascii_lowercase(), name, c.company_profile.domain.clone())
                    })
                    .collect();
                let mut conn = self.pool.acquire().await.map_err(|e| e.to_string())?;
                tenants::upsert_listed(&mut conn, &listed).await.map_err(|e| e.to_string())?;
                listed.into_iter().map(|(id, _, _)| id).collect()
            }
        };
        sync_runs::set_total(&self.pool, run, ids.len() as i32).await.map_err(|e| e.to_string())?;
        stream::iter(ids)
            .for_each_concurrent(self.concurrency, |tenant_id| async move {
                self.sync_tenant(run, &tenant_id).await;
            })
            .await;
        Ok(())
    }

    async fn sync_tenant(&self, run: i64, tenant_id: &str) {
        let (subs, skus) = tokio::join!(self.partner_center.subscriptions(tenant_id), self.graph.subscribed_skus(tenant_id));
        let result = match (subs, skus) {
            (Ok(subs), Ok(skus)) => {
                let count = subs.len() as i32;
                let (subs, skus) = to_rows(tenant_id, &subs, &skus);
                licences::store_tenant_sync(&self.pool, tenant_id, &subs, &skus, Utc::now()).await.map(|_| count).map_err(|e| e.to_string())
            }
            (Err(e), _) => Err(e.to_string()),
            (_, Err(e)) => Err(e.to_string()),
        };
        let recorded = match &result {
            Ok(count) => sync_runs::record_tenant(&self.pool, run, tenant_id, "ok", None, Some(*count)).await,
            Err(error) => {
                tracing::warn!(tenant_id, %error, "tenant sync failed; keeping its last good data");
                let _ = tenants::record_failure(&self.pool, tenant_id, error).await;
                sync_runs::record_tenant(&self.pool, run, tenant_id, "failed", Some(error), None).await
            }
        };
        if let Err(e) = recorded {
            tracing::error!(tenant_id, error = %e, "recording a tenant's sync outcome failed");
        }
    }
}

/// Vendor records to stored rows; each subscription is tied to the SKU whose
/// `subscriptionIds` name it.
fn to_rows(tenant_id: &str, subs: &[Subscription], skus: &[SubscribedSku]) -> (Vec<licences::Subscription>, Vec<licences::SkuConsumption>) {
    let subscriptions = subs
        .iter()
        .map(|s| licences::Subscription {
            id: s.id.to_ascii_lowercase(),
            tenant_id: tenant_id.to_string(),
            offer_id: s.offer_id.clone(),
            offer_name: s.offer_name.clone(),
            friendly_name: s.friendly_name.clone(),
            quantity: s.quantity,
            unit_type: s.unit_type.clone(),
            term: s.term_duration.clone(),
            billing_cycle: s.billing_cycle.clone(),
            effective_start: s.effective_start_date,
            commitment_end: s.commitment_end_date,
            cancellation_allowed_until: s.cancellation_allowed_until_date,
            status: s.status.clone(),
            auto_renew: s.auto_renew_enabled,
            is_nce: s.is_nce(),
            is_trial: s.is_trial,
            sku_id: skus
                .iter()
                .find(|k| k.subscription_ids.iter().any(|id| id.eq_ignore_ascii_case(&s.id)))
                .map(|k| k.sku_id.to_ascii_lowercase()),
        })
        .collect();
    let skus = skus
        .iter()
        .map(|k| licences::SkuConsumption {
            sku_id: k.sku_id.to_ascii_lowercase(),
            sku_part_number: k.sku_part_number.clone(),
            applies_to: k.applies_to.clone(),
            capability_status: k.capability_status.clone(),
            consumed: k.consumed_units,
            enabled: k.prepaid_units.enabled.unwrap_or(0),
            suspended: k.prepaid_units.suspended.unwrap_or(0),
            warning: k.prepaid_units.warning.unwrap_or(0),
            locked_out: k.prepaid_units.locked_out.unwrap_or(0),
        })
        .collect();
    (subscriptions, skus)
}
