//! Cisco Duo's Accounts API and Admin API (shared/docs/billing-connectors.md, section 8), for an
//! MSP whose Duo is a parent account holding a child account per customer.
//!
//! Duo has no tokens: every request is signed, with signature version 5 (HMAC-SHA512, what Duo's
//! own clients send by default), using the parent's Accounts API application's integration key
//! and secret key. The signature covers the `Date` header, the method, the host, the path as it
//! is sent (any path prefix of the configured address included), the parameters in Duo's
//! canonical encoding, and SHA-512 hashes of the body and of the `X-Duo-` headers (none are sent).
//!
//! The child accounts come from one POST to `/accounts/v1/account/list` on the parent's host
//! (its parameters, none, go as the JSON body `{}`). Each child's Admin API is then called on the
//! child's own `api_hostname`, with the same keys and the child's `account_id` among the signed
//! parameters. The child's address is the configured one with only its host (and port) replaced,
//! so scheme and path prefix stay; a host that is neither the parent's nor beside it under the
//! parent's domain is refused before anything is signed for it.
//!
//! Duo has no read across children, so a run costs one request for the list and one or two per
//! child: `info/summary` for `user_count`, and `billing/edition` when editions are read. Duo opens
//! the edition to child accounts on request only; a 403 there leaves the edition out.
//!
//! Duo publishes no quota (a Duo engineer named 300 single-object reads, 200 pages and 40 unpaged
//! lists a minute) and sends no `Retry-After` with its 429, so requests are spread under a
//! per-minute setting and a 429 waits out the caller's backoff, as Duo's clients do.

use std::{fmt::Write as _, sync::Arc};

use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use reqwest::{
    header::{AUTHORIZATION, CONTENT_TYPE, DATE},
    Method,
};
use serde::{de::DeserializeOwned, Deserialize, Deserializer};
use sha2::{Digest, Sha512};
use url::Url;

use crate::{
    http::{self, RetryMode, SendOptions},
    pace::Pace,
    partner_center::BoxFuture,
    VendorError,
};

const VENDOR: &str = "Cisco Duo";
/// Half the 300 single-object reads a minute Duo has named (its documentation publishes no
/// quota), leaving the rest to the MSP's other Duo integrations.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 150;
/// Users asked for a page: what Duo's own clients ask.
pub const DEFAULT_USERS_PAGE_SIZE: u32 = 100;
/// The largest page of users Duo serves.
pub const MAX_USERS_PAGE_SIZE: u32 = 300;

#[derive(Clone)]
pub struct DuoSettings {
    /// The parent account's API hostname as an address, such as
    /// `https://api-xxxxxxxx.duosecurity.com`.
    pub api_url: Url,
    /// Of the parent's Accounts API application.
    pub integration_key: String,
    pub secret_key: String,
    pub requests_per_minute: u32,
    /// Users asked for a page when a user list is read: 1 to [`MAX_USERS_PAGE_SIZE`].
    pub users_page_size: u32,
    /// Whether each child's edition is read (one more request per child) to name its users'
    /// column after it.
    pub read_editions: bool,
}

/// Written out by hand so the secret key never reaches a log.
impl std::fmt::Debug for DuoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DuoSettings")
            .field("api_url", &self.api_url.as_str())
            .field("integration_key", &self.integration_key)
            .field("secret_key", &"(hidden)")
            .field("requests_per_minute", &self.requests_per_minute)
            .field("users_page_size", &self.users_page_size)
            .field("read_editions", &self.read_editions)
            .finish()
    }
}

/// A child account of the parent: one customer (or the MSP's own, or a test account).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ChildAccount {
    /// Twenty characters starting `DA`; kept as text.
    #[serde(deserialize_with = "crate::serde_lenient::text")]
    pub account_id: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Where the child's Admin API answers, such as `api-abcd1234.duosecurity.com`.
    #[serde(default, deserialize_with = "opt_text")]
    pub api_hostname: Option<String>,
}

impl ChildAccount {
    /// Its name, or its id when Duo sends none.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.account_id)
    }
}

/// A child's `info/summary`. The field names come from a secondary source, so each is optional
/// and read leniently.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct InfoSummary {
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub user_count: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub user_pending_deletion_count: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub admin_count: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub integration_count: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub telephony_credits_remaining: Option<i64>,
}

/// A user of a child account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct User {
    #[serde(default, deserialize_with = "opt_text")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub realname: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub email: Option<String>,
    /// `active`, `bypass`, `disabled`, `locked out`, …
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<String>,
    /// Unix seconds.
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub created: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub last_login: Option<i64>,
}

/// A child account's Duo edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edition {
    Essentials,
    Advantage,
    Premier,
    Free,
    /// One SeatSync does not know, as Duo wrote it.
    Other(String),
}

impl Edition {
    /// Duo's code (`ENTERPRISE`, `PLATFORM`, `BEYOND`, `PERSONAL`) in any casing, or an edition's
    /// name, current or former (Duo MFA and Duo Access were renamed Essentials and Advantage);
    /// `None` for nothing at all.
    pub fn parse(code: &str) -> Option<Self> {
        let written = code.trim();
        if written.is_empty() {
            return None;
        }
        let lower = written.to_ascii_lowercase();
        let bare = lower.strip_prefix("duo ").unwrap_or(&lower).trim();
        Some(match bare {
            "enterprise" | "essentials" | "mfa" => Edition::Essentials,
            "platform" | "advantage" | "access" => Edition::Advantage,
            "beyond" | "premier" => Edition::Premier,
            "personal" | "free" => Edition::Free,
            _ => Edition::Other(written.to_string()),
        })
    }

    /// The edition as Duo sells it.
    pub fn name(&self) -> &str {
        match self {
            Edition::Essentials => "Duo Essentials",
            Edition::Advantage => "Duo Advantage",
            Edition::Premier => "Duo Premier",
            Edition::Free => "Duo Free",
            Edition::Other(written) => written.as_str(),
        }
    }
}

/// The report's product for a child account's users: "Users (Duo Advantage)", or "Users" when
/// its edition is not known.
pub fn users_product(edition: Option<&Edition>) -> String {
    match edition {
        Some(edition) => format!("Users ({})", edition.name()),
        None => "Users".to_string(),
    }
}

/// A child account and its users, for "Test connection".
#[derive(Debug, Clone, PartialEq)]
pub struct AccountUsers {
    pub name: String,
    pub users: i64,
}

/// What "Test connection" found: the child accounts, and the first one's users (read with the
/// same keys on the child's own host, which is what counting needs).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionCheck {
    pub accounts: usize,
    pub first: Option<AccountUsers>,
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

/// Paging of a list: `next_offset` null or absent on the last page.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
struct Metadata {
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    next_offset: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    total_objects: Option<i64>,
}

/// Every answer: `{"stat": "OK", "response": …}`, with `metadata` beside a paged list.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "opt_text")]
    stat: Option<String>,
    #[serde(default)]
    response: serde_json::Value,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "opt_text")]
    message: Option<String>,
}

impl Envelope {
    /// The response as `T` and its paging (beside it, or inside it where an endpoint puts it
    /// there, as Duo's own client also looks), once `stat` says OK.
    fn open<T: DeserializeOwned>(self, what: &str) -> Result<(T, Metadata), VendorError> {
        if !self.stat.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("OK")) {
            return Err(VendorError::Malformed {
                vendor: VENDOR,
                what: what.into(),
                detail: format!(
                    "stat was {} ({})",
                    self.stat.as_deref().unwrap_or("missing"),
                    self.message.as_deref().unwrap_or("no message")
                ),
            });
        }
        let metadata = match self.metadata {
            Some(metadata) => metadata,
            None => {
                self.response.get("metadata").cloned().and_then(|m| serde_json::from_value(m).ok()).unwrap_or_default()
            }
        };
        let value = serde_json::from_value(self.response).map_err(|e| VendorError::Malformed {
            vendor: VENDOR,
            what: what.into(),
            detail: e.to_string(),
        })?;
        Ok((value, metadata))
    }
}

/// Which of Duo's signature schemes signs a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVersion {
    /// The date, method, host, path and parameters.
    V2,
    /// Version 2's lines, then the SHA-512 of the body and of the `X-Duo-` headers: what Duo's
    /// own clients send now, and what this client sends.
    V5,
}

/// A parameter's name or value as Duo encodes it (RFC 3986, as Python's `quote(x, '~')`): every
/// byte but letters, digits and `-._~` escaped as `%XX`.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The parameters as Duo signs them, and as this client sends a GET's query: each name and value
/// quoted, sorted by name and then by value, joined `name=value` with `&`.
pub fn canonical_params(params: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (quote(k), quote(v))).collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn sha512_hex(bytes: &[u8]) -> String {
    hex(&Sha512::digest(bytes))
}

/// The text Duo signs for one request, its lines joined with `\n`. `params` is the canonical
/// parameter line (empty for a version 5 POST, whose parameters are its JSON `body`).
pub fn canonical_request(
    version: SignatureVersion,
    date: &str,
    method: &str,
    host: &str,
    path: &str,
    params: &str,
    body: &str,
) -> String {
    let mut lines = vec![
        date.to_string(),
        method.to_ascii_uppercase(),
        host.to_ascii_lowercase(),
        path.to_string(),
        params.to_string(),
    ];
    if version == SignatureVersion::V5 {
        lines.push(sha512_hex(body.as_bytes()));
        // No `X-Duo-` header is sent: the hash of none.
        lines.push(sha512_hex(b""));
    }
    lines.join("\n")
}

/// The `Authorization` header: HTTP Basic with the integration key and the hex HMAC-SHA512 of
/// the canonical request under the secret key.
pub fn authorization(integration_key: &str, secret_key: &str, canonical: &str) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(canonical.as_bytes());
    let signature = hex(&mac.finalize().into_bytes());
    format!("Basic {}", STANDARD.encode(format!("{integration_key}:{signature}")))
}

/// `Date` as Duo's clients write it (RFC 2822 in UTC, as Python's `formatdate()`):
/// `Tue, 21 Aug 2012 17:29:18 -0000`.
pub fn request_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S -0000").to_string()
}

/// The host line of the signature: the address's host, with its port when it is not the
/// scheme's own, exactly as the `Host` header carries it.
fn signed_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// `{base}/{path}`, the base kept with any path it has.
fn at(base: &Url, path: &str) -> Result<Url, VendorError> {
    let text = format!("{}/{path}", base.as_str().trim_end_matches('/'));
    Url::parse(&text)
        .map_err(|e| VendorError::NotConfigured { vendor: VENDOR, detail: format!("'{text}' is no address ({e})") })
}

/// A host name with its port, when it has one: `api-abcd1234.duosecurity.com`, `127.0.0.1:4010`,
/// `[::1]:4010`.
fn split_host_port(text: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = match text.rfind(':') {
        Some(i) if !text[i..].contains(']') => (&text[..i], Some(text[i + 1..].parse::<u16>().ok()?)),
        _ => (text, None),
    };
    (!host.is_empty()).then_some((host, port))
}

/// Whether requests signed with the parent's keys may go to `host`: the parent's own host, or a
/// host under the parent's domain (`api-ef567890.duosecurity.com` beside
/// `api-abcd1234.duosecurity.com`).
fn beside_parent(parent: &Url, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if parent.host_str().is_some_and(|p| p.eq_ignore_ascii_case(&host)) {
        return true;
    }
    match parent.host() {
        Some(url::Host::Domain(name)) => name
            .split_once('.')
            .map(|(_, domain)| domain.to_ascii_lowercase())
            .filter(|domain| domain.contains('.'))
            .is_some_and(|domain| host.ends_with(&format!(".{domain}"))),
        _ => false,
    }
}

/// Where a child account's Admin API answers: the configured address with only its host (and
/// port) replaced by the child's `api_hostname`, so the scheme and any path prefix stay. A child
/// without a hostname is the parent's host, as Duo's own client falls back to.
fn child_base(parent: &Url, account: &ChildAccount) -> Result<Url, VendorError> {
    let Some(hostname) = account.api_hostname.as_deref().map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(parent.clone());
    };
    let refuse = |why: &str| VendorError::Malformed {
        vendor: VENDOR,
        what: "account list".into(),
        detail: format!(
            "the account '{}' has the API hostname '{hostname}', {why}; nothing was sent there",
            account.display_name()
        ),
    };
    let (host, port) = split_host_port(hostname).ok_or_else(|| refuse("which is no host name"))?;
    if !beside_parent(parent, host) {
        let parent_host = parent.host_str().unwrap_or_default();
        return Err(refuse(&format!("which is not a Duo host beside the parent's {parent_host}")));
    }
    let mut base = parent.clone();
    base.set_host(Some(host)).map_err(|_| refuse("which is no host name"))?;
    base.set_port(port).map_err(|_| refuse("whose port cannot be used"))?;
    Ok(base)
}

/// A refusal in words: bad keys or a skewed clock (401) and an application that is no Accounts
/// API application (403) as [`VendorError::Auth`].
fn explain(error: VendorError) -> VendorError {
    match error {
        VendorError::Status { status: 401, message, .. } => VendorError::Auth {
            vendor: VENDOR,
            detail: format!(
                "{message} (HTTP 401); check the integration key and secret key of the parent account's Accounts API \
                 application, and this server's clock (Duo refuses a Date far from its own)"
            ),
        },
        VendorError::Status { status: 403, message, .. } => VendorError::Auth {
            vendor: VENDOR,
            detail: format!(
                "{message} (HTTP 403); the keys must be those of an Accounts API application in the parent account"
            ),
        },
        other => other,
    }
}

/// What SeatSync needs from Cisco Duo.
pub trait Duo: Send + Sync {
    /// Requests sent so far (each attempt counts), for a run to say what it cost.
    fn requests_sent(&self) -> u64;
    /// Whether each child's edition is read, as configured.
    fn reads_editions(&self) -> bool;
    /// The child accounts and the first one's users, from two requests: to check the connection.
    fn check(&self) -> BoxFuture<'_, Result<ConnectionCheck, VendorError>>;
    /// Every child account of the parent, from one request.
    fn accounts(&self) -> BoxFuture<'_, Result<Vec<ChildAccount>, VendorError>>;
    /// A child's `info/summary`.
    fn summary<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<InfoSummary, VendorError>>;
    /// A child's users: its summary's `user_count`, or, should the summary not carry it, the user
    /// list's own total.
    fn user_count<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<i64, VendorError>>;
    /// A child's edition; `None` when Duo refuses it (billing reads are opened to child accounts
    /// on request only) or names none.
    fn edition<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<Option<Edition>, VendorError>>;
    /// Every user of a child, page by page.
    fn users<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<Vec<User>, VendorError>>;
}

pub struct HttpDuo {
    settings: DuoSettings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    pace: Pace,
}

impl HttpDuo {
    pub fn new(settings: DuoSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        let pace = Pace::per_minute(settings.requests_per_minute);
        Arc::new(Self { settings, client, policy, pace })
    }

    /// One signed request under the pace. `params` is the canonical parameter line (a GET's
    /// query as sent); `body` a POST's JSON. Errors come as they are, for the caller to word.
    async fn send(
        &self,
        method: Method,
        url: Url,
        params: &str,
        body: Option<&str>,
        what: &str,
    ) -> Result<Envelope, VendorError> {
        let host = signed_host(&url);
        let (method, url, host) = (&method, &url, &host);
        let options = SendOptions { mode: RetryMode::Repeatable, is_final: None };
        let res = http::send_with(VENDOR, &self.policy, options, || async move {
            // Signed once its turn has come, so the Date is when it leaves, on every attempt.
            self.pace.until_ready().await;
            let date = request_date(Utc::now());
            let canonical = canonical_request(
                SignatureVersion::V5,
                &date,
                method.as_str(),
                host,
                url.path(),
                params,
                body.unwrap_or(""),
            );
            let signature = authorization(&self.settings.integration_key, &self.settings.secret_key, &canonical);
            let mut req =
                self.client.request(method.clone(), url.clone()).header(DATE, date).header(AUTHORIZATION, signature);
            if let Some(body) = body {
                req = req.header(CONTENT_TYPE, "application/json").body(body.to_string());
            }
            Ok(req)
        })
        .await?;
        http::json(VENDOR, what, res).await
    }

    /// A GET of `path` under `base` with `params` in the query, in the canonical encoding, so
    /// what is signed is what is sent.
    async fn get(&self, base: &Url, path: &str, params: &[(&str, &str)], what: &str) -> Result<Envelope, VendorError> {
        let mut url = at(base, path)?;
        let query = canonical_params(params);
        url.set_query((!query.is_empty()).then_some(query.as_str()));
        self.send(Method::GET, url, &query, None, what).await
    }

    /// A GET of a child's Admin API, on the child's host, with its `account_id` signed among the
    /// parameters.
    async fn admin_get(
        &self,
        account: &ChildAccount,
        path: &str,
        params: &[(&str, &str)],
        what: &str,
    ) -> Result<Envelope, VendorError> {
        let base = child_base(&self.settings.api_url, account)?;
        let mut all: Vec<(&str, &str)> = vec![("account_id", account.account_id.as_str())];
        all.extend_from_slice(params);
        self.get(&base, path, &all, what).await
    }

    async fn read_accounts(&self) -> Result<Vec<ChildAccount>, VendorError> {
        let url = at(&self.settings.api_url, "accounts/v1/account/list")?;
        // Version 5 sends a POST's parameters as a JSON object and signs an empty parameter line;
        // the list takes none.
        let envelope = self.send(Method::POST, url, "", Some("{}"), "account list").await?;
        let (accounts, metadata): (Vec<ChildAccount>, Metadata) = envelope.open("account list")?;
        // Duo documents the list as unpaged. Should it ever say there is more, counting what came
        // would leave customers out of the bill without a word.
        let more = metadata.next_offset.is_some() || metadata.total_objects.is_some_and(|t| t > accounts.len() as i64);
        if more {
            return Err(VendorError::Malformed {
                vendor: VENDOR,
                what: "account list".into(),
                detail: format!(
                    "Duo listed {} accounts and said there are more ({metadata:?}); SeatSync reads the list \
                     whole, as Duo documents it",
                    accounts.len()
                ),
            });
        }
        Ok(accounts)
    }

    async fn read_summary(&self, account: &ChildAccount) -> Result<InfoSummary, VendorError> {
        let envelope = self.admin_get(account, "admin/v1/info/summary", &[], "account summary").await?;
        let (summary, _): (InfoSummary, Metadata) = envelope.open("account summary")?;
        Ok(summary)
    }

    async fn count_users(&self, account: &ChildAccount) -> Result<i64, VendorError> {
        if let Some(count) = self.read_summary(account).await?.user_count {
            return Ok(count.max(0));
        }
        // One page of one user carries the list's total.
        let params = [("limit", "1"), ("offset", "0")];
        let envelope = self.admin_get(account, "admin/v1/users", &params, "user list").await?;
        let (page, metadata): (Vec<User>, Metadata) = envelope.open("user list")?;
        match (metadata.total_objects, metadata.next_offset) {
            (Some(total), _) => Ok(total.max(0)),
            (None, None) => Ok(page.len() as i64),
            (None, Some(_)) => Ok(self.read_users(account).await?.len() as i64),
        }
    }

    async fn read_edition(&self, account: &ChildAccount) -> Result<Option<Edition>, VendorError> {
        let envelope = self.admin_get(account, "admin/v1/billing/edition", &[], "billing edition").await?;
        let (response, _): (serde_json::Value, Metadata) = envelope.open("billing edition")?;
        // `{"edition": "ENTERPRISE"}` as documented, or the bare code.
        let code = match &response {
            serde_json::Value::String(code) => Some(code.as_str()),
            other => other.get("edition").and_then(|e| e.as_str()),
        };
        Ok(code.and_then(Edition::parse))
    }

    async fn read_users(&self, account: &ChildAccount) -> Result<Vec<User>, VendorError> {
        let limit = self.settings.users_page_size.clamp(1, MAX_USERS_PAGE_SIZE).to_string();
        let mut users = Vec::new();
        let mut offset: i64 = 0;
        // A bound on pages, so a server that keeps offering more cannot loop us.
        for _ in 0..100_000 {
            let offset_text = offset.to_string();
            let params = [("limit", limit.as_str()), ("offset", offset_text.as_str())];
            let envelope = self.admin_get(account, "admin/v1/users", &params, "user list").await?;
            let (page, metadata): (Vec<User>, Metadata) = envelope.open("user list")?;
            let got = page.len();
            users.extend(page);
            match metadata.next_offset {
                Some(next) if got > 0 && next > offset => offset = next,
                Some(_) if got > 0 => {
                    return Err(VendorError::Malformed {
                        vendor: VENDOR,
                        what: "user list".into(),
                        detail: "the same page came again; reading stopped".into(),
                    })
                }
                _ => return Ok(users),
            }
        }
        Err(VendorError::Malformed { vendor: VENDOR, what: "user list".into(), detail: "the pages never ended".into() })
    }
}

impl Duo for HttpDuo {
    fn requests_sent(&self) -> u64 {
        self.pace.sent()
    }

    fn reads_editions(&self) -> bool {
        self.settings.read_editions
    }

    fn check(&self) -> BoxFuture<'_, Result<ConnectionCheck, VendorError>> {
        Box::pin(async move {
            let accounts = self.read_accounts().await.map_err(explain)?;
            let first = match accounts.first() {
                Some(account) => Some(AccountUsers {
                    name: account.display_name().to_string(),
                    users: self.count_users(account).await.map_err(explain)?,
                }),
                None => None,
            };
            Ok(ConnectionCheck { accounts: accounts.len(), first })
        })
    }

    fn accounts(&self) -> BoxFuture<'_, Result<Vec<ChildAccount>, VendorError>> {
        Box::pin(async move { self.read_accounts().await.map_err(explain) })
    }

    fn summary<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<InfoSummary, VendorError>> {
        Box::pin(async move { self.read_summary(account).await.map_err(explain) })
    }

    fn user_count<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<i64, VendorError>> {
        Box::pin(async move { self.count_users(account).await.map_err(explain) })
    }

    fn edition<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<Option<Edition>, VendorError>> {
        Box::pin(async move {
            match self.read_edition(account).await {
                // Billing reads are opened to child accounts on request only.
                Err(VendorError::Status { status: 403, .. }) => Ok(None),
                other => other.map_err(explain),
            }
        })
    }

    fn users<'a>(&'a self, account: &'a ChildAccount) -> BoxFuture<'a, Result<Vec<User>, VendorError>> {
        Box::pin(async move { self.read_users(account).await.map_err(explain) })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    /// The secret key of the signing examples in Duo's own client's tests.
    const SKEY: &str = "gtdfxv9YgVBYcF6dl2Eq17KUQJN2PLM2ODVTkvoT";
    const EMPTY_SHA512: &str = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce\
                                47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

    /// The four parameters of Duo's own signing tests: names and values far outside ASCII.
    const UNICODE_PARAMS: [(&str, &str); 4] = [
        (
            "\u{469a}\u{287b}\u{35d0}\u{8ef3}\u{6727}\u{502a}\u{810}\u{d091}\u{c8}\u{c170}",
            "\u{f45}\u{1a76}\u{341a}\u{654c}\u{c23f}\u{9b09}\u{abe2}\u{8343}\u{1b27}\u{60d0}",
        ),
        (
            "\u{7449}\u{7e4b}\u{ccfb}\u{59ff}\u{fe5f}\u{83b7}\u{adcc}\u{900c}\u{cfd1}\u{7813}",
            "\u{8db7}\u{5022}\u{92d3}\u{42ef}\u{207d}\u{8730}\u{acfe}\u{5617}\u{946}\u{4e30}",
        ),
        (
            "\u{7470}\u{9314}\u{901c}\u{9eae}\u{40d8}\u{4201}\u{82d8}\u{8c70}\u{1d31}\u{a042}",
            "\u{17d9}\u{ba8}\u{9358}\u{aadf}\u{a42a}\u{48be}\u{fb96}\u{6fe9}\u{b7ff}\u{32f3}",
        ),
        (
            "\u{c2c5}\u{2c1d}\u{2620}\u{3617}\u{96b3}F\u{8605}\u{20e8}\u{ac21}\u{5934}",
            "\u{fba9}\u{41aa}\u{bd83}\u{840b}\u{2615}\u{3e6e}\u{652d}\u{a8b5}\u{d56b}U",
        ),
    ];
    const UNICODE_CANONICAL: &str = "%E4%9A%9A%E2%A1%BB%E3%97%90%E8%BB%B3%E6%9C%A7%E5%80%AA%E0%A0%90%ED%82%91%C3%88%EC\
        %85%B0=%E0%BD%85%E1%A9%B6%E3%90%9A%E6%95%8C%EC%88%BF%E9%AC%89%EA%AF%A2%E8%8D%83%E1%AC%A7%E6%83%90&%E7%91%89%E7\
        %B9%8B%EC%B3%BB%E5%A7%BF%EF%B9%9F%E8%8E%B7%EA%B7%8C%E9%80%8C%EC%BF%91%E7%A0%93=%E8%B6%B7%E5%80%A2%E9%8B%93%E4\
        %8B%AF%E2%81%BD%E8%9C%B0%EA%B3%BE%E5%98%97%E0%A5%86%E4%B8%B0&%E7%91%B0%E9%8C%94%E9%80%9C%E9%BA%AE%E4%83%98%E4\
        %88%81%E8%8B%98%E8%B1%B0%E1%B4%B1%EA%81%82=%E1%9F%99%E0%AE%A8%E9%8D%98%EA%AB%9F%EA%90%AA%E4%A2%BE%EF%AE%96%E6\
        %BF%A9%EB%9F%BF%E3%8B%B3&%EC%8B%85%E2%B0%9D%E2%98%A0%E3%98%97%E9%9A%B3F%E8%98%85%E2%83%A8%EA%B0%A1%E5%A4%B4=%EF\
        %AE%A9%E4%86%AA%EB%B6%83%E8%90%8B%E2%98%95%E3%B9%AE%E6%94%AD%EA%A2%B5%ED%95%ABU";

    fn account(hostname: Option<&str>) -> ChildAccount {
        ChildAccount {
            account_id: "DA9VZOC5X63I2W72NRP9".into(),
            name: Some("Acme Ltd".into()),
            api_hostname: hostname.map(str::to_string),
        }
    }

    #[test]
    fn parameters_are_encoded_and_sorted_as_duos_own_client_does() {
        assert_eq!(canonical_params(&[]), "");
        assert_eq!(canonical_params(&[("realname", "First Last")]), "realname=First%20Last");
        assert_eq!(canonical_params(&[("foo_bar", "2"), ("foo", "1")]), "foo=1&foo_bar=2");
        assert_eq!(
            canonical_params(&[("words", "First Last"), ("success", "true"), ("digit", "5")]),
            "digit=5&success=true&words=First%20Last"
        );
        assert_eq!(
            canonical_params(&[
                ("digits", "0123456789"),
                ("punctuation", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
                ("whitespace", "\t\n\x0b\x0c\r "),
            ]),
            "digits=0123456789&punctuation=%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_\
            %60%7B%7C%7D~&whitespace=%09%0A%0B%0C%0D%20"
        );
        assert_eq!(canonical_params(&UNICODE_PARAMS), UNICODE_CANONICAL);
        assert_eq!(canonical_params(&[("a", "2"), ("a", "10")]), "a=10&a=2", "values of one name sorted as text");
    }

    #[test]
    fn the_hmac_sha512_signature_of_duos_own_tests() {
        let params = canonical_params(&UNICODE_PARAMS);
        let canonical = canonical_request(
            SignatureVersion::V2,
            "Fri, 07 Dec 2012 17:18:00 -0000",
            "PoSt",
            "foO.BAr52.cOm",
            "/Foo/BaR2/qux",
            &params,
            "",
        );
        assert_eq!(
            canonical,
            format!("Fri, 07 Dec 2012 17:18:00 -0000\nPOST\nfoo.bar52.com\n/Foo/BaR2/qux\n{UNICODE_CANONICAL}")
        );
        let expected =
            "test_ikey:0508065035a03b2a1de2f453e629e791d180329e157f65df6b3e0f08299d4321e1c5c7a7c7ee6b9e5fc80\
            d1fb6fbf3ad5eb7c44dd3b3985a02c37aca53ec3698";
        assert_eq!(authorization("test_ikey", SKEY, &canonical), format!("Basic {}", STANDARD.encode(expected)));
    }

    /// Signatures made by Duo's own Python client (`duo_client.client.sign`, version 5) for the
    /// two kinds of request this client sends.
    #[test]
    fn version_5_signatures_match_duos_own_client() {
        let date = "Tue, 21 Aug 2012 17:29:18 -0000";
        let (ikey, skey) = ("DIWJ8X6AEYOR5OMC6TQ1", "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep");
        let host = "api-abcd1234.duosecurity.com";

        let query = canonical_params(&[("account_id", "DA9VZOC5X63I2W72NRP9"), ("limit", "100"), ("offset", "0")]);
        let get = canonical_request(SignatureVersion::V5, date, "GET", host, "/admin/v1/users", &query, "");
        assert_eq!(
            get,
            format!(
                "{date}\nGET\n{host}\n/admin/v1/users\naccount_id=DA9VZOC5X63I2W72NRP9&limit=100&offset=0\n\
                 {EMPTY_SHA512}\n{EMPTY_SHA512}"
            )
        );
        assert_eq!(
            authorization(ikey, skey, &get),
            format!(
                "Basic {}",
                STANDARD.encode(
                    "DIWJ8X6AEYOR5OMC6TQ1:23c11be9aabd32297613035da86aca6dd17426af7beafc87d65aaa1cf617af6c\
                     a02f727fc7047a023bfd70f6409d979aee97785b573e36407b522356c90402bf"
                )
            )
        );

        let post = canonical_request(SignatureVersion::V5, date, "POST", host, "/accounts/v1/account/list", "", "{}");
        assert!(post.ends_with(&format!(
            "\n/accounts/v1/account/list\n\n27c74670adb75075fad058d5ceaf7b20c4e7786c83bae8a32f626f9782af34c9\
             a33c2046ef60fd2a7878d378e29fec851806bbd9a67878f3a9f1cda4830763fd\n{EMPTY_SHA512}"
        )));
        assert_eq!(
            authorization(ikey, skey, &post),
            format!(
                "Basic {}",
                STANDARD.encode(
                    "DIWJ8X6AEYOR5OMC6TQ1:5eeaacbd2896e19b4c49de5f66189e7211a48a4fa012b0ab1e39e52a7f2a6f3b\
                     a982a36a4a90aede902bd4e4856393d1862a0036cb6db9119b16f73e5c376bd8"
                )
            )
        );
    }

    #[test]
    fn dates_are_written_as_duos_clients_write_them() {
        let at = Utc.with_ymd_and_hms(2012, 8, 21, 17, 29, 18).unwrap();
        assert_eq!(request_date(at), "Tue, 21 Aug 2012 17:29:18 -0000");
        let early = Utc.with_ymd_and_hms(2026, 3, 1, 7, 5, 9).unwrap();
        assert_eq!(request_date(early), "Sun, 01 Mar 2026 07:05:09 -0000");
    }

    #[test]
    fn the_signed_host_is_the_host_header() {
        let host = |u: &str| signed_host(&Url::parse(u).unwrap());
        assert_eq!(host("https://API-abcd1234.duosecurity.com"), "api-abcd1234.duosecurity.com");
        assert_eq!(host("https://api-abcd1234.duosecurity.com:443/"), "api-abcd1234.duosecurity.com");
        assert_eq!(host("http://127.0.0.1:4010/duo"), "127.0.0.1:4010");
    }

    #[test]
    fn a_child_is_called_on_its_own_host_beside_the_parent() {
        let parent = Url::parse("https://api-abcd1234.duosecurity.com").unwrap();
        let child = child_base(&parent, &account(Some("api-ef567890.duosecurity.com"))).unwrap();
        assert_eq!(child.as_str(), "https://api-ef567890.duosecurity.com/");
        assert_eq!(child_base(&parent, &account(None)).unwrap(), parent, "no hostname: the parent's");
        for elsewhere in ["evil.example.com", "api-x.duosecurity.com.evil.example", "duosecurity.com.evil", "a:b"] {
            let refused = child_base(&parent, &account(Some(elsewhere))).unwrap_err();
            assert!(matches!(refused, VendorError::Malformed { .. }), "{elsewhere}: {refused:?}");
        }

        // The simulator: scheme and prefix kept, only the host and port taken from the child.
        let sim = Url::parse("http://127.0.0.1:4010/duo").unwrap();
        let child = child_base(&sim, &account(Some("127.0.0.1:4010"))).unwrap();
        assert_eq!(
            at(&child, "admin/v1/info/summary").unwrap().as_str(),
            "http://127.0.0.1:4010/duo/admin/v1/info/summary"
        );
        assert!(child_base(&sim, &account(Some("127.0.0.2:4010"))).is_err(), "an address is only itself");
        assert_eq!(split_host_port("[::1]:4010"), Some(("[::1]", Some(4010))));
        assert_eq!(split_host_port("[::1]"), Some(("[::1]", None)));
        assert_eq!(split_host_port("api-x.duosecurity.com:notaport"), None);
    }

    #[test]
    fn editions_by_code_or_name_in_any_casing() {
        assert_eq!(Edition::parse("ENTERPRISE"), Some(Edition::Essentials));
        assert_eq!(Edition::parse("platform"), Some(Edition::Advantage));
        assert_eq!(Edition::parse("Duo Premier"), Some(Edition::Premier));
        assert_eq!(Edition::parse("BEYOND"), Some(Edition::Premier));
        assert_eq!(Edition::parse("PERSONAL"), Some(Edition::Free));
        assert_eq!(Edition::parse("Duo MFA"), Some(Edition::Essentials));
        assert_eq!(Edition::parse(" FEDERAL_MFA "), Some(Edition::Other("FEDERAL_MFA".into())));
        assert_eq!(Edition::parse("  "), None);
        assert_eq!(users_product(Edition::parse("PLATFORM").as_ref()), "Users (Duo Advantage)");
        assert_eq!(users_product(Edition::parse("FEDERAL_MFA").as_ref()), "Users (FEDERAL_MFA)");
        assert_eq!(users_product(None), "Users");
    }

    #[test]
    fn the_documented_answers_are_read() {
        let list: Envelope = serde_json::from_value(json!({"stat": "OK", "response": [
            {"account_id": "DA9VZOC5X63I2W72NRP9", "name": "Acme Ltd", "api_hostname": "api-abcd1234.duosecurity.com",
             "billing_edition": "ignored"},
            {"account_id": "DAAAAAAAAAAAAAAAAAA2", "name": null}]}))
        .unwrap();
        let (accounts, _): (Vec<ChildAccount>, Metadata) = list.open("account list").unwrap();
        assert_eq!(accounts[0], account(Some("api-abcd1234.duosecurity.com")));
        assert_eq!(accounts[1].display_name(), "DAAAAAAAAAAAAAAAAAA2");

        let summary: Envelope = serde_json::from_value(json!({"stat": "OK", "response": {
            "admin_count": 3, "integration_count": 9, "telephony_credits_remaining": 960,
            "user_count": "57", "user_pending_deletion_count": 0}}))
        .unwrap();
        let (summary, _): (InfoSummary, Metadata) = summary.open("account summary").unwrap();
        assert_eq!(summary.user_count, Some(57));
        assert_eq!(summary.user_pending_deletion_count, Some(0));

        // The Go client's test fixture.
        let users: Envelope = serde_json::from_value(json!({"stat": "OK",
            "metadata": {"prev_offset": null, "next_offset": 100, "total_objects": 257},
            "response": [{"user_id": "DU3RP9I2WOC59VZX672N", "username": "jsmith", "realname": "Joe Smith",
                          "email": "jsmith@example.com", "status": "active", "created": 1489612729,
                          "last_login": 1343921403, "groups": [], "phones": []}]}))
        .unwrap();
        let (users, metadata): (Vec<User>, Metadata) = users.open("user list").unwrap();
        assert_eq!(users[0].username.as_deref(), Some("jsmith"));
        assert_eq!(metadata, Metadata { next_offset: Some(100), total_objects: Some(257) });

        let inside: Envelope =
            serde_json::from_value(json!({"stat": "OK", "response": {"metadata": {"next_offset": "5"}}})).unwrap();
        let (_, metadata): (serde_json::Value, Metadata) = inside.open("list").unwrap();
        assert_eq!(metadata.next_offset, Some(5), "paging inside the response is read too");

        let failed: Envelope =
            serde_json::from_value(json!({"stat": "FAIL", "code": 40103, "message": "Invalid signature"})).unwrap();
        let error = failed.open::<serde_json::Value>("list").unwrap_err();
        assert!(error.to_string().contains("Invalid signature"), "{error}");
    }

    #[test]
    fn refusals_are_said_in_words() {
        let refused = explain(VendorError::Status {
            vendor: VENDOR,
            status: 401,
            message: "Invalid signature in request credentials".into(),
        });
        assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");
        let words = refused.to_string();
        assert!(words.contains("Cisco Duo") && words.contains("Invalid signature"), "{words}");
        let other = explain(VendorError::Status { vendor: VENDOR, status: 400, message: "Invalid request".into() });
        assert!(matches!(other, VendorError::Status { status: 400, .. }));
    }

    #[test]
    fn settings_never_show_the_secret() {
        let settings = DuoSettings {
            api_url: Url::parse("https://api-abcd1234.duosecurity.com").unwrap(),
            integration_key: "DIWJ8X6AEYOR5OMC6TQ1".into(),
            secret_key: "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep".into(),
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            users_page_size: DEFAULT_USERS_PAGE_SIZE,
            read_editions: true,
        };
        assert!(!format!("{settings:?}").contains("Zh5eGm"));
    }
}
