//! The dashboard: what needs doing, counted, each count leading to the list it counts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardCounts {
    /// What the wasted seats cost a month, where a price is known.
    pub monthly_waste: f64,
    pub wasted_seats: i64,
    /// Wasted seats with no known price (not in `monthly_waste`).
    pub wasted_unpriced: i64,
    pub tenants_with_waste: usize,
    pub tenants: usize,
    pub tenants_unmapped: usize,
    pub offers: usize,
    pub offers_unmapped: usize,
    /// Tenants whose latest licence sync failed, in whole or in part.
    pub licence_sync_failures: usize,
    /// Tenants the latest contract sync failed for.
    pub contract_sync_failures: usize,
    /// The latest contract sync's own error, when it stopped as a whole.
    pub contract_sync_error: Option<String>,
    /// Subscriptions whose cancellation window closes within `window_hours`.
    pub windows_closing: usize,
    pub window_hours: i64,
    /// Current contracts that differ from Partner Center, and the tenants they belong to.
    pub contracts_differing: usize,
    pub tenants_differing: usize,
    /// When the licences were last synced, if ever.
    pub last_licence_sync: Option<DateTime<Utc>>,
}
