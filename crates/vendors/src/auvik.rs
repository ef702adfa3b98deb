//! Auvik's API v1 (shared/docs/billing-connectors.md, section 9): HTTP Basic with the user's name
//! (its e-mail address) and the API key Auvik generated for that user, on every request to
//! `https://auvikapi.{region}.my.auvik.com/v1`; JSON:API envelopes (`data`, `included`, `links`,
//! `meta`, and `{"errors": […]}` on failure).
//!
//! A whole account takes a handful of requests: `/tenants` lists every tenant the user may read
//! (the MSP's multi-client tenants and the client tenants under them), `/tenants/detail` gives
//! their display names, and `/billing/usage/client` gives the billable devices of up to
//! [`TENANTS_PER_REQUEST`] clients at once. The device inventory (`/inventory/device/info`),
//! read for the same batches in `page[first]`/`page[after]` pages by following `links.next`, is
//! the other way of counting, point in time.
//!
//! What the document leaves open, and how it is met:
//! - the region: an account asked for at another region's address answers 308 Permanent
//!   Redirect. The first request of a client checks for one whether the HTTP client follows
//!   redirects or not (one that follows drops the credentials on the way to the other host, so
//!   its 401 from there gives the new address away), and every request after it goes to where
//!   Auvik sent it (from an Auvik address only to another Auvik address, over HTTPS); the move
//!   is logged and shown by "Test connection", so the setting can be corrected;
//! - no rate limit is published (the guide's section on it was not captured), so requests are
//!   spread under a per-minute setting, and a 429 waits for its `Retry-After` when one comes (the
//!   caller's retry policy otherwise);
//! - the largest page is not published: the page size is a setting (Auvik's documented default,
//!   100, unless set otherwise), and every page is read whatever size comes back;
//! - `links.next` is read as an address (as documented) or as an object carrying the address or
//!   a cursor; an address on another host is refused, since the credentials would go with it;
//! - the tenant details' parameter is `tenantDomainPrefix` in Auvik's reference and
//!   `filter[tenantDomainPrefix]` in a community client: the first is tried, then the second;
//! - numbers may come as numbers or as text, ids as strings or numbers (kept as text: 18 digits
//!   do not survive a float), `averageDays` also as `averagedDays`.
//!
//! Auvik keeps no link to the PSA: tenants are placed by a person on the Auvik customers page.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{Arc, RwLock},
};

use chrono::{Datelike, NaiveDate};
use reqwest::{
    header::{ACCEPT, LOCATION},
    StatusCode,
};
use serde::{de::DeserializeOwned, Deserialize, Deserializer};
use url::Url;

use crate::{
    http::{self, RetryMode, SendOptions},
    pace::Pace,
    partner_center::BoxFuture,
    VendorError,
};

const VENDOR: &str = "Auvik";
/// JSON:API's media type, which Auvik answers in, then plain JSON.
const ACCEPTED: &str = "application/vnd.api+json, application/json";
/// The API's address for accounts in Auvik's first US region.
pub const DEFAULT_BASE_URL: &str = "https://auvikapi.us1.my.auvik.com/v1";
/// Auvik's documented default for `page[first]`; the largest it allows is not published.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Auvik publishes no limit; a run takes a few requests a hundred clients, so spreading them
/// costs little.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 120;
/// Tenant ids sent in one request's `tenants` list: about 19 characters each, so an address
/// stays near 2,000 characters, under what servers and proxies accept.
pub const TENANTS_PER_REQUEST: usize = 100;

/// How the billable devices are counted. Auvik bills the daily average over a month; its
/// inventory says what is there now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Counting {
    /// `deviceUsage.averageDays` of `/billing/usage/client` for the last whole calendar month:
    /// what Auvik invoices. Needs a user whose role may view billing.
    #[default]
    Usage,
    /// The managed routers, switches, firewalls and wireless controllers of
    /// `/inventory/device/info` now.
    Inventory,
}

impl Counting {
    /// The setting's spellings, as the catalogue offers them.
    pub const CHOICES: &'static [&'static str] = &["usage", "inventory"];

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "usage" | "billing" => Some(Counting::Usage),
            "inventory" | "devices" => Some(Counting::Inventory),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Counting::Usage => "usage",
            Counting::Inventory => "inventory",
        }
    }
}

#[derive(Clone)]
pub struct AuvikSettings {
    /// `https://auvikapi.{region}.my.auvik.com/v1`, the region as in the dashboard's address
    /// (an address without `/v1` is taken too).
    pub base_url: Url,
    /// The Auvik user's name: its e-mail address.
    pub username: String,
    /// The API key generated on that user's profile.
    pub api_key: String,
    /// Records asked for per page of the device inventory.
    pub page_size: u32,
    pub requests_per_minute: u32,
    pub counting: Counting,
}

/// Written out by hand so the key never reaches a log.
impl std::fmt::Debug for AuvikSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuvikSettings")
            .field("base_url", &self.base_url.as_str())
            .field("username", &self.username)
            .field("api_key", &"(hidden)")
            .field("page_size", &self.page_size)
            .field("requests_per_minute", &self.requests_per_minute)
            .field("counting", &self.counting)
            .finish()
    }
}

/// A tenant the user may read: a multi-client (the MSP, or a group of clients it made) or a
/// client's own network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// A number of 18 digits, kept as text.
    pub id: String,
    pub domain_prefix: String,
    /// The name shown in Auvik; only the detail view carries it.
    pub display_name: Option<String>,
    /// `multiClient`, `client` or `corporateIt`.
    pub tenant_type: String,
    /// The multi-client it sits under; `None` for the account's own.
    pub parent_id: Option<String>,
}

impl Tenant {
    pub fn is_multi_client(&self) -> bool {
        self.tenant_type.trim().eq_ignore_ascii_case("multiClient")
    }

    /// A network of its own (a client, or a corporate IT tenant): one customer. A multi-client
    /// only groups others, and its usage includes theirs.
    pub fn is_customer(&self) -> bool {
        !self.is_multi_client()
    }

    /// Its display name, or its domain prefix where it has none.
    pub fn name(&self) -> &str {
        self.display_name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&self.domain_prefix)
    }
}

/// The account's own tenants, whose domain prefix the detail view is asked with: the
/// multi-clients at the top of what the user may read (any tenant at the top when there is no
/// multi-client, as for a corporate IT account).
pub fn main_accounts(tenants: &[Tenant]) -> Vec<&Tenant> {
    let ids: HashSet<&str> = tenants.iter().map(|t| t.id.as_str()).collect();
    let tops: Vec<&Tenant> =
        tenants.iter().filter(|t| t.parent_id.as_deref().is_none_or(|p| !ids.contains(p))).collect();
    let multi: Vec<&Tenant> = tops.iter().copied().filter(|t| t.is_multi_client()).collect();
    if multi.is_empty() {
        tops
    } else {
        multi
    }
}

/// What a client used over a period (`/billing/usage/client`), with its children's when it is a
/// multi-client.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientUsage {
    pub tenant_id: String,
    pub domain_prefix: Option<String>,
    /// `deviceUsage.averageDays`: billable devices a day, on average over the period.
    pub average_devices: Option<f64>,
    /// `deviceUsage.totalDays`: billable device-days over the period.
    pub device_days: Option<f64>,
    /// `usagePeriod.lengthInDays`.
    pub length_in_days: Option<f64>,
    /// `deviceUsage.averageDaysByClientType`: the average split by the clients' tier
    /// (`essentials`, `performance`, `notier`, `light`, whichever Auvik sends).
    pub average_by_tier: BTreeMap<String, f64>,
}

impl ClientUsage {
    /// Billable devices over the period: Auvik's daily average, or the device-days over the
    /// period's days when only those came.
    pub fn billable_devices(&self) -> Option<f64> {
        self.average_devices.or_else(|| match (self.device_days, self.length_in_days) {
            (Some(days), Some(length)) if length > 0.0 => Some(days / length),
            _ => None,
        })
    }

    /// The billable devices as a whole number (the average rounded, as an invoice counts
    /// devices); 0 when Auvik said nothing.
    pub fn network_devices(&self) -> i64 {
        self.billable_devices().filter(|n| n.is_finite()).map(|n| n.round() as i64).unwrap_or(0).max(0)
    }
}

/// How Auvik bills a device, by its `deviceType`, after its own article "What counts as a
/// billable device": routers, switches (layer-3 and VoIP switches, and each member of a stack),
/// firewalls (UTMs too) and wireless controllers are billed; everything else it monitors free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeviceClass {
    Billable,
    /// Network gear monitored free: access points, hubs, bridges, chassis, load balancers, a
    /// stack as a whole (its members are counted as switches), …
    FreeNetwork,
    /// Workstations, servers, virtual machines, hypervisors, storage.
    Computer,
    /// Printers, phones, cameras, UPSs, and anything Auvik could not identify.
    Other,
}

impl DeviceClass {
    pub fn of(device_type: &str) -> Self {
        match device_type.trim().to_ascii_lowercase().as_str() {
            "router" | "switch" | "l3switch" | "voipswitch" | "firewall" | "utm" | "controller" => {
                DeviceClass::Billable
            }
            "accesspoint" | "thinaccesspoint" | "securityappliance" | "loadbalancer" | "packetprocessor" | "stack"
            | "chassis" | "module" | "backhaul" | "bridge" | "hub" | "modem" | "telecommunications" => {
                DeviceClass::FreeNetwork
            }
            "workstation" | "server" | "storage" | "hypervisor" | "virtualmachine" | "virtualappliance"
            | "thinclient" | "backupdevice" => DeviceClass::Computer,
            _ => DeviceClass::Other,
        }
    }
}

/// A device Auvik discovered (`/inventory/device/info`).
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: String,
    pub name: Option<String>,
    pub device_type: Option<String>,
    pub online_status: Option<String>,
    /// The tenant that discovered it (`relationships.tenant.data.id`).
    pub tenant_id: Option<String>,
    /// Whether Auvik manages it (`deviceDetail.manageStatus`), when the detail came with it.
    pub managed: Option<bool>,
}

impl Device {
    pub fn class(&self) -> DeviceClass {
        DeviceClass::of(self.device_type.as_deref().unwrap_or("unknown"))
    }

    /// Billed by Auvik: of a billable class, and not set to unmanaged.
    pub fn is_billable(&self) -> bool {
        self.class() == DeviceClass::Billable && self.managed != Some(false)
    }
}

/// What "Test connection" shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AuvikSummary {
    /// Every tenant the user may read.
    pub tenants: usize,
    /// Of them, the customers (client and corporate IT tenants).
    pub customers: usize,
    /// The domain prefixes of the account's own tenants.
    pub main_prefixes: Vec<String>,
    /// One customer's id, to try a read of billing usage with.
    pub first_customer: Option<String>,
    /// Where Auvik redirected the configured address, when it did: the account is in another
    /// region, and the setting should say so.
    pub moved_to: Option<Url>,
}

/// The beginning and end of the calendar month before `today`'s: the period Auvik has finished
/// counting and invoices.
pub fn previous_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_of_this = today.with_day(1).unwrap_or(today);
    let last = first_of_this.pred_opt().unwrap_or(first_of_this);
    (last.with_day(1).unwrap_or(last), last)
}

// ---- The wire format, read leniently. ----

/// A text that may come as a string or a number, or be null or empty.
fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        // serde_json keeps a whole number up to 2^64 exact, so an 18-digit id survives.
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// `true`/`false`, also as text or 0/1; absent, null or anything else give `None`.
fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(serde_json::Value::Number(n)) => n.as_f64().map(|n| n != 0.0),
        Some(serde_json::Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// A number as a number or as text; anything else is left out.
fn number(value: &serde_json::Value) -> Option<f64> {
    match value {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

/// An object of numbers by name (the tier split), whatever names it has.
fn number_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
    let value = Option::<HashMap<String, serde_json::Value>>::deserialize(d)?;
    Ok(value.unwrap_or_default().into_iter().filter_map(|(k, v)| number(&v).map(|n| (k, n))).collect())
}

/// A resource's identifier inside a relationship (its attributes there are not needed).
#[derive(Debug, Clone, Default, Deserialize)]
struct Identifier {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
}

/// A relationship's `data`: one identifier, a list of them, or null.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Linked {
    Many(Vec<Identifier>),
    One(Identifier),
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Relationship {
    #[serde(default)]
    data: Option<Linked>,
}

impl Relationship {
    /// The id it points to (the first, should a list come where one is documented).
    fn id(&self) -> Option<String> {
        match self.data.as_ref()? {
            Linked::One(one) => one.id.clone(),
            Linked::Many(many) => many.iter().find_map(|i| i.id.clone()),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantAttributes {
    #[serde(default, deserialize_with = "opt_text")]
    domain_prefix: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    tenant_type: Option<String>,
}

#[derive(Deserialize)]
struct TenantRelationships {
    #[serde(default)]
    parent: Option<Relationship>,
}

/// A tenant as `/tenants` and `/tenants/detail` send it.
#[derive(Deserialize)]
struct TenantResource {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default)]
    attributes: Option<TenantAttributes>,
    #[serde(default)]
    relationships: Option<TenantRelationships>,
}

impl TenantResource {
    fn into_tenant(self) -> Option<Tenant> {
        let id = self.id?;
        let attributes = self.attributes;
        let (domain_prefix, display_name, tenant_type) = match attributes {
            Some(a) => (a.domain_prefix, a.display_name, a.tenant_type),
            None => (None, None, None),
        };
        Some(Tenant {
            domain_prefix: domain_prefix.unwrap_or_else(|| id.clone()),
            display_name,
            tenant_type: tenant_type.unwrap_or_default(),
            parent_id: self.relationships.and_then(|r| r.parent).and_then(|p| p.id()).filter(|p| *p != id),
            id,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsagePeriod {
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_float")]
    length_in_days: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceUsage {
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_float")]
    total_days: Option<f64>,
    /// Auvik's `clientUsage` spells its average `averagedDays`; taken here too, should the
    /// device usage ever follow it.
    #[serde(default, alias = "averagedDays", deserialize_with = "crate::serde_lenient::opt_float")]
    average_days: Option<f64>,
    #[serde(default, deserialize_with = "number_map")]
    average_days_by_client_type: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageAttributes {
    #[serde(default, deserialize_with = "opt_text")]
    domain_prefix: Option<String>,
    #[serde(default)]
    usage_period: Option<UsagePeriod>,
    #[serde(default)]
    device_usage: Option<DeviceUsage>,
}

#[derive(Deserialize)]
struct UsageResource {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default)]
    attributes: Option<UsageAttributes>,
}

impl UsageResource {
    fn into_usage(self) -> Option<ClientUsage> {
        let tenant_id = self.id?;
        let Some(a) = self.attributes else {
            return Some(ClientUsage {
                tenant_id,
                domain_prefix: None,
                average_devices: None,
                device_days: None,
                length_in_days: None,
                average_by_tier: BTreeMap::new(),
            });
        };
        let (average_devices, device_days, average_by_tier) = match a.device_usage {
            Some(u) => (u.average_days, u.total_days, u.average_days_by_client_type),
            None => (None, None, BTreeMap::new()),
        };
        Some(ClientUsage {
            tenant_id,
            domain_prefix: a.domain_prefix,
            average_devices,
            device_days,
            length_in_days: a.usage_period.and_then(|p| p.length_in_days),
            average_by_tier,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceAttributes {
    #[serde(default, deserialize_with = "opt_text")]
    device_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    device_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    online_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceRelationships {
    #[serde(default)]
    tenant: Option<Relationship>,
    #[serde(default)]
    device_detail: Option<Relationship>,
}

#[derive(Deserialize)]
struct DeviceResource {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default)]
    attributes: Option<DeviceAttributes>,
    #[serde(default)]
    relationships: Option<DeviceRelationships>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetailAttributes {
    #[serde(default, deserialize_with = "opt_flag")]
    manage_status: Option<bool>,
}

/// A resource of `included`: here, a device's detail.
#[derive(Deserialize)]
struct IncludedResource {
    #[serde(rename = "type", default, deserialize_with = "opt_text")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default)]
    attributes: Option<DetailAttributes>,
}

/// `links.next`: an address as documented, or an object with the address (`href`) or only a
/// cursor (`meta.cursor`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum NextLink {
    Address(String),
    Object {
        #[serde(default)]
        href: Option<String>,
        #[serde(default)]
        meta: Option<CursorMeta>,
    },
}

#[derive(Debug, Clone, Deserialize)]
struct CursorMeta {
    #[serde(default, deserialize_with = "opt_text")]
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct Links {
    #[serde(default)]
    next: Option<NextLink>,
}

/// One page of a list, in JSON:API's envelope.
#[derive(Deserialize)]
struct ListPage<R> {
    // No `#[serde(default)]` here: on a field naming `R` it would ask `R: Default`; an absent
    // `Option` is `None` all the same.
    data: Option<Vec<R>>,
    #[serde(default)]
    included: Option<Vec<IncludedResource>>,
    #[serde(default)]
    links: Option<Links>,
}

// ---- Addresses. ----

/// The API's root: the configured address with no query and no trailing slash, `/v1` added
/// when it was left off.
fn api_root(base: &Url) -> Url {
    let mut root = base.clone();
    root.set_query(None);
    root.set_fragment(None);
    let path = root.path().trim_end_matches('/').to_string();
    let path = if path.rsplit('/').next() == Some("v1") { path } else { format!("{path}/v1") };
    root.set_path(&path);
    root
}

/// `{api}/{path}`.
fn endpoint(api: &Url, path: &str) -> Result<Url, VendorError> {
    let text = format!("{}/{path}", api.as_str().trim_end_matches('/'));
    Url::parse(&text).map_err(|e| VendorError::Malformed {
        vendor: VENDOR,
        what: "API address".into(),
        detail: format!("'{text}' ({e})"),
    })
}

/// The API's root on the host Auvik redirected the tenant list to: the target without its
/// `/tenants`, or the configured path on the target's host when the target does not end in it.
fn moved_api(target: &Url, configured: &Url) -> Url {
    let mut api = target.clone();
    api.set_query(None);
    api.set_fragment(None);
    let root = match target.path().trim_end_matches('/').strip_suffix("/tenants") {
        Some(root) => root.to_string(),
        None => configured.path().to_string(),
    };
    api.set_path(&root);
    api
}

/// Whether the credentials may follow a redirect from `configured` to `target`: from one of
/// Auvik's addresses only to another of Auvik's, over HTTPS; from any other address (a
/// simulator, a proxy) anywhere.
fn may_move(configured: &Url, target: &Url) -> bool {
    let is_auvik = |u: &Url| {
        u.host_str().is_some_and(|h| {
            let h = h.to_ascii_lowercase();
            h == "auvik.com" || h.ends_with(".auvik.com")
        })
    };
    !is_auvik(configured) || (is_auvik(target) && target.scheme() == "https")
}

/// The address of the page after the one read from `first`: `links.next` as Auvik sent it, with
/// any of the first request's parameters it dropped put back, or the first address with the
/// cursor when only a cursor came. An address on another host is refused: the credentials
/// would go with it.
fn next_page(link: Option<NextLink>, first: &Url) -> Result<Option<Url>, VendorError> {
    let malformed = |detail: String| VendorError::Malformed { vendor: VENDOR, what: "page address".into(), detail };
    let (href, cursor) = match link {
        None => return Ok(None),
        Some(NextLink::Address(address)) => (Some(address), None),
        Some(NextLink::Object { href, meta }) => (href, meta.and_then(|m| m.cursor)),
    };
    if let Some(href) = href.map(|h| h.trim().to_string()).filter(|h| !h.is_empty()) {
        let mut url = first.join(&href).map_err(|e| malformed(format!("'{href}' ({e})")))?;
        if url.origin() != first.origin() {
            return Err(malformed(format!("the next page is on another host ({href}); nothing was sent there")));
        }
        let present: HashSet<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        let missing: Vec<(String, String)> = first
            .query_pairs()
            .filter(|(k, _)| !present.contains::<str>(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if !missing.is_empty() {
            url.query_pairs_mut().extend_pairs(missing);
        }
        return Ok(Some(url));
    }
    Ok(cursor.map(|cursor| {
        let mut url = first.clone();
        url.query_pairs_mut().append_pair("page[after]", &cursor);
        url
    }))
}

// ---- Errors. ----

/// An error body in words: JSON:API's `{"errors": [{"status", "code", "title", "detail"}]}`
/// (the keys are not confirmed, so `message` and plain strings are read too); any other body
/// as it came.
pub fn error_words(text: &str) -> String {
    let Ok(body) = serde_json::from_str::<serde_json::Value>(text) else { return text.to_string() };
    let Some(errors) = body.get("errors").and_then(|e| e.as_array()) else { return text.to_string() };
    let field = |e: &serde_json::Value, key: &str| match e.get(key) {
        Some(serde_json::Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let parts: Vec<String> = errors
        .iter()
        .filter_map(|e| {
            if let Some(s) = e.as_str() {
                return Some(s.trim().to_string()).filter(|s| !s.is_empty());
            }
            let head = field(e, "title").or_else(|| field(e, "message"));
            let words = match (head, field(e, "detail")) {
                (Some(h), Some(d)) if h != d => format!("{h}: {d}"),
                (Some(h), _) => h,
                (None, Some(d)) => d,
                (None, None) => return None,
            };
            Some(match field(e, "code") {
                Some(code) => format!("{words} (code {code})"),
                None => words,
            })
        })
        .collect();
    if parts.is_empty() {
        text.to_string()
    } else {
        parts.join("; ")
    }
}

/// A failed request in words: refused credentials as [`VendorError::Auth`], Auvik's error body
/// read (the shared loop keeps a body it does not know as text).
fn explain(error: VendorError, what: &str) -> VendorError {
    match error {
        VendorError::Status { status: 401, message, .. } => VendorError::Auth {
            vendor: VENDOR,
            detail: format!(
                "{} (HTTP 401); check the user name (its e-mail address), the API key and the API address's region",
                error_words(&message)
            ),
        },
        VendorError::Status { status: 403, message, .. } => VendorError::Status {
            vendor: VENDOR,
            status: 403,
            message: format!("{}; the user's role in Auvik may not read the {what}", error_words(&message)),
        },
        VendorError::Status { status, message, .. } if (300..400).contains(&status) => VendorError::Status {
            vendor: VENDOR,
            status,
            message: format!(
                "the account is now answered in another region ({}); the next run looks for it again, \
                 and the API address should name that region",
                error_words(&message)
            ),
        },
        VendorError::Status { vendor, status, message } => {
            VendorError::Status { vendor, status, message: error_words(&message) }
        }
        other => other,
    }
}

/// What SeatSync needs from Auvik.
pub trait Auvik: Send + Sync {
    /// Requests sent so far (each attempt counts), for a run to say what it cost.
    fn requests_sent(&self) -> u64;
    /// The tenant list, from one request: to check the connection.
    fn summary(&self) -> BoxFuture<'_, Result<AuvikSummary, VendorError>>;
    /// Every tenant the user may read.
    fn tenants(&self) -> BoxFuture<'_, Result<Vec<Tenant>, VendorError>>;
    /// Every tenant of the account whose domain prefix is `main_prefix`, with its display name.
    fn tenant_details<'a>(&'a self, main_prefix: &'a str) -> BoxFuture<'a, Result<Vec<Tenant>, VendorError>>;
    /// What each of `tenant_ids` used from `from` through `thru`, asked for
    /// [`TENANTS_PER_REQUEST`] at a time. Auvik's interface allows at most 90 days.
    fn client_usage<'a>(
        &'a self,
        tenant_ids: &'a [String],
        from: NaiveDate,
        thru: NaiveDate,
    ) -> BoxFuture<'a, Result<Vec<ClientUsage>, VendorError>>;
    /// Every device of `tenant_ids`, with whether Auvik manages it.
    fn devices<'a>(&'a self, tenant_ids: &'a [String]) -> BoxFuture<'a, Result<Vec<Device>, VendorError>>;
    /// How the billable devices are counted, as configured.
    fn counting(&self) -> Counting;
}

pub struct HttpAuvik {
    settings: AuvikSettings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    pace: Pace,
    /// The API's root as the account answers at it, once the first request has shown it: the
    /// configured one, or where Auvik redirected it.
    api: RwLock<Option<Url>>,
}

impl HttpAuvik {
    pub fn new(settings: AuvikSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        let pace = Pace::per_minute(settings.requests_per_minute);
        Arc::new(Self { settings, client, policy, pace, api: RwLock::new(None) })
    }

    fn request(&self, url: Url) -> reqwest::RequestBuilder {
        self.client
            .get(url)
            .basic_auth(self.settings.username.trim(), Some(self.settings.api_key.trim()))
            .header(ACCEPT, ACCEPTED)
    }

    fn configured_api(&self) -> Url {
        api_root(&self.settings.base_url)
    }

    /// Forgets where the account was found, so the next request looks again (an account moved
    /// while SeatSync ran).
    fn forget_region(&self) {
        *self.api.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The API's root for this account. The first time, one request for the tenant list shows
    /// whether Auvik redirects the configured address (308) to another region: a client that
    /// does not follow redirects sees the 308 and its `Location`; one that follows ends at the
    /// other host, where its credentials were dropped on the way, so the address it ended at
    /// tells. A check that was throttled or failed settles nothing and is made again next time;
    /// the request after it says why.
    async fn api(&self) -> Url {
        if let Some(api) = self.api.read().unwrap_or_else(|e| e.into_inner()).clone() {
            return api;
        }
        let configured = self.configured_api();
        let Ok(probe) = endpoint(&configured, "tenants") else { return configured };
        self.pace.until_ready().await;
        let Ok(res) = self.request(probe.clone()).timeout(self.policy.request_timeout).send().await else {
            return configured;
        };
        let status = res.status();
        let target = if status.is_redirection() {
            res.headers().get(LOCATION).and_then(|v| v.to_str().ok()).and_then(|l| probe.join(l).ok())
        } else if res.url() != &probe {
            Some(res.url().clone())
        } else {
            None
        };
        let api = match target.map(|t| moved_api(&t, &configured)) {
            Some(moved) if may_move(&configured, &moved) => {
                if moved != configured {
                    tracing::warn!(
                        configured = %configured,
                        answering = %moved,
                        "Auvik redirected the account to another region; set the Auvik API address to it"
                    );
                }
                moved
            }
            Some(moved) => {
                tracing::warn!(
                    configured = %configured,
                    redirected_to = %moved,
                    "Auvik's address redirected outside Auvik; the credentials were not sent there"
                );
                configured.clone()
            }
            None => configured.clone(),
        };
        if status != StatusCode::TOO_MANY_REQUESTS && !status.is_server_error() {
            *self.api.write().unwrap_or_else(|e| e.into_inner()) = Some(api.clone());
        }
        api
    }

    /// A GET of `url`, under the pace.
    async fn get<T: DeserializeOwned>(&self, url: &Url, what: &str) -> Result<T, VendorError> {
        let options = SendOptions { mode: RetryMode::Repeatable, is_final: None };
        let sent = http::send_with(VENDOR, &self.policy, options, || {
            let req = self.request(url.clone());
            async move {
                self.pace.until_ready().await;
                Ok(req)
            }
        })
        .await;
        let res = match sent {
            Ok(res) => res,
            Err(e) => {
                // A redirect or a refusal may mean the account moved region since it was found.
                if matches!(e, VendorError::Status { status: 300..=399 | 401, .. }) {
                    self.forget_region();
                }
                return Err(explain(e, what));
            }
        };
        http::json(VENDOR, what, res).await
    }

    /// Every page of a list from `first`, following `links.next` until it is absent or null;
    /// each page's data and included resources.
    async fn all_pages<R: DeserializeOwned>(
        &self,
        first: Url,
        what: &str,
    ) -> Result<(Vec<R>, Vec<IncludedResource>), VendorError> {
        let mut url = first.clone();
        let mut items = Vec::new();
        let mut included = Vec::new();
        // A bound on pages, so a server that keeps sending new pages cannot loop us.
        for _ in 0..100_000 {
            let page: ListPage<R> = self.get(&url, what).await?;
            let data = page.data.unwrap_or_default();
            let got = data.len();
            items.extend(data);
            included.extend(page.included.unwrap_or_default());
            match next_page(page.links.and_then(|l| l.next), &first)? {
                Some(next) if got > 0 => {
                    if next == url {
                        return Err(VendorError::Malformed {
                            vendor: VENDOR,
                            what: what.into(),
                            detail: "the same page came again; reading stopped".into(),
                        });
                    }
                    url = next;
                }
                _ => return Ok((items, included)),
            }
        }
        Err(VendorError::Malformed { vendor: VENDOR, what: what.into(), detail: "the pages never ended".into() })
    }

    async fn read_tenants(&self) -> Result<Vec<Tenant>, VendorError> {
        let api = self.api().await;
        let (tenants, _) = self.all_pages::<TenantResource>(endpoint(&api, "tenants")?, "tenant list").await?;
        Ok(tenants.into_iter().filter_map(TenantResource::into_tenant).collect())
    }

    async fn read_details(&self, main_prefix: &str) -> Result<Vec<Tenant>, VendorError> {
        let api = self.api().await;
        // The parameter's name in Auvik's reference, then as a community client sends it.
        let mut refused = None;
        for parameter in ["tenantDomainPrefix", "filter[tenantDomainPrefix]"] {
            let mut url = endpoint(&api, "tenants/detail")?;
            url.query_pairs_mut().append_pair(parameter, main_prefix.trim());
            match self.all_pages::<TenantResource>(url, "tenant details").await {
                Ok((tenants, _)) => return Ok(tenants.into_iter().filter_map(TenantResource::into_tenant).collect()),
                Err(e @ VendorError::Status { status: 400 | 404, .. }) => refused = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(refused.unwrap_or_else(|| VendorError::Malformed {
            vendor: VENDOR,
            what: "tenant details".into(),
            detail: "no answer".into(),
        }))
    }

    async fn read_usage(
        &self,
        tenant_ids: &[String],
        from: NaiveDate,
        thru: NaiveDate,
    ) -> Result<Vec<ClientUsage>, VendorError> {
        let api = self.api().await;
        let (from, thru) = (from.format("%Y-%m-%d").to_string(), thru.format("%Y-%m-%d").to_string());
        let mut usage = Vec::new();
        for batch in tenant_ids.chunks(TENANTS_PER_REQUEST) {
            let mut url = endpoint(&api, "billing/usage/client")?;
            url.query_pairs_mut()
                .append_pair("filter[fromDate]", &from)
                .append_pair("filter[thruDate]", &thru)
                .append_pair("tenants", &batch.join(","));
            let (items, _) = self.all_pages::<UsageResource>(url, "billing usage").await?;
            usage.extend(items.into_iter().filter_map(UsageResource::into_usage));
        }
        Ok(usage)
    }

    async fn read_devices(&self, tenant_ids: &[String]) -> Result<Vec<Device>, VendorError> {
        let api = self.api().await;
        let page_size = self.settings.page_size.max(1).to_string();
        let mut devices = Vec::new();
        for batch in tenant_ids.chunks(TENANTS_PER_REQUEST) {
            let mut url = endpoint(&api, "inventory/device/info")?;
            url.query_pairs_mut()
                .append_pair("tenants", &batch.join(","))
                .append_pair("page[first]", &page_size)
                // Only whether each device is managed: an unmanaged one is not billed.
                .append_pair("include", "deviceDetail")
                .append_pair("fields[deviceDetail]", "manageStatus");
            let (items, included) = self.all_pages::<DeviceResource>(url, "device list").await?;
            let managed: HashMap<String, bool> = included
                .into_iter()
                .filter(|i| i.kind.as_deref().is_none_or(|k| k.eq_ignore_ascii_case("deviceDetail")))
                .filter_map(|i| Some((i.id?, i.attributes?.manage_status?)))
                .collect();
            devices.extend(items.into_iter().filter_map(|d| {
                let id = d.id?;
                let (name, device_type, online_status) = match d.attributes {
                    Some(a) => (a.device_name, a.device_type, a.online_status),
                    None => (None, None, None),
                };
                let (tenant, detail) = match d.relationships {
                    Some(r) => (r.tenant.and_then(|t| t.id()), r.device_detail.and_then(|t| t.id())),
                    None => (None, None),
                };
                // The detail names its device; Auvik gives both the same id.
                let detail = detail.unwrap_or_else(|| id.clone());
                Some(Device {
                    managed: managed.get(&detail).copied(),
                    id,
                    name,
                    device_type,
                    online_status,
                    tenant_id: tenant,
                })
            }));
        }
        Ok(devices)
    }
}

impl Auvik for HttpAuvik {
    fn requests_sent(&self) -> u64 {
        self.pace.sent()
    }

    fn summary(&self) -> BoxFuture<'_, Result<AuvikSummary, VendorError>> {
        Box::pin(async move {
            let tenants = self.read_tenants().await?;
            let api = self.api().await;
            Ok(AuvikSummary {
                tenants: tenants.len(),
                customers: tenants.iter().filter(|t| t.is_customer()).count(),
                main_prefixes: main_accounts(&tenants).iter().map(|t| t.domain_prefix.clone()).collect(),
                first_customer: tenants.iter().find(|t| t.is_customer()).map(|t| t.id.clone()),
                moved_to: (api != self.configured_api()).then_some(api),
            })
        })
    }

    fn tenants(&self) -> BoxFuture<'_, Result<Vec<Tenant>, VendorError>> {
        Box::pin(self.read_tenants())
    }

    fn tenant_details<'a>(&'a self, main_prefix: &'a str) -> BoxFuture<'a, Result<Vec<Tenant>, VendorError>> {
        Box::pin(self.read_details(main_prefix))
    }

    fn client_usage<'a>(
        &'a self,
        tenant_ids: &'a [String],
        from: NaiveDate,
        thru: NaiveDate,
    ) -> BoxFuture<'a, Result<Vec<ClientUsage>, VendorError>> {
        Box::pin(self.read_usage(tenant_ids, from, thru))
    }

    fn devices<'a>(&'a self, tenant_ids: &'a [String]) -> BoxFuture<'a, Result<Vec<Device>, VendorError>> {
        Box::pin(self.read_devices(tenant_ids))
    }

    fn counting(&self) -> Counting {
        self.settings.counting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenants(body: serde_json::Value) -> Vec<Tenant> {
        let page: ListPage<TenantResource> = serde_json::from_value(body).expect("a tenant list");
        page.data.unwrap_or_default().into_iter().filter_map(TenantResource::into_tenant).collect()
    }

    fn usage(body: serde_json::Value) -> ClientUsage {
        let page: ListPage<UsageResource> = serde_json::from_value(body).expect("a usage list");
        page.data.unwrap_or_default().into_iter().find_map(UsageResource::into_usage).expect("one client")
    }

    #[test]
    fn the_documented_tenant_list_is_read() {
        let list = tenants(serde_json::json!({"data": [
            {"type": "tenant", "id": "199762235015168516", "attributes": {"domainPrefix": "northwind", "tenantType": "multiClient"}},
            {"type": "tenant", "id": 199762235015168517u64, "attributes": {"domainPrefix": "acme", "tenantType": "client"},
             "relationships": {"parent": {"data": {"type": "tenant", "id": "199762235015168516"}}}},
            {"type": "tenant", "id": "199762235015168518", "attributes": {"domainPrefix": "west", "tenantType": "multiClient", "extra": 1},
             "relationships": {"parent": {"data": {"type": "tenant", "id": "199762235015168516"}}}},
            {"type": "tenant", "attributes": {"domainPrefix": "no-id", "tenantType": "client"}}
        ]}));
        assert_eq!(list.len(), 3, "a tenant without an id is left out");
        assert_eq!(list[1].id, "199762235015168517", "an id sent as a number keeps every digit");
        assert_eq!(list[1].parent_id.as_deref(), Some("199762235015168516"));
        assert!(list[1].is_customer() && !list[0].is_customer());
        assert_eq!(list[1].name(), "acme");
        let main: Vec<&str> = main_accounts(&list).iter().map(|t| t.domain_prefix.as_str()).collect();
        assert_eq!(main, ["northwind"], "the account's own multi-client, not one under it");
    }

    #[test]
    fn details_name_the_tenants() {
        let list = tenants(serde_json::json!({"data": [
            {"type": "tenants", "id": "1", "attributes": {"domainPrefix": "acme", "displayName": "Acme Dental Inc.",
             "tenantType": "client", "enabled": true, "running": true, "subscribed": true, "subscriptionOwner": "None",
             "trialEndDate": null, "address": {"city": "Dayton"}},
             "relationships": {"parent": {"data": {"type": "tenants", "id": "9"}}, "authorizations": {"data": []}}},
            {"type": "tenants", "id": "2", "attributes": {"domainPrefix": "bare", "displayName": "  ", "tenantType": "client"}}
        ]}));
        assert_eq!(list[0].name(), "Acme Dental Inc.");
        assert_eq!(list[1].name(), "bare", "a blank display name falls back to the prefix");
        // A client the user may read without its multi-client is an account of its own.
        assert_eq!(main_accounts(&list).len(), 2);
    }

    #[test]
    fn the_documented_usage_is_read() {
        let read = usage(serde_json::json!({"data": [{"type": "clientUsage", "id": "199762235015168516",
            "attributes": {"domainPrefix": "acme", "billableDays": 0,
                "usagePeriod": {"startDate": "2025-05-01", "endDate": "2025-05-31", "lengthInDays": 31},
                "clientUsage": {"totalDays": 31, "averagedDays": 1},
                "deviceUsage": {"totalDays": 1240, "averageDays": 40,
                    "totalDaysByClientType": {"essentials": 0, "performance": 1240, "notier": 0},
                    "averageDaysByClientType": {"essentials": 0, "performance": 40, "notier": 0, "light": "0"}}},
            "relationships": {"clients": {"data": [{"type": "clientUsage", "id": "5", "attributes": {"domainPrefix": "acme", "totalBillableDays": 31}}]},
                "devices": {}}}]}));
        assert_eq!(read.tenant_id, "199762235015168516");
        assert_eq!(read.network_devices(), 40);
        assert_eq!(read.length_in_days, Some(31.0));
        assert_eq!(read.average_by_tier.get("performance"), Some(&40.0));
        assert_eq!(read.average_by_tier.get("light"), Some(&0.0));
    }

    #[test]
    fn usage_is_read_in_every_shape() {
        let with = |device_usage: serde_json::Value| {
            usage(serde_json::json!({"data": [{"id": "1", "attributes": {
                "usagePeriod": {"lengthInDays": "30"}, "deviceUsage": device_usage}}]}))
            .network_devices()
        };
        assert_eq!(with(serde_json::json!({"averageDays": 12.5})), 13, "an average rounds to whole devices");
        assert_eq!(with(serde_json::json!({"averageDays": "7.4"})), 7);
        assert_eq!(with(serde_json::json!({"averagedDays": 3})), 3);
        assert_eq!(with(serde_json::json!({"totalDays": 95})), 3, "device-days over the period's days");
        assert_eq!(with(serde_json::json!({})), 0);
        assert_eq!(with(serde_json::Value::Null), 0);
    }

    #[test]
    fn devices_are_billed_as_auvik_bills_them() {
        for billed in ["router", "switch", "l3Switch", "voipSwitch", "firewall", "utm", "controller", " Switch "] {
            assert_eq!(DeviceClass::of(billed), DeviceClass::Billable, "{billed}");
        }
        for free in ["accessPoint", "thinAccessPoint", "stack", "chassis", "hub", "bridge", "loadBalancer"] {
            assert_eq!(DeviceClass::of(free), DeviceClass::FreeNetwork, "{free}");
        }
        for computer in ["workstation", "server", "virtualMachine", "hypervisor", "storage"] {
            assert_eq!(DeviceClass::of(computer), DeviceClass::Computer, "{computer}");
        }
        for other in ["printer", "ipPhone", "camera", "ups", "unknown", "", "somethingNew"] {
            assert_eq!(DeviceClass::of(other), DeviceClass::Other, "{other}");
        }
        let device = |device_type: &str, managed: Option<bool>| Device {
            id: "d".into(),
            name: None,
            device_type: Some(device_type.into()),
            online_status: Some("offline".into()),
            tenant_id: Some("1".into()),
            managed,
        };
        assert!(device("switch", Some(true)).is_billable());
        assert!(device("switch", None).is_billable(), "without its detail a device counts");
        assert!(!device("switch", Some(false)).is_billable(), "an unmanaged device is not billed");
        assert!(!device("accessPoint", Some(true)).is_billable());
    }

    #[test]
    fn the_documented_device_list_is_read() {
        let page: ListPage<DeviceResource> = serde_json::from_value(serde_json::json!({
            "data": [{"type": "device", "id": "123456789",
                "attributes": {"deviceName": "acme-core-sw1", "deviceType": "switch", "onlineStatus": "online",
                    "makeModel": "Cisco C9300-48P", "vendorName": "Cisco", "serialNumber": "FOC1", "ipAddresses": ["10.0.0.2"],
                    "lastSeenTime": "2025-05-31T10:00:00.000Z", "lastModified": "2025-05-30T08:00:00.000Z"},
                "relationships": {"tenant": {"data": {"type": "tenant", "id": "199762235015168516",
                    "attributes": {"domainPrefix": "acme"}}}, "deviceDetail": {"data": {"type": "deviceDetail", "id": "123456789"}}}}],
            "included": [{"type": "deviceDetail", "id": "123456789", "attributes": {"manageStatus": false}}],
            "links": {"first": "x", "prev": null, "next": "https://auvikapi.us1.my.auvik.com/v1/inventory/device/info?page%5Bafter%5D=abc&tenants=1", "last": "y"},
            "meta": {"totalPages": 3}}))
        .expect("the documented shape");
        let d = page.data.as_ref().and_then(|d| d.first()).expect("a device");
        assert_eq!(d.id.as_deref(), Some("123456789"));
        let tenant = d.relationships.as_ref().and_then(|r| r.tenant.as_ref()).and_then(|t| t.id());
        assert_eq!(tenant.as_deref(), Some("199762235015168516"));
        let included = page.included.as_ref().and_then(|i| i.first()).expect("the detail");
        assert_eq!(included.attributes.as_ref().and_then(|a| a.manage_status), Some(false));
        assert!(matches!(page.links.and_then(|l| l.next), Some(NextLink::Address(_))));
    }

    #[test]
    fn the_next_page_is_followed_on_the_same_host_only() {
        let first =
            Url::parse("https://auvikapi.us1.my.auvik.com/v1/inventory/device/info?tenants=1%2C2&page%5Bfirst%5D=100")
                .unwrap();
        let next = |link: serde_json::Value| {
            let link: Option<NextLink> = serde_json::from_value(link).expect("a link");
            next_page(link, &first)
        };
        let url = next(serde_json::json!(
            "https://auvikapi.us1.my.auvik.com/v1/inventory/device/info?page%5Bafter%5D=Y3Vy&page%5Bfirst%5D=100"
        ))
        .unwrap()
        .expect("a next page");
        let pairs: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs.get("page[after]").map(String::as_str), Some("Y3Vy"));
        assert_eq!(pairs.get("tenants").map(String::as_str), Some("1,2"), "a dropped filter is put back");
        assert_eq!(next(serde_json::Value::Null).unwrap(), None);
        let from_cursor = next(serde_json::json!({"meta": {"cursor": "abc"}})).unwrap().expect("a next page");
        assert!(from_cursor.query_pairs().any(|(k, v)| k == "page[after]" && v == "abc"));
        assert!(next(serde_json::json!({"href": "/v1/inventory/device/info?page%5Bafter%5D=z"})).unwrap().is_some());
        let elsewhere = next(serde_json::json!("https://evil.example/v1/inventory/device/info?page%5Bafter%5D=z"));
        assert!(matches!(elsewhere, Err(VendorError::Malformed { .. })), "{elsewhere:?}");
    }

    #[test]
    fn the_api_address_is_read_with_or_without_its_version() {
        let root = |text: &str| api_root(&Url::parse(text).unwrap()).to_string();
        assert_eq!(root("https://auvikapi.us1.my.auvik.com/v1"), "https://auvikapi.us1.my.auvik.com/v1");
        assert_eq!(root("https://auvikapi.eu2.my.auvik.com/v1/"), "https://auvikapi.eu2.my.auvik.com/v1");
        assert_eq!(root("https://auvikapi.au1.my.auvik.com"), "https://auvikapi.au1.my.auvik.com/v1");
        assert_eq!(root("http://127.0.0.1:4010/auvik"), "http://127.0.0.1:4010/auvik/v1");
        let configured = Url::parse("https://auvikapi.us1.my.auvik.com/v1").unwrap();
        let moved = |target: &str| moved_api(&Url::parse(target).unwrap(), &configured).to_string();
        assert_eq!(moved("https://auvikapi.us4.my.auvik.com/v1/tenants"), "https://auvikapi.us4.my.auvik.com/v1");
        assert_eq!(moved("http://127.0.0.1:4010/auvik/v1/tenants?x=1"), "http://127.0.0.1:4010/auvik/v1");
        assert_eq!(moved("https://auvikapi.ca1.my.auvik.com/"), "https://auvikapi.ca1.my.auvik.com/v1");
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(may_move(&configured, &url("https://auvikapi.us4.my.auvik.com/v1")));
        assert!(!may_move(&configured, &url("https://auvikapi.evil.example/v1")), "credentials stay with Auvik");
        assert!(!may_move(&configured, &url("http://auvikapi.us4.my.auvik.com/v1")), "and on HTTPS");
        assert!(may_move(&url("http://localhost:4010/auvik/v1"), &url("http://127.0.0.1:4010/auvik/v1")));
    }

    #[test]
    fn the_period_is_the_month_before() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(previous_month(d(2026, 12, 7)), (d(2026, 11, 1), d(2026, 11, 30)));
        assert_eq!(previous_month(d(2027, 1, 1)), (d(2026, 12, 1), d(2026, 12, 31)));
        assert_eq!(previous_month(d(2028, 3, 31)), (d(2028, 2, 1), d(2028, 2, 29)));
    }

    #[test]
    fn error_bodies_in_words() {
        assert_eq!(
            error_words(r#"{"errors": [{"status": "401", "title": "Unauthorized", "detail": "Bad API key"}]}"#),
            "Unauthorized: Bad API key"
        );
        assert_eq!(error_words(r#"{"errors": [{"code": 40, "message": "Invalid date"}]}"#), "Invalid date (code 40)");
        assert_eq!(error_words(r#"{"errors": ["Not found"]}"#), "Not found");
        assert_eq!(error_words("Service Unavailable"), "Service Unavailable");
        assert_eq!(error_words(r#"{"errors": []}"#), r#"{"errors": []}"#);
    }

    #[test]
    fn the_counting_setting_is_read_in_words() {
        assert_eq!(Counting::parse(" Inventory "), Some(Counting::Inventory));
        assert_eq!(Counting::parse("usage"), Some(Counting::Usage));
        assert_eq!(Counting::parse("seats"), None);
        assert!(Counting::CHOICES.iter().all(|c| Counting::parse(c).map(Counting::as_str) == Some(*c)));
    }
}
