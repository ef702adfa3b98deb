//! HaloPSA's API (shared/docs/vendor-apis.md, section 5): a client-credentials token from
//! `{instance}/auth/token` (form-encoded, `?tenant=` for hosted instances, scope `all`), then
//! `{instance}/api/…` with a bearer token. This module holds what SeatSync uses so far: the
//! connection check, which reads the ticket types (the list the PSA defaults are chosen from);
//! tickets join with the delivery service.

use std::{sync::Arc, time::Duration};

use serde::Deserialize;
use url::Url;

use crate::{http, partner_center::BoxFuture, token::TokenCache, VendorError};

const VENDOR: &str = "HaloPSA";

#[derive(Debug, Clone)]
pub struct HaloSettings {
    /// The instance, `https://yourcompany.halopsa.com`.
    pub base_url: Url,
    /// Hosted instances only.
    pub tenant: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

/// A ticket type (`/api/TicketType`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TicketType {
    pub id: i64,
    pub name: String,
}

/// What SeatSync needs from HaloPSA.
pub trait Halo: Send + Sync {
    /// The ticket types: a token and one read, to check the connection.
    fn ticket_types(&self) -> BoxFuture<'_, Result<Vec<TicketType>, VendorError>>;
}

pub struct HttpHalo {
    settings: HaloSettings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    tokens: TokenCache,
}

impl HttpHalo {
    pub fn new(settings: HaloSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        Arc::new(Self { settings, client, policy, tokens: TokenCache::default() })
    }

    fn base(&self) -> &str {
        self.settings.base_url.as_str().trim_end_matches('/')
    }

    async fn token(&self) -> Result<String, VendorError> {
        if let Some(token) = self.tokens.get("halo") {
            return Ok(token);
        }
        let mut url = format!("{}/auth/token", self.base());
        if let Some(tenant) = self.settings.tenant.as_deref().filter(|t| !t.is_empty()) {
            url =
                format!("{url}?tenant={}", url::form_urlencoded::byte_serialize(tenant.as_bytes()).collect::<String>());
        }
        let (token, lifetime) = crate::token::request(
            VENDOR,
            &self.client,
            &self.policy,
            &url,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &self.settings.client_id),
                ("client_secret", &self.settings.client_secret),
                ("scope", "all"),
            ],
        )
        .await?;
        self.tokens.put("halo", token.clone(), lifetime.max(Duration::from_secs(60)));
        Ok(token)
    }
}

/// Halo answers a list either as an array or wrapped in an object (`{"tickettypes":[…]}`,
/// depending on version and parameters): both are read.
#[derive(Deserialize)]
#[serde(untagged)]
enum ListBody<T> {
    Bare(Vec<T>),
    Wrapped(std::collections::BTreeMap<String, serde_json::Value>),
}

impl<T: serde::de::DeserializeOwned> ListBody<T> {
    fn into_items(self) -> Result<Vec<T>, String> {
        match self {
            ListBody::Bare(items) => Ok(items),
            ListBody::Wrapped(fields) => {
                let list = fields.into_values().find(|v| v.is_array()).ok_or("no list in the answer")?;
                serde_json::from_value(list).map_err(|e| e.to_string())
            }
        }
    }
}

impl Halo for HttpHalo {
    fn ticket_types(&self) -> BoxFuture<'_, Result<Vec<TicketType>, VendorError>> {
        Box::pin(async move {
            let token = self.token().await?;
            let url = format!("{}/api/TicketType", self.base());
            let res = http::send(VENDOR, &self.policy, || self.client.get(&url).bearer_auth(&token)).await;
            if let Err(VendorError::Status { status: 401, .. }) = &res {
                self.tokens.forget("halo");
            }
            let body: ListBody<TicketType> = http::json(VENDOR, "ticket type list", res?).await?;
            body.into_items().map_err(|detail| VendorError::Malformed {
                vendor: VENDOR,
                what: "ticket type list".into(),
                detail,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_bare_or_wrapped() {
        let bare: ListBody<TicketType> = serde_json::from_str(r#"[{"id":1,"name":"Incident"}]"#).unwrap();
        assert_eq!(bare.into_items().unwrap()[0].name, "Incident");
        let wrapped: ListBody<TicketType> =
            serde_json::from_str(r#"{"record_count":1,"tickettypes":[{"id":2,"name":"Request"}]}"#).unwrap();
        assert_eq!(wrapped.into_items().unwrap()[0].id, 2);
    }
}
