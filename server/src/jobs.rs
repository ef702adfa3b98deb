//! Background jobs: built from the configuration, run on their schedules.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use seatsync_contracts::{job as contract_job, Contracts};
use seatsync_db::PgPool;
use seatsync_domain::{OfferKey, SubscriptionId};
use seatsync_licence_sync::{LicenceSync, Scope, SyncError, Trigger};
use seatsync_mapping::Mapping;
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

/// Runs `job` at every time of `schedule`, forever.
fn every<F, Fut>(name: &'static str, schedule: cron::Schedule, job: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        loop {
            let Some(next) = schedule.upcoming(Utc).next() else {
                tracing::warn!(name, "the schedule has no next time; the job stops");
                return;
            };
            let wait = (next - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            tokio::time::sleep(wait).await;
            job().await;
        }
    });
}

/// Runs the licence sync at every time of `schedule`. Every instance schedules it; the sync's
/// lock lets only one of them run it.
pub fn schedule_licence_sync(sync: Arc<LicenceSync>, schedule: cron::Schedule) {
    every("licence sync", schedule, move || {
        let sync = sync.clone();
        async move {
            match sync.run(Trigger::Schedule, Scope::All).await {
                Ok(run) => tracing::info!(run, "scheduled licence sync done"),
                Err(SyncError::AlreadyRunning) => {
                    tracing::info!("scheduled licence sync skipped: another run is in progress")
                }
                Err(e) => tracing::error!(error = %e, "scheduled licence sync could not start"),
            }
        }
    });
}

/// Refreshes the Autotask cache on its schedule (and once at start when it was never filled).
pub fn schedule_autotask_refresh(mapping: Arc<Mapping>, schedule: cron::Schedule) {
    if !mapping.autotask_configured() {
        return;
    }
    let first = mapping.clone();
    tokio::spawn(async move {
        match seatsync_db::autotask_cache::latest_refreshes(first.pool()).await {
            Ok(seatsync_db::autotask_cache::LatestRefreshes { good: None, .. }) => {
                if let Err(e) = first.refresh_cache("start", None).await {
                    tracing::warn!(error = %e, "the first Autotask refresh failed; the schedule tries again");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reading the Autotask refresh history failed"),
        }
    });
    every("Autotask refresh", schedule, move || {
        let mapping = mapping.clone();
        async move {
            if let Err(e) = mapping.refresh_cache("schedule", None).await {
                tracing::warn!(error = %e, "scheduled Autotask refresh failed; the previous cache stays");
            }
        }
    });
}

/// Runs the contract sync on its schedule, and every minute resumes contract creations whose
/// process stopped mid-way.
pub fn schedule_contracts(contracts: Arc<Contracts>, schedule: cron::Schedule) {
    let resumer = contracts.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = resumer.resume_interrupted(Utc::now().date_naive()).await {
                tracing::warn!(error = %e, "resuming interrupted contract creations failed");
            }
        }
    });
    every("contract sync", schedule, move || {
        let contracts = contracts.clone();
        async move {
            match contracts.run_sync(contract_job::Trigger::Schedule, contract_job::Scope::All, false).await {
                Ok(run) => tracing::info!(run, "scheduled contract sync done"),
                Err(e) => tracing::info!(error = %e, "scheduled contract sync did not run"),
            }
        }
    });
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
