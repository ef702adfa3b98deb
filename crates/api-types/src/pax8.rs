//! The Pax8 companies page: which tenant each Pax8 company is, how SeatSync knows or why it
//! suggests it, and who decided.

use chrono::{DateTime, Utc};
use seatsync_domain::{kinds::Pax8LinkState, Pax8CompanyId, TenantId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pax8CompaniesView {
    /// Companies waiting for a person first, then by name.
    pub companies: Vec<Pax8CompanyRow>,
    /// Every tenant, for choosing one by hand.
    pub tenants: Vec<TenantChoice>,
    /// When Pax8 was last read; `None` before the first alert run with Pax8 set up.
    pub read_at: Option<DateTime<Utc>>,
    pub pax8_configured: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantChoice {
    pub tenant_id: TenantId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pax8CompanyRow {
    pub id: Pax8CompanyId,
    pub name: String,
    pub website: Option<String>,
    /// Pax8's status (Active, Inactive).
    pub status: Option<String>,
    /// How many subscriptions it holds in Pax8.
    pub subscriptions: i64,
    /// `None`: SeatSync found no tenant for it.
    pub state: Option<Pax8LinkState>,
    pub tenant_id: Option<TenantId>,
    pub tenant_name: Option<String>,
    /// Why SeatSync matched or suggests it.
    pub reason: Option<String>,
    pub confidence: Option<f64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// People's decisions on it, newest first.
    pub history: Vec<Pax8Decision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pax8Decision {
    /// "Confirmed as Contoso", "Ignored", "Given back to SeatSync's matching".
    pub words: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// What a person decides about a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pax8Decide {
    /// It is this tenant (the suggestion, or one chosen by hand).
    Confirm,
    /// Not a tenant to alert on.
    Ignore,
    /// Withdraw the decision: SeatSync's own matching applies again.
    Reset,
}

/// The Pax8 product table: which Microsoft licence (SKU part number) a Pax8 product is, for the
/// Pax8 subscriptions that do not name their Partner Center subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pax8ProductsView {
    /// Products Pax8 subscriptions hold without naming a Partner Center subscription, the ones
    /// the table does not know first; then the rest of the table.
    pub rows: Vec<Pax8ProductRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pax8ProductRow {
    pub product_name: String,
    /// Pax8 subscriptions of it that name no Partner Center subscription: matched by this table
    /// alone.
    pub unpointed: i64,
    /// The SKU part number the table gives it, if any.
    pub part_number: Option<String>,
    pub source: ProductSource,
}

/// Where a row of the product table comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ProductSource {
    /// Shipped with SeatSync.
    Shipped,
    /// Added (or changed) by an Admin.
    Added { by: Option<String>, at: DateTime<Utc> },
    /// Held in Pax8 and in no table.
    Unknown,
}
