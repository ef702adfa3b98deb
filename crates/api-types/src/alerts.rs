//! The Alerts page: every tenant's seats that could be given back, the ones reducible only at
//! renewal, what was left out and why, and the totals over time.

use chrono::{DateTime, Utc};
use seatsync_domain::{
    kinds::{FindingChannel, FindingTiming},
    SkuId, SubscriptionId, TenantId,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsView {
    /// The newest finished run, if any.
    pub last_run: Option<AlertRunLine>,
    /// Whether Pax8 is set up (without it, only subscriptions bought in Partner Center count).
    pub pax8_configured: bool,
    /// Tenants with seats to give back now or soon, the largest monthly saving first.
    pub tenants: Vec<TenantAlerts>,
    /// Seats reducible only at a renewal further off than the notice period.
    pub at_renewal: Vec<FindingRow>,
    /// What the rule left out that has unused seats, and why.
    pub passed_over: Vec<PassedOverRow>,
    /// Every tenant's reducible seats and monthly saving at each run, oldest first.
    pub history: Vec<AlertPoint>,
    pub total_reducible: i64,
    pub total_monthly_saving: f64,
    /// Pax8 companies waiting for a person to say which tenant they are.
    pub pending_companies: usize,
    /// A run is queued or going.
    pub running: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRunLine {
    pub finished_at: DateTime<Utc>,
    pub tenants: i32,
    pub alerted: i32,
    pub pax8_error: Option<String>,
    pub pax8_read_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantAlerts {
    pub tenant_id: TenantId,
    pub name: String,
    pub reducible: i64,
    pub monthly_saving: f64,
    /// Some seats have no known price, so the saving is at least the figure shown.
    pub saving_incomplete: bool,
    pub findings: Vec<FindingRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub subscription_id: SubscriptionId,
    pub sku_id: SkuId,
    pub product: String,
    /// The term in words ("monthly", "annual", "3-year"), or what Partner Center sent.
    pub term: String,
    pub commitment_end: Option<DateTime<Utc>>,
    pub channel: FindingChannel,
    pub purchased: i64,
    /// The licence's renewing seats across all its subscriptions.
    pub sku_purchased: i64,
    /// Users holding the licence, across all its subscriptions.
    pub assigned: i64,
    pub allowance: i64,
    pub reducible: i64,
    pub target: i64,
    pub timing: FindingTiming,
    /// Until when 'now' holds (the cancellation window's end), or the renewal date.
    pub timing_date: Option<DateTime<Utc>>,
    pub monthly_saving: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassedOverRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    /// The product, or the part number when no name is known.
    pub product: String,
    pub subscription_id: Option<SubscriptionId>,
    /// `None` when nobody knows (Graph's numbers are missing).
    pub unused: Option<i64>,
    /// Why, in words.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlertPoint {
    pub at: DateTime<Utc>,
    pub reducible: i64,
    pub monthly_saving: f64,
}
