//! Pax8's Partner API (shared/docs/vendor-apis.md, section 4): a client-credentials token (JSON
//! body, audience `https://api.pax8.com`) cached until shortly before it expires; companies,
//! subscriptions (across the partner, 200 a page, the most Pax8 serves) and products read in
//! `{"content":[…],"page":{…}}` pages; a subscription's quantity changed with `PUT`.
//!
//! Pax8 publishes no numeric rate limit, so requests are spread evenly under a per-minute
//! setting (1,000 by default, the figure partners report) and a 429 waits and tries again.
//! A quantity change is never sent twice: an answer that does not come makes it `Uncertain`,
//! and the caller reads the subscription back before deciding anything.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use seatsync_domain::{Pax8CompanyId, Pax8SubscriptionId, SubscriptionId};
use serde::{de::DeserializeOwned, Deserialize};
use url::Url;

use crate::{
    http::{self, RetryMode, SendOptions},
    pace::Pace,
    partner_center::BoxFuture,
    serde_lenient,
    token::TokenCache,
    VendorError,
};

const VENDOR: &str = "Pax8";
/// The audience of the partner endpoints.
pub const AUDIENCE: &str = "https://api.pax8.com";
/// The largest page Pax8 serves.
pub const MAX_PAGE_SIZE: u32 = 200;
/// Requests a minute when the setting is not given: partners report about 1,000 (Pax8 does not
/// publish a number).
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 1000;

#[derive(Debug, Clone)]
pub struct Pax8Settings {
    /// `https://api.pax8.com/v1`.
    pub api_url: Url,
    /// `https://token-manager.pax8.com/oauth/token`.
    pub token_url: Url,
    pub client_id: String,
    pub client_secret: String,
    /// Requests SeatSync sends at most in a minute, spread evenly.
    pub requests_per_minute: u32,
}

/// A company of the partner, as Pax8 lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub id: Pax8CompanyId,
    pub name: String,
    #[serde(default)]
    pub status: Option<String>,
    /// The customer's web site, where Pax8 has one: a domain to match tenants by.
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
}

/// What a subscription commits to, as Pax8 reports it (`commitmentTerm`, read-only).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitmentTerm {
    #[serde(default)]
    pub term: Option<String>,
    #[serde(default, deserialize_with = "serde_lenient::opt_time")]
    pub end_date: Option<DateTime<Utc>>,
}

/// A subscription bought through Pax8.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: Pax8SubscriptionId,
    pub company_id: Pax8CompanyId,
    pub product_id: String,
    #[serde(default)]
    pub product_name: Option<String>,
    /// The Partner Center subscription it is, for a Microsoft product, where Pax8 says so.
    #[serde(default, deserialize_with = "opt_subscription_id")]
    pub vendor_subscription_id: Option<SubscriptionId>,
    #[serde(deserialize_with = "serde_lenient::int")]
    pub quantity: i64,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub billing_term: Option<String>,
    #[serde(default)]
    pub commitment_term: Option<CommitmentTerm>,
    #[serde(default, deserialize_with = "serde_lenient::opt_time")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "serde_lenient::opt_time")]
    pub end_date: Option<DateTime<Utc>>,
    /// The customer's price per unit.
    #[serde(default, deserialize_with = "serde_lenient::opt_float")]
    pub price: Option<f64>,
    #[serde(default)]
    pub currency_code: Option<String>,
}

impl Subscription {
    pub fn is_active(&self) -> bool {
        self.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("active"))
    }
}

/// `vendorSubscriptionId` as sent: absent, null, empty, or an id.
fn opt_subscription_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SubscriptionId>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    Ok(text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).map(SubscriptionId::new))
}

/// A product of Pax8's catalogue.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub vendor_name: Option<String>,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub vendor_sku: Option<String>,
}

/// One page of a list and how many items the whole list holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

#[derive(Deserialize)]
struct PageBody<T> {
    #[serde(default = "Vec::new")]
    content: Vec<T>,
    #[serde(default)]
    page: Option<PageInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    #[serde(default)]
    total_elements: Option<u64>,
    #[serde(default)]
    total_pages: Option<u64>,
}

/// What SeatSync needs from Pax8.
pub trait Pax8: Send + Sync {
    /// Requests sent so far (each attempt counts, the sign-in's not), for a run to say what it cost.
    fn requests_sent(&self) -> u64;
    /// The first `size` companies and how many there are: one request, to check the connection.
    fn first_companies(&self, size: u32) -> BoxFuture<'_, Result<Page<Company>, VendorError>>;
    /// Every company of the partner.
    fn companies(&self) -> BoxFuture<'_, Result<Vec<Company>, VendorError>>;
    /// Every active subscription of the partner, across its companies.
    fn subscriptions(&self) -> BoxFuture<'_, Result<Vec<Subscription>, VendorError>>;
    fn subscription<'a>(&'a self, id: &'a Pax8SubscriptionId) -> BoxFuture<'a, Result<Subscription, VendorError>>;
    fn product<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Product, VendorError>>;
    /// Sets a subscription's quantity, once: a lost answer is `Uncertain` and a refusal (422)
    /// carries Pax8's words.
    fn set_quantity<'a>(
        &'a self,
        id: &'a Pax8SubscriptionId,
        quantity: i64,
    ) -> BoxFuture<'a, Result<Subscription, VendorError>>;
}

pub struct HttpPax8 {
    settings: Pax8Settings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    tokens: TokenCache,
    pace: Pace,
}

impl HttpPax8 {
    pub fn new(settings: Pax8Settings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        let pace = Pace::per_minute(settings.requests_per_minute);
        Arc::new(Self { settings, client, policy, tokens: TokenCache::default(), pace })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.settings.api_url.as_str().trim_end_matches('/'))
    }

    async fn token(&self) -> Result<String, VendorError> {
        if let Some(token) = self.tokens.get("partner") {
            return Ok(token);
        }
        #[derive(Deserialize)]
        struct TokenBody {
            access_token: String,
            #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
            expires_in: Option<i64>,
        }
        let body = serde_json::json!({
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
            "audience": AUDIENCE,
            "grant_type": "client_credentials",
        });
        let res = http::send(VENDOR, &self.policy, || self.client.post(self.settings.token_url.as_str()).json(&body))
            .await
            .map_err(|e| match e {
                VendorError::Status { status, message, .. } if (400..500).contains(&status) => {
                    VendorError::Auth { vendor: VENDOR, detail: format!("{message} (HTTP {status})") }
                }
                other => other,
            })?;
        let token: TokenBody = http::json(VENDOR, "token response", res).await?;
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(86_400).max(60) as u64);
        self.tokens.put("partner", token.access_token.clone(), lifetime);
        Ok(token.access_token)
    }

    /// Sends a request `build` makes with the token, each attempt in its turn under the pace; a
    /// 401 forgets the token so the next call signs in again.
    async fn send(
        &self,
        mode: RetryMode,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, VendorError> {
        let token = self.token().await?;
        let options = SendOptions { mode, is_final: None };
        let res = http::send_with(VENDOR, &self.policy, options, || {
            let req = build(&token);
            async move {
                self.pace.until_ready().await;
                Ok(req)
            }
        })
        .await;
        if let Err(VendorError::Status { status: 401, .. }) = &res {
            self.tokens.forget("partner");
        }
        res
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
    ) -> Result<T, VendorError> {
        let url = self.url(path);
        let res =
            self.send(RetryMode::Repeatable, |token| self.client.get(&url).bearer_auth(token).query(query)).await?;
        http::json(VENDOR, what, res).await
    }

    /// Every item of a list, 200 a page, until a page comes back short or the pages Pax8
    /// counted are read.
    async fn all_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        filters: &[(&str, &str)],
        what: &str,
    ) -> Result<Vec<T>, VendorError> {
        let mut items = Vec::new();
        for page in 0u64.. {
            let mut query: Vec<(&str, String)> = vec![("page", page.to_string()), ("size", MAX_PAGE_SIZE.to_string())];
            query.extend(filters.iter().map(|(k, v)| (*k, v.to_string())));
            let body: PageBody<T> = self.get(path, &query, what).await?;
            let got = body.content.len();
            items.extend(body.content);
            let pages = body.page.as_ref().and_then(|p| p.total_pages);
            let total = body.page.as_ref().and_then(|p| p.total_elements);
            let done = got < MAX_PAGE_SIZE as usize
                || pages.is_some_and(|pages| page + 1 >= pages)
                || total.is_some_and(|total| items.len() as u64 >= total);
            if done {
                break;
            }
        }
        Ok(items)
    }
}

impl Pax8 for HttpPax8 {
    fn requests_sent(&self) -> u64 {
        self.pace.sent()
    }

    fn first_companies(&self, size: u32) -> BoxFuture<'_, Result<Page<Company>, VendorError>> {
        Box::pin(async move {
            let query = [("page", "0".to_string()), ("size", size.clamp(1, MAX_PAGE_SIZE).to_string())];
            let body: PageBody<Company> = self.get("companies", &query, "company list").await?;
            let total = body.page.and_then(|p| p.total_elements).unwrap_or(body.content.len() as u64);
            Ok(Page { items: body.content, total })
        })
    }

    fn companies(&self) -> BoxFuture<'_, Result<Vec<Company>, VendorError>> {
        Box::pin(self.all_pages("companies", &[], "company list"))
    }

    fn subscriptions(&self) -> BoxFuture<'_, Result<Vec<Subscription>, VendorError>> {
        Box::pin(async move {
            let all: Vec<Subscription> =
                self.all_pages("subscriptions", &[("status", "Active")], "subscription list").await?;
            // The filter is Pax8's; a list that ignores it still yields only active ones.
            Ok(all.into_iter().filter(Subscription::is_active).collect())
        })
    }

    fn subscription<'a>(&'a self, id: &'a Pax8SubscriptionId) -> BoxFuture<'a, Result<Subscription, VendorError>> {
        Box::pin(async move { self.get(&format!("subscriptions/{id}"), &[], "subscription").await })
    }

    fn product<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Product, VendorError>> {
        Box::pin(async move { self.get(&format!("products/{id}"), &[], "product").await })
    }

    fn set_quantity<'a>(
        &'a self,
        id: &'a Pax8SubscriptionId,
        quantity: i64,
    ) -> BoxFuture<'a, Result<Subscription, VendorError>> {
        Box::pin(async move {
            let url = self.url(&format!("subscriptions/{id}"));
            let body = serde_json::json!({ "quantity": quantity });
            let res = self
                .send(RetryMode::Unrepeatable, |token| self.client.put(&url).bearer_auth(token).json(&body))
                .await?;
            http::json(VENDOR, "updated subscription", res).await
        })
    }
}
