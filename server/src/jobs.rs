//! Background jobs: built from the configuration, run on their schedules.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use seatsync_db::PgPool;
use seatsync_sync::{LicenceSync, Scope, SyncError, Trigger};
use seatsync_vendors::{
    graph::{GraphSettings, HttpGraph},
    http::RetryPolicy,
    partner_center::{HttpPartnerCenter, PartnerCenterSettings},
};

use crate::Config;

/// The licence sync, when Partner Center and Graph are both configured.
pub fn licence_sync(config: &Config, pool: PgPool) -> anyhow::Result<Option<Arc<LicenceSync>>> {
    let pc = &config.partner_center;
    let (Some(tenant), Some(client_id), Some(secret), Some(refresh)) = (&pc.partner_tenant_id, &pc.client_id, &pc.client_secret, &pc.refresh_token) else {
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

/// Runs the licence sync at every time of `schedule`. Every instance schedules it; the sync's
/// lock lets only one of them run it.
pub fn schedule_licence_sync(sync: Arc<LicenceSync>, schedule: cron::Schedule) {
    tokio::spawn(async move {
        loop {
            let Some(next) = schedule.upcoming(Utc).next() else { return };
            let wait = (next - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            tokio::time::sleep(wait).await;
            match sync.run(Trigger::Schedule, Scope::All).await {
                Ok(run) => tracing::info!(run, "scheduled licence sync done"),
                Err(SyncError::AlreadyRunning) => tracing::info!("scheduled licence sync skipped: another run is in progress"),
                Err(e) => tracing::error!(error = %e, "scheduled licence sync could not start"),
            }
        }
    });
}
