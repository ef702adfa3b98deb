//! The seats overview of every tenant.

use chrono::{DateTime, Utc};
use seatsync_domain::{SkuId, TenantId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductLine {
    pub sku_id: SkuId,
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
    pub waste_cost: f64,
    pub wasted_unpriced: i64,
    pub products: Vec<ProductLine>,
}

/// A CSV file for the browser to save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvFile {
    pub file_name: String,
    pub text: String,
}
