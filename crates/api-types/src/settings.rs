//! Integrations and the settings an Admin changes in the app.

use chrono::{DateTime, Utc};
use seatsync_domain::{
    grouping::ContractGrouping,
    kinds::{IntegrationAction, IntegrationKey},
};
use serde::{Deserialize, Serialize};

/// One vendor connection as the Integrations page lists it; never carries a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationInfo {
    pub key: IntegrationKey,
    pub name: String,
    /// The features that use it.
    pub used_by: Vec<String>,
    /// Where SeatSync reaches it (its API address), when set.
    pub endpoint: Option<String>,
    /// Whether every required field has a value.
    pub configured: bool,
    /// The required fields still empty, by label.
    pub missing: Vec<String>,
    /// "Test connection" is offered: SeatSync has a client for it.
    pub testable: bool,
}

/// Where a field's value comes from, as the page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldSource {
    /// Its environment variable, which wins: change it there.
    Environment,
    /// Saved on this page.
    Stored,
    Default,
    Unset,
}

/// How a field is entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldInput {
    Text,
    Url,
    Secret,
    Email,
    Number,
    Choice(Vec<String>),
}

/// One field of an integration. A secret's value is never sent: only whether it is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldInfo {
    pub name: String,
    pub label: String,
    pub help: String,
    pub input: FieldInput,
    pub required: bool,
    /// The environment variable that sets it (and wins).
    pub env: String,
    pub source: FieldSource,
    /// The value in use, for fields that are not secret.
    pub value: Option<String>,
    /// A secret has a value (from wherever `source` says).
    pub is_set: bool,
    pub default: Option<String>,
    /// When and by whom the stored value was saved.
    pub set_at: Option<DateTime<Utc>>,
    pub set_by: Option<String>,
}

/// One change to an integration, as its history lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationChange {
    pub at: DateTime<Utc>,
    /// The field's label; none for a change to every secret (a key rotation).
    pub field: Option<String>,
    pub action: IntegrationAction,
    /// Before and after, for fields that are not secret.
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub by: Option<String>,
}

/// One integration's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationDetail {
    pub info: IntegrationInfo,
    pub fields: Vec<FieldInfo>,
    pub history: Vec<IntegrationChange>,
    /// Secrets can be saved here: `SEATSYNC_SECRETS_KEY` is set.
    pub secrets_can_be_stored: bool,
}

/// A change an Admin submits: a new value, or `None` to remove the stored one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub value: Option<String>,
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

/// One entry of an Autotask picklist, to choose from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickOption {
    pub value: i64,
    pub label: String,
    /// The database marks it as the default.
    pub is_default: bool,
}

/// A ticket field an Admin chooses a default for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDefaultField {
    /// Autotask's field name (`queueID`, `status`, …).
    pub field: String,
    pub label: String,
    pub options: Vec<PickOption>,
    pub chosen: Option<i64>,
}

/// How SeatSync files the tickets it opens in Autotask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDefaultsInfo {
    pub fields: Vec<TicketDefaultField>,
}

/// The outcome of a test delivery, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestDelivery {
    pub ok: bool,
    pub message: String,
}

/// A default an Admin chooses: a value of Autotask's list for the field, or none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDefaultChoice {
    pub field: String,
    pub value: Option<i64>,
}

/// How SeatSync files ConnectWise tickets: a board and one of its statuses, from the PSA's lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectWiseDefaultsInfo {
    pub boards: Vec<PickOption>,
    pub board_id: Option<i64>,
    /// The statuses of the chosen board (none until a board is chosen).
    pub statuses: Vec<PickOption>,
    pub status_id: Option<i64>,
}

/// A company of the PSA, to choose one for a test ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PsaCompany {
    pub id: i64,
    pub name: String,
}

/// The ticket type HaloPSA tickets are opened as, from Halo's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HaloDefaultsInfo {
    pub ticket_types: Vec<PickOption>,
    pub ticket_type_id: Option<i64>,
}
