//! SentinelOne's Management API v2.1 (shared/docs/billing-connectors.md, section 7): an API token
//! sent as `Authorization: ApiToken {token}` (not Bearer) on every request; the console's active
//! sites read 1,000 a page (the most `limit` allows), following `pagination.nextCursor` until it
//! is null, each with the licences it uses (`activeLicenses`), its tier (`sku`) and the MSP's own
//! PSA reference (`externalId`); and every agent that is not decommissioned, read the same way,
//! so workstations and servers are counted from one bulk list instead of two `agents/count`
//! requests per site.
//!
//! SentinelOne limits each path with a token bucket (`/agents` 25 a second with no burst,
//! `/sites` 100 a second) and answers a breach with 429 and `Retry-After`, which the shared retry
//! loop honours. Requests are spread under a per-minute setting whose default stays below the
//! strictest of those buckets with room for network jitter.

use std::sync::Arc;

use reqwest::header::AUTHORIZATION;
use serde::{de::DeserializeOwned, Deserialize, Deserializer};
use url::Url;

use crate::{
    http::{self, RetryMode, SendOptions},
    pace::Pace,
    partner_center::BoxFuture,
    VendorError,
};

const VENDOR: &str = "SentinelOne";
/// The API's place under the console's address.
const API_PATH: &str = "web/api/v2.1";
/// The largest page `limit` allows.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// 20 requests a second: 80% of `/agents`' bucket (25 a second, no burst), the strictest path
/// SeatSync reads, so a request delayed on the way does not arrive too close to the next one.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 1200;

/// Which of the console's levels is one customer. An MSP usually has one account for itself and
/// a site per customer; some give each customer an account of its own, its sites its offices.
/// SentinelOne's documentation allows both, so it is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomerLevel {
    #[default]
    Site,
    Account,
}

impl CustomerLevel {
    /// The setting's spellings, as the catalogue offers them.
    pub const CHOICES: &'static [&'static str] = &["site", "account"];

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "site" | "sites" => Some(CustomerLevel::Site),
            "account" | "accounts" => Some(CustomerLevel::Account),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CustomerLevel::Site => "site",
            CustomerLevel::Account => "account",
        }
    }
}

#[derive(Clone)]
pub struct SentinelOneSettings {
    /// The console's address, such as `https://usea1-acme.sentinelone.net` (an address with
    /// `/web/api/v2.1` already on it is taken too).
    pub base_url: Url,
    pub api_token: String,
    pub requests_per_minute: u32,
    /// Records asked for a page: 1 to 1,000 ([`MAX_PAGE_SIZE`] outside tests).
    pub page_size: u32,
    pub customer_level: CustomerLevel,
}

/// Written out by hand so the token never reaches a log.
impl std::fmt::Debug for SentinelOneSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentinelOneSettings")
            .field("base_url", &self.base_url.as_str())
            .field("api_token", &"(hidden)")
            .field("requests_per_minute", &self.requests_per_minute)
            .field("page_size", &self.page_size)
            .field("customer_level", &self.customer_level)
            .finish()
    }
}

/// A licence bundle of a site (`licenses.bundles[]`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub total_surfaces: Option<i64>,
}

/// A site's `licenses`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SiteLicenses {
    #[serde(default, deserialize_with = "list")]
    pub bundles: Vec<Bundle>,
}

/// A site of the console: one customer, or one office of a customer kept as an account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    /// A 64-bit number written as a string; kept as text, never parsed.
    #[serde(deserialize_with = "crate::serde_lenient::text")]
    pub id: String,
    #[serde(deserialize_with = "crate::serde_lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub account_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub account_name: Option<String>,
    /// Agents using a licence now: the number SentinelOne bills.
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub active_licenses: Option<i64>,
    /// Licences allotted to the site; meaningless when `unlimited_licenses`.
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub total_licenses: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::flag")]
    pub unlimited_licenses: bool,
    #[serde(default, deserialize_with = "opt_text")]
    pub sku: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub suite: Option<String>,
    /// `Paid` or `Trial`.
    #[serde(default, deserialize_with = "opt_text")]
    pub site_type: Option<String>,
    /// `active`, `expired` or `deleted`.
    #[serde(default, deserialize_with = "opt_text")]
    pub state: Option<String>,
    /// Free text the MSP sets; many put their PSA's company id there.
    #[serde(default, deserialize_with = "opt_text")]
    pub external_id: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_lenient::flag")]
    pub is_default: bool,
    #[serde(default)]
    pub licenses: Option<SiteLicenses>,
}

impl Site {
    /// Whether the site is in use; a site whose state is not said is taken as in use.
    pub fn is_active(&self) -> bool {
        self.state.as_deref().is_none_or(|s| s.trim().eq_ignore_ascii_case("active"))
    }

    /// Core, Control or Complete, from `sku`, else `suite`, else the first licence bundle. The
    /// casing SentinelOne sends is not confirmed, so any casing is read; a tier that is none of
    /// the three is kept as written.
    pub fn tier(&self) -> Option<String> {
        let bundles = self.licenses.iter().flat_map(|l| l.bundles.iter());
        let bundle_names = bundles.flat_map(|b| [b.display_name.as_deref(), b.name.as_deref()]).flatten();
        let written = [self.sku.as_deref(), self.suite.as_deref()]
            .into_iter()
            .flatten()
            .chain(bundle_names)
            .map(str::trim)
            .find(|t| !t.is_empty())?;
        Some(tier_name(written))
    }

    /// The report's product for the licences the site uses: "Complete licences", or "Licences"
    /// when the site says no tier.
    pub fn licences_product(&self) -> String {
        match self.tier() {
            Some(tier) => format!("{tier} licences"),
            None => "Licences".to_string(),
        }
    }

    /// The PSA company the MSP wrote in `externalId`, when it is a whole number (the field is
    /// free text: "AT-19321" or a name links nothing).
    pub fn psa_company(&self) -> Option<i64> {
        let text = self.external_id.as_deref()?.trim();
        if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().filter(|id| *id > 0)
    }
}

/// One of the three tiers under its usual spelling, or the text as written.
fn tier_name(written: &str) -> String {
    let lower = written.to_ascii_lowercase();
    // "complete" is tried before "core", which it does not contain, and "control" has neither.
    if lower.contains("complete") {
        "Complete".into()
    } else if lower.contains("control") {
        "Control".into()
    } else if lower.contains("core") {
        "Core".into()
    } else {
        written.to_string()
    }
}

/// An agent: one protected machine.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    #[serde(default, deserialize_with = "opt_text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub site_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub account_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub computer_name: Option<String>,
    /// `desktop`, `laptop`, `server`, and others (`kubernetes node`, `unknown`, …).
    #[serde(default, deserialize_with = "opt_text")]
    pub machine_type: Option<String>,
    /// `windows`, `linux` or `macos`.
    #[serde(default, deserialize_with = "opt_text")]
    pub os_type: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_lenient::flag")]
    pub is_active: bool,
    #[serde(default, deserialize_with = "crate::serde_lenient::flag")]
    pub is_decommissioned: bool,
    #[serde(default, deserialize_with = "crate::serde_lenient::flag")]
    pub is_uninstalled: bool,
}

/// What an agent is billed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgentKind {
    Workstation,
    Server,
    Other,
}

impl AgentKind {
    /// The product's name in the report.
    pub fn product(self) -> &'static str {
        match self {
            AgentKind::Workstation => "Workstations",
            AgentKind::Server => "Servers",
            AgentKind::Other => "Other agents",
        }
    }
}

impl Agent {
    /// Desktops and laptops are workstations, servers servers (SentinelOne's own split of
    /// `machineTypes`); anything else is counted apart.
    pub fn kind(&self) -> AgentKind {
        match self.machine_type.as_deref().map(|t| t.trim().to_ascii_lowercase()).as_deref() {
            Some("desktop") | Some("laptop") => AgentKind::Workstation,
            Some("server") => AgentKind::Server,
            _ => AgentKind::Other,
        }
    }
}

/// The active sites and the licences they use, from one request: to check the connection.
#[derive(Debug, Clone, PartialEq)]
pub struct SitesSummary {
    pub sites: i64,
    pub active_licenses: Option<i64>,
}

/// A text that may come as a string or a number, or be null, empty or something else.
fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// A list that may be absent or null.
fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    #[serde(default, deserialize_with = "opt_text")]
    next_cursor: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    total_items: Option<i64>,
}

/// `allSites`: the licences of the whole filtered set, not of the page.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LicenceTotals {
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    active_licenses: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SitesData {
    #[serde(default)]
    all_sites: Option<LicenceTotals>,
    #[serde(default, deserialize_with = "list")]
    sites: Vec<Site>,
}

#[derive(Deserialize)]
struct SitesPage {
    #[serde(default)]
    data: Option<SitesData>,
    #[serde(default)]
    pagination: Option<Pagination>,
}

#[derive(Deserialize)]
struct AgentsPage {
    #[serde(default, deserialize_with = "list")]
    data: Vec<Agent>,
    #[serde(default)]
    pagination: Option<Pagination>,
}

/// The words of SentinelOne's error body, `{"errors": [{"code": 4010010, "title": "…", "detail":
/// "…"}]}`, or the text as it came. Sources disagree on the keys (the SDK reads `message` where
/// the documented example has `title`), so either is taken.
pub fn error_words(text: &str) -> String {
    #[derive(Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "list")]
        errors: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        #[serde(default, deserialize_with = "opt_text")]
        code: Option<String>,
        #[serde(default, deserialize_with = "opt_text")]
        title: Option<String>,
        #[serde(default, deserialize_with = "opt_text")]
        message: Option<String>,
        #[serde(default, deserialize_with = "opt_text")]
        detail: Option<String>,
    }
    let Ok(body) = serde_json::from_str::<Body>(text) else { return text.to_string() };
    let parts: Vec<String> = body
        .errors
        .iter()
        .filter_map(|e| {
            let head = e.title.as_deref().or(e.message.as_deref());
            let words = match (head, e.detail.as_deref()) {
                (Some(h), Some(d)) if h != d => format!("{h}: {d}"),
                (Some(h), _) => h.to_string(),
                (None, Some(d)) => d.to_string(),
                (None, None) => return None,
            };
            Some(match &e.code {
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

/// A failed request in words: a refused token as [`VendorError::Auth`], SentinelOne's error body
/// read. The shared loop keeps a body it does not know as text, which is read here.
fn explain(error: VendorError) -> VendorError {
    match error {
        VendorError::Status { status: 401, message, .. } => VendorError::Auth {
            vendor: VENDOR,
            detail: format!(
                "{} (HTTP 401); check the API token, which expires on the date set when it was made",
                error_words(&message)
            ),
        },
        VendorError::Status { status: 403, message, .. } => VendorError::Auth {
            vendor: VENDOR,
            detail: format!("{} (HTTP 403); the token's user needs to view sites and agents", error_words(&message)),
        },
        VendorError::Status { vendor, status, message } => {
            VendorError::Status { vendor, status, message: error_words(&message) }
        }
        other => other,
    }
}

/// `{console}/web/api/v2.1/{path}`, with any path the console's address has kept, and the API's
/// own path not doubled when the address was given with it.
fn endpoint(base: &Url, path: &str) -> String {
    let root = base.as_str().trim_end_matches('/');
    let root = root.strip_suffix(API_PATH).map(|r| r.trim_end_matches('/')).unwrap_or(root);
    format!("{root}/{API_PATH}/{path}")
}

/// What SeatSync needs from SentinelOne.
pub trait SentinelOne: Send + Sync {
    /// Requests sent so far (each attempt counts), for a run to say what it cost.
    fn requests_sent(&self) -> u64;
    /// The active sites and the licences they use, from one small request: to check the
    /// connection.
    fn summary(&self) -> BoxFuture<'_, Result<SitesSummary, VendorError>>;
    /// Every active site of the console.
    fn sites(&self) -> BoxFuture<'_, Result<Vec<Site>, VendorError>>;
    /// Every agent that is not decommissioned.
    fn agents(&self) -> BoxFuture<'_, Result<Vec<Agent>, VendorError>>;
    /// Whether a customer is a site or an account, as configured.
    fn customer_level(&self) -> CustomerLevel;
}

pub struct HttpSentinelOne {
    settings: SentinelOneSettings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    pace: Pace,
}

impl HttpSentinelOne {
    pub fn new(settings: SentinelOneSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        // No burst: `/agents` allows none.
        let pace = Pace::per_minute(settings.requests_per_minute);
        Arc::new(Self { settings, client, policy, pace })
    }

    /// A GET of the API's `path` with `query`, under the pace.
    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
    ) -> Result<T, VendorError> {
        let url = endpoint(&self.settings.base_url, path);
        let authorization = format!("ApiToken {}", self.settings.api_token.trim());
        let options = SendOptions { mode: RetryMode::Repeatable, is_final: None };
        let res = http::send_with(VENDOR, &self.policy, options, || {
            let req = self.client.get(&url).header(AUTHORIZATION, authorization.as_str()).query(query);
            async move {
                self.pace.until_ready().await;
                Ok(req)
            }
        })
        .await
        .map_err(explain)?;
        http::json(VENDOR, what, res).await
    }

    /// Every page of a list at `path` with `filters`, following `nextCursor` until it is null.
    async fn all_pages<P: DeserializeOwned, T>(
        &self,
        path: &str,
        what: &str,
        filters: &[(&str, String)],
        split: impl Fn(P) -> (Vec<T>, Option<Pagination>),
    ) -> Result<Vec<T>, VendorError> {
        let limit = self.settings.page_size.clamp(1, MAX_PAGE_SIZE).to_string();
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        // A bound on pages, so a server that keeps sending new cursors cannot loop us.
        for _ in 0..100_000 {
            let mut query: Vec<(&str, String)> = filters.to_vec();
            query.push(("limit", limit.clone()));
            if let Some(c) = &cursor {
                query.push(("cursor", c.clone()));
            }
            let (page, pagination) = split(self.get(path, &query, what).await?);
            let got = page.len();
            items.extend(page);
            let next = pagination.and_then(|p| p.next_cursor).filter(|c| !c.trim().is_empty());
            match next {
                Some(next) if got > 0 => {
                    if cursor.as_deref() == Some(next.as_str()) {
                        return Err(VendorError::Malformed {
                            vendor: VENDOR,
                            what: what.into(),
                            detail: "the same page came again; reading stopped".into(),
                        });
                    }
                    cursor = Some(next);
                }
                _ => return Ok(items),
            }
        }
        Err(VendorError::Malformed { vendor: VENDOR, what: what.into(), detail: "the pages never ended".into() })
    }
}

impl SentinelOne for HttpSentinelOne {
    fn requests_sent(&self) -> u64 {
        self.pace.sent()
    }

    fn summary(&self) -> BoxFuture<'_, Result<SitesSummary, VendorError>> {
        Box::pin(async move {
            let query = [("state", "active".to_string()), ("limit", "1".to_string())];
            let page: SitesPage = self.get("sites", &query, "site list").await?;
            let data = page.data.unwrap_or_default();
            let sites = page.pagination.and_then(|p| p.total_items).unwrap_or(data.sites.len() as i64);
            Ok(SitesSummary { sites, active_licenses: data.all_sites.and_then(|a| a.active_licenses) })
        })
    }

    fn sites(&self) -> BoxFuture<'_, Result<Vec<Site>, VendorError>> {
        Box::pin(async move {
            let filters = [("state", "active".to_string())];
            let sites = self
                .all_pages("sites", "site list", &filters, |p: SitesPage| {
                    (p.data.map(|d| d.sites).unwrap_or_default(), p.pagination)
                })
                .await?;
            // Each site's own state still decides, should a console not apply the filter.
            Ok(sites.into_iter().filter(|s| s.is_active()).collect())
        })
    }

    fn agents(&self) -> BoxFuture<'_, Result<Vec<Agent>, VendorError>> {
        Box::pin(async move {
            let filters = [("isDecommissioned", "false".to_string())];
            let agents =
                self.all_pages("agents", "agent list", &filters, |p: AgentsPage| (p.data, p.pagination)).await?;
            Ok(agents.into_iter().filter(|a| !a.is_decommissioned).collect())
        })
    }

    fn customer_level(&self) -> CustomerLevel {
        self.settings.customer_level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(value: serde_json::Value) -> Site {
        serde_json::from_value(value).expect("a site")
    }

    fn agent(machine_type: Option<&str>) -> Agent {
        Agent {
            id: None,
            site_id: Some("1".into()),
            account_id: None,
            computer_name: None,
            machine_type: machine_type.map(str::to_string),
            os_type: None,
            is_active: true,
            is_decommissioned: false,
            is_uninstalled: false,
        }
    }

    #[test]
    fn the_documented_site_list_is_read() {
        let body = serde_json::json!({"data": {
            "allSites": {"activeLicenses": 1234, "totalLicenses": 1500},
            "sites": [{
                "id": "1234567890123456789", "name": "Acme Ltd", "accountId": "9876543210987654321",
                "accountName": "MSP Parent", "activeLicenses": 57, "totalLicenses": 60, "unlimitedLicenses": false,
                "sku": "Complete", "suite": "Complete", "siteType": "Paid", "state": "active",
                "externalId": "19321", "description": "", "isDefault": false, "healthStatus": true,
                "expiration": null, "unlimitedExpiration": true, "usageType": "customer",
                "licenses": {"bundles": [{"name": "complete", "displayName": "Complete", "majorVersion": 1,
                    "minorVersion": 0, "surfaces": [{"name": "Total Agents", "count": 60}], "totalSurfaces": 60}],
                    "modules": [{"name": "star", "displayName": "STAR", "majorVersion": 1}], "settings": []},
                "createdAt": "2023-01-01T00:00:00.000000Z", "updatedAt": "2025-05-01T00:00:00.000000Z"}]},
            "pagination": {"nextCursor": "YWdlbnRfaWQ6MTIzNDU2Nzg5MA==", "totalItems": 84},
            "errors": null});
        let page: SitesPage = serde_json::from_value(body).expect("the documented shape");
        let data = page.data.expect("data");
        assert_eq!(data.all_sites.and_then(|a| a.active_licenses), Some(1234));
        let s = &data.sites[0];
        assert_eq!(s.id, "1234567890123456789");
        assert_eq!(s.active_licenses, Some(57));
        assert_eq!(s.psa_company(), Some(19321));
        assert_eq!(s.licences_product(), "Complete licences");
        assert!(s.is_active());
        let pagination = page.pagination.expect("pagination");
        assert_eq!(pagination.next_cursor.as_deref(), Some("YWdlbnRfaWQ6MTIzNDU2Nzg5MA=="));
        assert_eq!(pagination.total_items, Some(84));
    }

    #[test]
    fn tiers_are_read_in_any_casing_and_from_any_field() {
        assert_eq!(
            site(serde_json::json!({"id": "1", "name": "a", "sku": "COMPLETE"})).tier().as_deref(),
            Some("Complete")
        );
        assert_eq!(
            site(serde_json::json!({"id": "1", "name": "a", "sku": "control"})).tier().as_deref(),
            Some("Control")
        );
        assert_eq!(
            site(serde_json::json!({"id": "1", "name": "a", "sku": null, "suite": "Core"})).tier().as_deref(),
            Some("Core")
        );
        let from_bundle = site(serde_json::json!({"id": "1", "name": "a",
            "licenses": {"bundles": [{"name": "complete", "displayName": null}], "modules": null}}));
        assert_eq!(from_bundle.licences_product(), "Complete licences");
        assert_eq!(
            site(serde_json::json!({"id": "1", "name": "a", "sku": "Enterprise"})).tier().as_deref(),
            Some("Enterprise")
        );
        assert_eq!(site(serde_json::json!({"id": 7, "name": "a"})).licences_product(), "Licences");
    }

    #[test]
    fn only_a_whole_number_in_external_id_links_a_company() {
        let with = |external: serde_json::Value| {
            site(serde_json::json!({"id": "1", "name": "a", "externalId": external})).psa_company()
        };
        assert_eq!(with(serde_json::json!(" 29684512 ")), Some(29684512));
        assert_eq!(with(serde_json::json!(29684512)), Some(29684512));
        assert_eq!(with(serde_json::json!("AT-29684512")), None);
        assert_eq!(with(serde_json::json!("29684512.5")), None);
        assert_eq!(with(serde_json::json!("-4")), None);
        assert_eq!(with(serde_json::json!("")), None);
        assert_eq!(with(serde_json::Value::Null), None);
    }

    #[test]
    fn sites_not_active_are_no_customers() {
        assert!(!site(serde_json::json!({"id": "1", "name": "a", "state": "expired"})).is_active());
        assert!(!site(serde_json::json!({"id": "1", "name": "a", "state": "deleted"})).is_active());
        assert!(site(serde_json::json!({"id": "1", "name": "a", "state": "Active"})).is_active());
        assert!(site(serde_json::json!({"id": "1", "name": "a"})).is_active());
    }

    #[test]
    fn agents_are_billed_by_machine_type() {
        assert_eq!(agent(Some("desktop")).kind(), AgentKind::Workstation);
        assert_eq!(agent(Some("Laptop")).kind(), AgentKind::Workstation);
        assert_eq!(agent(Some("server")).kind(), AgentKind::Server);
        assert_eq!(agent(Some("kubernetes node")).kind(), AgentKind::Other);
        assert_eq!(agent(None).kind(), AgentKind::Other);
    }

    #[test]
    fn error_bodies_in_words() {
        assert_eq!(
            error_words(
                r#"{"errors": [{"code": 4010010, "title": "Authentication Failed", "detail": "Token is invalid"}]}"#
            ),
            "Authentication Failed: Token is invalid (code 4010010)"
        );
        assert_eq!(
            error_words(r#"{"errors": [{"code": 4000010, "message": "Validation Error"}]}"#),
            "Validation Error (code 4000010)"
        );
        assert_eq!(error_words("Service Unavailable"), "Service Unavailable");
        assert_eq!(error_words(r#"{"errors": null}"#), r#"{"errors": null}"#);
    }

    #[test]
    fn the_api_path_goes_under_the_console_once() {
        let at = |base: &str| endpoint(&Url::parse(base).unwrap(), "sites");
        assert_eq!(at("https://usea1-acme.sentinelone.net"), "https://usea1-acme.sentinelone.net/web/api/v2.1/sites");
        assert_eq!(
            at("https://usea1-acme.sentinelone.net/web/api/v2.1/"),
            "https://usea1-acme.sentinelone.net/web/api/v2.1/sites"
        );
        assert_eq!(at("http://127.0.0.1:4010/sentinelone"), "http://127.0.0.1:4010/sentinelone/web/api/v2.1/sites");
    }

    #[test]
    fn the_customer_level_setting_is_read_in_words() {
        assert_eq!(CustomerLevel::parse(" Account "), Some(CustomerLevel::Account));
        assert_eq!(CustomerLevel::parse("site"), Some(CustomerLevel::Site));
        assert_eq!(CustomerLevel::parse("tenant"), None);
        assert!(CustomerLevel::CHOICES.iter().all(|c| CustomerLevel::parse(c).map(CustomerLevel::as_str) == Some(*c)));
    }
}
