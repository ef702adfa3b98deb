//! The retry policy every client shares: 429 with `Retry-After` (whole or fractional seconds),
//! 5xx, timeouts and dropped connections are retried with exponential backoff and jitter, up to
//! a bound; anything else is answered at once.

use std::time::Duration;

use rand::Rng;
use reqwest::{header::RETRY_AFTER, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::VendorError;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First backoff; doubles each retry.
    pub base_delay: Duration,
    /// Longest backoff between two attempts.
    pub max_delay: Duration,
    /// How long one attempt may take.
    pub request_timeout: Duration,
    /// Longest `Retry-After` honoured; a vendor asking for more fails the call instead of
    /// stalling a sync for minutes.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            request_timeout: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with jitter: between half and all of `base * 2^(attempt-1)`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        half + Duration::from_secs_f64(rand::thread_rng().gen_range(0.0..=half.as_secs_f64().max(0.0)))
    }
}

/// `Retry-After` as seconds (Graph sometimes sends fractions such as `2.128`).
pub fn retry_after(res: &Response) -> Option<Duration> {
    let text = res.headers().get(RETRY_AFTER)?.to_str().ok()?.trim();
    let secs: f64 = text.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// Sends the request `build` makes, retrying as the policy says. `build` is called once per
/// attempt, so it must produce the same request each time (for Partner Center, with the same
/// `MS-RequestId`, which the vendor treats as an idempotency key).
pub async fn send(vendor: &'static str, policy: &RetryPolicy, build: impl Fn() -> RequestBuilder) -> Result<Response, VendorError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt >= policy.max_attempts;
        match build().timeout(policy.request_timeout).send().await {
            Ok(res) if res.status() == StatusCode::TOO_MANY_REQUESTS => {
                if last {
                    return Err(VendorError::Throttled { vendor, attempts: attempt });
                }
                let wait = retry_after(&res).unwrap_or_else(|| policy.backoff(attempt));
                if wait > policy.max_retry_after {
                    return Err(VendorError::Throttled { vendor, attempts: attempt });
                }
                tracing::debug!(vendor, attempt, wait_ms = wait.as_millis() as u64, "throttled; waiting");
                tokio::time::sleep(wait).await;
            }
            Ok(res) if res.status().is_server_error() => {
                if last {
                    return Err(status_error(vendor, res).await);
                }
                tracing::debug!(vendor, attempt, status = res.status().as_u16(), "server error; retrying");
                tokio::time::sleep(policy.backoff(attempt)).await;
            }
            Ok(res) if !res.status().is_success() => return Err(status_error(vendor, res).await),
            Ok(res) => return Ok(res),
            Err(e) if e.is_timeout() => {
                if last {
                    return Err(VendorError::Timeout { vendor, attempts: attempt });
                }
                tokio::time::sleep(policy.backoff(attempt)).await;
            }
            Err(e) if e.is_connect() || e.is_request() => {
                if last {
                    return Err(VendorError::Transport { vendor, detail: e.to_string() });
                }
                tokio::time::sleep(policy.backoff(attempt)).await;
            }
            Err(e) => return Err(VendorError::Transport { vendor, detail: e.to_string() }),
        }
    }
}

/// Reads a JSON body, naming `what` was expected when it is not in shape.
pub async fn json<T: DeserializeOwned>(vendor: &'static str, what: &str, res: Response) -> Result<T, VendorError> {
    let bytes = res.bytes().await.map_err(|e| VendorError::Malformed { vendor, what: what.into(), detail: format!("the body could not be read ({e})") })?;
    serde_json::from_slice(&bytes).map_err(|e| VendorError::Malformed { vendor, what: what.into(), detail: e.to_string() })
}

/// An error status with the message of the vendor's error body, whichever vendor's shape it has.
pub async fn status_error(vendor: &'static str, res: Response) -> VendorError {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    VendorError::Status { vendor, status, message: error_message(&text) }
}

/// The human part of an error body: Partner Center `description`, Graph `error.message`, Entra
/// `error_description`, Autotask `errors[]`, Pax8 and others `message`; else the text itself.
pub fn error_message(body: &str) -> String {
    let fallback = || {
        let t = body.trim();
        if t.is_empty() { "no details given".to_string() } else { t.chars().take(300).collect() }
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else { return fallback() };
    let pick = |v: &serde_json::Value| v.as_str().map(str::to_string).filter(|s| !s.is_empty());
    if let Some(s) = pick(&v["description"]).or_else(|| pick(&v["error"]["message"])).or_else(|| pick(&v["error_description"])).or_else(|| pick(&v["message"])) {
        return s;
    }
    if let Some(errors) = v["errors"].as_array() {
        let texts: Vec<String> = errors
            .iter()
            .filter_map(|e| pick(e).or_else(|| pick(&e["message"])))
            .collect();
        if !texts.is_empty() {
            return texts.join("; ");
        }
    }
    pick(&v["error"]).unwrap_or_else(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_of_every_vendor_shape() {
        assert_eq!(error_message(r#"{"code":600008,"description":"Customer not found","data":[],"source":"PartnerFD"}"#), "Customer not found");
        assert_eq!(error_message(r#"{"error":{"code":"TooManyRequests","message":"Please retry again later."}}"#), "Please retry again later.");
        assert_eq!(error_message(r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#), "AADSTS7000215: Invalid client secret provided.");
        assert_eq!(error_message(r#"{"errors":["Value does not exist for the required field title.","Other"]}"#), "Value does not exist for the required field title.; Other");
        assert_eq!(error_message(r#"{"errors":[{"message":"bad field"}]}"#), "bad field");
        assert_eq!(error_message("Unauthorized"), "Unauthorized");
        assert_eq!(error_message(""), "no details given");
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let p = RetryPolicy { base_delay: Duration::from_millis(100), max_delay: Duration::from_secs(1), ..RetryPolicy::default() };
        for attempt in 1..20 {
            let d = p.backoff(attempt);
            assert!(d <= Duration::from_secs(1), "{d:?}");
        }
        assert!(p.backoff(1) >= Duration::from_millis(50) && p.backoff(1) <= Duration::from_millis(100));
        assert!(p.backoff(4) >= Duration::from_millis(400));
    }
}
