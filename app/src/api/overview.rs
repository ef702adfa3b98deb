//! The seats overview of every tenant, and the spare seats each may keep.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductLine {
    pub sku_id: String,
    pub name: String,
    pub purchased: i64,
    pub assigned: i64,
    pub unused: i64,
    pub wasted: i64,
    /// Units of an expired subscription in its grace period: not bought, not in the figures above.
    pub expiring: i64,
    /// When the expired subscription holding the expiring units ended, where known.
    pub expiring_since: Option<DateTime<Utc>>,
    /// Users assigned beyond the seats bought.
    pub over_assigned: i64,
    pub monthly_cost_per_seat: Option<f64>,
    pub waste_cost: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewRow {
    pub tenant_id: String,
    pub name: String,
    pub domain: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub spare_seats: i32,
    pub purchased: i64,
    pub assigned: i64,
    pub unused: i64,
    pub wasted: i64,
    pub waste_cost: f64,
    pub wasted_unpriced: i64,
    pub products: Vec<ProductLine>,
}

#[cfg(feature = "ssr")]
impl From<seatsync_licences::overview::ProductSeats> for ProductLine {
    fn from(p: seatsync_licences::overview::ProductSeats) -> Self {
        ProductLine {
            sku_id: p.sku_id,
            name: p.name,
            purchased: p.purchased,
            assigned: p.assigned,
            unused: p.unused,
            wasted: p.wasted,
            expiring: p.expiring,
            expiring_since: None,
            over_assigned: p.over_assigned,
            monthly_cost_per_seat: p.monthly_cost_per_seat,
            waste_cost: p.waste_cost,
        }
    }
}

/// Every tenant's seats, worst first.
#[server(prefix = "/api", endpoint = "overview/tenants")]
pub async fn seats_overview() -> Result<Vec<OverviewRow>, AppError> {
    let caller = crate::server::require(Role::Viewer).await?;
    let names = caller.ctx.catalog.names().await.map_err(|e| caller.fail(e))?;
    let rows = seatsync_licences::overview(&caller.ctx.pool, &names).await.map_err(|e| caller.fail(e))?;
    Ok(rows
        .into_iter()
        .map(|t| OverviewRow {
            tenant_id: t.tenant_id,
            name: t.name,
            domain: t.domain,
            last_synced_at: t.last_synced_at,
            last_error: t.last_error,
            spare_seats: t.spare_seats,
            purchased: t.purchased,
            assigned: t.assigned,
            unused: t.unused,
            wasted: t.wasted,
            waste_cost: t.waste_cost,
            wasted_unpriced: t.wasted_unpriced,
            products: t.products.into_iter().map(ProductLine::from).collect(),
        })
        .collect())
}

/// Sets the spare seats per product a tenant may keep without it counting as waste (Editor).
#[server(prefix = "/api", endpoint = "overview/spare_seats")]
pub async fn set_spare_seats(tenant_id: String, spare_seats: i32) -> Result<i32, AppError> {
    let caller = crate::server::require(Role::Editor).await?;
    if !(0..=10_000).contains(&spare_seats) {
        return Err(caller.fail(AppError::Invalid("Spare seats must be a whole number from 0 to 10,000.".into())));
    }
    seatsync_db::tenants::set_spare_seats(&caller.ctx.pool, &tenant_id, spare_seats).await.map_err(|e| match e {
        seatsync_db::DbError::NotFound => caller.fail(AppError::NotFound("That tenant".into())),
        other => caller.fail(other),
    })?;
    tracing::info!(by = %caller.user.email, tenant_id, spare_seats, "spare seats changed");
    Ok(spare_seats)
}

/// Seats bought and assigned across every tenant, one point per day, for the overview's chart.
#[server(prefix = "/api", endpoint = "overview/history")]
pub async fn fleet_history() -> Result<crate::api::licences::SeatSeries, AppError> {
    let caller = crate::server::require(Role::Viewer).await?;
    let points = seatsync_db::licences::fleet_history(&caller.ctx.pool).await.map_err(|e| caller.fail(e))?;
    Ok(crate::api::licences::SeatSeries { product: "All tenants".into(), points })
}
