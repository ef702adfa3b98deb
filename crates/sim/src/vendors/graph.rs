//! Microsoft Graph in a customer tenant: `subscribedSkus`.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::json;

use super::bearer;
use crate::{tokens::GRAPH_RESOURCE, Sim};

/// Days an expired subscription's units stay in warning before suspension.
const GRACE_DAYS: i64 = 30;

pub fn router() -> Router<Arc<Sim>> {
    Router::new().route("/v1.0/subscribedSkus", get(subscribed_skus))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    sku_id: String,
    consumed: i64,
}

/// Steering: `POST /_sim/graph/{tenant}/assigned` `{"skuId":…,"consumed":N}` sets how many users
/// hold a SKU in a tenant, as if an administrator assigned or removed licences.
pub async fn set_assigned(
    State(sim): State<Arc<Sim>>,
    axum::extract::Path(tenant): axum::extract::Path<String>,
    Json(change): Json<Assignment>,
) -> Response {
    if change.consumed < 0 {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "consumed cannot be negative"}))).into_response();
    }
    let mut msp = sim.msp();
    let Some(customer) = msp.customers.iter_mut().find(|c| c.tenant_id.eq_ignore_ascii_case(&tenant)) else {
        return (StatusCode::NOT_FOUND, Json(json!({"error": format!("no seeded tenant {tenant}")}))).into_response();
    };
    match customer.consumed.iter_mut().find(|(sku, _)| sku.eq_ignore_ascii_case(&change.sku_id)) {
        Some((_, n)) => *n = change.consumed,
        None => customer.consumed.push((change.sku_id.clone(), change.consumed)),
    }
    Json(json!({"skuId": change.sku_id, "consumed": change.consumed})).into_response()
}

pub fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message, "innerError": {
            "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": uuid::Uuid::new_v4(), "client-request-id": uuid::Uuid::new_v4()}}})),
    )
        .into_response()
}

async fn subscribed_skus(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    let Some(grant) = bearer(&sim, &headers, GRAPH_RESOURCE) else {
        return graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        );
    };
    let msp = sim.msp();
    let Some(customer) = msp.customer(&grant.tenant_id).filter(|c| !c.graph_access_denied) else {
        return graph_error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    };
    let today = chrono::Utc::now();
    let mut skus: Vec<serde_json::Value> = Vec::new();
    for s in &customer.subscriptions {
        let product = s.product;
        // Microsoft: an expired subscription's units stay in `warning` through its grace
        // period before suspension.
        let in_grace = s.status == "expired"
            && s.commitment_end <= today
            && today - s.commitment_end <= chrono::Duration::days(GRACE_DAYS);
        let (enabled, suspended, warning) = match s.status.as_str() {
            "active" => (s.quantity, 0, 0),
            "suspended" => (0, s.quantity, 0),
            _ if in_grace => (0, 0, s.quantity),
            _ => (0, 0, 0),
        };
        if let Some(existing) = skus.iter_mut().find(|v| v["skuId"] == product.sku_id) {
            let units = &mut existing["prepaidUnits"];
            units["enabled"] = json!(units["enabled"].as_i64().unwrap_or(0) + enabled);
            units["suspended"] = json!(units["suspended"].as_i64().unwrap_or(0) + suspended);
            units["warning"] = json!(units["warning"].as_i64().unwrap_or(0) + warning);
            if let Some(ids) = existing["subscriptionIds"].as_array_mut() {
                ids.push(json!(s.id));
            }
            continue;
        }
        let consumed = customer.consumed.iter().find(|(sku, _)| sku == product.sku_id).map(|(_, q)| *q).unwrap_or(0);
        skus.push(json!({
            "accountName": customer.company_name,
            "accountId": customer.tenant_id,
            "appliesTo": "User",
            "capabilityStatus": "Enabled",
            "consumedUnits": consumed,
            "id": format!("{}_{}", customer.tenant_id, product.sku_id),
            "prepaidUnits": {"enabled": enabled, "lockedOut": 0, "suspended": suspended, "warning": warning},
            "servicePlans": [],
            "skuId": product.sku_id,
            "skuPartNumber": product.sku_part_number,
            "subscriptionIds": [s.id],
        }));
    }
    for sku in skus.iter_mut() {
        let units = &sku["prepaidUnits"];
        if units["enabled"].as_i64() == Some(0) && units["warning"].as_i64().unwrap_or(0) > 0 {
            sku["capabilityStatus"] = json!("Warning");
        }
    }
    Json(json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus", "value": skus}))
        .into_response()
}
