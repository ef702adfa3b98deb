//! Tenants, their subscriptions and seats, the licence sync's progress and the seat history.

use chrono::{DateTime, Utc};
use seatsync_domain::{kinds::RunStatus, CompanyId, SubscriptionId, TenantId};
use serde::{Deserialize, Serialize};

use crate::{mapping::MappingState, overview::ProductLine};

/// A tenant as the picker and the card show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantItem {
    pub tenant_id: TenantId,
    pub name: String,
    pub domain: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Why the last sync of this tenant failed; its data is as of `last_synced_at`.
    pub last_error: Option<String>,
}

/// One subscription row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionRow {
    pub id: SubscriptionId,
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
    /// A quantity scheduled for the next term, when it differs from this term's.
    pub next_term_quantity: Option<i64>,
}

/// The Autotask company a tenant is billed through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PsaCompany {
    pub id: CompanyId,
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
    pub mapping_state: MappingState,
    pub psa_company: Option<PsaCompany>,
    /// Seats per product (SKU), named from the product catalogue; spare seats allowed excluded
    /// from waste.
    pub products: Vec<ProductLine>,
    pub spare_seats: i32,
}

/// Where a sync run stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub run_id: i64,
    pub running: bool,
    pub status: RunStatus,
    pub scope_tenant_id: Option<TenantId>,
    pub total: i32,
    pub done: i32,
    pub failed: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// Tenants that failed in this run, with the vendor's error.
    pub failures: Vec<SyncFailure>,
}

/// Purchased and assigned seats of one product over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatSeries {
    pub product: String,
    /// (when, purchased, assigned), oldest first.
    pub points: Vec<SeatPoint>,
}

/// A tenant a run failed for (in whole or in part), with the vendor's error in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncFailure {
    pub tenant: String,
    pub error: String,
}

/// Seats bought and assigned at one sync.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeatPoint {
    pub at: DateTime<Utc>,
    pub purchased: i64,
    pub assigned: i64,
}

/// A subscription whose cancellation window closes soon: until then its seats can still be
/// reduced this term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosingWindow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub subscription_id: SubscriptionId,
    pub product: String,
    pub quantity: i64,
    pub term: Option<String>,
    pub billing: Option<String>,
    pub closes_at: DateTime<Utc>,
}
