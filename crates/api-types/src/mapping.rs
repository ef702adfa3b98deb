//! Customer and service mappings: rows, pickers, suggestions and history.

use chrono::{DateTime, Utc};
use seatsync_domain::{CompanyId, ServiceId, TenantId};
use serde::{Deserialize, Serialize};

pub use seatsync_domain::MappingState;

/// What an editor does in the mapping modal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingAction {
    Map,
    AcceptSuggestion,
    Ignore,
    UndoIgnore,
    Reset,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionInfo {
    pub company_id: CompanyId,
    pub company_name: String,
    pub confidence: f64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantMappingRow {
    pub tenant_id: TenantId,
    pub name: String,
    pub domain: Option<String>,
    pub state: MappingState,
    pub company_id: Option<CompanyId>,
    pub company_name: Option<String>,
    /// The mapped company is no longer in Autotask (or no longer active there).
    pub company_missing: bool,
    pub company_url: Option<String>,
    pub partner_center_url: String,
    pub version: i32,
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
    pub suggestion: Option<SuggestionInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshInfo {
    pub finished_at: Option<DateTime<Utc>>,
    pub companies: Option<i32>,
    pub services: Option<i32>,
    /// Why the latest refresh failed (the cache is then from the last good one).
    pub error: Option<String>,
    pub last_good_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerMappingList {
    pub rows: Vec<TenantMappingRow>,
    pub autotask_configured: bool,
    pub refresh: Option<RefreshInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyOption {
    pub id: CompanyId,
    pub name: String,
    pub number: Option<String>,
    pub active: bool,
    pub web_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub action: String,
    pub before: String,
    pub after: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptItem {
    pub tenant_id: TenantId,
    pub company_id: CompanyId,
    pub version: i32,
}

/// A tenant mapped by a bulk accept, at the version the accept left it: its undo is refused if
/// someone changed it since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UndoTenantAccept {
    pub tenant_id: TenantId,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptOutcome {
    pub tenant_id: TenantId,
    pub row: Option<TenantMappingRow>,
    pub error: Option<String>,
}

// ---- Microsoft offers to Autotask services ----

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferMappingRow {
    pub offer_key: String,
    pub offer_name: String,
    pub product: String,
    /// A New Commerce offer; false for a legacy one (listed next to the NCE offers of the same
    /// product, but billed through a service of its own).
    pub nce: bool,
    pub term: String,
    pub billing: String,
    pub subscriptions: i64,
    pub tenants: i64,
    pub quantity: i64,
    pub state: MappingState,
    pub service_id: Option<ServiceId>,
    pub service_name: Option<String>,
    pub service_missing: bool,
    pub version: i32,
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
    /// The MSP's own service that most likely bills this offer, while it is unmapped.
    pub suggestion: Option<ServiceSuggestionInfo>,
}

/// A service proposed for an offer, read off the service's name and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSuggestionInfo {
    pub service_id: ServiceId,
    pub service_name: String,
    /// Product, term and billing frequency all agree (else only the product is named).
    pub exact: bool,
    pub reason: String,
}

/// One offer's suggested service to accept, at the version its row showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptServiceItem {
    pub offer_key: String,
    pub service_id: ServiceId,
    pub version: i32,
}

/// An unmapped offer's service as the naming template names it: the preview of creating every
/// unmapped offer's service at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateServiceDraft {
    pub offer_key: String,
    pub version: i32,
    pub offer_name: String,
    pub term: String,
    pub billing: String,
    pub nce: bool,
    /// The service's name from the template.
    pub name: String,
    /// A service of that name exists: the offer is mapped to it and nothing is created.
    pub existing_service_id: Option<ServiceId>,
    /// What a unit costs the MSP per billing period, when an Admin set the product's monthly cost.
    pub unit_cost: Option<f64>,
    /// Autotask's period of the service ("Monthly", "Yearly").
    pub period: String,
    /// The MSP's own service SeatSync suggests for the offer: better mapped to than a new one.
    pub suggested_service: Option<String>,
}

/// One service to create from the template (name and amounts as the person confirmed them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateServiceItem {
    pub offer_key: String,
    pub version: i32,
    pub name: String,
    pub unit_price: String,
    pub unit_cost: String,
}

/// An offer mapped by a bulk accept, at the version the accept left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UndoServiceAccept {
    pub offer_key: String,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptServiceOutcome {
    pub offer_key: String,
    pub row: Option<OfferMappingRow>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferMappingList {
    pub rows: Vec<OfferMappingRow>,
    pub autotask_configured: bool,
    pub refresh: Option<RefreshInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceOption {
    pub id: ServiceId,
    pub name: String,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub period: Option<String>,
    pub active: bool,
}

/// Someone who can own a company in Autotask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerOption {
    pub id: i64,
    pub name: String,
    pub title: Option<String>,
}

/// What the form that creates a tenant's company in Autotask starts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyDraftInfo {
    pub tenant_name: String,
    pub name: String,
    pub web_address: Option<String>,
    pub owners: Vec<OwnerOption>,
    /// The owner preselected: the signed-in person's own resource, when Autotask has one.
    pub default_owner: Option<i64>,
    /// Whether this Autotask database requires a phone number on a new company.
    pub phone_required: bool,
    pub version: i32,
}

/// The company as the person confirmed it in the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCompanyForm {
    pub tenant_id: TenantId,
    pub name: String,
    pub owner_id: Option<i64>,
    pub phone: String,
    pub web_address: String,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDraftInfo {
    pub name: String,
    pub existing_service_id: Option<ServiceId>,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub period: String,
}
