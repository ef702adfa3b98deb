//! The demo's head start (`SEATSYNC_DEMO_SETUP`, which only `scripts/demo` sets): once the first
//! licence sync and Autotask read are done, SeatSync itself maps a few tenants to the companies
//! it is surest of, and their offers to the services whose names fit exactly, as a technician
//! would in their first minutes. A newcomer then sees prices and can create a contract at once,
//! and the other tenants and offers are left to map by hand or in bulk.
//!
//! It also files tickets in Autotask's billing queue (Autotask refuses a ticket without one), so
//! the unused-licence tickets work in the demo as soon as their customers are mapped.
//!
//! It runs only on a database where no mapping was ever changed, so it never touches anyone's
//! work, and every change it makes is in the mappings' history as made by SeatSync; a queue an
//! Admin already chose is kept.

use std::{collections::HashSet, sync::Arc, time::Duration};

use seatsync_db::{autotask_cache, mappings, settings, sync_runs, PgPool};
use seatsync_delivery::TICKET_DEFAULTS_KEY;
use seatsync_domain::{MatchStrength, TenantId};
use seatsync_mapping::{Mapping, OfferAction, TenantAction};
use seatsync_vendors::autotask::{tickets::TicketDefaults, Autotask};

/// Suggestions at least this sure are taken: the same name or the same domain.
const CONFIDENT: f64 = 0.9;
/// How long the set-up waits for the first sync and Autotask read.
const PATIENCE: Duration = Duration::from_secs(600);

/// Starts the set-up in the background; its outcome is logged.
pub fn prepare(pool: PgPool, mapping: Arc<Mapping>, tenants: usize) {
    tokio::spawn(async move {
        match run(&pool, &mapping, tenants).await {
            Ok(Some((t, o))) => tracing::info!(tenants = t, offers = o, "demo set-up: mappings made"),
            Ok(None) => tracing::info!("demo set-up skipped: mappings were changed here before"),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "demo set-up stopped; map by hand instead"),
        }
    });
}

/// The tenants and offers mapped, or `None` when the database already had mapping edits.
async fn run(pool: &PgPool, mapping: &Mapping, tenants: usize) -> anyhow::Result<Option<(usize, usize)>> {
    if mappings::any_edit(pool).await? {
        return Ok(None);
    }
    wait_for_first_data(pool).await?;
    let rows = mappings::tenant_rows(pool).await?;
    let mut suggestions: Vec<_> =
        mapping.suggestions().await?.into_iter().filter(|s| s.confidence >= CONFIDENT).collect();
    // The surest first; the tenant id breaks ties so every demo starts alike.
    suggestions.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then_with(|| a.tenant_id.cmp(&b.tenant_id)));
    let mut mapped: Vec<TenantId> = Vec::new();
    for s in suggestions.into_iter().take(tenants) {
        let Some(row) = rows.iter().find(|r| r.tenant_id == s.tenant_id) else { continue };
        let action = TenantAction::AcceptSuggestion { company_id: s.company_id };
        mapping.apply_tenant(&s.tenant_id, action, row.version, None).await?;
        mapped.push(s.tenant_id);
    }
    let used: HashSet<String> = mappings::offer_keys_of_tenants(pool, &mapped).await?.into_iter().collect();
    let mut offers = 0;
    for s in mapping.service_suggestions().await? {
        if s.strength == MatchStrength::Exact && used.contains(&s.offer_key) {
            mapping.apply_offer(&s.offer_key, OfferAction::Map { service_id: s.service_id }, s.version, None).await?;
            offers += 1;
        }
    }
    if let Some(queue) = choose_ticket_queue(pool, mapping).await? {
        tracing::info!(queue, "demo set-up: tickets filed in Autotask's billing queue");
    }
    Ok(Some((mapped.len(), offers)))
}

/// The queue tickets are filed in, as an Admin would choose it on the Autotask page: the one
/// named for billing, else Autotask's default, else the first; `None` when one was chosen
/// already or Autotask lists none.
async fn choose_ticket_queue(pool: &PgPool, mapping: &Mapping) -> anyhow::Result<Option<i64>> {
    let autotask: Arc<dyn Autotask> = mapping.autotask()?;
    let queues: Vec<_> = autotask.picklist("Tickets", "queueID").await?.into_iter().filter(|q| q.is_active).collect();
    let pick = queues
        .iter()
        .find(|q| q.label.to_lowercase().contains("billing"))
        .or_else(|| queues.iter().find(|q| q.is_default))
        .or(queues.first());
    let Some(queue) = pick.and_then(|q| q.value.trim().parse::<i64>().ok()) else { return Ok(None) };
    let defaults = TicketDefaults { queue_id: Some(queue), ..TicketDefaults::default() };
    Ok(settings::set_if_absent(pool, TICKET_DEFAULTS_KEY, &defaults).await?.then_some(queue))
}

/// Waits until a licence sync has finished and Autotask was read once.
async fn wait_for_first_data(pool: &PgPool) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let synced = sync_runs::latest(pool).await?.is_some_and(|r| r.finished_at.is_some());
        let read = autotask_cache::latest_refreshes(pool).await?.good.is_some();
        if synced && read {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("the first licence sync or Autotask read did not finish within {} s", PATIENCE.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
