//! Partner Center: the MSP's customers and each customer's subscriptions, with an App+User token
//! from the stored refresh token (secure application model).

use seatsync_domain::{SubscriptionId, TenantId};
use std::{future::Future, pin::Pin, sync::Arc};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use url::Url;

use crate::{
    http::{self, RetryPolicy},
    serde_lenient,
    token::{self, TokenCache},
    VendorError,
};

const VENDOR: &str = "Partner Center";
const RESOURCE: &str = "https://api.partnercenter.microsoft.com";
/// Customers per page; the documented parameter is required, its maximum undocumented.
const PAGE_SIZE: u32 = 500;

/// A boxed future, so the trait stays object-safe (`Arc<dyn PartnerCenter>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What SeatSync needs from Partner Center.
pub trait PartnerCenter: Send + Sync {
    /// Every customer of the partner, following continuation pages.
    fn customers(&self) -> BoxFuture<'_, Result<Vec<Customer>, VendorError>>;
    /// Every subscription of one customer tenant.
    fn subscriptions<'a>(&'a self, tenant_id: &'a TenantId) -> BoxFuture<'a, Result<Vec<Subscription>, VendorError>>;

    /// The first `size` customers of the list: one request, to check the connection.
    fn first_customers(&self, size: u32) -> BoxFuture<'_, Result<Vec<Customer>, VendorError>> {
        let _ = size;
        self.customers()
    }

    /// Every customer of the partner, handed to `page` a page at a time as the pages arrive, so
    /// a caller can start on the first customers while the others are still being listed. The
    /// pages are requested one after another.
    fn customer_pages<'a>(
        &'a self,
        page: &'a (dyn Fn(Vec<Customer>) + Send + Sync),
    ) -> BoxFuture<'a, Result<(), VendorError>> {
        Box::pin(async move {
            page(self.customers().await?);
            Ok(())
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// Partner Center's customer id, which is the customer's tenant id.
    pub id: TenantId,
    #[serde(default)]
    pub company_profile: CompanyProfile,
}

impl Customer {
    pub fn tenant_id(&self) -> &TenantId {
        self.company_profile.tenant_id.as_ref().unwrap_or(&self.id)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyProfile {
    pub tenant_id: Option<TenantId>,
    pub domain: Option<String>,
    pub company_name: Option<String>,
}

/// A subscription as Partner Center documents it. Enumerations stay text, so a value added by
/// Microsoft later is kept and shown rather than failing the sync.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: SubscriptionId,
    #[serde(default)]
    pub offer_id: String,
    pub offer_name: Option<String>,
    pub friendly_name: Option<String>,
    #[serde(deserialize_with = "serde_lenient::int")]
    pub quantity: i64,
    pub unit_type: Option<String>,
    pub term_duration: Option<String>,
    pub billing_cycle: Option<String>,
    #[serde(default, deserialize_with = "serde_lenient::opt_time")]
    pub effective_start_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "serde_lenient::opt_time")]
    pub commitment_end_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "serde_lenient::opt_time")]
    pub cancellation_allowed_until_date: Option<DateTime<Utc>>,
    pub status: Option<String>,
    #[serde(default)]
    pub auto_renew_enabled: bool,
    #[serde(default)]
    pub is_trial: bool,
    pub product_type: Option<ProductType>,
}

impl Subscription {
    /// New-commerce (NCE) rather than legacy.
    pub fn is_nce(&self) -> bool {
        self.product_type.as_ref().is_some_and(|p| p.id == "OnlineServicesNCE")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProductType {
    pub id: String,
}

#[derive(Deserialize)]
struct Collection<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
    #[serde(default)]
    links: Links,
}

#[derive(Default, Deserialize)]
struct Links {
    next: Option<Link>,
}

#[derive(Deserialize)]
struct Link {
    uri: String,
    #[serde(default)]
    headers: Vec<LinkHeader>,
}

#[derive(Deserialize)]
struct LinkHeader {
    key: String,
    value: String,
}

/// Credentials and endpoints.
#[derive(Clone)]
pub struct PartnerCenterSettings {
    pub base_url: Url,
    pub login_url: Url,
    pub partner_tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

/// Partner Center over HTTP.
pub struct HttpPartnerCenter {
    settings: PartnerCenterSettings,
    client: reqwest::Client,
    policy: RetryPolicy,
    tokens: TokenCache,
}

impl HttpPartnerCenter {
    pub fn new(settings: PartnerCenterSettings, client: reqwest::Client, policy: RetryPolicy) -> Arc<Self> {
        Arc::new(Self { settings, client, policy, tokens: TokenCache::default() })
    }

    async fn token(&self) -> Result<String, VendorError> {
        if let Some(t) = self.tokens.get("partner") {
            return Ok(t);
        }
        let s = &self.settings;
        let url = format!("{}/{}/oauth2/v2.0/token", s.login_url.as_str().trim_end_matches('/'), s.partner_tenant_id);
        let scope = format!("{RESOURCE}/.default");
        let (token, lifetime) = token::request(
            VENDOR,
            &self.client,
            &self.policy,
            &url,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &s.refresh_token),
                ("client_id", &s.client_id),
                ("client_secret", &s.client_secret),
                ("scope", &scope),
            ],
        )
        .await?;
        self.tokens.put("partner", token.clone(), lifetime);
        Ok(token)
    }

    /// A link's URI made absolute. Links are relative to the API root, and some omit `/v1`.
    fn resolve(&self, uri: &str) -> String {
        if uri.starts_with("http://") || uri.starts_with("https://") {
            return uri.to_string();
        }
        let base = self.settings.base_url.as_str().trim_end_matches('/');
        let path = uri.trim_start_matches('/');
        if path.to_ascii_lowercase().starts_with("v1/") {
            format!("{base}/{path}")
        } else {
            format!("{base}/v1/{path}")
        }
    }

    async fn get_collection<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        first: String,
    ) -> Result<Vec<T>, VendorError> {
        let mut items = Vec::new();
        self.get_pages(what, first, None, |page| items.extend(page)).await?;
        Ok(items)
    }

    /// Follows a collection's continuation links (at most `max_pages` of them), handing each
    /// page's items to `on_page`.
    async fn get_pages<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        first: String,
        max_pages: Option<usize>,
        mut on_page: impl FnMut(Vec<T>),
    ) -> Result<(), VendorError> {
        let token = self.token().await?;
        let mut next: Option<(String, Vec<(String, String)>)> = Some((first, Vec::new()));
        let mut pages = 0;
        while let Some((url, headers)) = next.take() {
            if max_pages.is_some_and(|max| pages >= max) {
                break;
            }
            pages += 1;
            // One request id per logical request, reused by every retry of it.
            let request_id = uuid::Uuid::new_v4().to_string();
            let res = http::send(VENDOR, &self.policy, || {
                let mut req = self
                    .client
                    .get(&url)
                    .bearer_auth(&token)
                    .header("Accept", "application/json")
                    .header("MS-RequestId", &request_id)
                    .header("MS-CorrelationId", uuid::Uuid::new_v4().to_string())
                    .header("MS-Contract-Version", "v1");
                for (k, v) in &headers {
                    req = req.header(k.as_str(), v.as_str());
                }
                req
            })
            .await?;
            let page: Collection<T> = http::json(VENDOR, what, res).await?;
            next = page
                .links
                .next
                .map(|l| (self.resolve(&l.uri), l.headers.into_iter().map(|h| (h.key, h.value)).collect()));
            on_page(page.items);
        }
        Ok(())
    }
}

impl PartnerCenter for HttpPartnerCenter {
    fn first_customers(&self, size: u32) -> BoxFuture<'_, Result<Vec<Customer>, VendorError>> {
        Box::pin(async move {
            let first = self.resolve(&format!("/v1/customers?size={}", size.max(1)));
            let mut items = Vec::new();
            self.get_pages("customer list", first, Some(1), |page| items.extend(page)).await?;
            Ok(items)
        })
    }

    fn customers(&self) -> BoxFuture<'_, Result<Vec<Customer>, VendorError>> {
        Box::pin(async move {
            let first = self.resolve(&format!("/v1/customers?size={PAGE_SIZE}"));
            self.get_collection("customer list", first).await
        })
    }

    fn subscriptions<'a>(&'a self, tenant_id: &'a TenantId) -> BoxFuture<'a, Result<Vec<Subscription>, VendorError>> {
        Box::pin(async move {
            let first = self.resolve(&format!("/v1/customers/{tenant_id}/subscriptions"));
            self.get_collection("subscription list", first).await
        })
    }

    fn customer_pages<'a>(
        &'a self,
        page: &'a (dyn Fn(Vec<Customer>) + Send + Sync),
    ) -> BoxFuture<'a, Result<(), VendorError>> {
        Box::pin(async move {
            let first = self.resolve(&format!("/v1/customers?size={PAGE_SIZE}"));
            self.get_pages("customer list", first, None, page).await
        })
    }
}
