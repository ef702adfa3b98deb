//! Datto RMM's API v2 under `/datto` (its "API URL"): the password-grant token with the
//! `public-client:public` client, the account's sites and devices in `page`/`max` pages whose
//! `pageDetails.nextPageUrl` is an absolute address on this host (dropping any filter, as Datto's
//! does), the pagination and request-rate endpoints, and the account's limit of 600 requests in
//! a sliding minute: above 90% each answer is held a second, above it 429.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Deserialize;
use serde_json::json;

use super::bearer;
use crate::{
    state::lock,
    tools_seed::{DattoDevice, DattoSite},
    Sim,
};

pub const DATTO_API_KEY: &str = "sim-datto-key";
pub const DATTO_API_SECRET: &str = "sim-datto-secret";
const AUDIENCE: &str = "datto-rmm";
/// The largest page, as `/system/pagination` says.
const MAX_PAGE: usize = 250;
pub const ACCOUNT_RATE_LIMIT: usize = 600;
const ACCOUNT_UID: &str = "NWMSP01";

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/datto/auth/oauth/token", post(token))
        .route("/datto/api/v2/system/pagination", get(pagination))
        .route("/datto/api/v2/system/request_rate", get(request_rate))
        .route("/datto/api/v2/account/sites", get(sites))
        .route("/datto/api/v2/account/devices", get(devices))
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    username: String,
    password: String,
}

async fn token(State(sim): State<Arc<Sim>>, headers: HeaderMap, Form(form): Form<TokenForm>) -> Response {
    let client = format!("Basic {}", STANDARD.encode("public-client:public"));
    let client_ok = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(client.as_str());
    if !client_ok
        || form.grant_type != "password"
        || form.username != DATTO_API_KEY
        || form.password != DATTO_API_SECRET
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unauthorized", "error_description": "Bad credentials"})),
        )
            .into_response();
    }
    // Datto's tokens last 100 hours.
    let lifetime = 100 * 3600;
    let token = sim.issue_access_token(AUDIENCE, ACCOUNT_UID, Duration::from_secs(lifetime));
    Json(json!({"access_token": token, "token_type": "bearer", "expires_in": lifetime - 1, "scope": "default"}))
        .into_response()
}

/// Counts the request in the account's sliding minute: the answer to send instead when it is
/// over the limit (or not signed in); held a second above 90% of it.
async fn refusal(sim: &Sim, headers: &HeaderMap) -> Option<Response> {
    if bearer(sim, headers, AUDIENCE).is_none() {
        return Some(
            (StatusCode::UNAUTHORIZED, "Full authentication is required to access this resource").into_response(),
        );
    }
    let used = {
        let mut window = lock(&sim.datto_window);
        if !window.admit() {
            return Some((StatusCode::TOO_MANY_REQUESTS, "Request rate limit exceeded").into_response());
        }
        window.used()
    };
    if used * 10 > ACCOUNT_RATE_LIMIT * 9 {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    None
}

async fn pagination(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    if let Some(refused) = refusal(&sim, &headers).await {
        return refused;
    }
    Json(json!({"max": MAX_PAGE})).into_response()
}

async fn request_rate(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    if let Some(refused) = refusal(&sim, &headers).await {
        return refused;
    }
    let used = lock(&sim.datto_window).used();
    Json(json!({"slidingTimeWindowSizeSeconds": 60, "accountUid": ACCOUNT_UID, "accountCount": used,
                "accountRateLimit": ACCOUNT_RATE_LIMIT, "accountCutOffRatio": 0.9, "accountWriteRateLimit": 100,
                "accountWriteCount": 0, "operationWriteStatus": {}}))
    .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    page: Option<usize>,
    max: Option<usize>,
    site_name: Option<String>,
    hostname: Option<String>,
}

/// One page of `items` under `key` (only the page's items made into JSON), or 400 for a page
/// size Datto refuses.
fn page_of<T>(
    sim: &Sim,
    path: &str,
    key: &str,
    items: &[T],
    q: &PageQuery,
    to_json: impl Fn(&T) -> serde_json::Value,
) -> Response {
    let max = q.max.unwrap_or(MAX_PAGE);
    if max == 0 || max > MAX_PAGE {
        return (StatusCode::BAD_REQUEST, format!("max must be between 1 and {MAX_PAGE}")).into_response();
    }
    // Datto does not say whether pages count from 0 or 1; this one counts from 0 and its own
    // next pages say which comes next.
    let page = q.page.unwrap_or(0);
    let total = items.len();
    let content: Vec<_> = items.iter().skip(page * max).take(max).map(to_json).collect();
    let next =
        ((page + 1) * max < total).then(|| format!("{}/datto/api/v2/{path}?page={}&max={max}", sim.base_url, page + 1));
    let prev = (page > 0).then(|| format!("{}/datto/api/v2/{path}?page={}&max={max}", sim.base_url, page - 1));
    Json(json!({
        "pageDetails": {"count": content.len(), "totalCount": total, "prevPageUrl": prev, "nextPageUrl": next},
        key: content,
    }))
    .into_response()
}

fn like(value: &str, filter: &Option<String>) -> bool {
    filter.as_ref().is_none_or(|f| value.to_lowercase().contains(&f.to_lowercase()))
}

fn site_json(site: &DattoSite, devices: usize, online: usize) -> serde_json::Value {
    json!({
        "id": site.id, "uid": site.uid, "accountUid": ACCOUNT_UID, "name": site.name,
        "description": "", "notes": "", "onDemand": site.on_demand, "splashtopAutoInstall": false,
        "proxySettings": null,
        "devicesStatus": {"numberOfDevices": devices, "numberOfOnlineDevices": online, "numberOfOfflineDevices": devices - online},
        "autotaskCompanyName": site.autotask_company.as_ref().map(|(_, n)| n.clone()),
        "autotaskCompanyId": site.autotask_company.as_ref().map(|(id, _)| id.to_string()),
        "portalUrl": format!("https://concord.centrastage.net/csm/profile/site/{}", site.id),
    })
}

async fn sites(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if let Some(refused) = refusal(&sim, &headers).await {
        return refused;
    }
    let msp = sim.msp();
    let tools = &msp.billing_tools;
    let mut per_site: std::collections::HashMap<&str, (usize, usize)> = std::collections::HashMap::new();
    for d in tools.datto_devices.iter().filter(|d| !d.deleted) {
        let entry = per_site.entry(d.site_uid.as_str()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(d.id % 5 != 0);
    }
    let sites: Vec<&DattoSite> = tools.datto_sites.iter().filter(|s| like(&s.name, &q.site_name)).collect();
    page_of(&sim, "account/sites", "sites", &sites, &q, |s| {
        let (devices, online) = per_site.get(s.uid.as_str()).copied().unwrap_or_default();
        site_json(s, devices, online)
    })
}

fn device_json(d: &DattoDevice, site: Option<&DattoSite>) -> serde_json::Value {
    json!({
        "id": d.id, "uid": d.uid, "siteId": site.map(|s| s.id), "siteUid": d.site_uid,
        "siteName": site.map(|s| s.name.clone()),
        "deviceType": {"category": d.category, "type": if d.category == "Server" { "Server" } else { "Workstation" }},
        "hostname": d.hostname, "intIpAddress": "10.0.0.10",
        "operatingSystem": if d.category == "Server" { "Microsoft Windows Server 2022 Standard" } else { "Microsoft Windows 11 Pro 23H2" },
        "online": d.id % 5 != 0, "suspended": d.suspended, "deleted": d.deleted,
        "deviceClass": d.class, "snmpEnabled": d.class == "rmmnetworkdevice",
        "lastSeen": 1_780_000_000_000i64 + d.id, "creationDate": 1_690_000_000_000i64 + d.id,
        "a64Bit": true, "rebootRequired": false,
    })
}

async fn devices(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if let Some(refused) = refusal(&sim, &headers).await {
        return refused;
    }
    let msp = sim.msp();
    let tools = &msp.billing_tools;
    let sites: std::collections::HashMap<&str, &DattoSite> =
        tools.datto_sites.iter().map(|s| (s.uid.as_str(), s)).collect();
    let devices: Vec<&DattoDevice> = tools
        .datto_devices
        .iter()
        .filter(|d| like(&d.hostname, &q.hostname))
        .filter(|d| {
            q.site_name.is_none() || sites.get(d.site_uid.as_str()).is_some_and(|s| like(&s.name, &q.site_name))
        })
        .collect();
    page_of(&sim, "account/devices", "devices", &devices, &q, |d| {
        device_json(d, sites.get(d.site_uid.as_str()).copied())
    })
}
