//! Every tenant's seats at a glance: bought, assigned, unused, the unused beyond the spare seats
//! the customer is allowed to keep (waste), and what the waste costs a month where a price is
//! known. Worst first.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use seatsync_db::{licences, tenants, DbError, PgPool};
use seatsync_domain::seats::{self, PricePeriod};
use seatsync_domain::{SkuId, TenantId};

use crate::catalog::Names;

/// One product of one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSeats {
    pub sku_id: SkuId,
    pub name: String,
    /// Seats bought: enabled units only (`seatsync_domain::SkuUnits`).
    pub purchased: i64,
    pub assigned: i64,
    pub unused: i64,
    /// Unused beyond the tenant's spare-seat allowance.
    pub wasted: i64,
    /// Units of an expired subscription in its grace period; not bought, not counted above.
    pub expiring: i64,
    /// Users assigned beyond the seats bought (with expiring units: they lose the licence when
    /// the grace period ends).
    pub over_assigned: i64,
    pub monthly_cost_per_seat: Option<f64>,
    pub waste_cost: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TenantOverview {
    pub tenant_id: TenantId,
    pub name: String,
    pub domain: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub spare_seats: i32,
    pub purchased: i64,
    pub assigned: i64,
    pub unused: i64,
    pub wasted: i64,
    /// Monthly cost of the wasted seats whose price is known.
    pub waste_cost: f64,
    /// Wasted seats of products without a known price (their cost is not in `waste_cost`).
    pub wasted_unpriced: i64,
    pub products: Vec<ProductSeats>,
}

/// The overview of every current tenant, worst first: highest monthly waste cost, then most
/// wasted seats, then name.
pub async fn overview(pool: &PgPool, names: &Names) -> Result<Vec<TenantOverview>, DbError> {
    let (list, skus, costs) =
        tokio::try_join!(tenants::list(pool), licences::tenant_skus(pool, None), licences::mapped_costs(pool, None))?;
    let prices = SeatPrices::new(names, &costs);
    let mut by_tenant: HashMap<&str, Vec<&licences::TenantSku>> = HashMap::new();
    for k in &skus {
        by_tenant.entry(k.tenant_id.as_str()).or_default().push(k);
    }
    let mut out: Vec<TenantOverview> = list
        .into_iter()
        .map(|t| {
            let products = product_seats(
                by_tenant.get(t.tenant_id.as_str()).map(Vec::as_slice).unwrap_or_default(),
                t.spare_seats,
                names,
                &prices,
            );
            TenantOverview {
                purchased: products.iter().map(|p| p.purchased).sum(),
                assigned: products.iter().map(|p| p.assigned).sum(),
                unused: products.iter().map(|p| p.unused).sum(),
                wasted: products.iter().map(|p| p.wasted).sum(),
                waste_cost: (products.iter().filter_map(|p| p.waste_cost).sum::<f64>() * 100.0).round() / 100.0,
                wasted_unpriced: products.iter().filter(|p| p.waste_cost.is_none()).map(|p| p.wasted).sum(),
                products,
                tenant_id: t.tenant_id,
                name: t.name,
                domain: t.primary_domain,
                last_synced_at: t.last_synced_at,
                last_error: t.last_error,
                spare_seats: t.spare_seats,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.waste_cost
            .total_cmp(&a.waste_cost)
            .then(b.wasted.cmp(&a.wasted))
            .then(a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(out)
}

/// One tenant's products, counted and priced exactly as [`overview`] does, for its page.
pub async fn tenant_products(
    pool: &PgPool,
    names: &Names,
    tenant_id: &TenantId,
    spare_seats: i32,
) -> Result<Vec<ProductSeats>, DbError> {
    let (skus, costs) =
        tokio::try_join!(licences::tenant_skus(pool, Some(tenant_id)), licences::mapped_costs(pool, Some(tenant_id)))?;
    let skus: Vec<&licences::TenantSku> = skus.iter().collect();
    Ok(product_seats(&skus, spare_seats, names, &SeatPrices::new(names, &costs)))
}

/// What a seat of a SKU costs a month: the catalogue's price (an Admin's override or the
/// uploaded list) first, else the cost of the Autotask service the tenant's subscriptions of
/// that SKU are mapped to (the one billing the most seats).
pub struct SeatPrices<'a> {
    names: &'a Names,
    mapped: HashMap<(&'a str, &'a str), (i64, f64)>,
}

impl<'a> SeatPrices<'a> {
    pub fn new(names: &'a Names, costs: &'a [licences::MappedCost]) -> Self {
        let mut mapped: HashMap<(&str, &str), (i64, f64)> = HashMap::new();
        for c in costs {
            let monthly =
                seats::monthly_price(c.unit_cost, PricePeriod::from_autotask_label(c.period_label.as_deref()));
            let entry = mapped.entry((c.tenant_id.as_str(), c.sku_id.as_str())).or_insert((c.quantity, monthly));
            if c.quantity > entry.0 {
                *entry = (c.quantity, monthly);
            }
        }
        Self { names, mapped }
    }

    pub fn monthly(&self, tenant_id: &TenantId, sku_id: &SkuId) -> Option<f64> {
        self.names
            .monthly_cost(sku_id)
            .or_else(|| self.mapped.get(&(tenant_id.as_str(), sku_id.as_str())).map(|(_, p)| *p))
    }
}

/// The user-assigned SKUs of one tenant as product lines, most costly waste first.
fn product_seats(
    skus: &[&licences::TenantSku],
    spare_seats: i32,
    names: &Names,
    prices: &SeatPrices<'_>,
) -> Vec<ProductSeats> {
    let allowance = i64::from(spare_seats);
    let mut products: Vec<ProductSeats> = skus
        .iter()
        // Seats assigned to users only; company-wide SKUs have no per-user count.
        .filter(|k| seats::is_user_sku(k.applies_to.as_deref()) && k.units().is_held())
        .map(|k| {
            let units = k.units();
            let price = prices.monthly(&k.tenant_id, &k.sku_id);
            let wasted = units.wasted(allowance);
            ProductSeats {
                sku_id: k.sku_id.clone(),
                name: names.name(&k.sku_id, &k.sku_part_number),
                purchased: units.purchased(),
                assigned: units.assigned(),
                unused: units.unused(),
                wasted,
                expiring: units.expiring(),
                over_assigned: units.over_assigned(),
                monthly_cost_per_seat: price,
                waste_cost: seats::monthly_cost(wasted, price),
            }
        })
        .collect();
    products.sort_by(|a, b| {
        b.waste_cost
            .unwrap_or(0.0)
            .total_cmp(&a.waste_cost.unwrap_or(0.0))
            .then(b.wasted.cmp(&a.wasted))
            .then(a.name.cmp(&b.name))
    });
    products
}
