//! Pax8's Partner API (shared/docs/vendor-apis.md, section 4): a client-credentials token (JSON
//! body, audience `https://api.pax8.com`) cached until shortly before it expires, and pages of
//! `{"content":[…],"page":{…}}`. This module holds what SeatSync uses so far: the connection
//! check; the subscriptions and quantity changes join with the unused-licence alerts.

use std::{sync::Arc, time::Duration};

use serde::Deserialize;
use url::Url;

use crate::{http, partner_center::BoxFuture, token::TokenCache, VendorError};

const VENDOR: &str = "Pax8";
/// The audience of the partner endpoints.
pub const AUDIENCE: &str = "https://api.pax8.com";

#[derive(Debug, Clone)]
pub struct Pax8Settings {
    /// `https://api.pax8.com/v1`.
    pub api_url: Url,
    /// `https://token-manager.pax8.com/oauth/token`.
    pub token_url: Url,
    pub client_id: String,
    pub client_secret: String,
}

/// A company of the partner, as Pax8 lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub status: Option<String>,
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
}

/// What SeatSync needs from Pax8.
pub trait Pax8: Send + Sync {
    /// The first `size` companies and how many there are: one request, to check the connection.
    fn first_companies(&self, size: u32) -> BoxFuture<'_, Result<Page<Company>, VendorError>>;
}

pub struct HttpPax8 {
    settings: Pax8Settings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    tokens: TokenCache,
}

impl HttpPax8 {
    pub fn new(settings: Pax8Settings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        Arc::new(Self { settings, client, policy, tokens: TokenCache::default() })
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
}

impl Pax8 for HttpPax8 {
    fn first_companies(&self, size: u32) -> BoxFuture<'_, Result<Page<Company>, VendorError>> {
        Box::pin(async move {
            let token = self.token().await?;
            let url = self.url("companies");
            let size = size.clamp(1, 200).to_string();
            let res = http::send(VENDOR, &self.policy, || {
                self.client.get(&url).bearer_auth(&token).query(&[("page", "0"), ("size", size.as_str())])
            })
            .await;
            if let Err(VendorError::Status { status: 401, .. }) = &res {
                self.tokens.forget("partner");
            }
            let body: PageBody<Company> = http::json(VENDOR, "company list", res?).await?;
            let total = body.page.and_then(|p| p.total_elements).unwrap_or(body.content.len() as u64);
            Ok(Page { items: body.content, total })
        })
    }
}
