//! Microsoft Graph in each customer tenant: licences bought and assigned (`subscribedSkus`),
//! with a client-credentials token per tenant.

use seatsync_domain::{SkuId, SubscriptionId, TenantId};
use std::sync::Arc;

use serde::Deserialize;
use url::Url;

use crate::{
    http::{self, RetryPolicy},
    partner_center::BoxFuture,
    serde_lenient,
    token::{self, TokenCache},
    VendorError,
};

const VENDOR: &str = "Microsoft Graph";

pub trait Graph: Send + Sync {
    fn subscribed_skus<'a>(&'a self, tenant_id: &'a TenantId)
        -> BoxFuture<'a, Result<Vec<SubscribedSku>, VendorError>>;

    /// Gets ready to call Graph in `tenant_id`: for [`HttpGraph`], its access token in that
    /// tenant, unless one is cached. `subscribed_skus` does this itself when needed; calling it
    /// first lets a caller that limits the requests in flight count the token request on its
    /// own, and start it before the data it needs is asked for.
    fn prepare<'a>(&'a self, tenant_id: &'a TenantId) -> BoxFuture<'a, Result<(), VendorError>> {
        let _ = tenant_id;
        Box::pin(async { Ok(()) })
    }
}

/// One licence SKU in a tenant. `consumed_units` counts assigned users (Graph's `appliesTo`
/// tells users from companies); devices are not in it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    pub sku_id: SkuId,
    #[serde(default)]
    pub sku_part_number: String,
    pub applies_to: Option<String>,
    pub capability_status: Option<String>,
    #[serde(deserialize_with = "serde_lenient::int")]
    pub consumed_units: i64,
    #[serde(default)]
    pub prepaid_units: PrepaidUnits,
    /// The commerce subscriptions whose seats make up this SKU.
    #[serde(default)]
    pub subscription_ids: Vec<SubscriptionId>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepaidUnits {
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub enabled: Option<i64>,
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub suspended: Option<i64>,
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub warning: Option<i64>,
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub locked_out: Option<i64>,
}

#[derive(Deserialize)]
struct Page {
    value: Vec<SubscribedSku>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

#[derive(Clone)]
pub struct GraphSettings {
    pub base_url: Url,
    pub login_url: Url,
    pub client_id: String,
    pub client_secret: String,
}

pub struct HttpGraph {
    settings: GraphSettings,
    client: reqwest::Client,
    policy: RetryPolicy,
    tokens: TokenCache,
}

impl HttpGraph {
    pub fn new(settings: GraphSettings, client: reqwest::Client, policy: RetryPolicy) -> Arc<Self> {
        Arc::new(Self { settings, client, policy, tokens: TokenCache::default() })
    }

    async fn token(&self, tenant_id: &TenantId) -> Result<String, VendorError> {
        if let Some(t) = self.tokens.get(tenant_id.as_str()) {
            return Ok(t);
        }
        let s = &self.settings;
        let url = format!("{}/{tenant_id}/oauth2/v2.0/token", s.login_url.as_str().trim_end_matches('/'));
        let (token, lifetime) = token::request(
            VENDOR,
            &self.client,
            &self.policy,
            &url,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &s.client_id),
                ("client_secret", &s.client_secret),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await?;
        self.tokens.put(tenant_id.as_str(), token.clone(), lifetime);
        Ok(token)
    }
}

impl Graph for HttpGraph {
    fn prepare<'a>(&'a self, tenant_id: &'a TenantId) -> BoxFuture<'a, Result<(), VendorError>> {
        Box::pin(async move { self.token(tenant_id).await.map(|_| ()) })
    }

    fn subscribed_skus<'a>(
        &'a self,
        tenant_id: &'a TenantId,
    ) -> BoxFuture<'a, Result<Vec<SubscribedSku>, VendorError>> {
        Box::pin(async move {
            let token = self.token(tenant_id).await?;
            let mut url = format!("{}/v1.0/subscribedSkus", self.settings.base_url.as_str().trim_end_matches('/'));
            let mut skus = Vec::new();
            loop {
                let res = http::send(VENDOR, &self.policy, || {
                    self.client.get(&url).bearer_auth(&token).header("Accept", "application/json")
                })
                .await;
                let res = match res {
                    Err(VendorError::Status { status: 401, .. }) => {
                        // A revoked or rotated token: the next call fetches a fresh one.
                        self.tokens.forget(tenant_id.as_str());
                        return Err(VendorError::Auth {
                            vendor: VENDOR,
                            detail: format!("the token for tenant {tenant_id} was refused"),
                        });
                    }
                    other => other?,
                };
                let page: Page = http::json(VENDOR, "subscribedSkus page", res).await?;
                skus.extend(page.value);
                match page.next_link {
                    Some(next) => url = next,
                    None => break,
                }
            }
            Ok(skus)
        })
    }
}
