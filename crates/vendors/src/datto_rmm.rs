//! Datto RMM's API v2 (shared/docs/billing-connectors.md, section 1): a token from
//! `{API URL}/auth/oauth/token` (password grant with the API key and secret, the client
//! `public-client:public`), kept for the 100 hours Datto gives it; the account's sites and
//! devices read in pages of the size `/api/v2/system/pagination` allows, following each page's
//! `nextPageUrl` (with any query parameter it dropped put back).
//!
//! Datto allows 600 requests a minute for the whole account, shared by every integration, so
//! requests are spread under a per-minute setting; Datto sends no `Retry-After`, so a 429 waits
//! out a good part of the minute before trying again (the caller's retry policy).

use std::{sync::Arc, time::Duration};

use serde::{de::DeserializeOwned, Deserialize};
use url::Url;

use crate::{
    http::{self, RetryMode, SendOptions},
    pace::Pace,
    partner_center::BoxFuture,
    token::TokenCache,
    VendorError,
};

const VENDOR: &str = "Datto RMM";
/// Datto's documented tokens last 100 hours.
const TOKEN_LIFETIME: Duration = Duration::from_secs(100 * 3600);
/// The page size asked for when `/system/pagination` does not say.
const FALLBACK_PAGE_SIZE: u32 = 250;
/// Sites Datto creates in every account, which are no customer.
const SYSTEM_SITES: &[&str] = &["Managed", "OnDemand", "Deleted Devices"];

#[derive(Debug, Clone)]
pub struct DattoRmmSettings {
    /// The "API URL" Datto shows, such as `https://concord-api.centrastage.net`.
    pub api_url: Url,
    pub api_key: String,
    pub api_secret: String,
    pub requests_per_minute: u32,
    /// Whether a suspended device is counted: Datto leaves that to the MSP's contracts.
    pub count_suspended: bool,
}

/// Device counts Datto keeps on a site.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicesStatus {
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub number_of_devices: Option<i64>,
}

/// A site of the account: one customer (or one of its offices).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    pub uid: String,
    #[serde(deserialize_with = "crate::serde_lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "crate::serde_lenient::flag")]
    pub on_demand: bool,
    #[serde(default)]
    pub devices_status: Option<DevicesStatus>,
    /// Datto's own link to Autotask (a string), when its Autotask integration maps the site.
    #[serde(default, deserialize_with = "opt_text")]
    pub autotask_company_id: Option<String>,
    #[serde(default)]
    pub autotask_company_name: Option<String>,
}

impl Site {
    /// One of the sites every account has (Managed, OnDemand, Deleted Devices), or an OnDemand
    /// site: no customer to bill.
    pub fn is_system(&self) -> bool {
        self.on_demand || SYSTEM_SITES.iter().any(|s| s.eq_ignore_ascii_case(self.name.trim()))
    }

    /// The Autotask company Datto links the site to.
    pub fn autotask_company(&self) -> Option<i64> {
        self.autotask_company_id.as_deref().and_then(|t| t.trim().parse().ok()).filter(|id| *id > 0)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct DeviceType {
    #[serde(default)]
    pub category: Option<String>,
}

/// A device of the account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    #[serde(default)]
    pub uid: Option<String>,
    pub site_uid: String,
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub device_type: Option<DeviceType>,
    /// `device`, `printer`, `esxihost`, `rmmnetworkdevice` or `unknown`.
    #[serde(default)]
    pub device_class: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_lenient::flag")]
    pub deleted: bool,
    #[serde(default, deserialize_with = "crate::serde_lenient::flag")]
    pub suspended: bool,
}

/// What a device is billed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeviceKind {
    Workstation,
    Server,
    NetworkDevice,
    Printer,
    EsxiHost,
    Other,
}

impl DeviceKind {
    /// The product's name in the report.
    pub fn product(self) -> &'static str {
        match self {
            DeviceKind::Workstation => "Workstations",
            DeviceKind::Server => "Servers",
            DeviceKind::NetworkDevice => "Network devices",
            DeviceKind::Printer => "Printers",
            DeviceKind::EsxiHost => "ESXi hosts",
            DeviceKind::Other => "Other devices",
        }
    }
}

impl Device {
    /// By Datto's class first (agentless devices), then the category of an agent: Desktop and
    /// Laptop are workstations, Server a server.
    pub fn kind(&self) -> DeviceKind {
        let class = self.device_class.as_deref().unwrap_or("device").to_ascii_lowercase();
        let category = self.device_type.as_ref().and_then(|t| t.category.as_deref()).unwrap_or("").to_ascii_lowercase();
        match class.as_str() {
            "rmmnetworkdevice" => DeviceKind::NetworkDevice,
            "printer" => DeviceKind::Printer,
            "esxihost" => DeviceKind::EsxiHost,
            _ => match category.as_str() {
                "desktop" | "laptop" => DeviceKind::Workstation,
                "server" => DeviceKind::Server,
                "esxi host" => DeviceKind::EsxiHost,
                "network device" => DeviceKind::NetworkDevice,
                "printer" => DeviceKind::Printer,
                _ => DeviceKind::Other,
            },
        }
    }
}

/// A text that may come as a string or a number, or be null or empty.
fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageDetails {
    #[serde(default)]
    next_page_url: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    total_count: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SitesPage {
    #[serde(default)]
    page_details: Option<PageDetails>,
    #[serde(default)]
    sites: Vec<Site>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DevicesPage {
    #[serde(default)]
    page_details: Option<PageDetails>,
    #[serde(default)]
    devices: Vec<Device>,
}

/// What SeatSync needs from Datto RMM.
pub trait DattoRmm: Send + Sync {
    /// Requests sent so far (each attempt counts), for a run to say what it cost.
    fn requests_sent(&self) -> u64;
    /// The number of sites, from one request: to check the connection.
    fn site_count(&self) -> BoxFuture<'_, Result<i64, VendorError>>;
    /// Every site of the account, system sites included (see [`Site::is_system`]).
    fn sites(&self) -> BoxFuture<'_, Result<Vec<Site>, VendorError>>;
    /// Every device of the account that is not deleted.
    fn devices(&self) -> BoxFuture<'_, Result<Vec<Device>, VendorError>>;
    /// Whether suspended devices are counted, as configured.
    fn counts_suspended(&self) -> bool;
}

pub struct HttpDattoRmm {
    settings: DattoRmmSettings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    tokens: TokenCache,
    pace: Pace,
}

impl HttpDattoRmm {
    pub fn new(settings: DattoRmmSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        let pace = Pace::per_minute(settings.requests_per_minute);
        Arc::new(Self { settings, client, policy, tokens: TokenCache::default(), pace })
    }

    /// `{API URL}/{path}`, the API URL kept with any path it has.
    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.settings.api_url.as_str().trim_end_matches('/'))
    }

    async fn token(&self) -> Result<String, VendorError> {
        if let Some(token) = self.tokens.get("account") {
            return Ok(token);
        }
        #[derive(Deserialize)]
        struct TokenBody {
            access_token: String,
            #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
            expires_in: Option<i64>,
        }
        let url = self.url("auth/oauth/token");
        let form = [
            ("grant_type", "password"),
            ("username", self.settings.api_key.as_str()),
            ("password", self.settings.api_secret.as_str()),
        ];
        self.pace.until_ready().await;
        let res = http::send(VENDOR, &self.policy, || {
            self.client.post(&url).basic_auth("public-client", Some("public")).form(&form)
        })
        .await
        .map_err(|e| match e {
            VendorError::Status { status, message, .. } if (400..500).contains(&status) => {
                VendorError::Auth { vendor: VENDOR, detail: format!("{message} (HTTP {status})") }
            }
            other => other,
        })?;
        let token: TokenBody = http::json(VENDOR, "token response", res).await?;
        let lifetime = token.expires_in.map(|s| Duration::from_secs(s.max(60) as u64)).unwrap_or(TOKEN_LIFETIME);
        self.tokens.put("account", token.access_token.clone(), lifetime);
        Ok(token.access_token)
    }

    /// A GET of `url` with the token, under the pace; a 401 forgets the token.
    async fn get<T: DeserializeOwned>(&self, url: &Url, what: &str) -> Result<T, VendorError> {
        let token = self.token().await?;
        let options = SendOptions { mode: RetryMode::Repeatable, is_final: None };
        let res = http::send_with(VENDOR, &self.policy, options, || {
            let req = self.client.get(url.clone()).bearer_auth(&token);
            async move {
                self.pace.until_ready().await;
                Ok(req)
            }
        })
        .await;
        if let Err(VendorError::Status { status: 401, .. }) = &res {
            self.tokens.forget("account");
        }
        http::json(VENDOR, what, res?).await
    }

    /// The largest page Datto serves, as it says.
    async fn page_size(&self) -> Result<u32, VendorError> {
        #[derive(Deserialize)]
        struct Pagination {
            #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
            max: Option<i64>,
        }
        let url = self.parse(&self.url("api/v2/system/pagination"))?;
        let body: Pagination = self.get(&url, "pagination").await?;
        Ok(body.max.filter(|m| *m > 0).map(|m| m.min(1000) as u32).unwrap_or(FALLBACK_PAGE_SIZE))
    }

    fn parse(&self, text: &str) -> Result<Url, VendorError> {
        Url::parse(text).map_err(|e| VendorError::Malformed {
            vendor: VENDOR,
            what: "page address".into(),
            detail: format!("'{text}' ({e})"),
        })
    }

    /// The next page's address: Datto's `nextPageUrl`, refused when it leaves the configured
    /// host (the token must not go elsewhere), with the first request's query parameters it
    /// dropped put back.
    fn next_page(&self, next: &str, first: &Url) -> Result<Url, VendorError> {
        let mut url = self.parse(next)?;
        if url.origin() != self.settings.api_url.origin() {
            return Err(VendorError::Malformed {
                vendor: VENDOR,
                what: "page address".into(),
                detail: format!("the next page is on another host ({next}); nothing was sent there"),
            });
        }
        let present: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        let missing: Vec<(String, String)> = first
            .query_pairs()
            .filter(|(k, _)| !present.iter().any(|p| p == k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if !missing.is_empty() {
            url.query_pairs_mut().extend_pairs(missing);
        }
        Ok(url)
    }

    /// Every page of a list, from `path` with the largest page size.
    async fn all_pages<P: DeserializeOwned, T>(
        &self,
        path: &str,
        what: &str,
        split: impl Fn(P) -> (Option<PageDetails>, Vec<T>),
    ) -> Result<Vec<T>, VendorError> {
        let size = self.page_size().await?;
        let mut first = self.parse(&self.url(path))?;
        first.query_pairs_mut().append_pair("max", &size.to_string());
        let mut url = first.clone();
        let mut items = Vec::new();
        // A bound on pages, so a server that keeps sending the same next page cannot loop us.
        for _ in 0..100_000 {
            let (details, page) = split(self.get(&url, what).await?);
            let got = page.len();
            items.extend(page);
            let next = details.and_then(|d| d.next_page_url).filter(|n| !n.trim().is_empty());
            match next {
                Some(next) if got > 0 => url = self.next_page(&next, &first)?,
                _ => return Ok(items),
            }
        }
        Err(VendorError::Malformed { vendor: VENDOR, what: what.into(), detail: "the pages never ended".into() })
    }
}

impl DattoRmm for HttpDattoRmm {
    fn requests_sent(&self) -> u64 {
        self.pace.sent()
    }

    fn counts_suspended(&self) -> bool {
        self.settings.count_suspended
    }

    fn site_count(&self) -> BoxFuture<'_, Result<i64, VendorError>> {
        Box::pin(async move {
            let mut url = self.parse(&self.url("api/v2/account/sites"))?;
            url.query_pairs_mut().append_pair("max", "1");
            let page: SitesPage = self.get(&url, "site list").await?;
            Ok(page.page_details.and_then(|d| d.total_count).unwrap_or(page.sites.len() as i64))
        })
    }

    fn sites(&self) -> BoxFuture<'_, Result<Vec<Site>, VendorError>> {
        Box::pin(self.all_pages("api/v2/account/sites", "site list", |p: SitesPage| (p.page_details, p.sites)))
    }

    fn devices(&self) -> BoxFuture<'_, Result<Vec<Device>, VendorError>> {
        Box::pin(async move {
            let all = self
                .all_pages("api/v2/account/devices", "device list", |p: DevicesPage| (p.page_details, p.devices))
                .await?;
            Ok(all.into_iter().filter(|d| !d.deleted).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(class: Option<&str>, category: Option<&str>) -> Device {
        Device {
            uid: None,
            site_uid: "s".into(),
            hostname: None,
            device_type: category.map(|c| DeviceType { category: Some(c.into()) }),
            device_class: class.map(str::to_string),
            deleted: false,
            suspended: false,
        }
    }

    #[test]
    fn devices_are_billed_by_class_then_category() {
        assert_eq!(device(Some("device"), Some("Laptop")).kind(), DeviceKind::Workstation);
        assert_eq!(device(Some("device"), Some("Desktop")).kind(), DeviceKind::Workstation);
        assert_eq!(device(None, Some("Server")).kind(), DeviceKind::Server);
        assert_eq!(device(Some("rmmnetworkdevice"), Some("Network Device")).kind(), DeviceKind::NetworkDevice);
        assert_eq!(device(Some("printer"), None).kind(), DeviceKind::Printer);
        assert_eq!(device(Some("esxihost"), Some("ESXi Host")).kind(), DeviceKind::EsxiHost);
        assert_eq!(device(Some("device"), Some("Mobile")).kind(), DeviceKind::Other);
    }

    #[test]
    fn system_sites_are_no_customers() {
        let site = |name: &str, on_demand: bool| Site {
            uid: "u".into(),
            name: name.into(),
            on_demand,
            devices_status: None,
            autotask_company_id: Some(" 29684512 ".into()),
            autotask_company_name: None,
        };
        assert!(site("Deleted Devices", false).is_system());
        assert!(site("managed", false).is_system());
        assert!(site("Acme Ltd", true).is_system());
        assert!(!site("Acme Ltd", false).is_system());
        assert_eq!(site("Acme Ltd", false).autotask_company(), Some(29684512));
    }
}
