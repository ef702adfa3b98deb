//! ConnectWise Manage's REST API (shared/docs/vendor-apis.md, section 5): Basic authentication
//! with `{companyId}+{publicKey}:{privateKey}` and the `clientId` header on every call. This
//! module holds what SeatSync uses so far: the connection check (`/system/info`); tickets join
//! with the delivery service.

use std::sync::Arc;

use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Deserialize;
use url::Url;

use crate::{http, partner_center::BoxFuture, VendorError};

const VENDOR: &str = "ConnectWise Manage";

#[derive(Debug, Clone)]
pub struct ConnectWiseSettings {
    /// `https://api-na.myconnectwise.net/v4_6_release/apis/3.0`.
    pub base_url: Url,
    pub company_id: String,
    pub public_key: String,
    pub private_key: String,
    pub client_id: String,
}

/// What `/system/info` says of the server.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemInfo {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub is_cloud: Option<bool>,
    #[serde(default)]
    pub cloud_region: Option<String>,
}

/// What SeatSync needs from ConnectWise Manage.
pub trait ConnectWise: Send + Sync {
    /// The server's version: one harmless authenticated call, to check the connection.
    fn system_info(&self) -> BoxFuture<'_, Result<SystemInfo, VendorError>>;
}

pub struct HttpConnectWise {
    settings: ConnectWiseSettings,
    authorization: String,
    client: reqwest::Client,
    policy: http::RetryPolicy,
}

impl HttpConnectWise {
    pub fn new(settings: ConnectWiseSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        let credentials = format!("{}+{}:{}", settings.company_id, settings.public_key, settings.private_key);
        let authorization = format!("Basic {}", STANDARD.encode(credentials));
        Arc::new(Self { settings, authorization, client, policy })
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        let url = format!("{}/{path}", self.settings.base_url.as_str().trim_end_matches('/'));
        self.client
            .get(url)
            .header("Authorization", &self.authorization)
            .header("clientId", &self.settings.client_id)
            .header("Accept", "application/json")
    }
}

impl ConnectWise for HttpConnectWise {
    fn system_info(&self) -> BoxFuture<'_, Result<SystemInfo, VendorError>> {
        Box::pin(async move {
            let res = http::send(VENDOR, &self.policy, || self.get("system/info")).await?;
            http::json(VENDOR, "system information", res).await
        })
    }
}
