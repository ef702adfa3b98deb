//! The retry policy every client shares: 429 with `Retry-After` (whole or fractional seconds),
//! 5xx, timeouts and dropped connections are retried with exponential backoff and jitter, up to
//! a bound; anything else is answered at once.

use std::{future::Future, time::Duration};

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
pub async fn send(
    vendor: &'static str,
    policy: &RetryPolicy,
    build: impl Fn() -> RequestBuilder,
) -> Result<Response, VendorError> {
    send_with(vendor, policy, SendOptions::default(), || {
        let req = build();
        async move { Ok(req) }
    })
    .await
}

/// Whether a request may be sent again once it may have reached the vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    /// Reads, and writes the vendor de-duplicates: 429, 5xx, timeouts and connection errors are
    /// retried.
    Repeatable,
    /// Writes the vendor cannot de-duplicate (no idempotency key): retried only when refused
    /// before processing (429, no connection). A timeout, a 5xx without a definite error or a
    /// connection lost after sending gives [`VendorError::Uncertain`].
    Unrepeatable,
}

/// How [`send_with`] treats failures.
#[derive(Clone, Copy)]
pub struct SendOptions {
    pub mode: RetryMode,
    /// Reads the body of a 429 or 5xx and says whether it is final, i.e. retrying cannot help
    /// (Autotask's validation errors come as 500 with an `errors` body). A final answer is
    /// returned at once as [`VendorError::Status`]. `None`: no body is read to decide.
    pub is_final: Option<fn(StatusCode, &str) -> bool>,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self { mode: RetryMode::Repeatable, is_final: None }
    }
}

/// An error status whose body has already been read.
pub fn status_from_text(vendor: &'static str, status: StatusCode, text: &str) -> VendorError {
    VendorError::Status { vendor, status: status.as_u16(), message: error_message(text) }
}

/// The retry loop every client shares. `attempt` makes the request of one attempt; it may wait
/// first (for a request budget) and may fail, which ends the loop with its error.
pub async fn send_with<F, Fut>(
    vendor: &'static str,
    policy: &RetryPolicy,
    options: SendOptions,
    mut attempt_request: F,
) -> Result<Response, VendorError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<RequestBuilder, VendorError>>,
{
    let repeatable = options.mode == RetryMode::Repeatable;
    let uncertain = |detail: String| VendorError::Uncertain { vendor, detail };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt >= policy.max_attempts;
        let req = attempt_request().await?;
        match req.timeout(policy.request_timeout).send().await {
            Ok(res) if res.status() == StatusCode::TOO_MANY_REQUESTS || res.status().is_server_error() => {
                let status = res.status();
                let wait = retry_after(&res);
                // The body is read only when it decides something, or for the final error.
                let (text, unread) = match options.is_final {
                    Some(_) => (Some(res.text().await.unwrap_or_default()), None),
                    None => (None, Some(res)),
                };
                if let (Some(is_final), Some(text)) = (options.is_final, &text) {
                    if is_final(status, text) {
                        return Err(status_from_text(vendor, status, text));
                    }
                }
                if status == StatusCode::TOO_MANY_REQUESTS {
                    // Refused before processing: safe to send again, write or not.
                    if last {
                        return Err(VendorError::Throttled { vendor, attempts: attempt });
                    }
                    let wait = wait.unwrap_or_else(|| policy.backoff(attempt));
                    if wait > policy.max_retry_after {
                        return Err(VendorError::Throttled { vendor, attempts: attempt });
                    }
                    tracing::debug!(vendor, attempt, wait_ms = wait.as_millis() as u64, "throttled; waiting");
                    drop(unread);
                    tokio::time::sleep(wait).await;
                } else if last || !repeatable {
                    let message = match (text, unread) {
                        (Some(text), _) => error_message(&text),
                        (None, Some(res)) => error_message(&res.text().await.unwrap_or_default()),
                        (None, None) => String::new(),
                    };
                    return Err(match repeatable {
                        true => VendorError::Status { vendor, status: status.as_u16(), message },
                        false => uncertain(format!("the write was answered with HTTP {} ({message})", status.as_u16())),
                    });
                } else {
                    tracing::debug!(vendor, attempt, status = status.as_u16(), "server error; retrying");
                    drop(unread);
                    tokio::time::sleep(policy.backoff(attempt)).await;
                }
            }
            Ok(res) if !res.status().is_success() => return Err(status_error(vendor, res).await),
            Ok(res) => return Ok(res),
            Err(e) if e.is_builder() => return Err(VendorError::Transport { vendor, detail: e.to_string() }),
            // A write that may have been sent. One that never connected was not, and may go again.
            Err(e) if !repeatable && !e.is_connect() => {
                let what = if e.is_timeout() {
                    "no answer came in time".to_string()
                } else {
                    format!("the connection failed after sending ({e})")
                };
                return Err(uncertain(what));
            }
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
    let bytes = res.bytes().await.map_err(|e| VendorError::Malformed {
        vendor,
        what: what.into(),
        detail: format!("the body could not be read ({e})"),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| VendorError::Malformed {
        vendor,
        what: what.into(),
        detail: e.to_string(),
    })
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
        if t.is_empty() {
            "no details given".to_string()
        } else {
            t.chars().take(300).collect()
        }
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else { return fallback() };
    let pick = |v: &serde_json::Value| v.as_str().map(str::to_string).filter(|s| !s.is_empty());
    if let Some(s) = pick(&v["description"])
        .or_else(|| pick(&v["error"]["message"]))
        .or_else(|| pick(&v["error_description"]))
        .or_else(|| pick(&v["message"]))
    {
        return s;
    }
    if let Some(errors) = v["errors"].as_array() {
        let texts: Vec<String> = errors.iter().filter_map(|e| pick(e).or_else(|| pick(&e["message"]))).collect();
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
        assert_eq!(
            error_message(r#"{"code":600008,"description":"Customer not found","data":[],"source":"PartnerFD"}"#),
            "Customer not found"
        );
        assert_eq!(
            error_message(r#"{"error":{"code":"TooManyRequests","message":"Please retry again later."}}"#),
            "Please retry again later."
        );
        assert_eq!(
            error_message(
                r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#
            ),
            "AADSTS7000215: Invalid client secret provided."
        );
        assert_eq!(
            error_message(r#"{"errors":["Value does not exist for the required field title.","Other"]}"#),
            "Value does not exist for the required field title.; Other"
        );
        assert_eq!(error_message(r#"{"errors":[{"message":"bad field"}]}"#), "bad field");
        assert_eq!(error_message("Unauthorized"), "Unauthorized");
        assert_eq!(error_message(""), "no details given");
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for attempt in 1..20 {
            let d = p.backoff(attempt);
            assert!(d <= Duration::from_secs(1), "{d:?}");
        }
        assert!(p.backoff(1) >= Duration::from_millis(50) && p.backoff(1) <= Duration::from_millis(100));
        assert!(p.backoff(4) >= Duration::from_millis(400));
    }
}
