//! ConnectWise Automate's REST API v1 (shared/docs/billing-connectors.md, section 2): a bearer
//! token from `POST {server}/cwa/api/v1/apitoken` (the user name and password of an integrator
//! login, PascalCase JSON), sent with the ConnectWise developer `clientId` header that every
//! call has needed since Automate 2020.11; kept until its `ExpirationDate` (an hour at most).
//!
//! The clients, computers (agents) and network devices are read whole, 1000 a page (the most
//! the community client lets through), asking for page after page until an empty one comes
//! back, as that battle-tested client does: Automate's lists carry no page metadata. A
//! `{"TotalRecords": n, "Data": [...]}` envelope, which another community client models, is read
//! too. Every list is asked for in `Id` order and de-duplicated by id, so a record that moves
//! between pages during the read is counted once.
//!
//! Automate publishes no rate limit; requests are spread under a per-minute setting anyway,
//! since many Automate servers are the MSP's own single machine.

use std::{collections::HashSet, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize};
use url::Url;

use crate::{
    http::{self, RetryMode, SendOptions},
    pace::Pace,
    partner_center::BoxFuture,
    token::TokenCache,
    VendorError,
};

const VENDOR: &str = "ConnectWise Automate";
/// The header that carries the ConnectWise developer ClientID on every request.
const CLIENT_ID_HEADER: &str = "clientId";
/// Automate's tokens last "up to an hour"; its `ExpirationDate` is used when it says less.
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// The largest page the community client asks for (it refuses anything above 1000).
pub const PAGE_SIZE: u32 = 1000;
/// The highest page number the community client allows; a bound on a list that never ends.
const MAX_PAGES: u32 = 65_535;
/// The cache key of the one token this client holds.
const TOKEN_KEY: &str = "server";
/// The computer fields the counts need: the rest of a computer (open ports, user accounts,
/// groups, tickets) is heavy and not needed.
const COMPUTER_FIELDS: &str = "Id,ComputerName,Client,Location,Type,Status,OperatingSystemName,DomainName";
/// The product of the devices on `/networkdevices`, in the report's words.
pub const NETWORK_DEVICES: &str = "Network devices";
/// Top-level labels of Windows domains that are no public DNS name (`acme.local`, `corp.lan`).
const PRIVATE_DOMAIN_SUFFIXES: &[&str] =
    &["local", "lan", "internal", "intranet", "corp", "home", "localdomain", "private", "domain", "ad", "loc", "int"];

#[derive(Debug, Clone)]
pub struct AutomateSettings {
    /// The Automate server, such as `https://yourcompany.hostedrmm.com` (the API lives under
    /// `/cwa/api/v1` there; an address that already ends so is taken as it is).
    pub server_url: Url,
    /// The ConnectWise developer ClientID (a GUID), sent with every request.
    pub client_id: String,
    /// Of an integrator login (a non-interactive API user) or a user without two-factor sign-in.
    pub username: String,
    pub password: String,
    pub requests_per_minute: u32,
}

/// A client or location as a computer or network device names it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EntityRef {
    #[serde(rename = "Id", default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub id: Option<i64>,
    #[serde(rename = "Name", default, deserialize_with = "opt_text")]
    pub name: Option<String>,
}

/// A client of the Automate server: one customer of the MSP (or the MSP itself, or a test).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Client {
    #[serde(rename = "Id", deserialize_with = "crate::serde_lenient::int")]
    pub id: i64,
    #[serde(rename = "Name", default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// The PSA company Automate's PSA integration links the client to. Only one community
    /// client's type definitions have it, as text; a number is read too.
    #[serde(rename = "ExternalId", default, deserialize_with = "opt_text")]
    pub external_id: Option<String>,
}

impl Client {
    /// The name, or one made from the id when the client has none.
    pub fn display_name(&self) -> String {
        self.name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("Client {}", self.id))
    }

    /// The PSA company the client is linked to, when `ExternalId` holds a whole number above 0
    /// (0 and blank mean no link).
    pub fn psa_company(&self) -> Option<i64> {
        self.external_id.as_deref().and_then(whole_number).filter(|id| *id > 0)
    }
}

/// An agent: a Windows, macOS or Linux computer Automate manages.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Computer {
    #[serde(rename = "Id", deserialize_with = "crate::serde_lenient::int")]
    pub id: i64,
    #[serde(rename = "ComputerName", default, deserialize_with = "opt_text")]
    pub computer_name: Option<String>,
    #[serde(rename = "Client", default)]
    pub client: Option<EntityRef>,
    #[serde(rename = "Location", default)]
    pub location: Option<EntityRef>,
    /// `Workstation` or `Server`.
    #[serde(rename = "Type", default, deserialize_with = "opt_text")]
    pub computer_type: Option<String>,
    /// `Online` or `Offline`.
    #[serde(rename = "Status", default, deserialize_with = "opt_text")]
    pub status: Option<String>,
    #[serde(rename = "OperatingSystemName", default, deserialize_with = "opt_text")]
    pub operating_system_name: Option<String>,
    /// The Windows domain the computer is joined to (`acme.com`, `ACME`, `acme.local`).
    #[serde(rename = "DomainName", default, deserialize_with = "opt_text")]
    pub domain_name: Option<String>,
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

impl Computer {
    /// The client the computer belongs to.
    pub fn client_id(&self) -> Option<i64> {
        self.client.as_ref().and_then(|c| c.id)
    }

    /// By Automate's `Type` (Workstation or Server); a computer without one by its operating
    /// system (a server edition is a server), and one with neither is "other".
    pub fn kind(&self) -> AgentKind {
        let declared = self.computer_type.as_deref().unwrap_or("").trim().to_ascii_lowercase();
        match declared.as_str() {
            "workstation" => return AgentKind::Workstation,
            "server" => return AgentKind::Server,
            _ => {}
        }
        let system = self.operating_system_name.as_deref().unwrap_or("").trim().to_ascii_lowercase();
        if system.is_empty() {
            AgentKind::Other
        } else if system.contains("server") {
            AgentKind::Server
        } else {
            AgentKind::Workstation
        }
    }

    /// The computer's domain when it is a public DNS name, which names the customer.
    pub fn public_domain(&self) -> Option<String> {
        self.domain_name.as_deref().and_then(public_domain)
    }
}

/// A device a network probe discovered (switch, firewall, printer, access point).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NetworkDevice {
    #[serde(rename = "Id", deserialize_with = "crate::serde_lenient::int")]
    pub id: i64,
    #[serde(rename = "Name", default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// The nested client, as the community client's conditions (`Client.Id`) imply.
    #[serde(rename = "Client", default)]
    pub client: Option<EntityRef>,
    /// A flat client id, read in case a server sends one instead: the device's shape is not
    /// documented anywhere public.
    #[serde(rename = "ClientId", default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub flat_client_id: Option<i64>,
    #[serde(rename = "Location", default)]
    pub location: Option<EntityRef>,
}

impl NetworkDevice {
    pub fn client_id(&self) -> Option<i64> {
        self.client.as_ref().and_then(|c| c.id).or(self.flat_client_id)
    }
}

/// A record with Automate's integer id, for de-duplicating pages.
trait Keyed {
    fn key(&self) -> i64;
}

impl Keyed for Client {
    fn key(&self) -> i64 {
        self.id
    }
}

impl Keyed for Computer {
    fn key(&self) -> i64 {
        self.id
    }
}

impl Keyed for NetworkDevice {
    fn key(&self) -> i64 {
        self.id
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

/// A whole number written as text (`42`, ` 42 `, `42.0`); anything else is `None`.
fn whole_number(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let f = text.parse::<f64>().ok()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// `acme.com` from a computer's domain when it is a public DNS name; `None` for NetBIOS names
/// (`ACME`), private suffixes (`acme.local`) and `WORKGROUP`.
pub fn public_domain(domain: &str) -> Option<String> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    let well_formed = labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let suffix = labels.last().copied().unwrap_or_default();
    let public = !PRIVATE_DOMAIN_SUFFIXES.contains(&suffix) && !suffix.chars().all(|c| c.is_ascii_digit());
    (well_formed && public).then_some(domain)
}

/// `{server}/cwa/api/v1`, whether the address was given as the server alone or with the API's
/// path already on it.
pub fn api_root(server_url: &Url) -> String {
    let text = server_url.as_str().trim_end_matches('/');
    if text.to_ascii_lowercase().ends_with("/cwa/api/v1") {
        text.to_string()
    } else {
        format!("{text}/cwa/api/v1")
    }
}

/// The records of one page and the total the server says there are, if it says: Automate sends
/// a bare array; a `{"TotalRecords": n, "Data": [...]}` envelope (in any letter case) is read too.
fn split_page(body: serde_json::Value) -> Result<(Vec<serde_json::Value>, Option<i64>), String> {
    match body {
        serde_json::Value::Array(items) => Ok((items, None)),
        serde_json::Value::Object(map) => {
            let field = |name: &str| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
            let total = field("TotalRecords").and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()));
            match field("Data") {
                Some(serde_json::Value::Array(items)) => Ok((items.clone(), total)),
                _ => Err("an object without a Data list where a list was expected".into()),
            }
        }
        other => Err(format!("'{}' where a list was expected", other.to_string().chars().take(80).collect::<String>())),
    }
}

/// What `POST /apitoken` answers (`TokenResult`).
#[derive(Debug, Default, Deserialize)]
struct TokenResult {
    #[serde(rename = "AccessToken", alias = "accessToken", default)]
    access_token: Option<String>,
    /// Read as text and parsed here, so an unexpected date format costs a default lifetime
    /// rather than the sign-in.
    #[serde(rename = "ExpirationDate", alias = "expirationDate", default)]
    expiration_date: Option<String>,
    #[serde(
        rename = "IsTwoFactorRequired",
        alias = "isTwoFactorRequired",
        default,
        deserialize_with = "crate::serde_lenient::flag"
    )]
    is_two_factor_required: bool,
}

/// The token and how long to keep it. The lifetime is `ExpirationDate` less now, at most an
/// hour; a date not in the future (a server writing local time without a zone) gives the hour,
/// and a 401 later makes the client sign in again.
fn read_token(result: TokenResult, now: DateTime<Utc>) -> Result<(String, Duration), VendorError> {
    let token = result.access_token.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let Some(token) = token else {
        let detail = if result.is_two_factor_required {
            "the user must give a two-factor passcode, which SeatSync cannot: use an integrator login \
             (or a user without two-factor sign-in)"
                .to_string()
        } else {
            "the server answered without an access token".to_string()
        };
        return Err(VendorError::Auth { vendor: VENDOR, detail });
    };
    let lifetime = result
        .expiration_date
        .as_deref()
        .and_then(crate::serde_lenient::parse_time)
        .and_then(|until| (until - now).to_std().ok())
        .filter(|left| *left > Duration::from_secs(60))
        .map(|left| left.min(TOKEN_LIFETIME))
        .unwrap_or(TOKEN_LIFETIME);
    Ok((token, lifetime))
}

/// What SeatSync needs from ConnectWise Automate.
pub trait Automate: Send + Sync {
    /// Requests sent so far (each attempt counts), for a run to say what it cost.
    fn requests_sent(&self) -> u64;
    /// The client with the lowest id, if any, from one small request: to check the connection.
    fn first_client(&self) -> BoxFuture<'_, Result<Option<Client>, VendorError>>;
    /// Every client of the server.
    fn clients(&self) -> BoxFuture<'_, Result<Vec<Client>, VendorError>>;
    /// Every computer (agent) of the server, with the fields the counts need.
    fn computers(&self) -> BoxFuture<'_, Result<Vec<Computer>, VendorError>>;
    /// Every network device the server's probes found.
    fn network_devices(&self) -> BoxFuture<'_, Result<Vec<NetworkDevice>, VendorError>>;
}

pub struct HttpAutomate {
    settings: AutomateSettings,
    api_root: String,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    tokens: TokenCache,
    pace: Pace,
}

impl HttpAutomate {
    pub fn new(settings: AutomateSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        let pace = Pace::per_minute(settings.requests_per_minute);
        let api_root = api_root(&settings.server_url);
        Arc::new(Self { settings, api_root, client, policy, tokens: TokenCache::default(), pace })
    }

    /// The cached token, or a new one from the user name and password.
    async fn token(&self) -> Result<String, VendorError> {
        if let Some(token) = self.tokens.get(TOKEN_KEY) {
            return Ok(token);
        }
        let url = format!("{}/apitoken", self.api_root);
        // PascalCase, as Automate's own `TokenCredentials` names them.
        let body = serde_json::json!({"UserName": self.settings.username, "Password": self.settings.password});
        // Signing in changes nothing on the server, so it may be sent again.
        let options = SendOptions { mode: RetryMode::Repeatable, is_final: None };
        let res = http::send_with(VENDOR, &self.policy, options, || {
            let req = self.client.post(&url).header(CLIENT_ID_HEADER, self.settings.client_id.as_str()).json(&body);
            async move {
                self.pace.until_ready().await;
                Ok(req)
            }
        })
        .await
        .map_err(|e| match e {
            VendorError::Status { status, message, .. } if (400..500).contains(&status) => {
                VendorError::Auth { vendor: VENDOR, detail: format!("{message} (HTTP {status})") }
            }
            other => other,
        })?;
        let result: TokenResult = http::json(VENDOR, "token response", res).await?;
        let (token, lifetime) = read_token(result, Utc::now())?;
        self.tokens.put(TOKEN_KEY, token.clone(), lifetime);
        Ok(token)
    }

    /// A GET of `{api root}/{path}` with the token and the ClientID, under the pace. A 401 signs
    /// in again once (the token may have expired early); a second 401 is a sign-in failure.
    async fn get(&self, path: &str, what: &str, query: &[(&str, String)]) -> Result<serde_json::Value, VendorError> {
        let url = format!("{}/{path}", self.api_root);
        let mut signed_in_again = false;
        loop {
            let token = self.token().await?;
            let options = SendOptions { mode: RetryMode::Repeatable, is_final: None };
            let res = http::send_with(VENDOR, &self.policy, options, || {
                let req = self
                    .client
                    .get(&url)
                    .bearer_auth(&token)
                    .header(CLIENT_ID_HEADER, self.settings.client_id.as_str())
                    .query(query);
                async move {
                    self.pace.until_ready().await;
                    Ok(req)
                }
            })
            .await;
            match res {
                Err(VendorError::Status { status: 401, message, .. }) => {
                    self.tokens.forget(TOKEN_KEY);
                    if signed_in_again {
                        return Err(VendorError::Auth {
                            vendor: VENDOR,
                            detail: format!("{message} (HTTP 401 reading the {what})"),
                        });
                    }
                    signed_in_again = true;
                }
                res => return http::json(VENDOR, what, res?).await,
            }
        }
    }

    /// One page of `path`, its records read as `T`.
    async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        what: &str,
        query: &[(&str, String)],
    ) -> Result<(Vec<T>, Option<i64>), VendorError> {
        let malformed = |detail: String| VendorError::Malformed { vendor: VENDOR, what: what.into(), detail };
        let (raw, total) = split_page(self.get(path, what, query).await?).map_err(malformed)?;
        let items = raw
            .into_iter()
            .map(serde_json::from_value::<T>)
            .collect::<Result<Vec<T>, _>>()
            .map_err(|e| malformed(e.to_string()))?;
        Ok((items, total))
    }

    /// Every record of `path`, 1000 a page in id order, until an empty page (or the envelope's
    /// total) says the list is over.
    async fn all_pages<T: DeserializeOwned + Keyed>(
        &self,
        path: &str,
        what: &str,
        included_fields: Option<&str>,
    ) -> Result<Vec<T>, VendorError> {
        let mut items: Vec<T> = Vec::new();
        let mut seen: HashSet<i64> = HashSet::new();
        for page in 1..=MAX_PAGES {
            let mut query: Vec<(&str, String)> = vec![
                ("pageSize", PAGE_SIZE.to_string()),
                ("page", page.to_string()),
                ("orderBy", "Id asc".to_string()),
            ];
            if let Some(fields) = included_fields {
                query.push(("includedFields", fields.to_string()));
            }
            let (batch, total) = self.page::<T>(path, what, &query).await?;
            if batch.is_empty() {
                return Ok(items);
            }
            let before = items.len();
            for item in batch {
                if seen.insert(item.key()) {
                    items.push(item);
                }
            }
            if items.len() == before {
                // A server that ignores `page` sends the first page forever.
                return Err(VendorError::Malformed {
                    vendor: VENDOR,
                    what: what.into(),
                    detail: format!("page {page} held only records already read; the server does not seem to page"),
                });
            }
            if total.is_some_and(|total| items.len() as i64 >= total) {
                return Ok(items);
            }
        }
        Err(VendorError::Malformed { vendor: VENDOR, what: what.into(), detail: "the pages never ended".into() })
    }
}

impl Automate for HttpAutomate {
    fn requests_sent(&self) -> u64 {
        self.pace.sent()
    }

    fn first_client(&self) -> BoxFuture<'_, Result<Option<Client>, VendorError>> {
        Box::pin(async move {
            let query = [("pageSize", "1".to_string()), ("page", "1".to_string()), ("orderBy", "Id asc".to_string())];
            let (clients, _) = self.page::<Client>("clients", "client list", &query).await?;
            Ok(clients.into_iter().next())
        })
    }

    fn clients(&self) -> BoxFuture<'_, Result<Vec<Client>, VendorError>> {
        Box::pin(self.all_pages::<Client>("clients", "client list", None))
    }

    fn computers(&self) -> BoxFuture<'_, Result<Vec<Computer>, VendorError>> {
        Box::pin(self.all_pages::<Computer>("computers", "computer list", Some(COMPUTER_FIELDS)))
    }

    fn network_devices(&self) -> BoxFuture<'_, Result<Vec<NetworkDevice>, VendorError>> {
        Box::pin(self.all_pages::<NetworkDevice>("networkdevices", "network device list", None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn computer(computer_type: Option<&str>, os: Option<&str>) -> Computer {
        Computer {
            id: 1,
            computer_name: None,
            client: Some(EntityRef { id: Some(5), name: None }),
            location: None,
            computer_type: computer_type.map(str::to_string),
            status: None,
            operating_system_name: os.map(str::to_string),
            domain_name: None,
        }
    }

    #[test]
    fn agents_are_billed_by_type_then_operating_system() {
        assert_eq!(computer(Some("Workstation"), None).kind(), AgentKind::Workstation);
        assert_eq!(computer(Some(" server "), Some("Microsoft Windows 11 Pro x64")).kind(), AgentKind::Server);
        assert_eq!(computer(None, Some("Microsoft Windows Server 2022 Standard x64")).kind(), AgentKind::Server);
        assert_eq!(computer(Some("Mac"), Some("macOS 14.5")).kind(), AgentKind::Workstation);
        assert_eq!(computer(None, None).kind(), AgentKind::Other);
        assert_eq!(AgentKind::Workstation.product(), "Workstations");
    }

    #[test]
    fn records_in_the_documented_shape_and_looser_ones() {
        let c: Computer = serde_json::from_str(
            r#"{"Id": "1234", "ComputerName": "ACME-DC01", "Client": {"Id": 5, "Name": "Acme Ltd"},
                "Location": {"Id": 9, "Name": "Main Office"}, "Type": "Server", "Status": "Online",
                "OpenPortsTCP": [80, 443], "IsVirtualMachine": true}"#,
        )
        .unwrap();
        assert_eq!((c.id, c.client_id(), c.kind()), (1234, Some(5), AgentKind::Server));
        let linked: Client =
            serde_json::from_str(r#"{"Id": 5, "Name": "Acme Ltd", "ExternalId": "29684512"}"#).unwrap();
        assert_eq!(linked.psa_company(), Some(29684512));
        let numeric: Client = serde_json::from_str(r#"{"Id": 6, "Name": null, "ExternalId": 0}"#).unwrap();
        assert_eq!((numeric.psa_company(), numeric.display_name()), (None, "Client 6".to_string()));
        let text: Client = serde_json::from_str(r#"{"Id": 7, "Name": " Beta ", "ExternalId": "ACME-01"}"#).unwrap();
        assert_eq!((text.psa_company(), text.display_name()), (None, "Beta".to_string()));
        let device: NetworkDevice = serde_json::from_str(r#"{"Id": 3, "ClientId": "8"}"#).unwrap();
        assert_eq!(device.client_id(), Some(8));
    }

    #[test]
    fn pages_as_bare_arrays_or_in_an_envelope() {
        let (items, total) = split_page(serde_json::json!([{"Id": 1}, {"Id": 2}])).unwrap();
        assert_eq!((items.len(), total), (2, None));
        let (items, total) = split_page(serde_json::json!({"TotalRecords": 3, "Data": [{"Id": 1}]})).unwrap();
        assert_eq!((items.len(), total), (1, Some(3)));
        let (items, total) = split_page(serde_json::json!({"totalRecords": "3", "data": []})).unwrap();
        assert_eq!((items.len(), total), (0, Some(3)));
        assert!(split_page(serde_json::json!({"code": "Unauthorized"})).is_err());
        assert!(split_page(serde_json::json!("nope")).is_err());
    }

    #[test]
    fn the_token_lasts_until_its_expiration_date_an_hour_at_most() {
        let now = Utc::now();
        let result = |token: Option<&str>, expires: Option<String>, two_factor: bool| TokenResult {
            access_token: token.map(str::to_string),
            expiration_date: expires,
            is_two_factor_required: two_factor,
        };
        let in_ten = (now + chrono::Duration::minutes(10)).to_rfc3339();
        let (token, lifetime) = read_token(result(Some("t"), Some(in_ten), false), now).unwrap();
        assert_eq!(token, "t");
        assert!(lifetime <= Duration::from_secs(600) && lifetime > Duration::from_secs(590), "{lifetime:?}");
        let in_a_day = (now + chrono::Duration::days(1)).to_rfc3339();
        assert_eq!(read_token(result(Some("t"), Some(in_a_day), false), now).unwrap().1, TOKEN_LIFETIME);
        let past = (now - chrono::Duration::hours(5)).to_rfc3339();
        assert_eq!(read_token(result(Some("t"), Some(past), false), now).unwrap().1, TOKEN_LIFETIME);
        assert_eq!(read_token(result(Some("t"), Some("/Date(17)/".into()), false), now).unwrap().1, TOKEN_LIFETIME);
        let two_factor = read_token(result(None, None, true), now).unwrap_err();
        assert!(
            matches!(&two_factor, VendorError::Auth { detail, .. } if detail.contains("two-factor")),
            "{two_factor}"
        );
        assert!(matches!(read_token(result(Some(" "), None, false), now), Err(VendorError::Auth { .. })));
    }

    #[test]
    fn domains_that_name_the_customer() {
        assert_eq!(public_domain(" Corp.Acme.com. ").as_deref(), Some("corp.acme.com"));
        assert_eq!(public_domain("acme.example").as_deref(), Some("acme.example"));
        assert_eq!(public_domain("ACME"), None);
        assert_eq!(public_domain("WORKGROUP"), None);
        assert_eq!(public_domain("acme.local"), None);
        assert_eq!(public_domain("10.0.0.1"), None);
        assert_eq!(public_domain("acme..com"), None);
    }

    #[test]
    fn the_api_root_from_either_address() {
        let root = |s: &str| api_root(&Url::parse(s).unwrap());
        assert_eq!(root("https://acme.hostedrmm.com"), "https://acme.hostedrmm.com/cwa/api/v1");
        assert_eq!(root("https://acme.hostedrmm.com/cwa/api/v1/"), "https://acme.hostedrmm.com/cwa/api/v1");
        assert_eq!(root("http://127.0.0.1:4010/automate"), "http://127.0.0.1:4010/automate/cwa/api/v1");
    }

    #[test]
    fn whole_numbers_only() {
        assert_eq!(whole_number(" 42 "), Some(42));
        assert_eq!(whole_number("42.0"), Some(42));
        assert_eq!(whole_number("42.5"), None);
        assert_eq!(whole_number("abc"), None);
    }
}
