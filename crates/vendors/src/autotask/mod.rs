//! Autotask PSA: companies, services, recurring service contracts and their units.
//!
//! Zone discovery once (`zoneInformation?user=`), then `{zone url}V1.0/{Entity}…` with the three
//! auth headers. Queries POST `{"filter":[…],"maxRecords":500}` and follow
//! `pageDetails.nextPageUrl` by re-posting the same body; `in` lists go in batches of 500.
//!
//! Two Autotask rules shape the client:
//! - **No idempotency keys.** A create sent twice creates two records, so writes are retried only
//!   when Autotask refused them before processing (429, no connection). A write that may have
//!   arrived (timeout, 5xx, connection lost after sending) fails with
//!   [`VendorError::Uncertain`]; the caller re-reads before trying again.
//! - **Shared limits.** 10,000 requests per rolling hour per database, shared with the MSP's
//!   other integrations, and 3 requests in flight per integration code and endpoint. SeatSync
//!   keeps to its share of the hour ([`budget`]) and to a semaphore per entity.

pub mod budget;
pub mod filter;
pub mod tickets;

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use reqwest::{Method, RequestBuilder, StatusCode};
use seatsync_domain::{CompanyId, ContractId, ServiceId};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

use budget::Budget;
pub use budget::BudgetUsage;

use crate::{
    http::{self, RetryMode, RetryPolicy, SendOptions},
    partner_center::BoxFuture,
    serde_lenient, VendorError,
};

const VENDOR: &str = "Autotask";
/// Records per query page; Autotask's maximum.
const PAGE_SIZE: usize = 500;
/// The endpoint key of `ThresholdInformation`, for the per-endpoint semaphores.
const THRESHOLD: &str = "ThresholdInformation";

/// Credentials and limits.
#[derive(Clone)]
pub struct AutotaskSettings {
    /// Zone discovery, e.g. `https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation`.
    pub zone_url: Url,
    /// The API-only user's e-mail address.
    pub username: String,
    pub secret: String,
    /// The API tracking identifier of the integration.
    pub integration_code: String,
    /// Share of the database's hourly request threshold SeatSync may use (0 < share <= 1; default 0.5).
    pub hourly_share: f64,
    /// Requests in flight at once per entity endpoint (Autotask allows 3).
    pub max_concurrent_per_endpoint: usize,
    /// Longest a call waits for budget before failing with VendorError::Budget.
    pub max_budget_wait: Duration,
}

impl Default for AutotaskSettings {
    fn default() -> Self {
        Self {
            zone_url: Url::parse("https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation")
                .expect("a valid URL"),
            username: String::new(),
            secret: String::new(),
            integration_code: String::new(),
            hourly_share: 0.5,
            max_concurrent_per_endpoint: 3,
            max_budget_wait: Duration::from_secs(30),
        }
    }
}

impl std::fmt::Debug for AutotaskSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutotaskSettings")
            .field("zone_url", &self.zone_url.as_str())
            .field("username", &self.username)
            .field("secret", &if self.secret.is_empty() { "" } else { "[redacted]" })
            .field("integration_code", &if self.integration_code.is_empty() { "" } else { "[redacted]" })
            .field("hourly_share", &self.hourly_share)
            .field("max_concurrent_per_endpoint", &self.max_concurrent_per_endpoint)
            .field("max_budget_wait", &self.max_budget_wait)
            .finish()
    }
}

/// What SeatSync needs from Autotask.
pub trait Autotask: Send + Sync {
    /// The zone's web address (`webUrl`), for links into Autotask.
    fn web_url(&self) -> BoxFuture<'_, Result<Url, VendorError>>;
    /// Every company, following pages.
    fn companies(&self) -> BoxFuture<'_, Result<Vec<Company>, VendorError>>;
    /// Companies whose name is `name` (Autotask compares case-insensitively).
    fn companies_named<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<Company>, VendorError>>;
    /// Creates a company; its id. Never retried once it may have arrived.
    fn create_company<'a>(&'a self, company: &'a NewCompany) -> BoxFuture<'a, Result<CompanyId, VendorError>>;
    /// The active resources (staff), who can own a company.
    fn resources(&self) -> BoxFuture<'_, Result<Vec<Resource>, VendorError>>;
    /// The fields this Autotask database requires on a new record of `entity`, from its
    /// `entityInformation/fields` (cached per entity).
    fn required_fields<'a>(&'a self, entity: &'a str) -> BoxFuture<'a, Result<Vec<String>, VendorError>>;
    /// Every service.
    fn services(&self) -> BoxFuture<'_, Result<Vec<Service>, VendorError>>;
    /// Services whose name is `name` (Autotask compares case-insensitively).
    fn services_named<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<Service>, VendorError>>;
    /// Creates a service; its id. Never retried once it may have arrived.
    fn create_service<'a>(&'a self, service: &'a NewService) -> BoxFuture<'a, Result<ServiceId, VendorError>>;
    /// The contracts of these companies (`in` batches of at most 500).
    fn contracts_of<'a>(&'a self, company_ids: &'a [CompanyId]) -> BoxFuture<'a, Result<Vec<Contract>, VendorError>>;
    /// A company's contracts named `name`.
    fn contracts_named<'a>(
        &'a self,
        company_id: CompanyId,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Contract>, VendorError>>;
    /// Creates a contract; its id. Never retried once it may have arrived.
    fn create_contract<'a>(&'a self, contract: &'a NewContract) -> BoxFuture<'a, Result<ContractId, VendorError>>;
    /// The services on these contracts.
    fn contract_services<'a>(
        &'a self,
        contract_ids: &'a [ContractId],
    ) -> BoxFuture<'a, Result<Vec<ContractService>, VendorError>>;
    /// The units rows of these contracts whose period contains `on`.
    fn contract_service_units<'a>(
        &'a self,
        contract_ids: &'a [ContractId],
        on: NaiveDate,
    ) -> BoxFuture<'a, Result<Vec<ContractServiceUnit>, VendorError>>;
    /// Adds a service to a contract (`POST /Contracts/{id}/Services`); the contract service's id.
    fn add_contract_service<'a>(
        &'a self,
        contract_id: ContractId,
        service: &'a NewContractService,
    ) -> BoxFuture<'a, Result<i64, VendorError>>;
    /// Changes a contract service's units by a delta (creating the contract service if it is
    /// not on the contract); the adjustment's id. Adjustments cannot be read back: verify with
    /// [`Autotask::contract_service_units`].
    fn adjust_units<'a>(&'a self, adjustment: &'a NewAdjustment) -> BoxFuture<'a, Result<i64, VendorError>>;
    /// The active allocation codes, with what each is used for (the `useType` picklist's label,
    /// where Autotask has one).
    fn billing_codes(&self) -> BoxFuture<'_, Result<Vec<BillingCode>, VendorError>>;
    /// The values of a picklist field, from `entityInformation/fields` (cached per entity).
    fn picklist<'a>(
        &'a self,
        entity: &'a str,
        field: &'a str,
    ) -> BoxFuture<'a, Result<Vec<PicklistValue>, VendorError>>;
    /// Opens a ticket (picklists left unset take the database's defaults); its id. Never
    /// retried once it may have arrived: re-read with [`Autotask::tickets_with`] first.
    fn create_ticket<'a>(&'a self, ticket: &'a tickets::NewTicket) -> BoxFuture<'a, Result<i64, VendorError>>;
    /// A company's tickets whose title contains `reference`.
    fn tickets_with<'a>(
        &'a self,
        company_id: CompanyId,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Vec<tickets::Ticket>, VendorError>>;
    /// Adds a note to a ticket; its id.
    fn add_ticket_note<'a>(
        &'a self,
        ticket_id: i64,
        title: &'a str,
        text: &'a str,
    ) -> BoxFuture<'a, Result<i64, VendorError>>;
    /// A ticket's notes (their titles carry SeatSync's reference, so a note whose answer was
    /// lost is found instead of sent again).
    fn ticket_notes(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<tickets::TicketNote>, VendorError>>;
    /// One ticket, or `None` when Autotask no longer has it.
    fn ticket(&self, ticket_id: i64) -> BoxFuture<'_, Result<Option<tickets::Ticket>, VendorError>>;
    /// The tickets with these ids that Autotask still has, 500 to a query.
    fn tickets_by_id<'a>(&'a self, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<tickets::Ticket>, VendorError>>;
    /// The value of the ticket status "Complete" in this database.
    fn complete_status(&self) -> BoxFuture<'_, Result<i64, VendorError>>;
    /// Sets a ticket's status to "Complete". Setting it again changes nothing, so a lost answer
    /// is settled by reading the ticket.
    fn complete_ticket(&self, ticket_id: i64) -> BoxFuture<'_, Result<(), VendorError>>;
    /// Attaches a file to a ticket (at most [`tickets::MAX_ATTACHMENT_BYTES`]); its id.
    fn attach_to_ticket<'a>(
        &'a self,
        ticket_id: i64,
        file_name: &'a str,
        content_type: &'a str,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<i64, VendorError>>;
    /// A ticket's attachments (without their data).
    fn ticket_attachments(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<tickets::TicketAttachment>, VendorError>>;
    /// The database's threshold and current count (one request).
    fn threshold(&self) -> BoxFuture<'_, Result<Threshold, VendorError>>;
    /// Requests SeatSync made in the last hour, its allowance, the database's last reported count.
    fn usage(&self) -> BudgetUsage;
}

/// The numeric value of the picklist entry labelled `label` (case-insensitive), or an error
/// naming entity.field and the labels that exist.
pub fn picklist_value(values: &[PicklistValue], entity: &str, field: &str, label: &str) -> Result<i64, VendorError> {
    let wanted = label.trim();
    let found = values.iter().filter(|v| v.label.trim().eq_ignore_ascii_case(wanted)).max_by_key(|v| v.is_active);
    match found {
        Some(v) if v.is_active => v.value.trim().parse().map_err(|_| VendorError::Malformed {
            vendor: VENDOR,
            what: format!("picklist {entity}.{field}"),
            detail: format!("the value of '{}' is '{}', not a number", v.label, v.value),
        }),
        Some(v) => Err(VendorError::NotConfigured {
            vendor: VENDOR,
            detail: format!(
                "the {entity}.{field} picklist value '{}' is inactive; activate it in Autotask's admin settings",
                v.label
            ),
        }),
        None => {
            let labels: Vec<&str> = values.iter().filter(|v| v.is_active).map(|v| v.label.as_str()).collect();
            Err(VendorError::NotConfigured {
                vendor: VENDOR,
                detail: format!(
                    "the {entity}.{field} picklist has no value labelled '{wanted}'; its values are: {}",
                    if labels.is_empty() { "(none)".to_string() } else { labels.join(", ") }
                ),
            })
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: CompanyId,
    #[serde(default)]
    pub company_name: String,
    #[serde(default)]
    pub company_number: Option<String>,
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub company_type: Option<i64>,
    #[serde(default = "yes", deserialize_with = "serde_lenient::flag")]
    pub is_active: bool,
    #[serde(default)]
    pub web_address: Option<String>,
}

/// A company to create; `company_type` is the `Companies.companyType` picklist value (read by
/// label, never a hard-coded number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCompany {
    pub company_name: String,
    pub company_type: i64,
    #[serde(rename = "ownerResourceID")]
    pub owner_resource_id: i64,
    pub phone: Option<String>,
    pub web_address: Option<String>,
}

/// A member of the MSP's staff (or an API user) in Autotask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: i64,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default = "yes", deserialize_with = "serde_lenient::flag")]
    pub is_active: bool,
}

impl Resource {
    /// "First Last", or the e-mail address, or the id when Autotask gave neither.
    pub fn display_name(&self) -> String {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            name
        } else {
            self.email.clone().filter(|e| !e.trim().is_empty()).unwrap_or_else(|| format!("Resource {}", self.id))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: ServiceId,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "serde_lenient::opt_float")]
    pub unit_price: Option<f64>,
    #[serde(default, deserialize_with = "serde_lenient::opt_float")]
    pub unit_cost: Option<f64>,
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub period_type: Option<i64>,
    #[serde(default = "yes", deserialize_with = "serde_lenient::flag")]
    pub is_active: bool,
}

/// A service to create. `period_type` is the `Services.periodType` picklist value (read it with
/// [`Autotask::picklist`] and [`picklist_value`]; never a hard-coded number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewService {
    pub name: String,
    pub description: Option<String>,
    pub unit_price: f64,
    pub unit_cost: Option<f64>,
    pub period_type: i64,
    #[serde(rename = "billingCodeID")]
    pub billing_code_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: ContractId,
    #[serde(rename = "companyID", deserialize_with = "serde_lenient::int")]
    pub company_id: CompanyId,
    #[serde(default)]
    pub contract_name: String,
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub contract_type: Option<i64>,
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub status: Option<i64>,
    #[serde(deserialize_with = "serde_lenient::date")]
    pub start_date: NaiveDate,
    #[serde(deserialize_with = "serde_lenient::date")]
    pub end_date: NaiveDate,
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub contract_period_type: Option<i64>,
}

/// A contract to create; picklist fields hold values read by label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewContract {
    #[serde(rename = "companyID")]
    pub company_id: CompanyId,
    pub contract_name: String,
    pub contract_type: i64,
    pub status: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub contract_period_type: Option<i64>,
    pub description: Option<String>,
    /// Whether time entered against the contract needs start and stop times; Autotask requires
    /// the field on every new contract.
    pub time_reporting_requires_start_and_stop_times: bool,
}

/// An allocation code (Autotask's `BillingCodes`), which every service must name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingCode {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub use_type: Option<i64>,
    #[serde(default = "yes", deserialize_with = "serde_lenient::flag")]
    pub is_active: bool,
    /// What `use_type` means, from the `useType` picklist (not sent by Autotask on the record).
    #[serde(skip)]
    pub use_type_label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractService {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: i64,
    #[serde(rename = "contractID", deserialize_with = "serde_lenient::int")]
    pub contract_id: ContractId,
    #[serde(rename = "serviceID", deserialize_with = "serde_lenient::int")]
    pub service_id: ServiceId,
    #[serde(default, deserialize_with = "serde_lenient::opt_float")]
    pub unit_price: Option<f64>,
    #[serde(default, deserialize_with = "serde_lenient::opt_float")]
    pub unit_cost: Option<f64>,
}

/// The units of one contract service over one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractServiceUnit {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: i64,
    #[serde(rename = "contractID", deserialize_with = "serde_lenient::int")]
    pub contract_id: ContractId,
    #[serde(rename = "contractServiceID", deserialize_with = "serde_lenient::int")]
    pub contract_service_id: i64,
    #[serde(rename = "serviceID", deserialize_with = "serde_lenient::int")]
    pub service_id: ServiceId,
    #[serde(deserialize_with = "serde_lenient::date")]
    pub start_date: NaiveDate,
    #[serde(deserialize_with = "serde_lenient::date")]
    pub end_date: NaiveDate,
    #[serde(deserialize_with = "serde_lenient::int")]
    pub units: i64,
    #[serde(default, deserialize_with = "serde_lenient::opt_float")]
    pub price: Option<f64>,
    #[serde(default, deserialize_with = "serde_lenient::opt_float")]
    pub cost: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewContractService {
    #[serde(rename = "serviceID")]
    pub service_id: ServiceId,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub invoice_description: Option<String>,
}

/// A change of units: `unit_change` is the delta (negative to remove seats).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAdjustment {
    #[serde(rename = "contractID")]
    pub contract_id: ContractId,
    #[serde(rename = "serviceID")]
    pub service_id: ServiceId,
    pub effective_date: NaiveDate,
    pub unit_change: i64,
    pub adjusted_unit_price: Option<f64>,
    pub adjusted_unit_cost: Option<f64>,
}

/// One picklist entry; `value` is text as Autotask sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    #[serde(deserialize_with = "serde_lenient::text")]
    pub value: String,
    #[serde(default)]
    pub label: String,
    #[serde(default = "yes", deserialize_with = "serde_lenient::flag")]
    pub is_active: bool,
    #[serde(default, rename = "isDefaultValue", alias = "isDefault", deserialize_with = "serde_lenient::flag")]
    pub is_default: bool,
}

/// `ThresholdInformation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Threshold {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub external_request_threshold: i64,
    #[serde(deserialize_with = "serde_lenient::int")]
    pub request_threshold_timeframe: i64,
    #[serde(deserialize_with = "serde_lenient::int")]
    pub current_timeframe_request_count: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Zone {
    url: String,
    web_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
    #[serde(default)]
    page_details: Option<PageDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageDetails {
    #[serde(default)]
    next_page_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    #[serde(deserialize_with = "serde_lenient::int")]
    item_id: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FieldInfo {
    name: String,
    #[serde(default, deserialize_with = "serde_lenient::flag")]
    is_pick_list: bool,
    #[serde(default)]
    picklist_values: Option<Vec<PicklistValue>>,
    #[serde(default, deserialize_with = "serde_lenient::flag")]
    is_required: bool,
    #[serde(default, deserialize_with = "serde_lenient::flag")]
    is_read_only: bool,
}

/// The fields Autotask requires on a new record that `body` does not carry. `id` and read-only
/// fields are Autotask's to fill.
fn missing_required(fields: &[FieldInfo], body: &Value) -> Vec<String> {
    fields
        .iter()
        .filter(|f| f.is_required && !f.is_read_only && !f.name.eq_ignore_ascii_case("id"))
        .filter(|f| {
            let given =
                body.as_object().and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(&f.name)).map(|(_, v)| v));
            match given {
                None | Some(Value::Null) => true,
                Some(Value::String(s)) => s.trim().is_empty(),
                Some(_) => false,
            }
        })
        .map(|f| f.name.clone())
        .collect()
}

#[derive(Deserialize)]
struct Fields {
    fields: Vec<FieldInfo>,
}

/// Where the zone's API and web pages are.
struct ZoneUrls {
    /// Ends with `/`; `V1.0/{Entity}` is appended.
    api: Url,
    web: Url,
}

/// Autotask over HTTP.
pub struct HttpAutotask {
    settings: AutotaskSettings,
    client: reqwest::Client,
    policy: RetryPolicy,
    zone: OnceCell<ZoneUrls>,
    budget: Budget,
    /// One re-read of the threshold at a time.
    refresh: tokio::sync::Mutex<()>,
    endpoints: Mutex<HashMap<String, Arc<Semaphore>>>,
    fields: Mutex<HashMap<String, Arc<Vec<FieldInfo>>>>,
    requests: AtomicU64,
}

/// Whether an error answer is final: a 500 with an `errors` body is a validation or business
/// error (retrying cannot help), and a 429 saying the hourly threshold is exceeded will not
/// clear within a retry's backoff.
fn is_final(status: StatusCode, body: &str) -> bool {
    let errors = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("errors").and_then(Value::as_array).map(|e| !e.is_empty()));
    match status {
        StatusCode::INTERNAL_SERVER_ERROR => errors == Some(true),
        StatusCode::TOO_MANY_REQUESTS => body.to_ascii_lowercase().contains("threshold"),
        _ => false,
    }
}

/// Credentials refused and an exceeded threshold, in words a person can act on.
fn explain(e: VendorError) -> VendorError {
    match e {
        VendorError::Status { status: status @ (401 | 403), message, .. } => VendorError::Auth {
            vendor: VENDOR,
            detail: format!("Autotask refused the API credentials (HTTP {status}: {message}); check the API user, secret and integration code"),
        },
        VendorError::Status { status: 429, message, .. } => VendorError::Budget {
            vendor: VENDOR,
            detail: format!("the Autotask database's hourly request threshold is used up (all integrations together): {message}"),
        },
        other => other,
    }
}

impl HttpAutotask {
    pub fn new(settings: AutotaskSettings, client: reqwest::Client, policy: RetryPolicy) -> Arc<Self> {
        let budget = Budget::new(settings.hourly_share);
        Arc::new(Self {
            settings,
            client,
            policy,
            zone: OnceCell::new(),
            budget,
            refresh: tokio::sync::Mutex::new(()),
            endpoints: Mutex::default(),
            fields: Mutex::default(),
            requests: AtomicU64::new(0),
        })
    }

    /// HTTP requests sent to Autotask so far (every attempt, zone discovery included).
    pub fn requests_made(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn request(&self, method: Method, url: &str, body: Option<&Value>) -> RequestBuilder {
        let s = &self.settings;
        let req = self
            .client
            .request(method, url)
            .header("ApiIntegrationCode", &s.integration_code)
            .header("UserName", &s.username)
            .header("Secret", &s.secret)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json");
        match body {
            Some(b) => req.body(b.to_string()),
            None => req,
        }
    }

    async fn zone(&self) -> Result<&ZoneUrls, VendorError> {
        self.zone.get_or_try_init(|| self.discover_zone()).await
    }

    /// `GET zoneInformation?user=`: not counted against the threshold, not thread-limited.
    async fn discover_zone(&self) -> Result<ZoneUrls, VendorError> {
        if self.settings.username.is_empty()
            || self.settings.secret.is_empty()
            || self.settings.integration_code.is_empty()
        {
            return Err(VendorError::NotConfigured {
                vendor: VENDOR,
                detail: "set the API user, secret and integration code".into(),
            });
        }
        let mut url = self.settings.zone_url.clone();
        url.query_pairs_mut().append_pair("user", &self.settings.username);
        let res = http::send(VENDOR, &self.policy, || {
            self.requests.fetch_add(1, Ordering::Relaxed);
            self.request(Method::GET, url.as_str(), None)
        })
        .await
        .map_err(|e| match e {
            VendorError::Status { status, message, .. } if status < 500 => VendorError::Auth {
                vendor: VENDOR,
                detail: format!(
                    "Autotask found no zone for the API user {} (HTTP {status}: {message}); check the API user name",
                    self.settings.username
                ),
            },
            other => other,
        })?;
        let zone: Zone = http::json(VENDOR, "zone information", res).await?;
        let bad = |detail: String| VendorError::Malformed { vendor: VENDOR, what: "zone information".into(), detail };
        let api = format!("{}/", zone.url.trim_end_matches('/'));
        let api = Url::parse(&api).map_err(|e| bad(format!("url '{}': {e}", zone.url)))?;
        let web = match zone.web_url.as_deref() {
            Some(w) if !w.trim().is_empty() => Url::parse(w).map_err(|e| bad(format!("webUrl '{w}': {e}")))?,
            _ => api.join("/").map_err(|e| bad(e.to_string()))?,
        };
        tracing::debug!(api = %api, "Autotask zone found");
        Ok(ZoneUrls { api, web })
    }

    /// `{zone}V1.0/{path}`.
    async fn url(&self, path: &str) -> Result<String, VendorError> {
        Ok(format!("{}V1.0/{path}", self.zone().await?.api))
    }

    fn endpoint(&self, entity: &str) -> Arc<Semaphore> {
        let mut endpoints = self.endpoints.lock().unwrap_or_else(|p| p.into_inner());
        endpoints
            .entry(entity.to_ascii_lowercase())
            .or_insert_with(|| Arc::new(Semaphore::new(self.settings.max_concurrent_per_endpoint.max(1))))
            .clone()
    }

    /// Takes one request from the budget, re-reading the threshold when due, waiting up to
    /// `max_budget_wait` for budget to free up.
    async fn admit(&self) -> Result<(), VendorError> {
        let deadline = Instant::now() + self.settings.max_budget_wait;
        loop {
            if self.budget.refresh_due(Instant::now()) {
                let _one = self.refresh.lock().await;
                if self.budget.refresh_due(Instant::now()) {
                    if let Err(e) = self.read_threshold().await {
                        if !self.budget.knows_threshold() {
                            return Err(e);
                        }
                        tracing::warn!(error = %e, "could not re-read Autotask's request threshold; keeping the last figures");
                        self.budget.postpone_refresh(Instant::now());
                    }
                }
            }
            match self.budget.take(Instant::now(), false) {
                Ok(delay) => {
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    return Ok(());
                }
                Err(wait) if wait.until <= deadline => {
                    tracing::info!(wait_ms = wait.until.saturating_duration_since(Instant::now()).as_millis() as u64, reason = %wait.detail, "waiting for Autotask request budget");
                    tokio::time::sleep_until(wait.until.into()).await;
                }
                Err(wait) => return Err(VendorError::Budget { vendor: VENDOR, detail: wait.detail }),
            }
        }
    }

    /// `GET ThresholdInformation`, recorded in the budget.
    async fn read_threshold(&self) -> Result<Threshold, VendorError> {
        let url = self.url(THRESHOLD).await?;
        let semaphore = self.endpoint(THRESHOLD);
        let _permit =
            semaphore.acquire().await.map_err(|e| VendorError::Transport { vendor: VENDOR, detail: e.to_string() })?;
        let url = &url;
        let res = http::send_with(
            VENDOR,
            &self.policy,
            SendOptions { mode: RetryMode::Repeatable, is_final: Some(is_final) },
            move || async move {
                self.budget
                    .take(Instant::now(), true)
                    .map_err(|w| VendorError::Budget { vendor: VENDOR, detail: w.detail })?;
                self.requests.fetch_add(1, Ordering::Relaxed);
                Ok(self.request(Method::GET, url, None))
            },
        )
        .await
        .map_err(explain)?;
        let t: Threshold = http::json(VENDOR, "threshold information", res).await?;
        self.budget.record(t.external_request_threshold, t.current_timeframe_request_count, Instant::now());
        tracing::debug!(
            threshold = t.external_request_threshold,
            count = t.current_timeframe_request_count,
            "Autotask threshold read"
        );
        Ok(t)
    }

    /// One call to an entity endpoint: a thread of the endpoint, budget per attempt, retries
    /// as `mode` allows; the JSON answer.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        endpoint: &str,
        url: &str,
        body: Option<&Value>,
        mode: RetryMode,
        what: &str,
    ) -> Result<T, VendorError> {
        let semaphore = self.endpoint(endpoint);
        let _permit =
            semaphore.acquire().await.map_err(|e| VendorError::Transport { vendor: VENDOR, detail: e.to_string() })?;
        let method = &method;
        let res =
            http::send_with(VENDOR, &self.policy, SendOptions { mode, is_final: Some(is_final) }, move || async move {
                self.admit().await?;
                self.requests.fetch_add(1, Ordering::Relaxed);
                Ok(self.request(method.clone(), url, body))
            })
            .await
            .map_err(explain)?;
        // The body is read while the thread is still held.
        http::json(VENDOR, what, res).await
    }

    /// Every record matching `filter`, following `nextPageUrl` with the same body.
    async fn query<T: DeserializeOwned>(
        &self,
        entity: &str,
        filter: Vec<Value>,
        what: &str,
    ) -> Result<Vec<T>, VendorError> {
        let body = json!({"filter": filter, "maxRecords": PAGE_SIZE});
        let mut url = self.url(&format!("{entity}/query")).await?;
        let mut items = Vec::new();
        let mut visited = std::collections::HashSet::new();
        loop {
            let page: Page<T> = self.call(Method::POST, entity, &url, Some(&body), RetryMode::Repeatable, what).await?;
            items.extend(page.items);
            match page.page_details.and_then(|p| p.next_page_url).filter(|u| !u.trim().is_empty()) {
                Some(next) => {
                    let next = self.resolve(&next).await?;
                    if !visited.insert(next.clone()) {
                        return Err(VendorError::Malformed {
                            vendor: VENDOR,
                            what: what.into(),
                            detail: format!("the nextPageUrl {next} repeats"),
                        });
                    }
                    url = next;
                }
                None => return Ok(items),
            }
        }
    }

    /// Records whose `field` is one of `ids`, in `in` batches of at most 500, plus `extra` conditions.
    async fn query_in<T: DeserializeOwned>(
        &self,
        entity: &str,
        field: &str,
        ids: &[impl Into<i64> + Copy],
        extra: &[Value],
        what: &str,
    ) -> Result<Vec<T>, VendorError> {
        let ids: Vec<i64> = ids.iter().map(|&id| id.into()).collect();
        let mut all = Vec::new();
        for batch in filter::batches(&ids) {
            let mut conditions = vec![filter::is_in(field, &batch)];
            conditions.extend_from_slice(extra);
            all.extend(self.query(entity, conditions, what).await?);
        }
        Ok(all)
    }

    /// A next-page URL as sent (absolute), or made absolute against the zone.
    async fn resolve(&self, url: &str) -> Result<String, VendorError> {
        if url.starts_with("http://") || url.starts_with("https://") {
            return Ok(url.to_string());
        }
        let zone = &self.zone().await?.api;
        zone.join(url).map(String::from).map_err(|e| VendorError::Malformed {
            vendor: VENDOR,
            what: "query page".into(),
            detail: format!("nextPageUrl '{url}': {e}"),
        })
    }

    /// A create or update: sent once unless refused before processing; the new record's id. A
    /// create missing a field this Autotask database requires (per its `entityInformation`) is
    /// refused here, naming the field, instead of by Autotask with a 500.
    async fn write(
        &self,
        method: Method,
        endpoint: &str,
        path: &str,
        body: Value,
        what: &str,
    ) -> Result<i64, VendorError> {
        if method == Method::POST {
            let missing = missing_required(&self.fields_of(endpoint).await?, &body);
            if !missing.is_empty() {
                return Err(VendorError::MissingFields {
                    vendor: VENDOR,
                    entity: endpoint.to_string(),
                    fields: missing,
                });
            }
        }
        let url = self.url(path).await?;
        match self.call::<Created>(method, endpoint, &url, Some(&body), RetryMode::Unrepeatable, what).await {
            Ok(created) => Ok(created.item_id),
            // Autotask said yes but the answer did not arrive whole: applied, id unknown.
            Err(VendorError::Malformed { detail, .. }) => Err(VendorError::Uncertain {
                vendor: VENDOR,
                detail: format!("Autotask accepted the {what} but its answer could not be read ({detail})"),
            }),
            Err(e) => Err(e),
        }
    }

    /// A yes/no value for `entity.field` as this database defines the field: the value of its
    /// "Yes" or "No" entry when it is a picklist, 1 or 0 otherwise.
    async fn yes_no(&self, entity: &str, field: &str, yes: bool) -> Result<Value, VendorError> {
        let fields = self.fields_of(entity).await?;
        match fields.iter().find(|f| f.name.eq_ignore_ascii_case(field)) {
            Some(info) if info.is_pick_list => {
                let values = info.picklist_values.clone().unwrap_or_default();
                Ok(json!(picklist_value(&values, entity, field, if yes { "Yes" } else { "No" })?))
            }
            _ => Ok(json!(i64::from(yes))),
        }
    }

    async fn fields_of(&self, entity: &str) -> Result<Arc<Vec<FieldInfo>>, VendorError> {
        let key = entity.to_ascii_lowercase();
        if let Some(f) = self.fields.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(f.clone());
        }
        let url = self.url(&format!("{entity}/entityInformation/fields")).await?;
        let fields: Fields =
            self.call(Method::GET, entity, &url, None, RetryMode::Repeatable, &format!("{entity} field list")).await?;
        let fields = Arc::new(fields.fields);
        self.fields.lock().unwrap_or_else(|p| p.into_inner()).insert(key, fields.clone());
        Ok(fields)
    }
}

/// Sets `key` in a JSON body when there is a value.
fn put<T: Serialize>(body: &mut Value, key: &str, value: &Option<T>) {
    if let Some(v) = value {
        body[key] = json!(v);
    }
}

impl Autotask for HttpAutotask {
    #[tracing::instrument(skip_all)]
    fn web_url(&self) -> BoxFuture<'_, Result<Url, VendorError>> {
        Box::pin(async move { Ok(self.zone().await?.web.clone()) })
    }

    #[tracing::instrument(skip_all)]
    fn companies(&self) -> BoxFuture<'_, Result<Vec<Company>, VendorError>> {
        Box::pin(async move { self.query("Companies", vec![filter::all()], "company list").await })
    }

    #[tracing::instrument(skip(self))]
    fn companies_named<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<Company>, VendorError>> {
        Box::pin(async move { self.query("Companies", vec![filter::eq("companyName", name)], "company list").await })
    }

    #[tracing::instrument(skip_all, fields(name = %company.company_name))]
    fn create_company<'a>(&'a self, company: &'a NewCompany) -> BoxFuture<'a, Result<CompanyId, VendorError>> {
        Box::pin(async move {
            let mut body = json!({
                "companyName": company.company_name,
                "companyType": company.company_type,
                "ownerResourceID": company.owner_resource_id,
                "isActive": true,
            });
            put(&mut body, "phone", &company.phone);
            put(&mut body, "webAddress", &company.web_address);
            self.write(Method::POST, "Companies", "Companies", body, "created company").await.map(CompanyId::new)
        })
    }

    #[tracing::instrument(skip_all)]
    fn resources(&self) -> BoxFuture<'_, Result<Vec<Resource>, VendorError>> {
        Box::pin(async move {
            let all: Vec<Resource> =
                self.query("Resources", vec![filter::eq("isActive", true)], "resource list").await?;
            Ok(all.into_iter().filter(|r| r.is_active).collect())
        })
    }

    #[tracing::instrument(skip(self))]
    fn required_fields<'a>(&'a self, entity: &'a str) -> BoxFuture<'a, Result<Vec<String>, VendorError>> {
        Box::pin(async move {
            Ok(self
                .fields_of(entity)
                .await?
                .iter()
                .filter(|f| f.is_required && !f.is_read_only && !f.name.eq_ignore_ascii_case("id"))
                .map(|f| f.name.clone())
                .collect())
        })
    }

    #[tracing::instrument(skip_all)]
    fn services(&self) -> BoxFuture<'_, Result<Vec<Service>, VendorError>> {
        Box::pin(async move { self.query("Services", vec![filter::all()], "service list").await })
    }

    #[tracing::instrument(skip(self))]
    fn services_named<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<Service>, VendorError>> {
        Box::pin(async move { self.query("Services", vec![filter::eq("name", name)], "service list").await })
    }

    #[tracing::instrument(skip_all, fields(name = %service.name))]
    fn create_service<'a>(&'a self, service: &'a NewService) -> BoxFuture<'a, Result<ServiceId, VendorError>> {
        Box::pin(async move {
            let mut body = json!({"name": service.name, "unitPrice": service.unit_price, "periodType": service.period_type, "isActive": true});
            put(&mut body, "description", &service.description);
            put(&mut body, "unitCost", &service.unit_cost);
            put(&mut body, "billingCodeID", &service.billing_code_id);
            self.write(Method::POST, "Services", "Services", body, "created service").await.map(ServiceId::new)
        })
    }

    #[tracing::instrument(skip_all, fields(companies = company_ids.len()))]
    fn contracts_of<'a>(&'a self, company_ids: &'a [CompanyId]) -> BoxFuture<'a, Result<Vec<Contract>, VendorError>> {
        Box::pin(async move { self.query_in("Contracts", "companyID", company_ids, &[], "contract list").await })
    }

    #[tracing::instrument(skip(self))]
    fn contracts_named<'a>(
        &'a self,
        company_id: CompanyId,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Contract>, VendorError>> {
        Box::pin(async move {
            self.query(
                "Contracts",
                vec![filter::eq("companyID", company_id.get()), filter::eq("contractName", name)],
                "contract list",
            )
            .await
        })
    }

    #[tracing::instrument(skip_all, fields(company_id = %contract.company_id, name = %contract.contract_name))]
    fn create_contract<'a>(&'a self, contract: &'a NewContract) -> BoxFuture<'a, Result<ContractId, VendorError>> {
        Box::pin(async move {
            let mut body = json!({
                "companyID": contract.company_id,
                "contractName": contract.contract_name,
                "contractType": contract.contract_type,
                "status": contract.status,
                "startDate": filter::date(contract.start_date),
                "endDate": filter::date(contract.end_date),
            });
            put(&mut body, "contractPeriodType", &contract.contract_period_type);
            put(&mut body, "description", &contract.description);
            let field = "timeReportingRequiresStartAndStopTimes";
            body[field] =
                self.yes_no("Contracts", field, contract.time_reporting_requires_start_and_stop_times).await?;
            self.write(Method::POST, "Contracts", "Contracts", body, "created contract").await.map(ContractId::new)
        })
    }

    #[tracing::instrument(skip_all, fields(contracts = contract_ids.len()))]
    fn contract_services<'a>(
        &'a self,
        contract_ids: &'a [ContractId],
    ) -> BoxFuture<'a, Result<Vec<ContractService>, VendorError>> {
        Box::pin(async move {
            self.query_in("ContractServices", "contractID", contract_ids, &[], "contract service list").await
        })
    }

    #[tracing::instrument(skip_all, fields(contracts = contract_ids.len(), %on))]
    fn contract_service_units<'a>(
        &'a self,
        contract_ids: &'a [ContractId],
        on: NaiveDate,
    ) -> BoxFuture<'a, Result<Vec<ContractServiceUnit>, VendorError>> {
        Box::pin(async move {
            let day = filter::date(on);
            let within = [filter::cond("lte", "startDate", day.clone()), filter::cond("gte", "endDate", day)];
            self.query_in("ContractServiceUnits", "contractID", contract_ids, &within, "contract service units").await
        })
    }

    #[tracing::instrument(skip_all, fields(contract_id = %contract_id, service_id = %service.service_id))]
    fn add_contract_service<'a>(
        &'a self,
        contract_id: ContractId,
        service: &'a NewContractService,
    ) -> BoxFuture<'a, Result<i64, VendorError>> {
        Box::pin(async move {
            let mut body = json!({"contractID": contract_id, "serviceID": service.service_id});
            put(&mut body, "unitPrice", &service.unit_price);
            put(&mut body, "unitCost", &service.unit_cost);
            put(&mut body, "invoiceDescription", &service.invoice_description);
            self.write(
                Method::POST,
                "ContractServices",
                &format!("Contracts/{contract_id}/Services"),
                body,
                "created contract service",
            )
            .await
        })
    }

    #[tracing::instrument(skip_all, fields(contract_id = %adjustment.contract_id, service_id = %adjustment.service_id, unit_change = adjustment.unit_change))]
    fn adjust_units<'a>(&'a self, adjustment: &'a NewAdjustment) -> BoxFuture<'a, Result<i64, VendorError>> {
        Box::pin(async move {
            let mut body = json!({
                "contractID": adjustment.contract_id,
                "serviceID": adjustment.service_id,
                "effectiveDate": filter::date(adjustment.effective_date),
                "unitChange": adjustment.unit_change,
            });
            put(&mut body, "adjustedUnitPrice", &adjustment.adjusted_unit_price);
            put(&mut body, "adjustedUnitCost", &adjustment.adjusted_unit_cost);
            self.write(
                Method::POST,
                "ContractServiceAdjustments",
                "ContractServiceAdjustments",
                body,
                "created adjustment",
            )
            .await
        })
    }

    #[tracing::instrument(skip_all)]
    fn billing_codes(&self) -> BoxFuture<'_, Result<Vec<BillingCode>, VendorError>> {
        Box::pin(async move {
            let codes: Vec<BillingCode> =
                self.query("BillingCodes", vec![filter::eq("isActive", true)], "allocation code list").await?;
            let fields = self.fields_of("BillingCodes").await?;
            let use_types = fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case("useType"))
                .and_then(|f| f.picklist_values.clone())
                .unwrap_or_default();
            let label = |v: Option<i64>| {
                v.and_then(|v| use_types.iter().find(|p| p.value.trim() == v.to_string()).map(|p| p.label.clone()))
            };
            Ok(codes
                .into_iter()
                .filter(|c| c.is_active)
                .map(|c| BillingCode { use_type_label: label(c.use_type), ..c })
                .collect())
        })
    }

    #[tracing::instrument(skip(self))]
    fn picklist<'a>(
        &'a self,
        entity: &'a str,
        field: &'a str,
    ) -> BoxFuture<'a, Result<Vec<PicklistValue>, VendorError>> {
        Box::pin(async move {
            let fields = self.fields_of(entity).await?;
            let Some(info) = fields.iter().find(|f| f.name.eq_ignore_ascii_case(field)) else {
                return Err(VendorError::NotConfigured {
                    vendor: VENDOR,
                    detail: format!("Autotask's {entity} entity has no field {field}"),
                });
            };
            if !info.is_pick_list {
                return Err(VendorError::NotConfigured {
                    vendor: VENDOR,
                    detail: format!("{entity}.{} is not a picklist", info.name),
                });
            }
            Ok(info.picklist_values.clone().unwrap_or_default())
        })
    }

    fn create_ticket<'a>(&'a self, ticket: &'a tickets::NewTicket) -> BoxFuture<'a, Result<i64, VendorError>> {
        Box::pin(self.post_ticket(ticket))
    }

    fn tickets_with<'a>(
        &'a self,
        company_id: CompanyId,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Vec<tickets::Ticket>, VendorError>> {
        Box::pin(self.query_tickets_with(company_id, reference))
    }

    fn add_ticket_note<'a>(
        &'a self,
        ticket_id: i64,
        title: &'a str,
        text: &'a str,
    ) -> BoxFuture<'a, Result<i64, VendorError>> {
        Box::pin(self.post_note(ticket_id, title, text))
    }

    fn ticket_notes(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<tickets::TicketNote>, VendorError>> {
        Box::pin(self.query_notes(ticket_id))
    }

    fn ticket(&self, ticket_id: i64) -> BoxFuture<'_, Result<Option<tickets::Ticket>, VendorError>> {
        Box::pin(self.query_ticket(ticket_id))
    }

    fn tickets_by_id<'a>(&'a self, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<tickets::Ticket>, VendorError>> {
        Box::pin(self.query_in("Tickets", "id", ids, &[], "ticket list"))
    }

    fn complete_status(&self) -> BoxFuture<'_, Result<i64, VendorError>> {
        Box::pin(self.read_complete_status())
    }

    fn complete_ticket(&self, ticket_id: i64) -> BoxFuture<'_, Result<(), VendorError>> {
        Box::pin(self.patch_complete(ticket_id))
    }

    fn attach_to_ticket<'a>(
        &'a self,
        ticket_id: i64,
        file_name: &'a str,
        content_type: &'a str,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<i64, VendorError>> {
        Box::pin(self.post_attachment(ticket_id, file_name, content_type, bytes))
    }

    fn ticket_attachments(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<tickets::TicketAttachment>, VendorError>> {
        Box::pin(self.query_attachments(ticket_id))
    }

    #[tracing::instrument(skip_all)]
    fn threshold(&self) -> BoxFuture<'_, Result<Threshold, VendorError>> {
        Box::pin(async move { self.read_threshold().await })
    }

    fn usage(&self) -> BudgetUsage {
        self.budget.usage(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Vec<PicklistValue> {
        serde_json::from_value(json!([
            {"value": "2", "label": "Monthly", "isActive": true, "isDefaultValue": false},
            {"value": 5, "label": "Quarterly", "isActive": true},
            {"value": "9", "label": "Weekly", "isActive": false},
        ]))
        .unwrap()
    }

    #[test]
    fn picklist_values_by_label() {
        assert_eq!(picklist_value(&values(), "Contracts", "contractPeriodType", " monthly ").unwrap(), 2);
        assert_eq!(picklist_value(&values(), "Contracts", "contractPeriodType", "Quarterly").unwrap(), 5);
        let err = picklist_value(&values(), "Contracts", "contractPeriodType", "Yearly").unwrap_err().to_string();
        assert!(
            err.contains("Contracts.contractPeriodType")
                && err.contains("Monthly, Quarterly")
                && !err.contains("Weekly"),
            "{err}"
        );
        let err = picklist_value(&values(), "Contracts", "contractPeriodType", "weekly").unwrap_err().to_string();
        assert!(err.contains("inactive"), "{err}");
    }

    #[test]
    fn final_answers_are_not_retried() {
        assert!(is_final(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"errors":["Value does not exist for the required field title."]}"#
        ));
        assert!(!is_final(StatusCode::INTERNAL_SERVER_ERROR, r#"{"error":"injected"}"#));
        assert!(!is_final(StatusCode::SERVICE_UNAVAILABLE, r#"{"errors":["busy"]}"#));
        assert!(!is_final(StatusCode::TOO_MANY_REQUESTS, r#"{"errors":["Thread limit exceeded"]}"#));
        assert!(is_final(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"errors":["The API request threshold of 10000 requests per 60 minutes has been exceeded"]}"#
        ));
    }

    #[test]
    fn records_parse_from_autotask_shapes() {
        let c: Contract = serde_json::from_value(json!({"id": 7, "companyID": "12", "contractName": "X", "contractType": 7, "status": 1,
            "startDate": "2026-03-01T00:00:00", "endDate": "2027-02-28T00:00:00.000Z", "contractPeriodType": null, "extra": 1})).unwrap();
        assert_eq!(
            (c.company_id, c.start_date.to_string(), c.end_date.to_string(), c.contract_period_type),
            (CompanyId::new(12), "2026-03-01".into(), "2027-02-28".into(), None)
        );
        let s: Service =
            serde_json::from_value(json!({"id": 1, "name": "S", "unitPrice": "26.40", "isActive": true})).unwrap();
        assert_eq!(s.unit_price, Some(26.4));
        let settings = AutotaskSettings { secret: "s3cret".into(), ..AutotaskSettings::default() };
        assert!(!format!("{settings:?}").contains("s3cret"));
        assert_eq!(settings.zone_url.as_str(), "https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation");
    }
}
