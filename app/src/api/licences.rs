//! Tenants, their subscriptions and seats, and the licence sync.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A tenant as the picker and the card show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantItem {
    pub tenant_id: String,
    pub name: String,
    pub domain: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Why the last sync of this tenant failed; its data is as of `last_synced_at`.
    pub last_error: Option<String>,
}

/// One subscription row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionRow {
    pub id: String,
    pub product: String,
    pub purchased: i64,
    /// Users assigned to the subscription's SKU (never devices); `None` when Graph has no
    /// per-user count for it.
    pub assigned: Option<i64>,
    /// Seats of the SKU bought but not assigned.
    pub unused: Option<i64>,
    /// How many subscriptions share the SKU the seat counts are for.
    pub sku_shared_by: usize,
    pub term: Option<String>,
    pub billing_cycle: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub auto_renew: bool,
    pub status: Option<String>,
    pub is_nce: bool,
    pub is_trial: bool,
    /// Until when seats can be reduced, when that window is open now.
    pub cancellation_open_until: Option<DateTime<Utc>>,
}

/// The Autotask company a tenant is billed through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PsaCompany {
    pub id: i64,
    pub name: String,
    /// The company in Autotask, when Autotask's web address is known.
    pub url: Option<String>,
}

/// Where one source of a tenant's licence data stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceStatus {
    /// When this source last answered and its data was stored; what is shown is as of then.
    pub synced_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed; `None` when it succeeded.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantDetail {
    pub tenant: TenantItem,
    /// Subscriptions, from Partner Center.
    pub subscriptions_source: SourceStatus,
    /// Seat counts (bought, assigned), from Microsoft Graph.
    pub seats_source: SourceStatus,
    pub rows: Vec<SubscriptionRow>,
    pub partner_center_url: String,
    /// "mapped", "ignored" or "unmapped".
    pub mapping_state: String,
    pub psa_company: Option<PsaCompany>,
    /// Seats per product (SKU), named from the product catalogue; spare seats allowed excluded
    /// from waste.
    pub products: Vec<crate::api::overview::ProductLine>,
    pub spare_seats: i32,
}

/// Where a sync run stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub run_id: i64,
    pub running: bool,
    pub status: String,
    pub scope_tenant_id: Option<String>,
    pub total: i32,
    pub done: i32,
    pub failed: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// Tenants that failed in this run, with the vendor's error.
    pub failures: Vec<(String, String)>,
}

#[server(prefix = "/api", endpoint = "licences/tenants")]
pub async fn list_tenants() -> Result<Vec<TenantItem>, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Viewer).await?;
    let tenants = seatsync_db::tenants::list(&caller.ctx.pool).await.map_err(|e| caller.respond.fail(e.into()))?;
    Ok(tenants
        .into_iter()
        .map(|t| TenantItem {
            tenant_id: t.tenant_id,
            name: t.name,
            domain: t.primary_domain,
            last_synced_at: t.last_synced_at,
            last_error: t.last_error,
        })
        .collect())
}

#[server(prefix = "/api", endpoint = "licences/tenant")]
pub async fn tenant_licences(tenant_id: String) -> Result<TenantDetail, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Viewer).await?;
    let pool = &caller.ctx.pool;
    let fail = |e: seatsync_db::DbError| match e {
        seatsync_db::DbError::NotFound => caller.respond.fail(AppError::NotFound("That tenant".into())),
        other => caller.respond.fail(other.into()),
    };
    let t = seatsync_db::tenants::find(pool, &tenant_id).await.map_err(fail)?;
    let subs = seatsync_db::licences::subscriptions(pool, &tenant_id).await.map_err(fail)?;
    let skus = seatsync_db::licences::consumption(pool, &tenant_id).await.map_err(fail)?;
    let now = Utc::now();
    let rows = subs
        .iter()
        .map(|s| {
            let sku = s.sku_id.as_ref().and_then(|id| skus.iter().find(|k| &k.sku_id == id));
            // Only user-assigned SKUs have a meaningful per-user count.
            let per_user = sku.filter(|k| k.is_user_sku()).map(|k| k.units());
            SubscriptionRow {
                id: s.id.clone(),
                product: s.friendly_name.clone().or_else(|| s.offer_name.clone()).unwrap_or_else(|| s.offer_id.clone()),
                purchased: s.quantity,
                assigned: per_user.map(|k| k.assigned()),
                unused: per_user.map(|k| k.unused()),
                sku_shared_by: s
                    .sku_id
                    .as_ref()
                    .map(|id| subs.iter().filter(|o| o.sku_id.as_ref() == Some(id)).count())
                    .unwrap_or(1),
                term: s.term.clone(),
                billing_cycle: s.billing_cycle.clone(),
                start: s.effective_start,
                end: s.commitment_end,
                auto_renew: s.auto_renew,
                status: s.status.clone(),
                is_nce: s.is_nce,
                is_trial: s.is_trial,
                cancellation_open_until: s.cancellation_allowed_until.filter(|until| *until > now),
            }
        })
        .collect();
    let names = caller.ctx.catalog.names().await.map_err(|e| caller.fail(e))?;
    let mapping = seatsync_db::mappings::tenant_row(pool, &tenant_id).await.map_err(fail)?;
    let psa_company = match (mapping.target(), mapping.company_name.clone()) {
        (seatsync_db::mappings::Target::Mapped { id }, Some(name)) => {
            let url = crate::server::autotask_web_url(&caller.ctx)
                .await
                .map(|web| crate::api::links::autotask_company(&web, id));
            Some(PsaCompany { id, name, url })
        }
        _ => None,
    };
    let spare_seats = t.spare_seats;
    let products = seatsync_licences::overview::tenant_products(pool, &names, &tenant_id, spare_seats)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|p| {
            // Expiring units belong to an expired subscription of the SKU: its end is when the
            // grace period started.
            let expiring_since = (p.expiring > 0)
                .then(|| {
                    subs.iter()
                        .filter(|s| {
                            s.sku_id.as_deref() == Some(p.sku_id.as_str())
                                && s.commitment_end.is_some_and(|end| end <= now)
                        })
                        .filter_map(|s| s.commitment_end)
                        .max()
                })
                .flatten();
            crate::api::overview::ProductLine { expiring_since, ..p.into() }
        })
        .collect();
    Ok(TenantDetail {
        subscriptions_source: SourceStatus {
            synced_at: t.subscriptions_synced_at,
            error: t.subscriptions_error.clone(),
        },
        seats_source: SourceStatus { synced_at: t.seats_synced_at, error: t.seats_error.clone() },
        partner_center_url: crate::api::links::partner_center_tenant(&t.tenant_id),
        mapping_state: mapping.state.clone(),
        psa_company,
        products,
        spare_seats,
        tenant: TenantItem {
            tenant_id: t.tenant_id,
            name: t.name,
            domain: t.primary_domain,
            last_synced_at: t.last_synced_at,
            last_error: t.last_error,
        },
        rows,
    })
}

/// Starts a licence sync of one tenant or (`tenant_id` empty) all; Editor and up.
#[server(prefix = "/api", endpoint = "licences/sync")]
pub async fn start_licence_sync(tenant_id: Option<String>) -> Result<i64, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Editor).await?;
    let Some(sync) = caller.ctx.licence_sync.clone() else {
        return Err(caller.respond.fail(AppError::Invalid(
            "Partner Center and Microsoft Graph are not configured, so there is nothing to sync. An Admin can see what is missing under Settings.".into(),
        )));
    };
    let scope = match tenant_id.filter(|t| !t.trim().is_empty()) {
        Some(t) => seatsync_sync::Scope::Tenant(t),
        None => seatsync_sync::Scope::All,
    };
    sync.start(seatsync_sync::Trigger::Manual { by: caller.user.id }, scope).await.map_err(|e| {
        caller.respond.fail(match e {
            seatsync_sync::SyncError::AlreadyRunning => AppError::Conflict(e.to_string()),
            seatsync_sync::SyncError::UnknownTenant => AppError::NotFound("That tenant".into()),
            seatsync_sync::SyncError::Db(db) => db.into(),
        })
    })
}

/// The latest sync run, for the live progress everyone on the page sees.
#[server(prefix = "/api", endpoint = "licences/sync_status")]
pub async fn licence_sync_status() -> Result<Option<SyncStatus>, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Viewer).await?;
    let pool = &caller.ctx.pool;
    let Some(run) = seatsync_db::sync_runs::latest(pool).await.map_err(|e| caller.respond.fail(e.into()))? else {
        return Ok(None);
    };
    let failures = seatsync_db::sync_runs::problems(pool, run.id)
        .await
        .map_err(|e| caller.respond.fail(e.into()))?
        .into_iter()
        .map(|p| (p.tenant_name.unwrap_or(p.tenant_id), p.error.unwrap_or_default()))
        .collect();
    Ok(Some(SyncStatus {
        run_id: run.id,
        running: run.finished_at.is_none(),
        status: run.status,
        scope_tenant_id: run.scope_tenant_id,
        total: run.tenants_total,
        done: run.tenants_done,
        failed: run.tenants_failed,
        started_at: run.started_at,
        finished_at: run.finished_at,
        error: run.error,
        failures,
    }))
}

/// Purchased and assigned seats of one product over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatSeries {
    pub product: String,
    /// (when, purchased, assigned), oldest first.
    pub points: Vec<(DateTime<Utc>, i64, i64)>,
}

/// Seat history per product of one tenant, one point per successful sync.
#[server(prefix = "/api", endpoint = "licences/history")]
pub async fn licence_history(tenant_id: String) -> Result<Vec<SeatSeries>, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Viewer).await?;
    let pool = &caller.ctx.pool;
    let fail = |e: seatsync_db::DbError| caller.respond.fail(e.into());
    let points = seatsync_db::licences::history(pool, &tenant_id).await.map_err(fail)?;
    let skus = seatsync_db::licences::consumption(pool, &tenant_id).await.map_err(fail)?;
    // Subscriptions name only SKUs the tenant no longer holds; most pages never need them.
    let gone = points.iter().any(|p| !skus.iter().any(|k| k.sku_id == p.sku_id));
    let subs =
        if gone { seatsync_db::licences::subscriptions(pool, &tenant_id).await.map_err(fail)? } else { Vec::new() };
    let names = caller.ctx.catalog.names().await.map_err(|e| caller.fail(e))?;
    let mut series: Vec<(String, SeatSeries)> = Vec::new();
    for p in points {
        let idx = match series.iter().position(|(sku, _)| *sku == p.sku_id) {
            Some(i) => i,
            None => {
                // The catalogue's name of the SKU; a subscription's offer name when the SKU is
                // no longer in the tenant.
                let part = skus.iter().find(|k| k.sku_id == p.sku_id).map(|k| k.sku_part_number.clone());
                let product = match part {
                    Some(part) => names.name(&p.sku_id, &part),
                    None => subs
                        .iter()
                        .find(|s| s.sku_id.as_deref() == Some(p.sku_id.as_str()))
                        .and_then(|s| s.offer_name.clone().or_else(|| s.friendly_name.clone()))
                        .unwrap_or_else(|| names.name(&p.sku_id, "")),
                };
                series.push((p.sku_id.clone(), SeatSeries { product, points: Vec::new() }));
                series.len() - 1
            }
        };
        series[idx].1.points.push((p.recorded_at, p.purchased, p.assigned));
    }
    let mut out: Vec<SeatSeries> = series.into_iter().map(|(_, s)| s).collect();
    out.sort_by(|a, b| a.product.cmp(&b.product));
    Ok(out)
}
