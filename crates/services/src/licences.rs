//! The NCE subscriptions page: tenants, one tenant's subscriptions and seats, the licence sync's
//! progress, and the seat history.

use chrono::{Duration, Utc};
use seatsync_api_types::{
    licences::{
        ClosingWindow, PsaCompany, SeatPoint, SeatSeries, SourceStatus, SubscriptionRow, SyncFailure, SyncStatus,
        TenantDetail, TenantItem,
    },
    links,
    overview::ProductLine,
};
use seatsync_db::{licences, mappings, sync_runs, tenants};
use seatsync_domain::kinds::JobKind;
use seatsync_domain::{SkuId, TenantId};

use crate::{ServiceError, Services, Staff};

const THAT_TENANT: &str = "That tenant";

/// How far ahead the dashboard and the subscriptions page look for cancellation windows closing:
/// two days leave a person time to act on one before it shuts.
pub(crate) const WINDOW_HOURS: i64 = 48;

impl Services {
    /// Every current tenant, by name.
    pub async fn tenants(&self) -> Result<Vec<TenantItem>, ServiceError> {
        Ok(tenants::list(&self.pool)
            .await?
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

    /// One tenant's card, subscriptions and seats per product (counted and priced as the
    /// Overview counts them).
    pub async fn tenant_licences(&self, tenant_id: &TenantId) -> Result<TenantDetail, ServiceError> {
        let missing = ServiceError::db_missing(THAT_TENANT);
        let t = tenants::find(&self.pool, tenant_id).await.map_err(&missing)?;
        let (subs, skus) = tokio::try_join!(
            licences::subscriptions(&self.pool, tenant_id),
            licences::consumption(&self.pool, tenant_id)
        )?;
        let now = Utc::now();
        let rows = subs
            .iter()
            .map(|s| {
                let sku = s.sku_id.as_ref().and_then(|id| skus.iter().find(|k| &k.sku_id == id));
                // Only user-assigned SKUs have a meaningful per-user count.
                let per_user = sku.filter(|k| k.is_user_sku()).map(|k| k.units());
                SubscriptionRow {
                    id: s.id.clone(),
                    product: s
                        .friendly_name
                        .clone()
                        .or_else(|| s.offer_name.clone())
                        .unwrap_or_else(|| s.offer_id.clone()),
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
                    next_term_quantity: s.next_term_quantity.filter(|next| *next != s.quantity),
                }
            })
            .collect();
        let names = self.catalog.names().await?;
        let mapping = mappings::tenant_row(&self.pool, tenant_id).await.map_err(&missing)?;
        let psa_company = match (mapping.target(), mapping.company_name.clone()) {
            (seatsync_domain::Mapping::Mapped { id }, Some(name)) => {
                let url = self.autotask_web_url().await.map(|web| links::autotask_company(&web, id));
                Some(PsaCompany { id, name, url })
            }
            _ => None,
        };
        let products = seatsync_licences::overview::tenant_products(&self.pool, &names, tenant_id, t.spare_seats)
            .await
            .map_err(&missing)?
            .into_iter()
            .map(|p| {
                // Expiring units belong to an expired subscription of the SKU: its end is when
                // the grace period started.
                let expiring_since = (p.expiring > 0)
                    .then(|| {
                        subs.iter()
                            .filter(|s| {
                                s.sku_id.as_ref() == Some(&p.sku_id) && s.commitment_end.is_some_and(|end| end <= now)
                            })
                            .filter_map(|s| s.commitment_end)
                            .max()
                    })
                    .flatten();
                ProductLine { expiring_since, ..crate::overview::product_line(p) }
            })
            .collect();
        Ok(TenantDetail {
            subscriptions_source: SourceStatus {
                synced_at: t.subscriptions_synced_at,
                error: t.subscriptions_error.clone(),
            },
            seats_source: SourceStatus { synced_at: t.seats_synced_at, error: t.seats_error.clone() },
            partner_center_url: links::partner_center_tenant(&t.tenant_id),
            mapping_state: mapping.target().state(),
            psa_company,
            products,
            spare_seats: t.spare_seats,
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

    /// Queues a licence sync of one tenant or (`tenant_id` empty) all and waits until it has
    /// begun (so the page can follow it at once); the run's id on the Jobs page.
    pub async fn start_licence_sync(&self, by: &Staff, tenant_id: Option<TenantId>) -> Result<i64, ServiceError> {
        let scope = tenant_id.filter(|t| !t.as_str().trim().is_empty());
        if let Some(tenant) = &scope {
            seatsync_db::tenants::find(&self.pool, tenant).await.map_err(ServiceError::db_missing("That tenant"))?;
        }
        let request = seatsync_jobs::RunRequest { scope, dry_run: false };
        self.run_by_hand(JobKind::LicenceSync, by, request).await
    }

    /// Active subscriptions, across all tenants, whose cancellation window closes within
    /// [`WINDOW_HOURS`], the soonest first.
    pub async fn closing_windows(&self) -> Result<Vec<ClosingWindow>, ServiceError> {
        let now = Utc::now();
        Ok(licences::closing_windows(&self.pool, now, now + Duration::hours(WINDOW_HOURS))
            .await?
            .into_iter()
            .map(|w| {
                let s = w.subscription;
                ClosingWindow {
                    product: s.friendly_name.or(s.offer_name).unwrap_or(s.offer_id),
                    tenant_id: s.tenant_id,
                    tenant_name: w.tenant_name,
                    subscription_id: s.id,
                    quantity: s.quantity,
                    term: s.term,
                    billing: s.billing_cycle,
                    // The query returns only rows with a window.
                    closes_at: s.cancellation_allowed_until.unwrap_or(now),
                }
            })
            .collect())
    }

    /// The latest licence sync run, for the live progress everyone on the page sees.
    pub async fn licence_sync_status(&self) -> Result<Option<SyncStatus>, ServiceError> {
        let Some(run) = sync_runs::latest(&self.pool).await? else { return Ok(None) };
        let failures = sync_runs::problems(&self.pool, run.id)
            .await?
            .into_iter()
            .map(|p| SyncFailure {
                tenant: p.tenant_name.unwrap_or_else(|| p.tenant_id.into_string()),
                error: p.error.unwrap_or_default(),
            })
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

    /// Seat history per product of one tenant, one point per successful sync.
    pub async fn licence_history(&self, tenant_id: &TenantId) -> Result<Vec<SeatSeries>, ServiceError> {
        let (points, skus) =
            tokio::try_join!(licences::history(&self.pool, tenant_id), licences::consumption(&self.pool, tenant_id))?;
        // Subscriptions name only SKUs the tenant no longer holds; most pages never need them.
        let gone = points.iter().any(|p| !skus.iter().any(|k| k.sku_id == p.sku_id));
        let subs = if gone { licences::subscriptions(&self.pool, tenant_id).await? } else { Vec::new() };
        let names = self.catalog.names().await?;
        let mut series: Vec<(SkuId, SeatSeries)> = Vec::new();
        for p in points {
            let idx = match series.iter().position(|(sku, _)| *sku == p.sku_id) {
                Some(i) => i,
                None => {
                    // The catalogue's name of the SKU; a subscription's offer name when the SKU
                    // is no longer in the tenant.
                    let part = skus.iter().find(|k| k.sku_id == p.sku_id).map(|k| k.sku_part_number.clone());
                    let product = match part {
                        Some(part) => names.name(&p.sku_id, &part),
                        None => subs
                            .iter()
                            .find(|s| s.sku_id.as_ref() == Some(&p.sku_id))
                            .and_then(|s| s.offer_name.clone().or_else(|| s.friendly_name.clone()))
                            .unwrap_or_else(|| names.name(&p.sku_id, "")),
                    };
                    series.push((p.sku_id.clone(), SeatSeries { product, points: Vec::new() }));
                    series.len() - 1
                }
            };
            series[idx].1.points.push(SeatPoint { at: p.recorded_at, purchased: p.purchased, assigned: p.assigned });
        }
        let mut out: Vec<SeatSeries> = series.into_iter().map(|(_, s)| s).collect();
        out.sort_by(|a, b| a.product.cmp(&b.product));
        Ok(out)
    }
}
