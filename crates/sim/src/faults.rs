//! Per-route fault injection: added latency, throttling, server errors, timeouts, malformed
//! bodies and lost responses (the write happens, the answer never comes), switched by
//! command-line flags or at run time through `/_sim/faults`.

use std::{str::FromStr, sync::Arc, sync::Mutex, time::Duration};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};

use crate::{
    state::{lock, Held},
    Sim,
};

/// What a matching request suffers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answers normally, `ms` milliseconds later.
    Latency { ms: u64 },
    /// 429 with `Retry-After` (seconds, possibly fractional, as Graph sometimes sends).
    Throttle { retry_after: f64 },
    /// A 5xx (or any) status with the vendor-neutral body `{"error":"injected"}`.
    Status { status: u16 },
    /// Never answers in a useful time: the client's timeout must fire.
    Timeout,
    /// 200 with a truncated JSON body.
    Malformed,
    /// Runs the real handler (so a write happens), then never answers in a useful time: the
    /// client cannot know whether its request was applied.
    LostResponse,
}

/// A fault and the requests it applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// HTTP method to match; any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Path to match; a trailing `*` matches any suffix. Case-insensitive, as vendors are.
    pub path: String,
    /// Only requests whose path or query contains this text (e.g. one customer's tenant id).
    #[serde(default)]
    pub contains: Option<String>,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many matching requests suffer; unlimited when absent.
    #[serde(default)]
    pub times: Option<u32>,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str, path_and_query: &str) -> bool {
        if let Some(m) = &self.method {
            if !m.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        if let Some(needle) = &self.contains {
            if !path_and_query.to_ascii_lowercase().contains(&needle.to_ascii_lowercase()) {
                return false;
            }
        }
        let pattern = self.path.to_ascii_lowercase();
        let path = path.to_ascii_lowercase();
        match pattern.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == pattern,
        }
    }
}

/// Parses the command-line form `path=/v1/customers*,kind=throttle,retry_after=2,times=3`.
impl FromStr for FaultRule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut map = serde_json::Map::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| format!("'{part}' is not key=value"))?;
            let value = match v.parse::<f64>() {
                Ok(n) if k != "path" && k != "contains" && k != "method" => serde_json::json!(n),
                _ => serde_json::json!(v),
            };
            map.insert(k.trim().to_string(), value);
        }
        // Integers arrive as floats from the loop above; serde wants them whole.
        for key in ["ms", "status", "times"] {
            if let Some(n) = map.get(key).and_then(|v| v.as_f64()) {
                map.insert(key.into(), serde_json::json!(n as u64));
            }
        }
        serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| format!("fault '{s}': {e}"))
    }
}

/// The active rules and how often each has fired.
pub struct FaultBook {
    rules: Mutex<Vec<(FaultRule, u32)>>,
}

impl FaultBook {
    pub fn new(rules: Vec<FaultRule>) -> Self {
        Self { rules: Mutex::new(rules.into_iter().map(|r| (r, 0)).collect()) }
    }

    /// The fault for this request, if any rule still applies; counts it.
    pub(crate) fn take(&self, method: &str, path: &str, path_and_query: &str) -> Option<FaultKind> {
        let mut rules = lock(&self.rules);
        for (rule, fired) in rules.iter_mut() {
            if rule.matches(method, path, path_and_query) && rule.times.is_none_or(|t| *fired < t) {
                *fired += 1;
                return Some(rule.kind.clone());
            }
        }
        None
    }

    pub fn replace(&self, rules: Vec<FaultRule>) {
        *lock(&self.rules) = rules.into_iter().map(|r| (r, 0)).collect();
    }

    pub fn snapshot(&self) -> Vec<serde_json::Value> {
        lock(&self.rules).iter().map(|(r, fired)| serde_json::json!({"rule": r, "fired": fired})).collect()
    }
}

/// Middleware over the vendor routes, outermost: counts every call, refused or not.
pub async fn count_calls(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    sim.count_call(&format!("{} {}", req.method().as_str(), route_label(req.uri().path())));
    next.run(req).await
}

/// Middleware over the vendor routes: adds the configured latency, then applies the first
/// matching fault rule.
pub async fn inject(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let pq = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    if !sim.latency.is_zero() {
        tokio::time::sleep(sim.latency).await;
    }
    match sim.faults.take(&method, &path, &pq) {
        None => next.run(req).await,
        Some(FaultKind::Latency { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        Some(FaultKind::Throttle { retry_after }) => {
            let mut res = (
                StatusCode::TOO_MANY_REQUESTS,
                Json(serde_json::json!({
                    "statusCode": 429,
                    "message": format!("Rate limit is exceeded. Try again in {retry_after} seconds."),
                })),
            )
                .into_response();
            let value =
                if retry_after.fract() == 0.0 { format!("{}", retry_after as u64) } else { format!("{retry_after}") };
            if let Ok(v) = HeaderValue::from_str(&value) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Some(FaultKind::Status { status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Json(serde_json::json!({"error": "injected", "status": status.as_u16()}))).into_response()
        }
        Some(FaultKind::Timeout) => {
            // The request never reached the vendor: it holds none of its threads.
            if let Some(held) = req.extensions().get::<Held>() {
                held.release();
            }
            tokio::time::sleep(Duration::from_secs(300)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(FaultKind::LostResponse) => {
            let held = req.extensions().get::<Held>().cloned();
            let res = next.run(req).await;
            // The vendor has finished; only its answer is lost on the way.
            if let Some(held) = held {
                held.release();
            }
            tokio::time::sleep(Duration::from_secs(300)).await;
            res
        }
        Some(FaultKind::Malformed) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"items\": [{\"id\": \"trunc"))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

/// Collapses ids out of a path so call counts group by route.
fn route_label(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            let looks_like_id = seg.len() >= 8 && seg.chars().filter(|c| c.is_ascii_digit()).count() >= 4;
            if looks_like_id {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[derive(Deserialize)]
pub struct RulesBody {
    pub rules: Vec<FaultRule>,
}

pub async fn list(State(sim): State<Arc<Sim>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({"rules": sim.faults.snapshot()}))
}

pub async fn replace(State(sim): State<Arc<Sim>>, Json(body): Json<RulesBody>) -> StatusCode {
    sim.faults.replace(body.rules);
    StatusCode::NO_CONTENT
}

pub async fn clear(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.faults.replace(Vec::new());
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_flag_form() {
        let r: FaultRule = "path=/v1/customers*,kind=throttle,retry_after=2.5,times=3,method=GET".parse().unwrap();
        assert_eq!(r.kind, FaultKind::Throttle { retry_after: 2.5 });
        assert_eq!(r.times, Some(3));
        assert!(r.matches("get", "/V1/Customers/abc/subscriptions", "/V1/Customers/abc/subscriptions"));
        assert!(!r.matches("POST", "/v1/customers", "/v1/customers"));
        let s: FaultRule = "path=/v1.0/subscribedSkus,kind=status,status=503".parse().unwrap();
        assert_eq!(s.kind, FaultKind::Status { status: 503 });
        assert!("kind=nonsense,path=/".parse::<FaultRule>().is_err());
        let l: FaultRule =
            "path=/ATServicesRest/V1.0/Contracts,method=POST,kind=lost_response,times=1".parse().unwrap();
        assert_eq!(l.kind, FaultKind::LostResponse);
        assert!(l.matches("POST", "/atservicesrest/v1.0/contracts", "/atservicesrest/v1.0/contracts"));
        assert!("path".parse::<FaultRule>().is_err());
    }

    #[test]
    fn times_limits_how_often_a_rule_fires() {
        let book = FaultBook::new(vec!["path=/a,kind=timeout,times=2".parse().unwrap()]);
        assert!(book.take("GET", "/a", "/a").is_some());
        assert!(book.take("GET", "/a", "/a").is_some());
        assert!(book.take("GET", "/a", "/a").is_none());
    }
}
