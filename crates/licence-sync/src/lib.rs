//! The licence sync job.
//!
//! For every customer tenant Partner Center lists: its subscriptions (Partner Center) and its
//! seats bought and assigned (Graph `subscribedSkus`, after a client-credentials token in the
//! tenant). `concurrency` bounds the vendor requests in flight at once, whichever vendor they go
//! to (listing, token requests and retries included), and the work is pipelined so that a slot
//! freed is taken again at once: a tenant's Partner Center call and Graph token are asked for
//! together, twice as many tenants as slots are in progress, and each page of the customer list
//! is fetched as soon as it arrives.
//!
//! Fetched tenants are stored in batches by one writer, once the listing is recorded: each batch,
//! with every tenant's outcome in the run, in one transaction, so the run's live counters move
//! with every batch. Each source of a tenant stands on its own: when Partner Center answers and
//! Graph does not (or the other way round), what answered is stored and the other keeps its last
//! good data, with its error and the time of its last good answer on the tenant (outcome
//! `partial` in the run). A tenant that fails keeps its last good data and its error is recorded,
//! both on the tenant and in the run; when a batch cannot be written its tenants are written one
//! by one, so only a tenant the database refuses fails. One run at a time across every SeatSync
//! instance: a PostgreSQL advisory lock is held for the whole run.
//!
//! The job is idempotent: running it twice stores the same data and adds one history point per
//! run.

use std::sync::Arc;

use chrono::Utc;
use futures::{stream, StreamExt};
use seatsync_db::{
    kinds::{RunTrigger, TenantOutcome},
    licences,
    locks::AdvisoryLock,
    sync_runs, tenants,
    tenants::ListedTenant,
    DbError, PgPool,
};
use seatsync_domain::TenantId;
use seatsync_vendors::{
    graph::{Graph, SubscribedSku},
    partner_center::{Customer, PartnerCenter, Subscription},
};
use tokio::sync::{mpsc, Semaphore};
use uuid::Uuid;

/// The advisory-lock key of the licence sync ("SeatSync licences").
const LOCK_KEY: i64 = 0x005e_a75c_11ce;

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
    Tenant(TenantId),
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

pub struct LicenceSync {
    pool: PgPool,
    partner_center: Arc<dyn PartnerCenter>,
    graph: Arc<dyn Graph>,
    /// Vendor requests in flight at most.
    concurrency: usize,
}

impl LicenceSync {
    /// `concurrency`: how many vendor requests the sync keeps in flight at most (at least one).
    /// Twice as many tenants are in progress at once, and one database connection writes, besides
    /// the one holding the lock.
    pub fn new(
        pool: PgPool,
        partner_center: Arc<dyn PartnerCenter>,
        graph: Arc<dyn Graph>,
        concurrency: usize,
    ) -> Arc<Self> {
        Arc::new(Self { pool, partner_center, graph, concurrency: concurrency.max(1) })
    }

    /// The Partner Center client the sync reads with (the Settings page tests it).
    pub fn partner_center(&self) -> &Arc<dyn PartnerCenter> {
        &self.partner_center
    }

    /// The Graph client the sync reads with (the Settings page tests it).
    pub fn graph(&self) -> &Arc<dyn Graph> {
        &self.graph
    }

    /// Runs a sync to the end (tests and the benchmark use this; the job queue goes through
    /// [`LicenceSync::begin`] and [`LicenceSync::complete`] to tie the run to its queue entry).
    pub async fn run(self: &Arc<Self>, trigger: Trigger, scope: Scope) -> Result<i64, SyncError> {
        let begun = self.begin(trigger, scope, None).await?;
        let run = begun.run;
        self.complete(begun).await?;
        Ok(run)
    }

    /// Takes the lock and records the run, or takes up `resume` again when that run was cut
    /// short (its instance died): the tenants it already recorded are not fetched again.
    pub async fn begin(&self, trigger: Trigger, scope: Scope, resume: Option<i64>) -> Result<Begun, SyncError> {
        if let Scope::Tenant(id) = &scope {
            match tenants::find(&self.pool, id).await {
                Err(DbError::NotFound) => return Err(SyncError::UnknownTenant),
                other => other.map(|_| ())?,
            }
        }
        // Released when the run ends, or with its connection if the run is dropped half-way.
        let Some(lock) = AdvisoryLock::try_acquire(&self.pool, LOCK_KEY).await? else {
            return Err(SyncError::AlreadyRunning);
        };
        let resumed = match resume {
            Some(run) => sync_runs::find(&self.pool, run).await.ok().filter(|r| r.finished_at.is_none()).map(|r| r.id),
            None => None,
        };
        // Holding the lock, any other run still marked running was cut short by a crash.
        sync_runs::abandon_stale(&self.pool, resumed).await?;
        let run = match resumed {
            Some(run) => run,
            None => {
                let (kind, by) = match trigger {
                    Trigger::Schedule => (RunTrigger::Schedule, None),
                    Trigger::Manual { by } => (RunTrigger::Manual, Some(by)),
                };
                let scope_id = match &scope {
                    Scope::All => None,
                    Scope::Tenant(id) => Some(id.as_str()),
                };
                sync_runs::start(&self.pool, kind, scope_id, by).await?
            }
        };
        Ok(Begun { run, scope, lock, resumed: resumed.is_some() })
    }

    /// Runs a begun sync to its end and releases the lock; the run as recorded.
    pub async fn complete(&self, begun: Begun) -> Result<sync_runs::SyncRun, DbError> {
        let Begun { run, scope, lock, resumed } = begun;
        let started = std::time::Instant::now();
        let outcome = self.sync_tenants(run, scope).await;
        let error = outcome.err().map(|e| e.to_string());
        let finished = sync_runs::finish(&self.pool, run, error.as_deref()).await;
        if let Err(e) = &finished {
            tracing::error!(run, error = %e, "recording the end of the licence sync failed");
        }
        lock.release().await;
        tracing::info!(run, resumed, elapsed_ms = started.elapsed().as_millis() as u64, error = ?error, "licence sync finished");
        finished?;
        sync_runs::find(&self.pool, run).await
    }

    async fn sync_tenants(&self, run: i64, scope: Scope) -> Result<(), String> {
        // Every vendor request takes one of `concurrency` slots for its duration (retries and
        // their waits included); the slots are handed out first come, first served.
        let slots = &Semaphore::new(self.concurrency);
        // A run taken up again after its instance died goes on where it stopped.
        let recorded = sync_runs::recorded_tenants(&self.pool, run).await.map_err(|e| e.to_string())?;
        let recorded = &recorded;
        let (listed_tx, listed_rx) = mpsc::unbounded_channel::<TenantId>();
        let (done, mut fetched) = mpsc::channel::<Fetched>(self.tenants_in_progress());

        // Listing: the tenants of the run. Each page's tenants are fetched as soon as it
        // arrives; nothing is stored before every tenant is listed and recorded.
        let listing = async move {
            let total = match scope {
                Scope::Tenant(id) => {
                    if !recorded.contains(&id) {
                        let _ = listed_tx.send(id);
                    }
                    1
                }
                Scope::All => {
                    let listed = std::sync::Mutex::new(Vec::new());
                    let on_page = {
                        let listed = &listed;
                        move |page: Vec<Customer>| {
                            let mut listed = listed.lock().unwrap_or_else(|p| p.into_inner());
                            for c in page {
                                let name =
                                    c.company_profile.company_name.clone().unwrap_or_else(|| c.tenant_id().to_string());
                                let id = c.tenant_id().to_ascii_lowercase();
                                // The receiver outlives every sender: this cannot fail.
                                if !recorded.contains(id.as_str()) {
                                    let _ = listed_tx.send(id.clone());
                                }
                                listed.push(ListedTenant { tenant_id: id, name, domain: c.company_profile.domain });
                            }
                        }
                    };
                    {
                        // The pages are asked for one after another: one slot.
                        let _slot = slots.acquire().await.expect("the request slots are never closed");
                        self.partner_center
                            .customer_pages(&on_page)
                            .await
                            .map_err(|e| format!("listing customers failed: {e}"))?;
                    }
                    drop(on_page);
                    let listed = listed.into_inner().unwrap_or_else(|p| p.into_inner());
                    tenants::upsert_listed(&self.pool, &listed).await.map_err(|e| e.to_string())?;
                    listed.len()
                }
            };
            sync_runs::set_total(&self.pool, run, total as i32).await.map_err(|e| e.to_string())
        };

        // Fetching: twice as many tenants in progress as there are slots, so a freed slot
        // always has a request waiting for it.
        let fetch = async move {
            let ids = stream::unfold(listed_rx, |mut rx| async move { rx.recv().await.map(|id| (id, rx)) });
            ids.for_each_concurrent(self.tenants_in_progress(), |tenant_id| {
                let done = done.clone();
                async move {
                    let fetched = self.fetch(slots, &tenant_id).await;
                    // The writer stops receiving only when every sender is gone or the run has
                    // failed (and this is being dropped), so this cannot fail.
                    let _ = done.send(fetched).await;
                }
            })
            .await;
            Ok(())
        };

        // Storing, once the listing is recorded: one writer takes whatever tenants have
        // finished fetching (a batch grows while the previous one is written) and stores them
        // with their outcomes in one transaction, so the run's counters move with every batch.
        let store = async {
            listing.await?;
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while fetched.recv_many(&mut batch, MAX_BATCH).await > 0 {
                self.store(run, &batch).await;
                batch.clear();
            }
            Ok(())
        };
        // A failed listing fails the run and cancels what was being fetched.
        tokio::try_join!(fetch, store).map(|_| ())
    }

    fn tenants_in_progress(&self) -> usize {
        self.concurrency * 2
    }

    /// One tenant's subscriptions and seats, each source on its own. Partner Center and the
    /// Graph token are asked for at once; the seats follow the token.
    async fn fetch(&self, slots: &Semaphore, tenant_id: &TenantId) -> Fetched {
        let slot = || async { slots.acquire().await.expect("the request slots are never closed") };
        let subscriptions = async {
            let _slot = slot().await;
            self.partner_center.subscriptions(tenant_id).await
        };
        let skus = async {
            {
                let _slot = slot().await;
                self.graph.prepare(tenant_id).await?;
            }
            let _slot = slot().await;
            self.graph.subscribed_skus(tenant_id).await
        };
        let (subscriptions, skus) = tokio::join!(subscriptions, skus);
        let fetched =
            Fetched::new(tenant_id, subscriptions.map_err(|e| e.to_string()), skus.map_err(|e| e.to_string()));
        if let Some(error) = fetched.rows().error() {
            tracing::warn!(%tenant_id, error = ?error, "tenant sync failed in part or whole; what failed keeps its last good data");
        }
        fetched
    }

    /// Stores a batch of fetched tenants with their outcomes. Should that fail, each tenant is
    /// stored on its own, so a tenant whose data the database refuses fails alone.
    async fn store(&self, run: i64, batch: &[Fetched]) {
        let at = Utc::now();
        let Err(e) = self.store_batch(run, batch, at).await else { return };
        if batch.len() > 1 {
            tracing::warn!(tenants = batch.len(), error = %e, "storing a batch of tenants failed; storing them one by one");
            for tenant in batch {
                self.store_alone(run, tenant, at).await;
            }
        } else if let Some(tenant) = batch.first() {
            self.record_store_failure(run, tenant, e).await;
        }
    }

    async fn store_alone(&self, run: i64, tenant: &Fetched, at: chrono::DateTime<Utc>) {
        if let Err(e) = self.store_batch(run, std::slice::from_ref(tenant), at).await {
            self.record_store_failure(run, tenant, e).await;
        }
    }

    /// A tenant that could not be stored: its data was fetched but the write failed, so it is
    /// recorded as failed with the database's error and keeps its last good data.
    async fn record_store_failure(&self, run: i64, tenant: &Fetched, e: DbError) {
        let tenant_id = tenant.tenant_id.as_str();
        if tenant.subscriptions.is_err() && tenant.skus.is_err() {
            // Only its failure was to be written, and even that failed.
            tracing::error!(%tenant_id, error = %e, "recording a tenant's sync outcome failed");
            return;
        }
        let error = e.to_string();
        tracing::warn!(%tenant_id, %error, "storing a tenant's sync failed; keeping its last good data");
        let failed =
            Fetched { tenant_id: tenant.tenant_id.clone(), subscriptions: Err(error.clone()), skus: Err(error) };
        if let Err(e) = self.store_batch(run, std::slice::from_ref(&failed), Utc::now()).await {
            tracing::error!(%tenant_id, error = %e, "recording a tenant's sync outcome failed");
        }
    }

    /// One transaction: what each tenant's sources returned, the failures of the others, and
    /// every tenant's outcome in the run.
    async fn store_batch(&self, run: i64, batch: &[Fetched], at: chrono::DateTime<Utc>) -> Result<(), DbError> {
        let rows: Vec<licences::TenantRows<'_>> = batch.iter().map(Fetched::rows).collect();
        let errors: Vec<Option<String>> = rows.iter().map(licences::TenantRows::error).collect();
        let outcomes: Vec<sync_runs::Outcome<'_>> = batch
            .iter()
            .zip(&errors)
            .map(|(t, error)| sync_runs::Outcome {
                tenant_id: &t.tenant_id,
                outcome: match (&t.subscriptions, &t.skus) {
                    (Ok(_), Ok(_)) => TenantOutcome::Ok,
                    (Err(_), Err(_)) => TenantOutcome::Failed,
                    _ => TenantOutcome::Partial,
                },
                error: error.as_deref(),
                subscriptions: t.subscriptions.as_ref().ok().map(|s| s.len() as i32),
            })
            .collect();
        seatsync_db::in_transaction(&self.pool, async |tx| {
            licences::store_tenant_syncs(tx, &rows, at).await?;
            sync_runs::record_tenants(tx, run, &outcomes).await
        })
        .await
    }
}

/// A run that holds the lock and is recorded, ready to [`LicenceSync::complete`].
#[derive(Debug)]
pub struct Begun {
    pub run: i64,
    scope: Scope,
    lock: AdvisoryLock,
    resumed: bool,
}

/// Tenants stored in one transaction at most.
const MAX_BATCH: usize = 100;

/// A tenant's fetched data as stored rows, each source with its own outcome.
struct Fetched {
    tenant_id: TenantId,
    subscriptions: Result<Vec<licences::Subscription>, String>,
    skus: Result<Vec<licences::SkuConsumption>, String>,
}

impl Fetched {
    fn new(
        tenant_id: &TenantId,
        subscriptions: Result<Vec<Subscription>, String>,
        skus: Result<Vec<SubscribedSku>, String>,
    ) -> Self {
        let subscriptions = subscriptions.map(|subs| subscription_rows(tenant_id, &subs, skus.as_deref().ok()));
        Self { tenant_id: tenant_id.clone(), subscriptions, skus: skus.map(|skus| sku_rows(&skus)) }
    }

    fn rows(&self) -> licences::TenantRows<'_> {
        licences::TenantRows {
            tenant_id: &self.tenant_id,
            subscriptions: self.subscriptions.as_deref().map_err(String::as_str),
            skus: self.skus.as_deref().map_err(String::as_str),
        }
    }
}

/// Partner Center's subscriptions as stored rows; each is tied to the SKU whose
/// `subscriptionIds` name it, when Graph answered (`skus`).
fn subscription_rows(
    tenant_id: &TenantId,
    subs: &[Subscription],
    skus: Option<&[SubscribedSku]>,
) -> Vec<licences::Subscription> {
    subs.iter()
        .map(|s| licences::Subscription {
            id: s.id.to_ascii_lowercase(),
            tenant_id: tenant_id.clone(),
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
            next_term_quantity: s.scheduled_next_term_instructions.as_ref().and_then(|i| i.quantity),
            sku_id: skus
                .unwrap_or_default()
                .iter()
                .find(|k| k.subscription_ids.iter().any(|id| id.as_str().eq_ignore_ascii_case(s.id.as_str())))
                .map(|k| k.sku_id.to_ascii_lowercase()),
        })
        .collect()
}

/// Graph's SKUs as stored rows.
fn sku_rows(skus: &[SubscribedSku]) -> Vec<licences::SkuConsumption> {
    skus.iter()
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
        .collect()
}
