//! Auvik's API v1 under `/auvik` (standing for `https://auvikapi.{region}.my.auvik.com`, so
//! `/v1/tenants` is served at `/auvik/v1/tenants`), in JSON:API envelopes:
//!
//! - HTTP Basic with the user's name and its API key on every request; anything else is 401;
//! - `/v1/tenants`: every tenant, with its parent, unpaged;
//! - `/v1/tenants/detail`: the tenants of the account whose domain prefix is given (the
//!   parameter is `tenantDomainPrefix` in Auvik's reference, `filter[tenantDomainPrefix]` in a
//!   community client; the document leaves it open, so both are taken), with their display
//!   names; `filter[availableTenants]`;
//! - `/v1/billing/usage/client`: `filter[fromDate]` and `filter[thruDate]` required as
//!   `YYYY-MM-DD`, at most 90 days apart (the document assumes the interface's limit holds for
//!   the API), `tenants` a comma-separated list (the account's own tenant when absent); a
//!   multi-client's usage includes its clients';
//! - `/v1/inventory/device/info`: the filters Auvik documents, `include=deviceDetail` with
//!   `fields[deviceDetail]`, and cursor pages: `page[first]` (100 by default) with `page[after]`,
//!   or `page[last]` with `page[before]`; `links` `first`, `prev`, `next` and `last` are absolute
//!   addresses on this host (null when there is no such page), `meta.totalPages` beside them;
//! - errors as `{"errors": [{"status", "title", "detail"}]}`;
//! - an account asked for in another region: every path under `/auvik/other-region/v1` answers
//!   308 Permanent Redirect to the same path and query under `/auvik/v1`.
//!
//! Unknown parameters are ignored. Auvik documents neither its largest page (larger requests
//! get [`MAX_PAGE_SIZE`] here) nor a rate limit, so none is enforced: throttling is injected as a
//! fault, with or without `Retry-After`.

// A request's checks refuse with the answer itself, ready to send; the simulator serves tests,
// where a larger `Err` costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
};

use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::{
    auvik_seed::{AuvikData, AuvikDevice, AuvikTenant},
    Sim,
};

pub const AUVIK_USERNAME: &str = "seatsync-api@northwind-msp.example";
pub const AUVIK_API_KEY: &str = "sim-auvik-api-key";
/// The API's root in the account's own region.
pub const API_ROOT: &str = "/auvik/v1";
/// The same API in a region the account is not in: every request is redirected (308).
pub const OTHER_REGION_ROOT: &str = "/auvik/other-region/v1";
/// Devices a page holds when `page[first]` (or `page[last]`) is not given, as Auvik documents.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// The largest page served; larger requests get this many (Auvik publishes no largest page).
pub const MAX_PAGE_SIZE: usize = 1000;
/// The longest usage period, in days.
pub const MAX_USAGE_DAYS: i64 = 90;

/// `deviceType`'s values, as Auvik's reference lists them.
const DEVICE_TYPES: &[&str] = &[
    "switch",
    "l3Switch",
    "router",
    "accessPoint",
    "thinAccessPoint",
    "firewall",
    "utm",
    "securityAppliance",
    "controller",
    "loadBalancer",
    "packetProcessor",
    "stack",
    "chassis",
    "module",
    "backhaul",
    "bridge",
    "hub",
    "modem",
    "voipSwitch",
    "telecommunications",
    "workstation",
    "server",
    "storage",
    "hypervisor",
    "virtualMachine",
    "virtualAppliance",
    "thinClient",
    "backupDevice",
    "printer",
    "copier",
    "phone",
    "ipPhone",
    "tablet",
    "handheld",
    "camera",
    "multimedia",
    "audioVisual",
    "ups",
    "pdu",
    "airConditioner",
    "internetOfThings",
    "timeClock",
    "lightingDevice",
    "alarm",
    "buildingManagement",
    "ipmi",
    "unknown",
];
const ONLINE_STATUSES: &[&str] =
    &["online", "offline", "unreachable", "testing", "unknown", "dormant", "notPresent", "lowerLayerDown"];
/// What `fields[deviceDetail]` may name.
const DETAIL_FIELDS: &[&str] =
    &["discoveryStatus", "components", "connectedDevices", "configurations", "manageStatus", "interfaces"];

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/auvik/v1/tenants", get(tenants))
        .route("/auvik/v1/tenants/detail", get(tenant_details))
        .route("/auvik/v1/billing/usage/client", get(client_usage))
        .route("/auvik/v1/inventory/device/info", get(device_info))
        .route("/auvik/other-region/v1/{*rest}", get(other_region))
}

/// A JSON:API body, with JSON:API's media type.
fn api_json(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/vnd.api+json")], Json(body)).into_response()
}

fn error(status: StatusCode, title: &str, detail: &str) -> Response {
    api_json(status, json!({"errors": [{"status": status.as_u16().to_string(), "title": title, "detail": detail}]}))
}

fn bad_request(detail: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "Bad Request", detail)
}

fn no_access(tenant: &str) -> Response {
    error(StatusCode::FORBIDDEN, "Forbidden", &format!("The user may not read tenant {tenant}"))
}

/// `Authorization: Basic base64(user name:API key)`; the scheme in any casing.
fn signed_in(headers: &HeaderMap) -> Result<(), Response> {
    let pair = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Basic"))
        .and_then(|(_, encoded)| STANDARD.decode(encoded.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    if pair.as_deref() == Some(format!("{AUVIK_USERNAME}:{AUVIK_API_KEY}").as_str()) {
        Ok(())
    } else {
        Err(error(StatusCode::UNAUTHORIZED, "Unauthorized", "The user name or API key is not valid"))
    }
}

/// The query string as Auvik reads it: unknown parameters ignored, lists comma-separated.
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
            Some(other) => Err(bad_request(&format!("{key} must be true or false, not '{other}'"))),
        }
    }

    /// A value from a fixed list, as written there.
    fn one_of(&self, key: &str, allowed: &[&str]) -> Result<Option<&str>, Response> {
        match self.text(key) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v)),
            Some(other) => Err(bad_request(&format!("{key} cannot be '{other}'"))),
        }
    }

    /// A page size: a whole number from 1 (Auvik's reference types it as a number, so 100.0
    /// is 100).
    fn count(&self, key: &str) -> Result<Option<usize>, Response> {
        let Some(text) = self.text(key) else { return Ok(None) };
        match text.parse::<f64>() {
            Ok(n) if n >= 1.0 && n.fract() == 0.0 && n <= 1e9 => Ok(Some(n as usize)),
            _ => Err(bad_request(&format!("{key} must be a whole number from 1, not '{text}'"))),
        }
    }

    fn cursor(&self, key: &str) -> Result<Option<u64>, Response> {
        match self.text(key) {
            None => Ok(None),
            Some(text) => decode_cursor(text).map(Some).ok_or_else(|| bad_request(&format!("{key} is not a cursor"))),
        }
    }

    /// A required date matching Auvik's pattern `20[0-9]{2}-[01][0-9]-[0123][0-9]`, and a real day.
    fn date(&self, key: &str) -> Result<NaiveDate, Response> {
        let text = self.text(key).ok_or_else(|| bad_request(&format!("{key} is required")))?;
        let b = text.as_bytes();
        let shaped = b.len() == 10
            && text.starts_with("20")
            && b[4] == b'-'
            && b[7] == b'-'
            && [2usize, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit())
            && matches!(b[5], b'0' | b'1')
            && matches!(b[8], b'0'..=b'3');
        shaped
            .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten()
            .ok_or_else(|| bad_request(&format!("{key} must be a date as YYYY-MM-DD, not '{text}'")))
    }

    /// A date-time as Auvik writes them (`2025-05-31T10:00:00.000Z`), or a bare date.
    fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>, Response> {
        let Some(text) = self.text(key) else { return Ok(None) };
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(Some(t.with_timezone(&Utc)));
        }
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => Ok(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc())),
            Err(_) => Err(bad_request(&format!("{key} must be a date-time such as 2025-05-31T10:00:00.000Z"))),
        }
    }
}

/// An opaque cursor, as Auvik's look: base64 of the position it stands for.
fn encode_cursor(number: u64) -> String {
    STANDARD.encode(format!("cursor:{number}"))
}

fn decode_cursor(text: &str) -> Option<u64> {
    String::from_utf8(STANDARD.decode(text.trim()).ok()?).ok()?.strip_prefix("cursor:")?.parse().ok()
}

fn tenant_json(t: &AuvikTenant) -> Value {
    let mut tenant = json!({
        "type": "tenant", "id": t.id,
        "attributes": {"domainPrefix": t.domain_prefix, "tenantType": t.tenant_type},
    });
    if let Some(parent) = &t.parent_id {
        tenant["relationships"] = json!({"parent": {"data": {"type": "tenant", "id": parent}}});
    }
    tenant
}

fn detail_json(t: &AuvikTenant) -> Value {
    let attributes = json!({
        "domainPrefix": t.domain_prefix, "displayName": t.display_name, "tenantType": t.tenant_type,
        "enabled": true, "running": true, "subscribed": true, "subscriptionOwner": "None",
        "trialStartDate": null, "trialEndDate": null,
        "address": {"address1": "", "city": t.city, "state": "", "postalCode": "", "country": "United States"},
    });
    let mut relationships = json!({"authorizations": {"data": []}});
    if let Some(parent) = &t.parent_id {
        relationships["parent"] = json!({"data": {"type": "tenants", "id": parent}});
    }
    json!({"type": "tenants", "id": t.id, "attributes": attributes, "relationships": relationships})
}

async fn tenants(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    if let Err(refused) = signed_in(&headers) {
        return refused;
    }
    let msp = sim.msp();
    let list: Vec<Value> = msp.billing_tools.auvik.tenants.iter().map(tenant_json).collect();
    api_json(StatusCode::OK, json!({"data": list}))
}

async fn tenant_details(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = signed_in(&headers) {
        return refused;
    }
    match details(&sim, &Params(query)) {
        Ok(answer) | Err(answer) => answer,
    }
}

fn details(sim: &Sim, p: &Params) -> Result<Response, Response> {
    let prefix = p
        .text("tenantDomainPrefix")
        .or_else(|| p.text("filter[tenantDomainPrefix]"))
        .ok_or_else(|| bad_request("tenantDomainPrefix is required: the domain prefix of your main Auvik account"))?;
    let available = p.flag("filter[availableTenants]")?;
    let msp = sim.msp();
    let data = &msp.billing_tools.auvik;
    let Some(main) = data.tenants.iter().find(|t| t.domain_prefix.eq_ignore_ascii_case(prefix)) else {
        return Err(error(StatusCode::NOT_FOUND, "Not Found", &format!("No tenant has the domain prefix '{prefix}'")));
    };
    // Every seeded tenant is enabled and running, so every one is available.
    let list: Vec<Value> = match available {
        Some(false) => Vec::new(),
        _ => data.under(&main.id).into_iter().map(detail_json).collect(),
    };
    Ok(api_json(StatusCode::OK, json!({"data": list})))
}

async fn client_usage(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = signed_in(&headers) {
        return refused;
    }
    match usage(&sim, &Params(query)) {
        Ok(answer) | Err(answer) => answer,
    }
}

fn usage(sim: &Sim, p: &Params) -> Result<Response, Response> {
    let from = p.date("filter[fromDate]")?;
    let thru = p.date("filter[thruDate]")?;
    if thru < from {
        return Err(bad_request("filter[thruDate] is before filter[fromDate]"));
    }
    let length = thru.signed_duration_since(from).num_days() + 1;
    if length > MAX_USAGE_DAYS {
        return Err(bad_request(&format!("The usage period may be at most {MAX_USAGE_DAYS} days")));
    }
    let msp = sim.msp();
    let data = &msp.billing_tools.auvik;
    let asked: Vec<&AuvikTenant> = match p.list("tenants") {
        Some(ids) => {
            let mut asked: Vec<&AuvikTenant> = Vec::new();
            for id in &ids {
                let tenant = data.tenant(id).ok_or_else(|| no_access(id))?;
                // A tenant named twice is answered once.
                if !asked.iter().any(|t| t.id == tenant.id) {
                    asked.push(tenant);
                }
            }
            asked
        }
        None => data.tenants.iter().filter(|t| t.parent_id.is_none()).collect(),
    };
    let by_tenant = data.usage_by_tenant(from, thru);
    let list: Vec<Value> = asked.iter().map(|t| usage_json(data, t, &by_tenant, from, thru, length)).collect();
    Ok(api_json(StatusCode::OK, json!({"data": list})))
}

/// One tenant's usage: its own devices' for a client, its clients' summed for a multi-client.
fn usage_json(
    data: &AuvikData,
    t: &AuvikTenant,
    by_tenant: &HashMap<&str, (i64, i64)>,
    from: NaiveDate,
    thru: NaiveDate,
    length: i64,
) -> Value {
    let clients: Vec<&AuvikTenant> = data.under(&t.id).into_iter().filter(|c| c.tenant_type != "multiClient").collect();
    let mut device_days = 0i64;
    let mut client_days = 0i64;
    let mut billable_days = 0i64;
    let mut by_tier: BTreeMap<&str, i64> =
        ["essentials", "performance", "notier"].into_iter().map(|k| (k, 0)).collect();
    let mut related = Vec::with_capacity(clients.len());
    for c in &clients {
        let (days, billed) = by_tenant.get(c.id.as_str()).copied().unwrap_or_default();
        device_days += days;
        client_days += billed;
        billable_days = billable_days.max(billed);
        *by_tier.entry(c.client_type).or_default() += days;
        related.push(json!({"type": "clientUsage", "id": c.id,
                            "attributes": {"domainPrefix": c.domain_prefix, "totalBillableDays": billed}}));
    }
    let average = |n: i64| n as f64 / length as f64;
    let average_by_tier: BTreeMap<&str, f64> = by_tier.iter().map(|(k, n)| (*k, average(*n))).collect();
    let period = json!({"startDate": from.format("%Y-%m-%d").to_string(),
                        "endDate": thru.format("%Y-%m-%d").to_string(), "lengthInDays": length});
    let devices = json!({"totalDays": device_days, "averageDays": average(device_days),
                         "totalDaysByClientType": by_tier, "averageDaysByClientType": average_by_tier});
    let attributes = json!({
        "domainPrefix": t.domain_prefix, "billableDays": billable_days, "usagePeriod": period,
        "clientUsage": {"totalDays": client_days, "averagedDays": average(client_days)},
        "deviceUsage": devices,
    });
    json!({"type": "clientUsage", "id": t.id, "attributes": attributes,
           "relationships": {"clients": {"data": related}, "devices": {}}})
}

/// Which part of the list a request asks for.
struct Paging {
    size: usize,
    after: Option<u64>,
    before: Option<u64>,
    /// `page[last]`/`page[before]`: the page ending where asked.
    backward: bool,
}

impl Paging {
    fn read(p: &Params) -> Result<Self, Response> {
        let first = p.count("page[first]")?;
        let last = p.count("page[last]")?;
        let after = p.cursor("page[after]")?;
        let before = p.cursor("page[before]")?;
        if first.is_some() && last.is_some() {
            return Err(bad_request("page[first] and page[last] cannot be used together"));
        }
        if after.is_some() && before.is_some() {
            return Err(bad_request("page[after] and page[before] cannot be used together"));
        }
        if (after.is_some() && last.is_some()) || (before.is_some() && first.is_some()) {
            return Err(bad_request("page[after] goes with page[first], page[before] with page[last]"));
        }
        let backward = last.is_some() || before.is_some();
        let asked = if backward { last } else { first };
        Ok(Self { size: asked.unwrap_or(DEFAULT_PAGE_SIZE).min(MAX_PAGE_SIZE), after, before, backward })
    }

    /// The page of `chosen` (in Auvik's order), and whether anything comes before and after it.
    fn slice<'a>(&self, chosen: &[&'a AuvikDevice]) -> (Vec<&'a AuvikDevice>, bool, bool) {
        let page: Vec<&'a AuvikDevice> = if self.backward {
            let earlier: Vec<&'a AuvikDevice> =
                chosen.iter().copied().filter(|d| self.before.is_none_or(|b| d.number < b)).collect();
            let start = earlier.len().saturating_sub(self.size);
            earlier[start..].to_vec()
        } else {
            chosen.iter().copied().filter(|d| self.after.is_none_or(|a| d.number > a)).take(self.size).collect()
        };
        let more_before = match (page.first(), chosen.first()) {
            (Some(p), Some(c)) => c.number < p.number,
            _ => false,
        };
        let more_after = match (page.last(), chosen.last()) {
            (Some(p), Some(c)) => c.number > p.number,
            _ => false,
        };
        (page, more_before, more_after)
    }
}

/// When a device's attributes last changed: the seed sets them once, when it was discovered.
fn modified(d: &AuvikDevice) -> DateTime<Utc> {
    d.first_seen.and_hms_opt(8, 0, 0).map(|t| t.and_utc()).unwrap_or_default()
}

fn seen(d: &AuvikDevice) -> DateTime<Utc> {
    d.last_seen.and_hms_opt(10, 0, 0).map(|t| t.and_utc()).unwrap_or_default()
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn device_json(base_url: &str, prefixes: &HashMap<&str, &str>, d: &AuvikDevice) -> Value {
    let prefix = prefixes.get(d.owner.as_str()).copied().unwrap_or_default();
    let attributes = json!({
        "ipAddresses": [d.ip_address], "deviceName": d.name, "deviceType": d.device_type,
        "makeModel": d.make_model, "vendorName": d.vendor_name, "softwareVersion": "",
        "serialNumber": d.serial_number, "description": "", "firmwareVersion": "",
        "lastModified": stamp(modified(d)), "lastSeenTime": stamp(seen(d)), "onlineStatus": d.online_status,
    });
    let relationships = json!({
        "tenant": {"data": {"type": "tenant", "id": d.owner, "attributes": {"domainPrefix": prefix}}},
        "networks": {"data": []},
        "deviceDetail": {"data": {"type": "deviceDetail", "id": d.id}},
    });
    let links = json!({
        "self": format!("{base_url}{API_ROOT}/inventory/device/info/{}", d.id),
        "dashboard": format!("https://{prefix}.my.auvik.com/#entity/device/{}/dashboard", d.number),
    });
    json!({"type": "device", "id": d.id, "attributes": attributes, "relationships": relationships, "links": links})
}

/// A device's detail, as `include=deviceDetail` adds it; only the attributes `fields` names,
/// when it names any.
fn device_detail_json(d: &AuvikDevice, fields: Option<&[String]>) -> Value {
    let wanted = |name: &str| fields.is_none_or(|f| f.iter().any(|x| x == name));
    let mut attributes = serde_json::Map::new();
    if wanted("discoveryStatus") {
        let snmp = if d.managed { "privileged" } else { "disabled" };
        attributes.insert(
            "discoveryStatus".into(),
            json!({"snmp": snmp, "login": "disabled", "wmi": "disabled", "vmware": "disabled"}),
        );
    }
    if wanted("manageStatus") {
        attributes.insert("manageStatus".into(), json!(d.managed));
    }
    // Not among what `fields[deviceDetail]` may name, so sent only when all are.
    if fields.is_none() {
        attributes.insert("trafficInsightsStatus".into(), json!("notDetected"));
    }
    json!({"type": "deviceDetail", "id": d.id, "attributes": attributes})
}

async fn device_info(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = signed_in(&headers) {
        return refused;
    }
    match devices(&sim, &Params(query)) {
        Ok(answer) | Err(answer) => answer,
    }
}

fn devices(sim: &Sim, p: &Params) -> Result<Response, Response> {
    let paging = Paging::read(p)?;
    let device_type = p.one_of("filter[deviceType]", DEVICE_TYPES)?;
    let online_status = p.one_of("filter[onlineStatus]", ONLINE_STATUSES)?;
    let make_model = p.text("filter[makeModel]");
    let vendor_name = p.text("filter[vendorName]");
    let networks = p.list("filter[networks]");
    let modified_after = p.time("filter[modifiedAfter]")?;
    let not_seen_since = p.time("filter[notSeenSince]")?;
    let state_known = p.flag("filter[stateKnown]")?;
    let include_detail = match p.text("include") {
        None => false,
        Some("deviceDetail") => true,
        Some(other) => return Err(bad_request(&format!("include must be deviceDetail, not '{other}'"))),
    };
    let detail_fields = p.list("fields[deviceDetail]");
    if let Some(fields) = &detail_fields {
        if !include_detail {
            return Err(bad_request("fields[deviceDetail] requires include=deviceDetail"));
        }
        if let Some(unknown) = fields.iter().find(|f| !DETAIL_FIELDS.contains(&f.as_str())) {
            return Err(bad_request(&format!(
                "fields[deviceDetail] cannot name '{unknown}'; it takes {}",
                DETAIL_FIELDS.join(", ")
            )));
        }
    }

    let msp = sim.msp();
    let data = &msp.billing_tools.auvik;
    // A multi-client's devices are its clients'.
    let owners: Option<HashSet<&str>> = match p.list("tenants") {
        None => None,
        Some(ids) => {
            let mut owners = HashSet::new();
            for id in &ids {
                if data.tenant(id).is_none() {
                    return Err(no_access(id));
                }
                owners.extend(data.under(id).into_iter().map(|t| t.id.as_str()));
            }
            Some(owners)
        }
    };
    let chosen: Vec<&AuvikDevice> = data
        .devices
        .iter()
        .filter(|d| owners.as_ref().is_none_or(|o| o.contains(d.owner.as_str())))
        .filter(|d| device_type.is_none_or(|t| d.device_type == t))
        .filter(|d| online_status.is_none_or(|s| d.online_status == s))
        .filter(|d| make_model.is_none_or(|m| d.make_model.eq_ignore_ascii_case(m)))
        .filter(|d| vendor_name.is_none_or(|v| d.vendor_name.eq_ignore_ascii_case(v)))
        // The seed keeps no networks, so no device is on the ones asked for.
        .filter(|_| networks.is_none())
        .filter(|d| modified_after.is_none_or(|t| modified(d) > t))
        .filter(|d| not_seen_since.is_none_or(|t| seen(d) < t))
        // Every seeded device's state is known.
        .filter(|_| state_known != Some(false))
        .collect();
    let (page, more_before, more_after) = paging.slice(&chosen);

    // The links keep every parameter but the page's own.
    let kept: BTreeMap<&str, &str> =
        p.0.iter().filter(|(k, _)| !k.starts_with("page[")).map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let link = |extra: &[(&str, String)]| -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &kept {
            query.append_pair(k, v);
        }
        for (k, v) in extra {
            query.append_pair(k, v);
        }
        format!("{}{API_ROOT}/inventory/device/info?{}", sim.base_url, query.finish())
    };
    let size = paging.size.to_string();
    let next = page
        .last()
        .filter(|_| more_after)
        .map(|d| link(&[("page[after]", encode_cursor(d.number)), ("page[first]", size.clone())]));
    let prev = page
        .first()
        .filter(|_| more_before)
        .map(|d| link(&[("page[before]", encode_cursor(d.number)), ("page[last]", size.clone())]));
    let links = json!({
        "first": link(&[("page[first]", size.clone())]),
        "prev": prev,
        "next": next,
        "last": link(&[("page[last]", size.clone())]),
    });

    let prefixes: HashMap<&str, &str> =
        data.tenants.iter().map(|t| (t.id.as_str(), t.domain_prefix.as_str())).collect();
    let listed: Vec<Value> = page.iter().map(|d| device_json(&sim.base_url, &prefixes, d)).collect();
    let mut body = json!({
        "data": listed,
        "links": links,
        "meta": {"totalPages": chosen.len().div_ceil(paging.size)},
    });
    if include_detail {
        let included: Vec<Value> = page.iter().map(|d| device_detail_json(d, detail_fields.as_deref())).collect();
        body["included"] = Value::Array(included);
    }
    Ok(api_json(StatusCode::OK, body))
}

/// A request for the account at another region's address: 308 to the same path and query in the
/// account's own region, before the credentials are looked at.
async fn other_region(State(sim): State<Arc<Sim>>, uri: Uri) -> Response {
    let rest = uri.path().strip_prefix(OTHER_REGION_ROOT).unwrap_or_default();
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let location = format!("{}{API_ROOT}{rest}{query}", sim.base_url);
    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response()
}

/// Each customer tenant (every one but the multi-clients) with the tenant it truly is and what
/// the billing connector should count for it: its managed routers, switches, firewalls and
/// wireless controllers, which for any month after October 2025 is also its billed monthly
/// average.
pub fn truth(data: &AuvikData) -> Value {
    let customers: Vec<Value> = data
        .tenants
        .iter()
        .filter(|t| t.tenant_type != "multiClient")
        .map(|t| {
            json!({"id": t.id, "domainPrefix": t.domain_prefix, "displayName": t.display_name,
                   "tenantType": t.tenant_type, "parentId": t.parent_id, "tenantId": t.tenant_id,
                   "clientType": t.client_type, "counts": {"Network devices": data.billable_devices(&t.id)}})
        })
        .collect();
    Value::Array(customers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn cursors_are_opaque_and_read_back() {
        let cursor = encode_cursor(1234);
        assert_eq!(decode_cursor(&cursor), Some(1234));
        assert_eq!(decode_cursor("not a cursor"), None);
        assert_eq!(decode_cursor(&STANDARD.encode("other:5")), None);
    }

    #[test]
    fn usage_dates_follow_auviks_pattern() {
        let date = |v: &str| params(&[("d", v)]).date("d").is_ok();
        assert!(date("2026-11-01"));
        assert!(!date("2026-1-5"));
        assert!(!date("1999-11-01"));
        assert!(!date("2026-02-30"));
        assert!(!date("2026-11-01T00:00:00Z"));
        assert!(params(&[]).date("d").is_err(), "the dates are required");
    }

    #[test]
    fn pages_go_forward_or_backward_but_not_both() {
        assert!(Paging::read(&params(&[("page[first]", "10"), ("page[last]", "10")])).is_err());
        assert!(Paging::read(&params(&[("page[first]", "0")])).is_err());
        assert!(Paging::read(&params(&[("page[first]", "ten")])).is_err());
        let big = Paging::read(&params(&[("page[first]", "50000")])).unwrap();
        assert_eq!(big.size, MAX_PAGE_SIZE);
        let whole = Paging::read(&params(&[("page[first]", "25.0")])).unwrap();
        assert_eq!(whole.size, 25);
        let back = Paging::read(&params(&[("page[last]", "3")])).unwrap();
        assert!(back.backward);
        assert_eq!(Paging::read(&params(&[])).unwrap().size, DEFAULT_PAGE_SIZE);
    }
}
