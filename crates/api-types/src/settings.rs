//! Integrations and the settings an Admin changes in the app.

use seatsync_domain::grouping::ContractGrouping;
use serde::{Deserialize, Serialize};

/// One configured vendor connection; never carries a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationInfo {
    /// What identifies it in a request (`partner_center`, `graph`, `autotask`, …).
    pub key: String,
    pub name: String,
    pub purpose: String,
    pub base_url: String,
    /// Whether every credential the integration needs is set.
    pub configured: bool,
    /// The configuration keys still missing, to tell the Admin what to set.
    pub missing: Vec<String>,
    /// "Test connection" is offered: SeatSync has a client for it.
    pub testable: bool,
}

/// How many integrations are ready, for the dashboard (everyone signed in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadinessSummary {
    pub ready: usize,
    pub total: usize,
    pub not_ready: Vec<String>,
}

/// The settings an Admin changes in the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingSettingsInfo {
    pub service_name_template: String,
    pub contract_name_template: String,
    /// "today" or "term_start".
    pub adjustment_date: String,
    pub service_billing_code_id: Option<i64>,
    /// Whether contracts SeatSync creates require start and stop times on time entries.
    pub time_reporting_requires_start_stop: bool,
    /// How a customer's subscriptions are split into contracts.
    pub contract_grouping: ContractGrouping,
    pub service_placeholders: Vec<String>,
    pub contract_placeholders: Vec<String>,
    /// SeatSync's Autotask requests in the last hour and what it may use.
    pub autotask_usage: Option<AutotaskUsage>,
}

/// An Autotask allocation code a new service may be billed under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationCode {
    pub id: i64,
    pub name: String,
    /// What Autotask says the code is used for ("Recurring Contract Service", ...), if it says.
    pub use_type: Option<String>,
    /// Made for recurring contract services: the natural choice for licences.
    pub recurring: bool,
}

/// SeatSync's share of the Autotask database's hourly request threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutotaskUsage {
    pub used_last_hour: u64,
    pub allowed_per_hour: u64,
}

/// The outcome of "Test connection": one harmless call, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionTest {
    pub ok: bool,
    pub message: String,
    pub elapsed_ms: u64,
}
