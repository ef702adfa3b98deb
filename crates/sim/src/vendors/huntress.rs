//! Huntress's REST API under `/huntress/v1`: HTTP Basic with the API key and secret, the
//! organizations in `limit`/`page_token` pages (10 by default, 500 at most; the token opaque,
//! `next_page_url` only when another page exists), sorted as asked (by id, newest first, by
//! default), one organization with its `actual_usages`, and the account's limit of 60 requests in
//! a sliding minute (429 above it, with no `Retry-After`).

use std::sync::Arc;

use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine,
};
use serde::Deserialize;
use serde_json::json;

use crate::{state::lock, tools_seed::HuntressOrganization, Sim};

pub const HUNTRESS_API_KEY: &str = "sim-huntress-key";
pub const HUNTRESS_API_SECRET: &str = "sim-huntress-secret";
pub const ACCOUNT_RATE_LIMIT: usize = 60;
const ACCOUNT_ID: i64 = 5;

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/huntress/v1/organizations", get(organizations))
        .route("/huntress/v1/organizations/{id}", get(organization))
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"message": message, "status": status.as_u16()}))).into_response()
}

/// The answer to send instead, for bad credentials or a request over the account's minute.
fn refusal(sim: &Sim, headers: &HeaderMap) -> Option<Response> {
    let expected = format!("Basic {}", STANDARD.encode(format!("{HUNTRESS_API_KEY}:{HUNTRESS_API_SECRET}")));
    if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return Some(error(StatusCode::UNAUTHORIZED, "Invalid API credentials"));
    }
    if !lock(&sim.huntress_window).admit() {
        return Some(error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded: 60 requests per minute"));
    }
    None
}

fn organization_json(o: &HuntressOrganization) -> serde_json::Value {
    json!({
        "id": o.id, "account_id": ACCOUNT_ID, "name": o.name, "key": o.key,
        "agents_count": o.agents_count, "billable_identity_count": o.billable_identity_count,
        "sat_learner_count": o.sat_learner_count, "logs_sources_count": o.logs_sources_count,
        "incident_reports_count": 0, "microsoft_365_tenant_id": null,
        "identity_provider_tenant_id": o.identity_provider_tenant_id,
        "report_recipients": o.report_recipients,
        "created_at": "2024-03-01T18:54:02Z", "updated_at": "2026-11-01T08:00:00Z",
    })
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<String>,
    page_token: Option<String>,
    sort_field: Option<String>,
    sort_direction: Option<String>,
    name: Option<String>,
    key: Option<String>,
}

async fn organizations(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Response {
    if let Some(refused) = refusal(&sim, &headers) {
        return refused;
    }
    let limit = match q.limit.as_deref().map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (1..=500).contains(&n) => n,
        _ => return error(StatusCode::BAD_REQUEST, "limit must be between 1 and 500"),
    };
    let start = match q.page_token.as_deref() {
        None => 0,
        Some(token) => match URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| t.strip_prefix("after:").and_then(|n| n.parse::<usize>().ok()))
        {
            Some(n) => n,
            None => return error(StatusCode::BAD_REQUEST, "page_token is invalid"),
        },
    };
    let mut orgs: Vec<HuntressOrganization> = sim
        .msp()
        .billing_tools
        .huntress
        .iter()
        .filter(|o| q.name.as_ref().is_none_or(|n| o.name == *n))
        .filter(|o| q.key.as_ref().is_none_or(|k| o.key == *k))
        .cloned()
        .collect();
    match q.sort_field.as_deref().unwrap_or("id") {
        "id" | "created_at" | "updated_at" => orgs.sort_by_key(|o| o.id),
        "name" => orgs.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id))),
        "key" => orgs.sort_by(|a, b| a.key.cmp(&b.key).then(a.id.cmp(&b.id))),
        _ => return error(StatusCode::BAD_REQUEST, "sort_field must be one of id, created_at, updated_at, name, key"),
    }
    match q.sort_direction.as_deref().unwrap_or("desc") {
        "desc" => orgs.reverse(),
        "asc" => {}
        _ => return error(StatusCode::BAD_REQUEST, "sort_direction must be asc or desc"),
    }
    let total = orgs.len();
    let page: Vec<serde_json::Value> = orgs.iter().skip(start).take(limit).map(organization_json).collect();
    let mut pagination = json!({});
    if start + limit < total {
        let token = URL_SAFE_NO_PAD.encode(format!("after:{}", start + limit));
        pagination = json!({
            "next_page_token": token,
            "next_page_url": format!("{}/huntress/v1/organizations?page_token={token}&limit={limit}", sim.base_url),
        });
    }
    Json(json!({"organizations": page, "pagination": pagination})).into_response()
}

async fn organization(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(refused) = refusal(&sim, &headers) {
        return refused;
    }
    let msp = sim.msp();
    let Some(o) = id.parse::<i64>().ok().and_then(|id| msp.billing_tools.huntress.iter().find(|o| o.id == id)) else {
        return error(StatusCode::NOT_FOUND, "Organization not found");
    };
    let mut body = organization_json(o);
    body["actual_usages"] = json!({
        "edr": {"billable_agents_count": o.billable_agents(), "unresponsive_agents_count": 0, "outdated_agents_count": 0, "isolated_agents_count": 0},
        "sat": {"learners_count": o.sat_learner_count},
        "siem": {"billable_log_sources_count": o.logs_sources_count, "retention": "90/7"},
        "itdr": o.identity_provider_tenant_id.as_ref().map(|t| vec![json!({"type": "microsoft", "identity_provider_tenant_id": t, "billable_identities_count": o.billable_identity_count, "total_identities_count": o.billable_identity_count})]).unwrap_or_default(),
    });
    Json(json!({"organization": body})).into_response()
}

#[derive(Deserialize)]
pub struct OrganizationChange {
    agents_count: Option<i64>,
}

/// `POST /_sim/huntress/organizations/{id}`: changes an organization's counts (tests, demo); the
/// agents Huntress does not bill stay as many.
pub async fn change_organization(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<i64>,
    Json(change): Json<OrganizationChange>,
) -> StatusCode {
    let mut msp = sim.msp();
    let Some(o) = msp.billing_tools.huntress.iter_mut().find(|o| o.id == id) else { return StatusCode::NOT_FOUND };
    if let Some(n) = change.agents_count {
        o.agents_count = n;
    }
    StatusCode::NO_CONTENT
}
