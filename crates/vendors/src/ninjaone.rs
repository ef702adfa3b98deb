//! NinjaOne's Public API 2.0 (shared/docs/billing-connectors.md, section 3): a client-credentials
//! token from `{instance}/ws/oauth/token` with the read-only `monitoring` scope, kept as long as
//! NinjaOne says; the instance's organizations and every device read from `/v2/organizations` and
//! `/v2/devices` in `pageSize`/`after` pages (bare arrays, `after` the last id of the page
//! before), so a whole instance takes two bulk lists however many organizations it has.
//!
//! Three things NinjaOne does not settle, and how they are met:
//! - no rate limit is published, so requests are spread under a per-minute setting, and a 429
//!   waits for its `Retry-After` when one comes (the caller's retry policy otherwise);
//! - no default or largest page is documented, so the page size is a setting, and a page shorter
//!   than asked ends a list only once an earlier page has shown how many the server fills: a
//!   server that caps pages below the setting still has every page read;
//! - the token path comes from a community client (some pages give `/oauth/token`), so a token
//!   path answering 404 is tried again at the other.
//!
//! NinjaOne keeps no link to the PSA; where the MSP keeps the PSA company's id in an organization
//! custom field, the setting naming that field makes the client read it.

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

const VENDOR: &str = "NinjaOne";
/// Where a token is asked for: the path of NinjaOne's community PowerShell client first, then the
/// one some secondary pages give.
const TOKEN_PATHS: [&str; 2] = ["ws/oauth/token", "oauth/token"];
/// Reading organizations and devices needs only NinjaOne's read scope.
const SCOPE: &str = "monitoring";
/// An instance has one token; the cache keeps it under this key.
const TOKEN_KEY: &str = "instance";
/// How long a token is kept when NinjaOne's answer does not say (an hour, as in the examples).
const FALLBACK_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Records asked for per page unless set otherwise; a page this large was seen served in full.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
/// NinjaOne publishes no limit; a whole instance takes a handful of requests, so spreading them
/// costs little.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 120;

#[derive(Debug, Clone)]
pub struct NinjaOneSettings {
    /// The instance's address, such as `https://app.ninjarmm.com` or `https://eu.ninjarmm.com`.
    pub base_url: Url,
    pub client_id: String,
    pub client_secret: String,
    /// Records asked for per page (see the module's notes on pages).
    pub page_size: u32,
    /// The organization custom field holding the PSA company's id, when the MSP keeps one.
    pub psa_company_field: Option<String>,
    pub requests_per_minute: u32,
}

/// An organization: one customer of the MSP (or the MSP itself, or a test organization).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    #[serde(deserialize_with = "crate::serde_lenient::int")]
    pub id: i64,
    #[serde(deserialize_with = "crate::serde_lenient::text")]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The organization's custom fields by name, as the list carries them.
    #[serde(default)]
    pub fields: Option<serde_json::Value>,
    /// The value of the custom field named in [`NinjaOneSettings::psa_company_field`], filled in
    /// by the client that read the organization.
    #[serde(skip)]
    pub psa_link: Option<String>,
}

impl Organization {
    /// A custom field's value as text: a string or a number as it stands, or the `value` (or
    /// `text`) of a field sent as an object. The name is matched exactly, else in any case;
    /// empty values count as none.
    pub fn custom_field(&self, name: &str) -> Option<String> {
        let fields = self.fields.as_ref()?.as_object()?;
        let value = fields
            .get(name)
            .or_else(|| fields.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value))?;
        field_text(value)
    }

    /// The PSA company the MSP's custom field names, when it holds a whole number.
    pub fn psa_company(&self) -> Option<i64> {
        whole_number(self.psa_link.as_deref()?)
    }
}

fn field_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Object(o) => o.get("value").or_else(|| o.get("text")).and_then(field_text),
        _ => None,
    }
}

/// An id typed into a text field: digits only (surrounding spaces aside), above 0. Anything else
/// ("n/a", "see Autotask", 12.5) links nothing.
fn whole_number(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok().filter(|n| *n > 0)
}

/// A device (NinjaOne's "node") of the instance.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    #[serde(deserialize_with = "crate::serde_lenient::int")]
    pub id: i64,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub organization_id: Option<i64>,
    /// `WINDOWS_WORKSTATION`, `MAC`, `WINDOWS_SERVER`, `NMS_SWITCH`, `VMWARE_VM_GUEST`, ...
    #[serde(default)]
    pub node_class: Option<String>,
    /// `APPROVED`, or `PENDING` while it waits for someone to approve it.
    #[serde(default)]
    pub approval_status: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_lenient::flag")]
    pub offline: bool,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub system_name: Option<String>,
}

/// What a device is billed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeviceKind {
    Workstation,
    Server,
    VmHost,
    VmGuest,
    NetworkDevice,
    Mobile,
    Other,
}

impl DeviceKind {
    /// The product's name in the report.
    pub fn product(self) -> &'static str {
        match self {
            DeviceKind::Workstation => "Workstations",
            DeviceKind::Server => "Servers",
            DeviceKind::VmHost => "VM hosts",
            DeviceKind::VmGuest => "VM guests",
            DeviceKind::NetworkDevice => "Network devices",
            DeviceKind::Mobile => "Mobile devices",
            DeviceKind::Other => "Other devices",
        }
    }

    /// What a node class is billed as, in any case. Hypervisor hosts and their guests are
    /// products of their own, so whether they bill as servers is the MSP's choice in the report
    /// rather than SeatSync's; everything NinjaOne watches over the network (`NMS_*`) is a
    /// network device, as NinjaOne groups them.
    pub fn of(node_class: &str) -> DeviceKind {
        let class = node_class.trim().to_ascii_uppercase();
        match class.as_str() {
            "WINDOWS_WORKSTATION" | "MAC" | "LINUX_WORKSTATION" => DeviceKind::Workstation,
            "WINDOWS_SERVER" | "LINUX_SERVER" | "MAC_SERVER" => DeviceKind::Server,
            "VMWARE_VM_HOST" | "HYPERV_VMM_HOST" => DeviceKind::VmHost,
            "VMWARE_VM_GUEST" | "HYPERV_VMM_GUEST" => DeviceKind::VmGuest,
            "ANDROID" => DeviceKind::Mobile,
            c if c.starts_with("APPLE_") => DeviceKind::Mobile,
            c if c.starts_with("NMS_") => DeviceKind::NetworkDevice,
            _ => DeviceKind::Other,
        }
    }
}

impl Device {
    pub fn kind(&self) -> DeviceKind {
        DeviceKind::of(self.node_class.as_deref().unwrap_or_default())
    }

    /// Approved devices are billed; pending ones are not. A device without any status (not the
    /// documented shape) is counted rather than silently dropped from a bill.
    pub fn is_billable(&self) -> bool {
        self.approval_status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .is_none_or(|s| s.eq_ignore_ascii_case("APPROVED"))
    }
}

/// A record NinjaOne lists in `after` pages, by its id.
trait Listed: DeserializeOwned {
    fn list_id(&self) -> i64;
}

impl Listed for Organization {
    fn list_id(&self) -> i64 {
        self.id
    }
}

impl Listed for Device {
    fn list_id(&self) -> i64 {
        self.id
    }
}

/// Whether a page ends its list. NinjaOne's pages carry no metadata and it documents no largest
/// page, so a page shorter than asked is the last only once an earlier page has shown how many
/// the server fills (were pages capped below the size asked, the first would look short too).
/// An empty page always ends the list.
fn is_last_page(asked: usize, largest_before: Option<usize>, got: usize) -> bool {
    got == 0 || largest_before.is_some_and(|largest| got < largest.min(asked))
}

/// NinjaOne's error body in words: `errorMessage` with its `resultCode`, or the text as it came
/// (a bare `error`, such as the token endpoint's, is already picked out by [`http::error_message`]).
fn vendor_message(text: &str) -> String {
    let Ok(body) = serde_json::from_str::<serde_json::Value>(text) else { return text.to_string() };
    let pick = |key: &str| body.get(key).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty());
    match (pick("errorMessage"), pick("resultCode")) {
        (Some(message), Some(code)) => format!("{message} ({code})"),
        (Some(message), None) => message.to_string(),
        (None, Some(code)) => code.to_string(),
        (None, None) => text.to_string(),
    }
}

/// An error of a read, said as NinjaOne said it; a refused token is a sign-in failure.
fn in_words(error: VendorError) -> VendorError {
    match error {
        VendorError::Status { status: 401, message, .. } => {
            VendorError::Auth { vendor: VENDOR, detail: format!("{} (HTTP 401)", vendor_message(&message)) }
        }
        VendorError::Status { status: 403, message, .. } => VendorError::Auth {
            vendor: VENDOR,
            detail: format!("{} (HTTP 403); the client app needs the Monitoring scope", vendor_message(&message)),
        },
        VendorError::Status { vendor, status, message } => {
            VendorError::Status { vendor, status, message: vendor_message(&message) }
        }
        other => other,
    }
}

/// What SeatSync needs from NinjaOne.
pub trait NinjaOne: Send + Sync {
    /// Requests sent so far (each attempt counts), for a run to say what it cost.
    fn requests_sent(&self) -> u64;
    /// The first organization, if any, from one small request: to check the connection.
    fn first_organization(&self) -> BoxFuture<'_, Result<Option<Organization>, VendorError>>;
    /// Every organization of the instance.
    fn organizations(&self) -> BoxFuture<'_, Result<Vec<Organization>, VendorError>>;
    /// Every device of the instance, approved or not (see [`Device::is_billable`]).
    fn devices(&self) -> BoxFuture<'_, Result<Vec<Device>, VendorError>>;
}

pub struct HttpNinjaOne {
    settings: NinjaOneSettings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    tokens: TokenCache,
    pace: Pace,
}

impl HttpNinjaOne {
    pub fn new(settings: NinjaOneSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        let pace = Pace::per_minute(settings.requests_per_minute);
        Arc::new(Self { settings, client, policy, tokens: TokenCache::default(), pace })
    }

    /// `{instance}/{path}`, the instance address kept with any path it has.
    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.settings.base_url.as_str().trim_end_matches('/'))
    }

    async fn token(&self) -> Result<String, VendorError> {
        if let Some(token) = self.tokens.get(TOKEN_KEY) {
            return Ok(token);
        }
        #[derive(Deserialize)]
        struct TokenBody {
            access_token: String,
            #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
            expires_in: Option<i64>,
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.settings.client_secret.as_str()),
            ("scope", SCOPE),
        ];
        let mut not_found: Vec<String> = Vec::new();
        for path in TOKEN_PATHS {
            let url = self.url(path);
            let sent = http::send_with(VENDOR, &self.policy, SendOptions::default(), || {
                let req = self.client.post(&url).form(&form);
                async move {
                    self.pace.until_ready().await;
                    Ok(req)
                }
            })
            .await;
            let res = match sent {
                Ok(res) => res,
                // No token endpoint at this path: the other one.
                Err(VendorError::Status { status: 404, .. }) => {
                    not_found.push(url);
                    continue;
                }
                Err(VendorError::Status { status, message, .. }) if (400..500).contains(&status) => {
                    return Err(VendorError::Auth {
                        vendor: VENDOR,
                        detail: format!("{} (HTTP {status})", vendor_message(&message)),
                    });
                }
                Err(other) => return Err(other),
            };
            let body: TokenBody = http::json(VENDOR, "token response", res).await?;
            let lifetime = body
                .expires_in
                .filter(|seconds| *seconds > 0)
                .map(|seconds| Duration::from_secs(seconds.max(60) as u64))
                .unwrap_or(FALLBACK_TOKEN_LIFETIME);
            self.tokens.put(TOKEN_KEY, body.access_token.clone(), lifetime);
            return Ok(body.access_token);
        }
        Err(VendorError::Auth {
            vendor: VENDOR,
            detail: format!(
                "no token endpoint answered at {} (HTTP 404); is the instance address right?",
                not_found.join(" or ")
            ),
        })
    }

    /// A GET of `{instance}/{path}` with the token, under the pace. A 401 is answered once with a
    /// fresh token (a token may end before the time it was given); errors come in NinjaOne's
    /// words.
    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
    ) -> Result<T, VendorError> {
        let url = self.url(path);
        let mut renewed = false;
        loop {
            let token = self.token().await?;
            let options = SendOptions { mode: RetryMode::Repeatable, is_final: None };
            let sent = http::send_with(VENDOR, &self.policy, options, || {
                let req = self.client.get(&url).bearer_auth(&token).query(query);
                async move {
                    self.pace.until_ready().await;
                    Ok(req)
                }
            })
            .await;
            match sent {
                Ok(res) => return http::json(VENDOR, what, res).await,
                Err(VendorError::Status { status: 401, .. }) if !renewed => {
                    self.tokens.forget(TOKEN_KEY);
                    renewed = true;
                }
                Err(error) => return Err(in_words(error)),
            }
        }
    }

    /// Every page of a list at `path`, each asking for the configured page size after the last id
    /// of the page before.
    async fn all_pages<T: Listed>(&self, path: &str, what: &str) -> Result<Vec<T>, VendorError> {
        let asked = self.settings.page_size.max(1);
        let mut items: Vec<T> = Vec::new();
        let mut after: Option<i64> = None;
        let mut largest: Option<usize> = None;
        // A bound on pages, so a server that never sends a last page cannot keep us reading.
        for _ in 0..100_000 {
            let mut query = vec![("pageSize", asked.to_string())];
            if let Some(after) = after {
                query.push(("after", after.to_string()));
            }
            let page: Vec<T> = self.get(path, &query, what).await?;
            let got = page.len();
            let last = page.last().map(|item| item.list_id());
            items.extend(page);
            if is_last_page(asked as usize, largest, got) {
                return Ok(items);
            }
            match last {
                Some(id) if after.is_none_or(|before| id > before) => after = Some(id),
                _ => {
                    return Err(VendorError::Malformed {
                        vendor: VENDOR,
                        what: what.into(),
                        detail: format!(
                            "the page after id {} did not move past it, so the pages would never end",
                            after.unwrap_or_default()
                        ),
                    })
                }
            }
            largest = Some(largest.map_or(got, |l| l.max(got)));
        }
        Err(VendorError::Malformed { vendor: VENDOR, what: what.into(), detail: "the pages never ended".into() })
    }

    /// The organization with its PSA custom field's value, when a field is configured.
    fn with_psa_link(&self, mut organization: Organization) -> Organization {
        organization.psa_link = self
            .settings
            .psa_company_field
            .as_deref()
            .map(str::trim)
            .filter(|field| !field.is_empty())
            .and_then(|field| organization.custom_field(field));
        organization
    }
}

impl NinjaOne for HttpNinjaOne {
    fn requests_sent(&self) -> u64 {
        self.pace.sent()
    }

    fn first_organization(&self) -> BoxFuture<'_, Result<Option<Organization>, VendorError>> {
        Box::pin(async move {
            let query = [("pageSize", "1".to_string())];
            let page: Vec<Organization> = self.get("v2/organizations", &query, "organization list").await?;
            Ok(page.into_iter().next().map(|o| self.with_psa_link(o)))
        })
    }

    fn organizations(&self) -> BoxFuture<'_, Result<Vec<Organization>, VendorError>> {
        Box::pin(async move {
            let all = self.all_pages::<Organization>("v2/organizations", "organization list").await?;
            Ok(all.into_iter().map(|o| self.with_psa_link(o)).collect())
        })
    }

    fn devices(&self) -> BoxFuture<'_, Result<Vec<Device>, VendorError>> {
        Box::pin(self.all_pages::<Device>("v2/devices", "device list"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn device(class: Option<&str>, status: Option<&str>) -> Device {
        Device {
            id: 1,
            organization_id: Some(12),
            node_class: class.map(str::to_string),
            approval_status: status.map(str::to_string),
            offline: false,
            display_name: None,
            system_name: None,
        }
    }

    #[test]
    fn devices_are_billed_by_node_class() {
        let kind = |class: &str| device(Some(class), None).kind();
        assert_eq!(kind("WINDOWS_WORKSTATION"), DeviceKind::Workstation);
        assert_eq!(kind("MAC"), DeviceKind::Workstation);
        assert_eq!(kind("linux_workstation"), DeviceKind::Workstation);
        assert_eq!(kind("WINDOWS_SERVER"), DeviceKind::Server);
        assert_eq!(kind("MAC_SERVER"), DeviceKind::Server);
        assert_eq!(kind("LINUX_SERVER"), DeviceKind::Server);
        assert_eq!(kind("HYPERV_VMM_HOST"), DeviceKind::VmHost);
        assert_eq!(kind("VMWARE_VM_GUEST"), DeviceKind::VmGuest);
        assert_eq!(kind("NMS_SWITCH"), DeviceKind::NetworkDevice);
        assert_eq!(kind("NMS_VM_HOST"), DeviceKind::NetworkDevice);
        assert_eq!(kind("APPLE_IPADOS"), DeviceKind::Mobile);
        assert_eq!(kind("ANDROID"), DeviceKind::Mobile);
        assert_eq!(kind("CLOUD_MONITOR_TARGET"), DeviceKind::Other);
        assert_eq!(kind("SOMETHING_NEW"), DeviceKind::Other);
        assert_eq!(device(None, None).kind(), DeviceKind::Other);
    }

    #[test]
    fn only_approved_devices_are_billed() {
        assert!(device(Some("MAC"), Some("APPROVED")).is_billable());
        assert!(device(Some("MAC"), Some(" approved ")).is_billable());
        assert!(!device(Some("MAC"), Some("PENDING")).is_billable());
        assert!(device(Some("MAC"), None).is_billable());
        assert!(device(Some("MAC"), Some("")).is_billable());
    }

    #[test]
    fn a_short_page_ends_a_list_once_the_servers_page_size_is_known() {
        // Pages of the size asked, then a short one.
        assert!(!is_last_page(100, None, 100));
        assert!(!is_last_page(100, Some(100), 100));
        assert!(is_last_page(100, Some(100), 37));
        // A first page shorter than asked may be a server's cap: one more page is asked for.
        assert!(!is_last_page(5000, None, 1000));
        assert!(!is_last_page(5000, Some(1000), 1000));
        assert!(is_last_page(5000, Some(1000), 12));
        assert!(is_last_page(5000, Some(1000), 0));
        assert!(is_last_page(100, None, 0));
        // A server that sends more than asked: a page shorter than asked still ends it.
        assert!(!is_last_page(100, Some(250), 250));
        assert!(is_last_page(100, Some(250), 99));
    }

    #[test]
    fn error_bodies_in_ninjaones_words() {
        assert_eq!(
            vendor_message(r#"{"resultCode":"FAILURE","errorMessage":"Organization not found"}"#),
            "Organization not found (FAILURE)"
        );
        assert_eq!(vendor_message(r#"{"resultCode":"UNAUTHORIZED"}"#), "UNAUTHORIZED");
        assert_eq!(vendor_message("invalid_client"), "invalid_client");
        assert_eq!(vendor_message(r#"{"other":1}"#), r#"{"other":1}"#);
        let refused = in_words(VendorError::Status { vendor: VENDOR, status: 403, message: "{}".into() });
        assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");
    }

    #[test]
    fn the_psa_company_comes_from_the_named_custom_field_when_it_is_a_whole_number() {
        let organization = |fields: serde_json::Value| -> Organization {
            serde_json::from_value(json!({"id": "12", "name": "Acme Ltd", "fields": fields, "unknown": [1]})).unwrap()
        };
        let linked = |o: Organization, field: &str| {
            let mut o = o;
            o.psa_link = o.custom_field(field);
            o.psa_company()
        };
        assert_eq!(linked(organization(json!({"psaCompanyId": " 29684512 "})), "psaCompanyId"), Some(29684512));
        assert_eq!(linked(organization(json!({"PSACompanyID": 29684512})), "psaCompanyId"), Some(29684512));
        assert_eq!(linked(organization(json!({"psaCompanyId": {"value": "42"}})), "psaCompanyId"), Some(42));
        assert_eq!(linked(organization(json!({"psaCompanyId": "see Autotask"})), "psaCompanyId"), None);
        assert_eq!(linked(organization(json!({"psaCompanyId": 12.5})), "psaCompanyId"), None);
        assert_eq!(linked(organization(json!({"psaCompanyId": "0"})), "psaCompanyId"), None);
        assert_eq!(linked(organization(json!({"contractTier": "Gold"})), "psaCompanyId"), None);
        assert_eq!(linked(organization(json!(null)), "psaCompanyId"), None);
        assert_eq!(organization(json!({})).id, 12);
    }
}
