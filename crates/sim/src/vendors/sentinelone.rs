//! SentinelOne's Management API v2.1 under `/sentinelone` (standing for the console's address,
//! so `/web/api/v2.1/sites` is served at `/sentinelone/web/api/v2.1/sites`): the API token in
//! `Authorization: ApiToken {token}` (the prefix case-sensitive; Bearer refused), the sites with
//! `allSites` summed over the whole filtered set, the agents and their count, every list wrapped
//! as `{"data": …, "pagination": {"nextCursor", "totalItems"}}` with `limit` 1–1000 (10 by
//! default), an opaque `cursor` (null on the last page) or `skip` up to 1000 but never both, and
//! errors as `{"errors": [{"code", "title", "detail"}]}`.
//!
//! Each path has the token bucket of SentinelOne's rate-limit table (`/sites` 100 a second with a
//! burst of 10, `/agents` 25 a second with none); a request over it gets 429 with `Retry-After`
//! in whole seconds. The buckets belong to this router, so each simulator has its own.

// A request's checks refuse with the answer itself, ready to send; the simulator serves tests,
// where a larger `Err` costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Extension, Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::{json, Value};

use crate::{
    sentinelone_seed::{SentinelOneAgent, SentinelOneData, SentinelOneSite},
    state::lock,
    Sim,
};

pub const SENTINELONE_API_TOKEN: &str = "sim-sentinelone-api-token";
/// `/sites`' bucket: requests a second, and how many may come at once.
pub const SITES_PER_SECOND: f64 = 100.0;
pub const SITES_BURST: f64 = 10.0;
/// `/agents`' bucket (`/agents/count` included): no burst.
pub const AGENTS_PER_SECOND: f64 = 25.0;
pub const AGENTS_BURST: f64 = 1.0;
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 1000;
const MAX_SKIP: usize = 1000;
const MAX_SITE_IDS: usize = 500;

pub fn router() -> Router<Arc<Sim>> {
    let buckets = Buckets(Arc::new(Mutex::new(PathBuckets {
        sites: TokenBucket::new(SITES_PER_SECOND, SITES_BURST),
        agents: TokenBucket::new(AGENTS_PER_SECOND, AGENTS_BURST),
    })));
    Router::new()
        .route("/sentinelone/web/api/v2.1/sites", get(sites))
        .route("/sentinelone/web/api/v2.1/agents", get(agents))
        .route("/sentinelone/web/api/v2.1/agents/count", get(agents_count))
        .layer(Extension(buckets))
}

/// A token bucket: `per_second` tokens added a second, at most `burst` kept.
struct TokenBucket {
    per_second: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    fn new(per_second: f64, burst: f64) -> Self {
        Self { per_second, burst, tokens: burst, last: Instant::now() }
    }

    /// Takes a token if there is one; else how long until there is.
    fn take(&mut self) -> Result<(), Duration> {
        let now = Instant::now();
        let refilled = now.duration_since(self.last).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refilled).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.per_second))
        }
    }
}

struct PathBuckets {
    sites: TokenBucket,
    agents: TokenBucket,
}

#[derive(Clone)]
struct Buckets(Arc<Mutex<PathBuckets>>);

#[derive(Clone, Copy)]
enum Limited {
    Sites,
    Agents,
}

fn error(status: StatusCode, code: i64, title: &str, detail: &str) -> Response {
    (status, Json(json!({"errors": [{"code": code, "title": title, "detail": detail}]}))).into_response()
}

fn invalid(detail: &str) -> Response {
    error(StatusCode::BAD_REQUEST, 4000010, "Validation Error", detail)
}

/// The token, then the path's bucket: `Err` with the answer when the request is refused.
fn admit(buckets: &Buckets, headers: &HeaderMap, path: Limited) -> Result<(), Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("ApiToken "))
        .map(str::trim);
    if token != Some(SENTINELONE_API_TOKEN) {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            4010010,
            "Authentication Failed",
            "The API token is missing, invalid or expired",
        ));
    }
    let mut all = lock(&buckets.0);
    let bucket = match path {
        Limited::Sites => &mut all.sites,
        Limited::Agents => &mut all.agents,
    };
    if let Err(wait) = bucket.take() {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        let mut refused = error(
            StatusCode::TOO_MANY_REQUESTS,
            4290010,
            "Too Many Requests",
            "The rate limit of this path was exceeded",
        );
        refused.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return Err(refused);
    }
    Ok(())
}

/// The query string, read as SentinelOne reads it: unknown parameters ignored, lists
/// comma-separated, booleans `true` or `false` only.
struct Params(HashMap<String, String>);

impl Params {
    fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    fn list(&self, key: &str) -> Option<Vec<String>> {
        self.text(key).map(|v| v.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect())
    }

    fn flag(&self, key: &str) -> Result<Option<bool>, Response> {
        match self.text(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(invalid(&format!("{key} must be true or false, not '{other}'"))),
        }
    }

    /// `sortOrder`: true for descending.
    fn descending(&self) -> Result<bool, Response> {
        match self.text("sortOrder") {
            None | Some("asc") => Ok(false),
            Some("desc") => Ok(true),
            Some(other) => Err(invalid(&format!("sortOrder must be asc or desc, not '{other}'"))),
        }
    }
}

/// Whether `value` is one of `wanted` (any casing), or nothing is wanted.
fn one_of(wanted: &Option<Vec<String>>, value: &str) -> bool {
    wanted.as_ref().is_none_or(|w| w.iter().any(|x| x.eq_ignore_ascii_case(value)))
}

/// Whether `value` is none of `unwanted` (any casing).
fn none_of(unwanted: &Option<Vec<String>>, value: &str) -> bool {
    unwanted.as_ref().is_none_or(|w| !w.iter().any(|x| x.eq_ignore_ascii_case(value)))
}

struct Paging {
    offset: usize,
    limit: usize,
    count_only: bool,
    skip_count: bool,
}

fn encode_cursor(kind: &str, offset: usize) -> String {
    STANDARD.encode(format!("{kind}_offset:{offset}"))
}

fn decode_cursor(text: &str, kind: &str) -> Option<usize> {
    let decoded = String::from_utf8(STANDARD.decode(text).ok()?).ok()?;
    decoded.strip_prefix(&format!("{kind}_offset:"))?.parse().ok()
}

/// `limit`, `cursor` or `skip`, `countOnly` and `skipCount`, checked as SentinelOne checks them.
fn paging(p: &Params, kind: &str) -> Result<Paging, Response> {
    let limit = match p.text("limit") {
        None => DEFAULT_LIMIT,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => return Err(invalid(&format!("limit must be between 1 and {MAX_LIMIT}"))),
        },
    };
    let skip = match p.text("skip") {
        None => None,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if n <= MAX_SKIP => Some(n),
            _ => {
                return Err(invalid(&format!("skip must be between 0 and {MAX_SKIP}; use the cursor for deeper pages")))
            }
        },
    };
    let offset = match (p.text("cursor"), skip) {
        (Some(_), Some(_)) => return Err(invalid("cursor and skip cannot be used together")),
        (Some(cursor), None) => decode_cursor(cursor, kind).ok_or_else(|| invalid("cursor is invalid"))?,
        (None, Some(n)) => n,
        (None, None) => 0,
    };
    Ok(Paging {
        offset,
        limit,
        count_only: p.flag("countOnly")?.unwrap_or(false),
        skip_count: p.flag("skipCount")?.unwrap_or(false),
    })
}

fn pagination(total: usize, paging: &Paging, kind: &str) -> Value {
    let end = paging.offset + paging.limit;
    let next = (!paging.count_only && end < total).then(|| encode_cursor(kind, end));
    json!({"nextCursor": next, "totalItems": if paging.skip_count { 0 } else { total }})
}

fn numeric(id: &str) -> u64 {
    id.parse().unwrap_or(0)
}

/// Two JSON objects as one (each `json!` kept small).
fn merged(mut first: Value, second: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (first.as_object_mut(), second) {
        a.extend(b);
    }
    first
}

fn site_json(data: &SentinelOneData, s: &SentinelOneSite, active: i64) -> Value {
    let expired = s.state != "active";
    // An expired site's term ended; the seed keeps no end date, so its creation stands in.
    let expiration = expired.then(|| s.created_at.clone());
    let modules = if s.star { json!([{"name": "star", "displayName": "STAR", "majorVersion": 1}]) } else { json!([]) };
    let bundle = json!({
        "name": s.sku.to_lowercase(), "displayName": s.sku, "majorVersion": 1, "minorVersion": 0,
        "surfaces": [{"name": "Total Agents", "count": s.total_licenses}], "totalSurfaces": s.total_licenses,
    });
    let identity = json!({
        "id": s.id, "name": s.name, "accountId": data.account_id, "accountName": data.account_name,
        "description": "", "isDefault": s.is_default, "healthStatus": true, "externalId": s.external_id,
        "siteType": s.site_type, "state": s.state, "usageType": "customer",
        "creator": "Nora Admin", "creatorId": data.account_id, "createdAt": s.created_at, "updatedAt": s.created_at,
    });
    let licensing = json!({
        "activeLicenses": active, "totalLicenses": s.total_licenses, "unlimitedLicenses": s.unlimited_licenses,
        "sku": s.sku, "suite": s.sku, "expiration": expiration, "unlimitedExpiration": !expired,
        "inheritAccountExpiration": false,
        "licenses": {
            "bundles": [bundle],
            "modules": modules,
            "settings": [],
        },
    });
    merged(identity, licensing)
}

fn agent_json(data: &SentinelOneData, a: &SentinelOneAgent, site: Option<&SentinelOneSite>) -> Value {
    let identity = json!({
        "id": a.id, "uuid": a.uuid, "computerName": a.computer_name,
        "accountId": data.account_id, "accountName": data.account_name,
        "siteId": a.site_id, "siteName": site.map(|s| s.name.as_str()),
        "groupId": site.map(|s| s.group_id.as_str()), "groupName": "Default Group",
        "machineType": a.machine_type, "osType": a.os_type, "osName": a.os_name, "osArch": "64 bit",
        "domain": "WORKGROUP", "externalId": "",
    });
    let status = json!({
        "isActive": a.is_active, "isDecommissioned": a.is_decommissioned, "isUninstalled": a.is_uninstalled,
        "isPendingUninstall": false, "isUpToDate": true, "infected": false, "activeThreats": 0,
        "networkStatus": if a.is_active { "connected" } else { "disconnected" },
        "agentVersion": "24.1.4.257", "lastActiveDate": a.registered_at, "registeredAt": a.registered_at,
        "createdAt": a.registered_at, "updatedAt": a.registered_at,
        "userActionsNeeded": [], "networkInterfaces": [],
    });
    merged(identity, status)
}

async fn sites(
    State(sim): State<Arc<Sim>>,
    Extension(buckets): Extension<Buckets>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = admit(&buckets, &headers, Limited::Sites) {
        return refused;
    }
    match list_sites(&sim, &Params(query)) {
        Ok(answer) | Err(answer) => answer,
    }
}

fn list_sites(sim: &Sim, p: &Params) -> Result<Response, Response> {
    let paging = paging(p, "site")?;
    let site_ids = p.list("siteIds");
    if site_ids.as_ref().is_some_and(|ids| ids.len() > MAX_SITE_IDS) {
        return Err(invalid(&format!("siteIds takes at most {MAX_SITE_IDS} ids")));
    }
    let account_ids = p.list("accountIds");
    let state = p.text("state").map(|s| vec![s.to_string()]);
    let states = p.list("states");
    let states_nin = p.list("statesNin");
    let site_type = p.text("siteType").map(|s| vec![s.to_string()]);
    let sku = p.text("sku").map(|s| vec![s.to_string()]);
    let name = p.text("name");
    let name_contains: Option<Vec<String>> =
        p.list("name__contains").map(|l| l.iter().map(|n| n.to_lowercase()).collect());
    let external_id = p.text("externalId");
    let text = p.text("query").map(str::to_lowercase);
    let is_default = p.flag("isDefault")?;
    let descending = p.descending()?;

    let msp = sim.msp();
    let data = &msp.billing_tools.sentinelone;
    let in_use = data.licences_in_use();
    let mut chosen: Vec<&SentinelOneSite> = data
        .sites
        .iter()
        .filter(|s| one_of(&site_ids, &s.id) && one_of(&account_ids, &data.account_id))
        .filter(|s| one_of(&state, s.state) && one_of(&states, s.state) && none_of(&states_nin, s.state))
        .filter(|s| one_of(&site_type, s.site_type) && one_of(&sku, s.sku))
        .filter(|s| name.is_none_or(|n| s.name == n) && external_id.is_none_or(|e| s.external_id.as_deref() == Some(e)))
        .filter(|s| {
            let lower = s.name.to_lowercase();
            name_contains.as_ref().is_none_or(|parts| parts.iter().any(|part| lower.contains(part.as_str())))
                && text
                    .as_ref()
                    .is_none_or(|t| lower.contains(t.as_str()) || data.account_name.to_lowercase().contains(t.as_str()))
        })
        .filter(|s| is_default.is_none_or(|d| s.is_default == d))
        .collect();
    match p.text("sortBy") {
        Some("name") => chosen.sort_by(|a, b| a.name.cmp(&b.name).then(numeric(&a.id).cmp(&numeric(&b.id)))),
        Some("createdAt") => {
            chosen.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(numeric(&a.id).cmp(&numeric(&b.id))))
        }
        _ => chosen.sort_by_key(|s| numeric(&s.id)),
    }
    if descending {
        chosen.reverse();
    }
    let active = |s: &SentinelOneSite| in_use.get(s.id.as_str()).copied().unwrap_or(0);
    let all_active: i64 = chosen.iter().copied().map(active).sum();
    let all_total: i64 = chosen.iter().filter(|s| !s.unlimited_licenses).map(|s| s.total_licenses).sum();
    let page: Vec<Value> = if paging.count_only {
        Vec::new()
    } else {
        chosen.iter().copied().skip(paging.offset).take(paging.limit).map(|s| site_json(data, s, active(s))).collect()
    };
    Ok(Json(json!({
        "data": {"allSites": {"activeLicenses": all_active, "totalLicenses": all_total}, "sites": page},
        "pagination": pagination(chosen.len(), &paging, "site"),
    }))
    .into_response())
}

/// The agent filters SentinelOne documents for `/agents` and `/agents/count`.
struct AgentFilter {
    site_ids: Option<Vec<String>>,
    account_ids: Option<Vec<String>>,
    group_ids: Option<Vec<String>>,
    machine_types: Option<Vec<String>>,
    machine_types_nin: Option<Vec<String>>,
    os_types: Option<Vec<String>>,
    os_types_nin: Option<Vec<String>>,
    is_active: Option<bool>,
    is_decommissioned: Option<bool>,
    is_uninstalled: Option<bool>,
}

impl AgentFilter {
    fn read(p: &Params) -> Result<Self, Response> {
        let site_ids = p.list("siteIds");
        if site_ids.as_ref().is_some_and(|ids| ids.len() > MAX_SITE_IDS) {
            return Err(invalid(&format!("siteIds takes at most {MAX_SITE_IDS} ids")));
        }
        Ok(Self {
            site_ids,
            account_ids: p.list("accountIds"),
            group_ids: p.list("groupIds"),
            machine_types: p.list("machineTypes"),
            machine_types_nin: p.list("machineTypesNin"),
            os_types: p.list("osTypes"),
            os_types_nin: p.list("osTypesNin"),
            is_active: p.flag("isActive")?,
            is_decommissioned: p.flag("isDecommissioned")?,
            is_uninstalled: p.flag("isUninstalled")?,
        })
    }

    fn keeps(&self, a: &SentinelOneAgent, site: Option<&SentinelOneSite>, account_id: &str) -> bool {
        one_of(&self.site_ids, &a.site_id)
            && one_of(&self.account_ids, account_id)
            && one_of(&self.group_ids, site.map(|s| s.group_id.as_str()).unwrap_or(""))
            && one_of(&self.machine_types, a.machine_type)
            && none_of(&self.machine_types_nin, a.machine_type)
            && one_of(&self.os_types, a.os_type)
            && none_of(&self.os_types_nin, a.os_type)
            && self.is_active.is_none_or(|v| a.is_active == v)
            && self.is_decommissioned.is_none_or(|v| a.is_decommissioned == v)
            && self.is_uninstalled.is_none_or(|v| a.is_uninstalled == v)
    }
}

async fn agents(
    State(sim): State<Arc<Sim>>,
    Extension(buckets): Extension<Buckets>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = admit(&buckets, &headers, Limited::Agents) {
        return refused;
    }
    match list_agents(&sim, &Params(query)) {
        Ok(answer) | Err(answer) => answer,
    }
}

fn list_agents(sim: &Sim, p: &Params) -> Result<Response, Response> {
    let paging = paging(p, "agent")?;
    let filter = AgentFilter::read(p)?;
    let descending = p.descending()?;
    let msp = sim.msp();
    let data = &msp.billing_tools.sentinelone;
    let sites: HashMap<&str, &SentinelOneSite> = data.sites.iter().map(|s| (s.id.as_str(), s)).collect();
    let site_of = |a: &SentinelOneAgent| sites.get(a.site_id.as_str()).copied();
    let mut chosen: Vec<&SentinelOneAgent> =
        data.agents.iter().filter(|&a| filter.keeps(a, site_of(a), &data.account_id)).collect();
    match p.text("sortBy") {
        Some("computerName") => {
            chosen.sort_by(|a, b| a.computer_name.cmp(&b.computer_name).then(numeric(&a.id).cmp(&numeric(&b.id))))
        }
        _ => chosen.sort_by_key(|a| numeric(&a.id)),
    }
    if descending {
        chosen.reverse();
    }
    let page: Vec<Value> = if paging.count_only {
        Vec::new()
    } else {
        chosen.iter().copied().skip(paging.offset).take(paging.limit).map(|a| agent_json(data, a, site_of(a))).collect()
    };
    Ok(Json(json!({"data": page, "pagination": pagination(chosen.len(), &paging, "agent")})).into_response())
}

async fn agents_count(
    State(sim): State<Arc<Sim>>,
    Extension(buckets): Extension<Buckets>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = admit(&buckets, &headers, Limited::Agents) {
        return refused;
    }
    let filter = match AgentFilter::read(&Params(query)) {
        Ok(filter) => filter,
        Err(refused) => return refused,
    };
    let msp = sim.msp();
    let data = &msp.billing_tools.sentinelone;
    let sites: HashMap<&str, &SentinelOneSite> = data.sites.iter().map(|s| (s.id.as_str(), s)).collect();
    let total = data
        .agents
        .iter()
        .filter(|a| filter.keeps(a, sites.get(a.site_id.as_str()).copied(), &data.account_id))
        .count();
    Json(json!({"data": {"total": total}})).into_response()
}

/// Each active site with the tenant it truly is and what the billing connector should count for
/// it: its licences in use under its tier, and its agents that are not decommissioned as
/// workstations (desktops and laptops), servers and other agents (only when there are some).
pub fn truth(data: &SentinelOneData) -> Value {
    let in_use = data.licences_in_use();
    let mut kinds: HashMap<&str, BTreeMap<&'static str, i64>> = HashMap::new();
    for a in data.agents.iter().filter(|a| !a.is_decommissioned) {
        let product = match a.machine_type {
            "desktop" | "laptop" => "Workstations",
            "server" => "Servers",
            _ => "Other agents",
        };
        *kinds.entry(a.site_id.as_str()).or_default().entry(product).or_default() += 1;
    }
    let customers: Vec<Value> = data
        .sites
        .iter()
        .filter(|s| s.state == "active")
        .map(|s| {
            let mut counts: BTreeMap<String, i64> = BTreeMap::new();
            counts.insert(format!("{} licences", s.sku), in_use.get(s.id.as_str()).copied().unwrap_or(0));
            counts.insert("Workstations".into(), 0);
            counts.insert("Servers".into(), 0);
            for (product, n) in kinds.get(s.id.as_str()).cloned().unwrap_or_default() {
                counts.insert(product.to_string(), n);
            }
            json!({"id": s.id, "name": s.name, "tenantId": s.tenant_id, "externalId": s.external_id,
                   "isDefault": s.is_default, "counts": counts})
        })
        .collect();
    Value::Array(customers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let mut bucket = TokenBucket::new(100.0, 10.0);
        for _ in 0..10 {
            assert!(bucket.take().is_ok());
        }
        let wait = bucket.take().unwrap_err();
        assert!(wait <= Duration::from_millis(10), "{wait:?}");
        let mut single = TokenBucket::new(25.0, 1.0);
        assert!(single.take().is_ok());
        assert!(single.take().is_err());
    }

    #[test]
    fn cursors_are_opaque_and_bound_to_their_list() {
        let cursor = encode_cursor("site", 1000);
        assert_eq!(decode_cursor(&cursor, "site"), Some(1000));
        assert_eq!(decode_cursor(&cursor, "agent"), None);
        assert_eq!(decode_cursor("not a cursor", "site"), None);
    }
}
