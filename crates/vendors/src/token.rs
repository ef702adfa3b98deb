//! Access tokens from Entra ID's token endpoint, cached until shortly before they expire.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use serde::Deserialize;

use crate::{http, VendorError};

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    expires_in: Option<i64>,
}

/// Tokens by key (e.g. the tenant they were issued in).
#[derive(Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl TokenCache {
    pub fn get(&self, key: &str) -> Option<String> {
        let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens.get(key).filter(|(_, until)| *until > Instant::now()).map(|(t, _)| t.clone())
    }

    pub fn put(&self, key: &str, token: String, expires_in: Duration) {
        // Renew a minute early so a token never expires mid-request.
        let until = Instant::now() + expires_in.saturating_sub(Duration::from_secs(60));
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_string(), (token, until));
    }

    pub fn forget(&self, key: &str) {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

/// Posts a token request (form-encoded) and reads the token; Entra's error body becomes an
/// [`VendorError::Auth`] with its description.
pub async fn request(
    vendor: &'static str,
    client: &reqwest::Client,
    policy: &http::RetryPolicy,
    url: &str,
    form: &[(&str, &str)],
) -> Result<(String, Duration), VendorError> {
    let res = http::send(vendor, policy, || client.post(url).form(form)).await.map_err(|e| match e {
        VendorError::Status { message, status, .. } => {
            VendorError::Auth { vendor, detail: format!("{message} (HTTP {status})") }
        }
        other => other,
    })?;
    let body: TokenResponse = http::json(vendor, "token response", res).await?;
    Ok((body.access_token, Duration::from_secs(body.expires_in.unwrap_or(3600).max(60) as u64)))
}
