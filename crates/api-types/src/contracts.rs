//! Suggested contracts per tenant, what pushing did, and the contract sync's runs.

use chrono::{DateTime, NaiveDate, Utc};
use seatsync_domain::{
    kinds::{ChangeKind, ChangeOutcome, RunStatus},
    ContractId, SubscriptionId, TenantId,
};
use serde::{Deserialize, Serialize};

use crate::mapping::MappingState;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRow {
    pub subscription_id: SubscriptionId,
    /// The offer (product, term, billing) the row is mapped to a service through.
    pub offer_key: String,
    pub product: String,
    pub quantity: i64,
    pub term: Option<String>,
    pub billing: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub status: Option<String>,
    pub service_name: Option<String>,
    pub on_contract: bool,
    /// The state in words ("On contract", "Missing from the contract: …").
    pub reason: String,
    /// A short label for the state column's badge.
    pub badge: String,
    /// Autotask's units differ from Partner Center's seats.
    pub mismatch: bool,
    pub autotask_units: Option<i64>,
    /// Partner Center's seats of the group billed through this row's service.
    pub partner_center_quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractInfo {
    pub id: ContractId,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub url: Option<String>,
    /// The group's contract ended (or was deactivated): a new one is needed.
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractGroupView {
    pub key: String,
    /// What the group holds, in words: "Annual term · 2026-03-01 to 2027-02-28", "All annual
    /// subscriptions · …", "All subscriptions · …".
    pub heading: String,
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
    pub proposed_name: String,
    pub contract: Option<ContractInfo>,
    pub rows: Vec<ContractRow>,
    /// What "Update contract" would do, in words.
    pub plan: Vec<String>,
    pub pushable: usize,
    pub flagged: usize,
    pub create_blocked: Option<String>,
    /// A creation under way (or interrupted and about to be resumed).
    pub creating: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEntry {
    pub tenant_id: TenantId,
    pub tenant_name: Option<String>,
    pub kind: ChangeKind,
    pub description: String,
    pub outcome: ChangeOutcome,
    pub error: Option<String>,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantContractsView {
    pub tenant_id: TenantId,
    pub name: String,
    pub state: MappingState,
    pub company_name: Option<String>,
    pub company_url: Option<String>,
    pub snapshot_at: Option<DateTime<Utc>>,
    /// Why the contracts could not be read from Autotask just now (the snapshot is older).
    pub snapshot_error: Option<String>,
    pub groups: Vec<ContractGroupView>,
    pub not_grouped: Vec<ContractRow>,
    /// Contracts SeatSync made under another grouping rule that are still active in Autotask:
    /// they bill what the new contracts bill until someone ends them.
    pub superseded: Vec<ContractInfo>,
    pub changes: Vec<ChangeEntry>,
    pub autotask_configured: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushOutcome {
    /// The contract created (an update names none).
    pub contract_id: Option<ContractId>,
    pub contract_name: String,
    pub existed: bool,
    pub applied: Vec<String>,
    pub flagged: Vec<String>,
    pub failed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRunStatus {
    pub run_id: i64,
    pub running: bool,
    pub dry_run: bool,
    pub status: RunStatus,
    pub requested_by: Option<String>,
    pub total: i32,
    pub done: i32,
    pub failed: i32,
    pub changes: i32,
    pub autotask_requests: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub failures: Vec<crate::licences::SyncFailure>,
    /// The run's changes (for a dry run: what it would do), tenant by tenant.
    pub changes_list: Vec<ChangeEntry>,
}

/// A mapped tenant whose current Autotask contracts do not hold what Partner Center bills, as of
/// the last read of its contracts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractDifference {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub company_name: Option<String>,
    /// Its contracts that differ.
    pub contracts: usize,
    /// Services whose units differ from the seats bought.
    pub adjustments: usize,
    /// Services a contract lacks.
    pub additions: usize,
    /// Services billed with no active subscription behind them.
    pub ended: usize,
    /// When its contracts were last read from Autotask.
    pub read_at: Option<DateTime<Utc>>,
}
