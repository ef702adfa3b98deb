//! Partner Center: the MSP's customers and each customer's subscriptions, with an App+User token
//! from the stored refresh token (secure application model), and a subscription's quantity
//! changed now or for its next term (`PATCH` with the whole resource as `GET` returned it).

use seatsync_domain::{SubscriptionId, TenantId};
use std::{future::Future, pin::Pin, sync::Arc};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use url::Url;

use crate::{
    http::{self, RetryMode, RetryPolicy, SendOptions},
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

    /// One subscription, read again (before a change, and after an answer that did not come).
    fn subscription<'a>(
        &'a self,
        tenant_id: &'a TenantId,
        id: &'a SubscriptionId,
    ) -> BoxFuture<'a, Result<Subscription, VendorError>>;

    /// Changes a subscription's quantity now, once: a lost answer is `Uncertain`, a refusal (a
    /// decrease outside the cancellation window) carries Partner Center's words.
    fn set_quantity<'a>(
        &'a self,
        tenant_id: &'a TenantId,
        id: &'a SubscriptionId,
        quantity: i64,
    ) -> BoxFuture<'a, Result<Subscription, VendorError>>;

    /// Schedules the quantity of a new-commerce subscription's next term
    /// (`scheduledNextTermInstructions`), which takes effect at renewal.
    fn schedule_next_term_quantity<'a>(
        &'a self,
        tenant_id: &'a TenantId,
        id: &'a SubscriptionId,
        quantity: i64,
    ) -> BoxFuture<'a, Result<Subscription, VendorError>>;

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
    /// What is scheduled for the next term, if anything.
    #[serde(default)]
    pub scheduled_next_term_instructions: Option<NextTermInstructions>,
}

/// A change scheduled for a subscription's renewal.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextTermInstructions {
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub quantity: Option<i64>,
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

impl HttpPartnerCenter {
    fn subscription_url(&self, tenant_id: &TenantId, id: &SubscriptionId) -> String {
        self.resolve(&format!("/v1/customers/{tenant_id}/subscriptions/{id}"))
    }

    fn request(&self, method: reqwest::Method, url: &str, token: &str, request_id: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .bearer_auth(token)
            .header("Accept", "application/json")
            .header("MS-RequestId", request_id)
            .header("MS-CorrelationId", uuid::Uuid::new_v4().to_string())
            .header("MS-Contract-Version", "v1")
    }

    /// The subscription as Partner Center holds it, untouched: a `PATCH` sends the whole
    /// resource back, so nothing SeatSync does not model may be lost on the way.
    async fn raw_subscription(&self, url: &str) -> Result<serde_json::Value, VendorError> {
        let token = self.token().await?;
        let request_id = uuid::Uuid::new_v4().to_string();
        let res =
            http::send(VENDOR, &self.policy, || self.request(reqwest::Method::GET, url, &token, &request_id)).await?;
        http::json(VENDOR, "subscription", res).await
    }

    /// Sends the changed resource once. A 202 means Partner Center is still applying it: the
    /// subscription is read back until the change shows (or the wait ends, then `Uncertain`).
    async fn patch(
        &self,
        url: &str,
        body: serde_json::Value,
        applied: impl Fn(&Subscription) -> bool,
    ) -> Result<Subscription, VendorError> {
        let token = self.token().await?;
        let request_id = uuid::Uuid::new_v4().to_string();
        let options = SendOptions { mode: RetryMode::Unrepeatable, is_final: None };
        let res = http::send_with(VENDOR, &self.policy, options, || {
            let req = self.request(reqwest::Method::PATCH, url, &token, &request_id).json(&body);
            async move { Ok(req) }
        })
        .await?;
        if res.status() != reqwest::StatusCode::ACCEPTED {
            return http::json(VENDOR, "updated subscription", res).await;
        }
        for attempt in 1..=10u32 {
            tokio::time::sleep(self.policy.backoff(attempt).min(std::time::Duration::from_secs(5))).await;
            let current: Subscription = serde_json::from_value(self.raw_subscription(url).await?).map_err(|e| {
                VendorError::Malformed { vendor: VENDOR, what: "subscription".into(), detail: e.to_string() }
            })?;
            if applied(&current) {
                return Ok(current);
            }
        }
        Err(VendorError::Uncertain {
            vendor: VENDOR,
            detail: "the change was accepted (202) but had not shown on the subscription when SeatSync stopped waiting"
                .into(),
        })
    }
}

/// The next-term product of an NCE subscription, from its `offerId` (`product:sku:availability`)
/// and its current cycle and term, which a quantity-only schedule keeps.
fn next_term_product(resource: &serde_json::Value) -> Option<serde_json::Value> {
    let offer = resource.get("offerId")?.as_str()?;
    let mut parts = offer.split(':');
    let (product, sku, availability) = (parts.next()?, parts.next()?, parts.next()?);
    Some(serde_json::json!({
        "productId": product,
        "skuId": sku,
        "availabilityId": availability,
        "billingCycle": resource.get("billingCycle").cloned().unwrap_or_default(),
        "termDuration": resource.get("termDuration").cloned().unwrap_or_default(),
    }))
}

impl PartnerCenter for HttpPartnerCenter {
    fn subscription<'a>(
        &'a self,
        tenant_id: &'a TenantId,
        id: &'a SubscriptionId,
    ) -> BoxFuture<'a, Result<Subscription, VendorError>> {
        Box::pin(async move {
            let raw = self.raw_subscription(&self.subscription_url(tenant_id, id)).await?;
            serde_json::from_value(raw).map_err(|e| VendorError::Malformed {
                vendor: VENDOR,
                what: "subscription".into(),
                detail: e.to_string(),
            })
        })
    }

    fn set_quantity<'a>(
        &'a self,
        tenant_id: &'a TenantId,
        id: &'a SubscriptionId,
        quantity: i64,
    ) -> BoxFuture<'a, Result<Subscription, VendorError>> {
        Box::pin(async move {
            let url = self.subscription_url(tenant_id, id);
            let mut resource = self.raw_subscription(&url).await?;
            resource["quantity"] = serde_json::json!(quantity);
            self.patch(&url, resource, |s| s.quantity == quantity).await
        })
    }

    fn schedule_next_term_quantity<'a>(
        &'a self,
        tenant_id: &'a TenantId,
        id: &'a SubscriptionId,
        quantity: i64,
    ) -> BoxFuture<'a, Result<Subscription, VendorError>> {
        Box::pin(async move {
            let url = self.subscription_url(tenant_id, id);
            let mut resource = self.raw_subscription(&url).await?;
            let Some(product) = next_term_product(&resource) else {
                return Err(VendorError::Malformed {
                    vendor: VENDOR,
                    what: "subscription".into(),
                    detail: "its offerId is not a new-commerce product:sku:availability, so nothing can be scheduled for its renewal".into(),
                });
            };
            resource["scheduledNextTermInstructions"] = serde_json::json!({ "product": product, "quantity": quantity });
            let scheduled = |s: &Subscription| {
                s.scheduled_next_term_instructions.as_ref().and_then(|i| i.quantity) == Some(quantity)
            };
            self.patch(&url, resource, scheduled).await
        })
    }

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
