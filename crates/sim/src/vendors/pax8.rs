//! Pax8 Partner API: the client-credentials token (JSON body), companies, products and
//! subscriptions (page/size paging), and quantity changes (`PUT`, with Pax8's 422 for a change
//! it refuses). A Microsoft subscription bought through Pax8 shares Partner Center's quantity.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::bearer;
use crate::{
    pax8_seed::Pax8Subscription,
    seed::{Msp, Pax8Company},
    Sim,
};

pub const PAX8_CLIENT_ID: &str = "sim-pax8-client";
pub const PAX8_CLIENT_SECRET: &str = "sim-pax8-secret";
const AUDIENCE: &str = "https://api.pax8.com";

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/v1/companies", get(companies))
        .route("/v1/companies/{id}", get(company))
        .route("/v1/products", get(products))
        .route("/v1/products/{id}", get(product))
        .route("/v1/subscriptions", get(subscriptions))
        .route("/v1/subscriptions/{id}", get(subscription).put(update_subscription))
}

#[derive(Deserialize)]
struct TokenRequest {
    client_id: String,
    client_secret: String,
    audience: String,
    grant_type: String,
}

async fn token(State(sim): State<Arc<Sim>>, Json(req): Json<TokenRequest>) -> Response {
    let audience_ok = req.audience == AUDIENCE || req.audience == "api://p8p.client";
    if req.client_id != PAX8_CLIENT_ID
        || req.client_secret != PAX8_CLIENT_SECRET
        || req.grant_type != "client_credentials"
        || !audience_ok
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "access_denied", "error_description": "Unauthorized"})),
        )
            .into_response();
    }
    let token = sim.issue_access_token(AUDIENCE, "pax8", Duration::from_secs(86_400));
    Json(json!({"access_token": token, "expires_in": 86400, "token_type": "Bearer"})).into_response()
}

pub fn pax8_error(status: StatusCode, kind: &str, message: &str, instance: &str) -> Response {
    (
        status,
        Json(json!({"type": kind, "message": message, "instance": instance, "status": status.as_u16(), "details": []})),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    page: Option<usize>,
    size: Option<usize>,
    company_id: Option<String>,
    product_id: Option<String>,
    status: Option<String>,
    billing_term: Option<String>,
    vendor_name: Option<String>,
}

fn unauthorized(instance: &str) -> Response {
    pax8_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Invalid or expired token", instance)
}

/// One page of `items` in Pax8's envelope, or 400 for a size Pax8 refuses.
fn page_of(items: Vec<serde_json::Value>, q: &PageQuery, instance: &str) -> Response {
    let size = q.size.unwrap_or(10);
    if size == 0 || size > 200 {
        return pax8_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "size must be between 1 and 200", instance);
    }
    let page = q.page.unwrap_or(0);
    let total = items.len();
    let content: Vec<_> = items.into_iter().skip(page * size).take(size).collect();
    Json(json!({"content": content, "page": {"size": size, "totalElements": total, "totalPages": total.div_ceil(size), "number": page}})).into_response()
}

fn company_json(c: &Pax8Company) -> serde_json::Value {
    json!({"id": c.id, "name": c.name, "address": {"city": c.city, "country": c.country},
           "website": c.website, "billOnBehalfOfEnabled": true, "selfServiceAllowed": false,
           "orderApprovalRequired": false, "status": c.status, "updatedDate": "2026-08-11T11:33:12.314-0600"})
}

async fn companies(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if bearer(&sim, &headers, AUDIENCE).is_none() {
        return unauthorized("/v1/companies");
    }
    let items = sim.msp().pax8_companies.iter().map(company_json).collect();
    page_of(items, &q, "/v1/companies")
}

async fn company(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let instance = format!("/v1/companies/{id}");
    if bearer(&sim, &headers, AUDIENCE).is_none() {
        return unauthorized(&instance);
    }
    match sim.msp().pax8_companies.iter().find(|c| c.id == id) {
        Some(c) => Json(company_json(c)).into_response(),
        None => pax8_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Company not found", &instance),
    }
}

fn product_json(msp: &Msp, id: &str) -> Option<serde_json::Value> {
    let p = msp.pax8_products.iter().find(|p| p.id == id)?;
    Some(json!({"id": p.id, "name": p.name, "vendorName": p.vendor_name, "shortDescription": p.name,
                "sku": p.sku, "requiresCommitment": p.requires_commitment}))
}

async fn products(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if bearer(&sim, &headers, AUDIENCE).is_none() {
        return unauthorized("/v1/products");
    }
    let msp = sim.msp();
    let items = msp
        .pax8_products
        .iter()
        .filter(|p| q.vendor_name.as_deref().is_none_or(|v| v.eq_ignore_ascii_case(&p.vendor_name)))
        .filter_map(|p| product_json(&msp, &p.id))
        .collect();
    page_of(items, &q, "/v1/products")
}

async fn product(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let instance = format!("/v1/products/{id}");
    if bearer(&sim, &headers, AUDIENCE).is_none() {
        return unauthorized(&instance);
    }
    match product_json(&sim.msp(), &id) {
        Some(p) => Json(p).into_response(),
        None => pax8_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Product not found", &instance),
    }
}

/// Pax8's timestamps come in several shapes within one payload: `Z`, an offset without a colon,
/// and plain dates.
fn pax8_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn quantity_and_status(msp: &Msp, s: &Pax8Subscription) -> (i64, &'static str) {
    match s.microsoft_subscription.as_deref().and_then(|id| msp.subscription(id)) {
        Some(ms) if ms.status == "active" => (ms.quantity, "Active"),
        Some(ms) => (ms.quantity, "Cancelled"),
        None => (s.own_quantity, if s.own_status == "Active" { "Active" } else { "Cancelled" }),
    }
}

fn subscription_json(msp: &Msp, s: &Pax8Subscription) -> serde_json::Value {
    let (quantity, status) = quantity_and_status(msp, s);
    let product = msp.pax8_products.iter().find(|p| p.id == s.product_id);
    let mut v = json!({
        "id": s.id,
        "companyId": s.company_id,
        "productId": s.product_id,
        "productName": product.map(|p| p.name.clone()),
        "quantity": quantity,
        "startDate": pax8_time(s.start_date),
        "createdDate": pax8_time(s.created_date),
        "updatedDate": s.created_date.format("%Y-%m-%dT%H:%M:%S%.3f-0600").to_string(),
        "billingStart": s.start_date.format("%Y-%m-%d").to_string(),
        "status": status,
        "price": s.price,
        "partnerCost": s.partner_cost,
        "currencyCode": "USD",
        "billingTerm": s.billing_term,
        "provisioningDetails": [],
    });
    if s.shows_vendor_id {
        if let Some(ms) = &s.microsoft_subscription {
            v["vendorSubscriptionId"] = json!(ms);
        }
    }
    if let Some((term, end)) = &s.commitment {
        v["commitmentTerm"] = json!({"id": format!("{}-{term}", &s.id[..8]), "term": term, "endDate": end.format("%Y-%m-%d").to_string()});
    }
    v
}

async fn subscriptions(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if bearer(&sim, &headers, AUDIENCE).is_none() {
        return unauthorized("/v1/subscriptions");
    }
    let msp = sim.msp();
    if let Some(company) = &q.company_id {
        if !msp.pax8_companies.iter().any(|c| &c.id == company) {
            return pax8_error(StatusCode::FORBIDDEN, "FORBIDDEN", "Invalid companyId", "/v1/subscriptions");
        }
    }
    let items = msp
        .pax8_subscriptions
        .iter()
        .filter(|s| q.company_id.as_ref().is_none_or(|c| *c == s.company_id))
        .filter(|s| q.product_id.as_ref().is_none_or(|p| *p == s.product_id))
        .filter(|s| q.billing_term.as_ref().is_none_or(|t| t.eq_ignore_ascii_case(&s.billing_term)))
        .filter(|s| q.status.as_ref().is_none_or(|st| st.eq_ignore_ascii_case(quantity_and_status(&msp, s).1)))
        .map(|s| subscription_json(&msp, s))
        .collect();
    page_of(items, &q, "/v1/subscriptions")
}

async fn subscription(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let instance = format!("/v1/subscriptions/{id}");
    if bearer(&sim, &headers, AUDIENCE).is_none() {
        return unauthorized(&instance);
    }
    let msp = sim.msp();
    match msp.pax8_subscriptions.iter().find(|s| s.id == id) {
        Some(s) => Json(subscription_json(&msp, s)).into_response(),
        None => pax8_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Subscription not found", &instance),
    }
}

/// `PUT /v1/subscriptions/{id}`: a partial body with at least one of `quantity`, `price`,
/// `billingTerm`, `startDate`. A Microsoft new-commerce subscription's quantity goes down only
/// inside its cancellation window, as Microsoft allows; Pax8 refuses otherwise with 422.
async fn update_subscription(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let instance = format!("/v1/subscriptions/{id}");
    if bearer(&sim, &headers, AUDIENCE).is_none() {
        return unauthorized(&instance);
    }
    let unprocessable =
        |message: &str| pax8_error(StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE_ENTITY", message, &instance);
    let Ok(serde_json::Value::Object(change)) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return pax8_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "The request body must be a JSON object", &instance);
    };
    if !["quantity", "price", "billingTerm", "startDate"].iter().any(|k| change.contains_key(*k)) {
        return unprocessable("At least one of quantity, price, billingTerm or startDate is required");
    }
    let quantity = match change.get("quantity") {
        None => None,
        Some(q) => match q.as_f64() {
            Some(q) if q.fract() == 0.0 && q >= 1.0 => Some(q as i64),
            _ => return unprocessable("quantity must be a whole number of at least 1"),
        },
    };
    let mut msp = sim.msp();
    let Some(index) = msp.pax8_subscriptions.iter().position(|s| s.id == id) else {
        return pax8_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Subscription not found", &instance);
    };
    let sub = msp.pax8_subscriptions[index].clone();
    if sub.start_date > Utc::now() {
        return unprocessable("Updating a future-dated subscription is not supported");
    }
    if let Some(term) = change.get("billingTerm").and_then(|t| t.as_str()) {
        if !term.eq_ignore_ascii_case(&sub.billing_term) {
            return unprocessable("The billing term can only change at renewal");
        }
    }
    if quantity_and_status(&msp, &sub).1 != "Active" {
        return unprocessable("Only an active subscription can be changed");
    }
    if let Some(quantity) = quantity {
        match sub.microsoft_subscription.as_deref() {
            Some(ms_id) => {
                let Some((_, ms)) = msp.subscription_mut(ms_id) else {
                    return unprocessable("The vendor subscription is unavailable");
                };
                let window_open = ms.cancellation_allowed_until.is_some_and(|until| until > Utc::now());
                if quantity < ms.quantity && ms.nce && !window_open {
                    return unprocessable(
                        "Microsoft only allows a quantity decrease within 7 days of purchase or renewal; schedule it for the renewal instead",
                    );
                }
                ms.quantity = quantity;
            }
            None => msp.pax8_subscriptions[index].own_quantity = quantity,
        }
    }
    if let Some(price) = change.get("price").and_then(|p| p.as_f64()) {
        msp.pax8_subscriptions[index].price = price;
    }
    let updated = msp.pax8_subscriptions[index].clone();
    Json(subscription_json(&msp, &updated)).into_response()
}
