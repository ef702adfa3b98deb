//! Background jobs: the vendor clients they need, built from the configuration, and the job
//! queue started with every job's schedule.

use std::{sync::Arc, time::Duration};

use seatsync_db::PgPool;
use seatsync_domain::{kinds::JobKind, OfferKey, SubscriptionId};
use seatsync_jobs::{JobParts, JobSettings, Jobs};
use seatsync_licence_sync::LicenceSync;
use seatsync_vendors::{
    autotask::{Autotask, AutotaskSettings, HttpAutotask},
    graph::{GraphSettings, HttpGraph},
    http::RetryPolicy,
    partner_center::{HttpPartnerCenter, PartnerCenterSettings},
};

use crate::Config;

/// The licence sync, when Partner Center and Graph are both configured.
pub fn licence_sync(config: &Config, pool: PgPool) -> anyhow::Result<Option<Arc<LicenceSync>>> {
    let pc = &config.partner_center;
    let (Some(tenant), Some(client_id), Some(secret), Some(refresh)) =
        (&pc.partner_tenant_id, &pc.client_id, &pc.client_secret, &pc.refresh_token)
    else {
        return Ok(None);
    };
    let (Some(graph_id), Some(graph_secret)) = (&config.graph.client_id, &config.graph.client_secret) else {
        return Ok(None);
    };
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(config.sync.concurrency * 2)
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let policy = RetryPolicy::default();
    let partner_center = HttpPartnerCenter::new(
        PartnerCenterSettings {
            base_url: pc.base_url.clone(),
            login_url: pc.login_url.clone(),
            partner_tenant_id: tenant.clone(),
            client_id: client_id.clone(),
            client_secret: secret.expose().to_string(),
            refresh_token: refresh.expose().to_string(),
        },
        http.clone(),
        policy.clone(),
    );
    let graph = HttpGraph::new(
        GraphSettings {
            base_url: config.graph.base_url.clone(),
            login_url: pc.login_url.clone(),
            client_id: graph_id.clone(),
            client_secret: graph_secret.expose().to_string(),
        },
        http,
        policy,
    );
    Ok(Some(LicenceSync::new(pool, partner_center, graph, config.sync.concurrency)))
}

/// The Autotask client, when its credentials are configured.
pub fn autotask(config: &Config) -> anyhow::Result<Option<Arc<dyn Autotask>>> {
    let at = &config.autotask;
    let (Some(username), Some(secret), Some(code)) = (&at.username, &at.secret, &at.integration_code) else {
        return Ok(None);
    };
    let http = reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).build()?;
    let settings = AutotaskSettings {
        zone_url: at.zone_url.clone(),
        username: username.clone(),
        secret: secret.expose().to_string(),
        integration_code: code.expose().to_string(),
        hourly_share: f64::from(at.hourly_share_percent) / 100.0,
        ..AutotaskSettings::default()
    };
    let client: Arc<dyn Autotask> = HttpAutotask::new(settings, http, RetryPolicy::default());
    Ok(Some(client))
}

/// The jobs on the durable queue, started on this instance: each configured job on its
/// schedule, and the first runs a new installation needs (a licence sync when none ever ran, an
/// Autotask refresh when the cache was never filled). Several instances may do this at once: the
/// queue lets one run of each through.
pub async fn start(config: &Config, pool: &PgPool, parts: JobParts) -> anyhow::Result<Arc<Jobs>> {
    let settings = JobSettings {
        schedules: vec![
            (JobKind::LicenceSync, config.sync.licence_cron.clone()),
            (JobKind::AutotaskRefresh, config.autotask.refresh_cron.clone()),
            (JobKind::ContractSync, config.autotask.contract_sync_cron.clone()),
            (JobKind::ContractResume, config.sync.contract_resume_cron.clone()),
        ],
        lease: config.sync.job_lease,
        poll: config.sync.job_poll,
        instance: JobSettings::instance_name(),
    };
    let jobs = Jobs::new(pool.clone(), parts, settings).await?;
    jobs.start();
    if jobs.parts().licence_sync.is_some()
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
