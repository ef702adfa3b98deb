//! Background jobs: the job queue started with every job's schedule, and the first runs a new
//! installation needs. (The vendor clients they use are built by `seatsync-integrations`.)

use std::sync::Arc;

use seatsync_db::PgPool;
use seatsync_domain::{kinds::JobKind, OfferKey, SubscriptionId};
use seatsync_jobs::{JobParts, JobSettings, Jobs};

use crate::Config;

/// The jobs on the durable queue, started on this instance: each configured job on its
/// schedule, and the first runs a new installation needs (a licence sync when none ever ran, an
/// Autotask refresh when the cache was never filled). Several instances may do this at once: the
/// queue lets one run of each through.
pub async fn start(config: &Config, pool: &PgPool, parts: JobParts) -> anyhow::Result<Arc<Jobs>> {
    let settings = JobSettings {
        schedules: vec![
            (JobKind::LicenceSync, config.sync.licence_cron.clone()),
            (JobKind::AutotaskRefresh, config.sync.autotask_refresh_cron.clone()),
            (JobKind::ContractSync, config.sync.contract_sync_cron.clone()),
            (JobKind::ContractResume, config.sync.contract_resume_cron.clone()),
            (JobKind::DeliveryResume, config.sync.delivery_resume_cron.clone()),
            (JobKind::LicenceAlerts, config.sync.licence_alerts_cron.clone()),
            (JobKind::BillingReport, config.sync.billing_report_cron.clone()),
        ],
        lease: config.sync.job_lease,
        poll: config.sync.job_poll,
        instance: JobSettings::instance_name(),
    };
    let jobs = Jobs::new(pool.clone(), parts, settings).await?;
    jobs.start();
    if jobs.parts().licence_sync.is_set()
        && config.sync.on_first_start
        && seatsync_db::sync_runs::latest(pool).await?.is_none()
    {
        tracing::info!("no licence sync has run yet: queueing the first one");
        jobs.request_first(JobKind::LicenceSync).await?;
    }
    if jobs.parts().mapping.autotask_configured()
        && seatsync_db::autotask_cache::latest_refreshes(pool).await?.good.is_none()
    {
        jobs.request_first(JobKind::AutotaskRefresh).await?;
    }
    Ok(jobs)
}

/// Gives subscriptions stored before offers had keys their key (once, at start).
pub async fn backfill_offer_keys(pool: &PgPool) -> anyhow::Result<()> {
    let missing = seatsync_db::mappings::subscriptions_without_offer_key(pool).await?;
    if missing.is_empty() {
        return Ok(());
    }
    let (ids, keys): (Vec<SubscriptionId>, Vec<String>) = missing
        .into_iter()
        .map(|s| {
            let key = OfferKey::from_subscription(&s.offer_id, s.term.as_deref(), s.billing_cycle.as_deref());
            (s.id, key.to_key_string())
        })
        .unzip();
    seatsync_db::mappings::set_offer_keys(pool, &ids, &keys).await?;
    tracing::info!(subscriptions = ids.len(), "offer keys filled in");
    Ok(())
}
