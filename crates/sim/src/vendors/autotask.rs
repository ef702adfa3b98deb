//! Autotask PSA REST: zone discovery, the three auth headers, and threshold information. The
//! entity endpoints (Companies, Services, Contracts, ...) join as the mapping and contract
//! features arrive.

use std::sync::Arc;

use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::json;

use crate::Sim;

pub const AUTOTASK_USERNAME: &str = "seatsync-api@northwind-msp.example";
pub const AUTOTASK_SECRET: &str = "sim-autotask-secret";
pub const AUTOTASK_INTEGRATION_CODE: &str = "SEATSYNCSIMTRACKING";

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/ATServicesRest/V1.0/zoneInformation", get(zone_information))
        .route("/atservicesrest/v1.0/zoneInformation", get(zone_information))
        .route("/ATServicesRest/V1.0/ThresholdInformation", get(threshold_information))
}

async fn zone_information(State(sim): State<Arc<Sim>>, Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    match q.get("user") {
        Some(user) if user.eq_ignore_ascii_case(AUTOTASK_USERNAME) => Json(json!({
            "zoneName": "America West (simulated)",
            "url": format!("{}/ATServicesRest/", sim.base_url),
            "webUrl": format!("{}/autotask/", sim.base_url),
            "ci": 1234567,
        }))
        .into_response(),
        _ => (StatusCode::NOT_FOUND, Json(json!({"errors": ["Zone information could not be determined for this user."]}))).into_response(),
    }
}

/// Checks `ApiIntegrationCode`, `UserName` and `Secret`; Autotask answers 401 with a text body.
pub fn authenticate(headers: &HeaderMap) -> Result<(), Response> {
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if get("ApiIntegrationCode") == AUTOTASK_INTEGRATION_CODE
        && get("UserName").eq_ignore_ascii_case(AUTOTASK_USERNAME)
        && get("Secret") == AUTOTASK_SECRET
    {
        Ok(())
    } else {
        Err((StatusCode::UNAUTHORIZED, "Unauthorized").into_response())
    }
}

async fn threshold_information(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    if let Err(res) = authenticate(&headers) {
        return res;
    }
    let used = sim.vendor_calls.load(std::sync::atomic::Ordering::Relaxed);
    Json(json!({"externalRequestThreshold": 10000, "requestThresholdTimeframe": 60, "currentTimeframeRequestCount": used})).into_response()
}
