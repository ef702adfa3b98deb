//! Partner Center: customers (continuation paging), their subscriptions, and a subscription's
//! quantity changed with `PATCH` (the whole resource sent back), now or for the next term.

use std::sync::Arc;

use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Deserialize;
use serde_json::json;

use super::{bearer, ms_time};
use crate::{seed::Subscription, tokens::PARTNER_CENTER_RESOURCE, Sim};

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v1/customers", get(customers))
        .route("/v1/customers/{tenant}/subscriptions", get(subscriptions))
        .route("/v1/customers/{tenant}/subscriptions/{id}", get(subscription).patch(patch_subscription))
}

/// Steering: `POST /_sim/partner-center/subscriptions/{subscriptionId}` changes a seeded
/// subscription, as if the customer bought or cancelled seats or the subscription was suspended;
/// `GET` shows it (quantity, and the quantity scheduled for the next term), for tests.
pub fn control_router() -> Router<Arc<Sim>> {
    Router::new().route(
        "/_sim/partner-center/subscriptions/{id}",
        axum::routing::post(change_subscription).get(seeded_subscription),
    )
}

async fn seeded_subscription(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let msp = sim.msp();
    match msp.subscription(&id) {
        Some(s) => Json(json!({"id": s.id, "quantity": s.quantity, "status": s.status,
                               "nextTermQuantity": s.next_term_quantity}))
        .into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": format!("no seeded subscription {id}")}))).into_response(),
    }
}

#[derive(Deserialize)]
struct SubscriptionChange {
    quantity: Option<i64>,
    status: Option<String>,
}

/// Graph's `prepaidUnits` follow, since they are computed from the subscriptions; the seats
/// assigned to users (`consumedUnits`) stay.
async fn change_subscription(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(change): Json<SubscriptionChange>,
) -> Response {
    const STATUSES: [&str; 4] = ["active", "suspended", "expired", "deleted"];
    if change.quantity.is_none() && change.status.is_none() {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "send quantity and/or status"}))).into_response();
    }
    if change.quantity.is_some_and(|q| q < 0) {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "quantity cannot be negative"}))).into_response();
    }
    if let Some(status) = &change.status {
        if !STATUSES.contains(&status.to_ascii_lowercase().as_str()) {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!("status must be one of {}", STATUSES.join(", "))})),
            )
                .into_response();
        }
    }
    let mut msp = sim.msp();
    if let Some((tenant, s)) = msp.subscription_mut(&id) {
        if let Some(q) = change.quantity {
            s.quantity = q;
        }
        if let Some(status) = &change.status {
            s.status = status.to_ascii_lowercase();
        }
        return Json(subscription_json(tenant, s)).into_response();
    }
    (StatusCode::NOT_FOUND, Json(json!({"error": format!("no seeded subscription {id}")}))).into_response()
}

/// Partner Center's error body.
fn pc_error(status: StatusCode, code: i64, description: &str) -> Response {
    (status, Json(json!({"code": code, "description": description, "data": [], "source": "PartnerFD"}))).into_response()
}

fn unauthorized() -> Response {
    let mut res = pc_error(
        StatusCode::UNAUTHORIZED,
        401,
        "Unauthorized: the access token is missing, expired or not for Partner Center.",
    );
    res.headers_mut()
        .insert("WWW-Authenticate", HeaderValue::from_static("OAuth realm=\"api.partnercenter.microsoft.com\""));
    res
}

/// Echoes the request and correlation ids, as Partner Center does.
fn with_ids(mut res: Response, headers: &HeaderMap) -> Response {
    for name in ["MS-RequestId", "MS-CorrelationId"] {
        if let Some(v) = headers.get(name) {
            res.headers_mut().insert(name, v.clone());
        }
    }
    res
}

#[derive(Deserialize)]
struct CustomersQuery {
    size: Option<usize>,
    #[serde(rename = "seekOperation")]
    seek_operation: Option<String>,
}

const MAX_PAGE: usize = 500;

async fn customers(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<CustomersQuery>) -> Response {
    if bearer(&sim, &headers, PARTNER_CENTER_RESOURCE).is_none() {
        return unauthorized();
    }
    let Some(size) = q.size.filter(|s| *s > 0) else {
        return pc_error(StatusCode::BAD_REQUEST, 3000, "The 'size' query parameter is required and must be positive.");
    };
    let size = size.min(MAX_PAGE);
    let offset = if q.seek_operation.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("next")) {
        let token = headers.get("MS-ContinuationToken").and_then(|v| v.to_str().ok());
        match token.and_then(decode_token) {
            Some(o) => o,
            None => {
                return pc_error(
                    StatusCode::BAD_REQUEST,
                    3000,
                    "A continuation request needs a valid MS-ContinuationToken header.",
                )
            }
        }
    } else {
        0
    };
    let msp = sim.msp();
    let total = msp.customers.len();
    let items: Vec<_> = msp
        .customers
        .iter()
        .skip(offset)
        .take(size)
        .map(|c| {
            json!({
                "id": c.tenant_id,
                "commerceId": c.commerce_id,
                "companyProfile": {"tenantId": c.tenant_id, "domain": c.domain, "companyName": c.company_name,
                                   "attributes": {"objectType": "CustomerCompanyProfile"}},
                "relationshipToPartner": "reseller",
                "allowDelegatedAccess": true,
                "links": {"self": {"uri": format!("/customers/{}", c.tenant_id), "method": "GET", "headers": []}},
                "attributes": {"objectType": "Customer"},
            })
        })
        .collect();
    let mut links = json!({"self": {"uri": format!("/v1/customers?size={size}"), "method": "GET", "headers": []}});
    if offset + size < total {
        links["next"] = json!({
            "uri": format!("/v1/customers?size={size}&seekOperation=Next"),
            "method": "GET",
            "headers": [{"key": "MS-ContinuationToken", "value": encode_token(offset + size)}],
        });
    }
    let body =
        json!({"totalCount": items.len(), "items": items, "links": links, "attributes": {"objectType": "Collection"}});
    with_ids(Json(body).into_response(), &headers)
}

fn encode_token(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("customers:{offset}"))
}

fn decode_token(token: &str) -> Option<usize> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    raw.strip_prefix("customers:")?.parse().ok()
}

async fn subscriptions(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(tenant): Path<String>) -> Response {
    if bearer(&sim, &headers, PARTNER_CENTER_RESOURCE).is_none() {
        return unauthorized();
    }
    let msp = sim.msp();
    let Some(customer) = msp.customer(&tenant) else {
        return pc_error(StatusCode::NOT_FOUND, 600008, &format!("Customer {tenant} was not found."));
    };
    let items: Vec<_> = customer.subscriptions.iter().map(|s| subscription_json(&customer.tenant_id, s)).collect();
    let body =
        json!({"totalCount": items.len(), "items": items, "links": {}, "attributes": {"objectType": "Collection"}});
    with_ids(Json(body).into_response(), &headers)
}

async fn subscription(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path((tenant, id)): Path<(String, String)>,
) -> Response {
    if bearer(&sim, &headers, PARTNER_CENTER_RESOURCE).is_none() {
        return unauthorized();
    }
    let msp = sim.msp();
    let Some(customer) = msp.customer(&tenant) else {
        return pc_error(StatusCode::NOT_FOUND, 600008, &format!("Customer {tenant} was not found."));
    };
    match customer.subscriptions.iter().find(|s| s.id.eq_ignore_ascii_case(&id)) {
        Some(s) => with_ids(Json(subscription_json(&customer.tenant_id, s)).into_response(), &headers),
        None => pc_error(StatusCode::NOT_FOUND, 20003, &format!("Subscription {id} was not found.")),
    }
}

/// A property of a body Partner Center reads without regard to case (old samples send
/// PascalCase).
fn property<'a>(body: &'a serde_json::Map<String, serde_json::Value>, name: &str) -> Option<&'a serde_json::Value> {
    body.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// `PATCH …/subscriptions/{id}`: the subscription as `GET` returned it with `quantity` changed
/// (now), or with `scheduledNextTermInstructions` carrying the next term's quantity. A
/// new-commerce quantity goes down now only inside the cancellation window.
async fn patch_subscription(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path((tenant, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    if bearer(&sim, &headers, PARTNER_CENTER_RESOURCE).is_none() {
        return unauthorized();
    }
    let Ok(serde_json::Value::Object(body)) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return pc_error(StatusCode::BAD_REQUEST, 3000, "The request body must be the subscription resource.");
    };
    let whole = |v: &serde_json::Value| v.as_f64().filter(|q| q.fract() == 0.0).map(|q| q as i64);
    let Some(quantity) = property(&body, "quantity").and_then(whole) else {
        return pc_error(StatusCode::BAD_REQUEST, 3000, "Invalid property: quantity must be a whole number.");
    };
    let next_term = match property(&body, "scheduledNextTermInstructions") {
        Some(serde_json::Value::Object(instructions)) => match property(instructions, "quantity").and_then(whole) {
            Some(q) => Some(Some(q)),
            None => {
                return pc_error(
                    StatusCode::BAD_REQUEST,
                    3000,
                    "Invalid property: scheduledNextTermInstructions.quantity.",
                )
            }
        },
        Some(serde_json::Value::Null) => Some(None),
        _ => None,
    };
    let mut msp = sim.msp();
    let Some(customer) = msp.customers.iter_mut().find(|c| c.tenant_id.eq_ignore_ascii_case(&tenant)) else {
        return pc_error(StatusCode::NOT_FOUND, 600008, &format!("Customer {tenant} was not found."));
    };
    let tenant = customer.tenant_id.as_str();
    let Some(s) = customer.subscriptions.iter_mut().find(|s| s.id.eq_ignore_ascii_case(&id)) else {
        return pc_error(StatusCode::NOT_FOUND, 20003, &format!("Subscription {id} was not found."));
    };
    if s.status != "active" {
        return pc_error(
            StatusCode::BAD_REQUEST,
            2001,
            "The quantity of a subscription that is not active cannot change.",
        );
    }
    if !(1..=10_000).contains(&quantity) || next_term.flatten().is_some_and(|q| !(1..=10_000).contains(&q)) {
        return pc_error(
            StatusCode::BAD_REQUEST,
            2002,
            "The quantity is outside the offer's minimum and maximum (1 to 10000).",
        );
    }
    let window_open = s.cancellation_allowed_until.is_some_and(|until| until > chrono::Utc::now());
    if quantity < s.quantity && s.nce && !window_open {
        return pc_error(
            StatusCode::BAD_REQUEST,
            900117,
            "The quantity of this subscription can only be reduced within the cancellation window after purchase or renewal.",
        );
    }
    if quantity != s.quantity {
        // An immediate change removes what was scheduled for the renewal, as Microsoft documents.
        s.next_term_quantity = None;
        s.quantity = quantity;
    }
    if let Some(next) = next_term {
        s.next_term_quantity = next;
    }
    let res = Json(subscription_json(tenant, s)).into_response();
    with_ids(res, &headers)
}

fn subscription_json(tenant: &str, s: &Subscription) -> serde_json::Value {
    let mut v = json!({
        "id": s.id,
        "offerId": s.offer_id,
        "entitlementId": s.id,
        "offerName": s.offer_name,
        "friendlyName": s.friendly_name,
        "quantity": s.quantity,
        "unitType": s.unit_type,
        "creationDate": ms_time(s.creation_date),
        "effectiveStartDate": ms_time(s.effective_start),
        "commitmentEndDate": s.commitment_end.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "status": s.status,
        "autoRenewEnabled": s.auto_renew,
        "isTrial": s.is_trial,
        "billingType": "license",
        "billingCycle": s.billing_cycle,
        "termDuration": s.term_duration,
        "renewalTermDuration": "",
        "hasPurchasableAddons": false,
        "isMicrosoftProduct": true,
        "publisherName": "Microsoft Corporation",
        "partnerId": "",
        "contractType": "subscription",
        "actions": [],
        "suspensionReasons": if s.status == "suspended" { json!(["CustomerCancellation"]) } else { json!([]) },
        "orderId": s.order_id,
        "links": {"self": {"uri": format!("/customers/{tenant}/subscriptions/{}", s.id), "method": "GET", "headers": []}},
        "attributes": {"etag": format!("\"{}\"", s.quantity), "objectType": "Subscription"},
    });
    if let Some(quantity) = s.next_term_quantity {
        let parts: Vec<&str> = s.offer_id.split(':').collect();
        v["scheduledNextTermInstructions"] = json!({
            "product": {"productId": parts.first(), "skuId": parts.get(1), "availabilityId": parts.get(2),
                        "billingCycle": s.billing_cycle, "termDuration": s.term_duration},
            "quantity": quantity,
        });
    }
    if s.nce {
        v["productType"] = json!({"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"});
        if let Some(until) = s.cancellation_allowed_until {
            v["cancellationAllowedUntilDate"] = json!(until.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
        let parts: Vec<&str> = s.offer_id.split(':').collect();
        if parts.len() == 3 {
            v["links"]["product"] =
                json!({"uri": format!("/products/{}?country=US", parts[0]), "method": "GET", "headers": []});
            v["links"]["sku"] = json!({"uri": format!("/products/{}/skus/{}?country=US", parts[0], parts[1]), "method": "GET", "headers": []});
        }
    } else {
        v["productType"] = json!({"id": "OnlineServices", "displayName": "OnlineServices"});
        v["links"]["offer"] = json!({"uri": format!("/offers/{}", s.offer_id), "method": "GET", "headers": []});
    }
    v
}
