//! NinjaOne's Public API 2.0 under `/ninjaone` (an instance such as `https://app.ninjarmm.com`):
//! the client-credentials token at `/ws/oauth/token` (form-encoded; the scopes asked for go with
//! the token, and reads need `monitoring`), the organizations and devices as bare JSON arrays in
//! `pageSize`/`after` pages sorted by id (`after` the last id of the page before, no page
//! metadata), one organization's devices, the device filter `df` in its documented forms, and
//! NinjaOne's error body (`resultCode` and `errorMessage`; a bare `error` from the token endpoint).
//!
//! NinjaOne documents no rate limit (only that a 429 may carry `Retry-After`), so none is
//! enforced here: throttling is injected as a fault, with or without `Retry-After`. Nor does it document a default or a
//! largest page: this one serves [`DEFAULT_PAGE_SIZE`] when `pageSize` is absent and quietly caps
//! larger requests at [`MAX_PAGE_SIZE`], so a client asking for more must still read every page.

// A request's checks refuse with the answer itself, ready to send; the simulator serves tests,
// where a larger `Err` costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Json, Router,
};
use serde::Deserialize;
use serde_json::json;

use super::bearer;
use crate::{
    ninjaone_seed::{NinjaOneData, NinjaOneDevice, NinjaOneOrganization},
    Sim,
};

pub const NINJAONE_CLIENT_ID: &str = "sim-ninjaone-client";
pub const NINJAONE_CLIENT_SECRET: &str = "sim-ninjaone-secret";
/// The organization custom field the seeded MSP keeps the Autotask company's id in.
pub const NINJAONE_PSA_FIELD: &str = "psaCompanyId";
/// Records a page holds when `pageSize` is not given (NinjaOne does not document its own).
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// The largest page served; larger requests get this many (NinjaOne documents no largest page).
pub const MAX_PAGE_SIZE: usize = 1000;
/// What a token asked with the `monitoring` scope is for; reads need it.
const READ_AUDIENCE: &str = "ninjaone-monitoring";
/// What a token without the `monitoring` scope is for: reads refuse it.
const OTHER_AUDIENCE: &str = "ninjaone";
/// The scopes a client app can be given.
const SCOPES: &[&str] = &["monitoring", "management", "control", "offline_access"];
const INSTANCE: &str = "northwind.ninjarmm.example";
const TOKEN_LIFETIME_SECONDS: u64 = 3600;

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/ninjaone/ws/oauth/token", post(token))
        .route("/ninjaone/v2/organizations", get(organizations))
        .route("/ninjaone/v2/organization/{id}/devices", get(organization_devices))
        .route("/ninjaone/v2/devices", get(devices))
}

/// NinjaOne's error body.
fn failure(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"resultCode": "FAILURE", "errorMessage": message}))).into_response()
}

/// The token endpoint's error body: a bare `error`, as OAuth has it.
fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({"error": error}))).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

async fn token(State(sim): State<Arc<Sim>>, Form(form): Form<TokenForm>) -> Response {
    if form.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    if form.client_id.as_deref() != Some(NINJAONE_CLIENT_ID)
        || form.client_secret.as_deref() != Some(NINJAONE_CLIENT_SECRET)
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    // No scope asked for: every scope the client app has.
    let asked: Vec<&str> = match form.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(scope) => scope.split_whitespace().collect(),
        None => SCOPES.to_vec(),
    };
    if asked.iter().any(|s| !SCOPES.contains(s)) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope");
    }
    let audience = if asked.contains(&"monitoring") { READ_AUDIENCE } else { OTHER_AUDIENCE };
    let token = sim.issue_access_token(audience, INSTANCE, Duration::from_secs(TOKEN_LIFETIME_SECONDS));
    Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "scope": asked.join(" "),
    }))
    .into_response()
}

/// A read's token: `Err` with the answer when it is missing, unknown, expired or without the
/// `monitoring` scope.
fn admit(sim: &Sim, headers: &HeaderMap) -> Result<(), Response> {
    if bearer(sim, headers, READ_AUDIENCE).is_some() {
        return Ok(());
    }
    if bearer(sim, headers, OTHER_AUDIENCE).is_some() {
        return Err(failure(StatusCode::FORBIDDEN, "The access token's scope does not include monitoring"));
    }
    Err(failure(StatusCode::UNAUTHORIZED, "The access token is missing, invalid or expired"))
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(rename = "pageSize")]
    page_size: Option<String>,
    after: Option<String>,
    df: Option<String>,
}

/// The page size and the id to start after; 400 for what is no 32-bit whole number (NinjaOne's
/// ids and sizes are int32).
fn page_window(q: &PageQuery) -> Result<(usize, Option<i64>), Response> {
    let size = match q.page_size.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => DEFAULT_PAGE_SIZE,
        Some(text) => match text.parse::<i32>() {
            Ok(n) if n >= 1 => (n as usize).min(MAX_PAGE_SIZE),
            _ => {
                return Err(failure(
                    StatusCode::BAD_REQUEST,
                    &format!("pageSize must be a whole number from 1, not '{text}'"),
                ))
            }
        },
    };
    let after = match q.after.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match text.parse::<i32>() {
            Ok(n) => Some(i64::from(n)),
            Err(_) => {
                return Err(failure(StatusCode::BAD_REQUEST, &format!("after must be a record's id, not '{text}'")))
            }
        },
    };
    Ok((size, after))
}

fn organization_json(o: &NinjaOneOrganization) -> serde_json::Value {
    let mut fields = serde_json::Map::new();
    if let Some(value) = &o.psa_field {
        fields.insert(NINJAONE_PSA_FIELD.to_string(), json!(value));
    }
    if let Some(tier) = o.contract_tier {
        fields.insert("contractTier".to_string(), json!(tier));
    }
    json!({
        "id": o.id, "name": o.name, "description": o.description, "nodeApprovalMode": o.node_approval_mode,
        "tags": [], "fields": fields, "userData": {},
    })
}

/// NinjaOne's role for a node class, as its ids are in a fresh instance.
fn node_role_id(node_class: &str) -> i64 {
    match node_class {
        "WINDOWS_WORKSTATION" => 1,
        "WINDOWS_SERVER" => 2,
        "MAC" => 3,
        "LINUX_WORKSTATION" | "LINUX_SERVER" => 4,
        _ => 5,
    }
}

fn device_json(d: &NinjaOneDevice) -> serde_json::Value {
    json!({
        "id": d.id, "uid": d.uid, "parentDeviceId": null, "organizationId": d.organization_id,
        "locationId": d.location_id, "nodeClass": d.node_class, "nodeRoleId": node_role_id(d.node_class),
        "rolePolicyId": 100 + node_role_id(d.node_class), "policyId": null,
        "approvalStatus": d.approval_status, "offline": d.offline,
        "displayName": d.system_name, "systemName": d.system_name, "dnsName": d.dns_name,
        "netbiosName": d.system_name, "created": d.created, "lastContact": d.last_contact,
        "lastUpdate": d.last_contact - 17.0, "tags": [], "fields": {}, "userData": {},
    })
}

async fn organizations(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if let Err(refused) = admit(&sim, &headers) {
        return refused;
    }
    let (size, after) = match page_window(&q) {
        Ok(window) => window,
        Err(refused) => return refused,
    };
    let msp = sim.msp();
    let mut organizations: Vec<&NinjaOneOrganization> =
        msp.billing_tools.ninjaone.organizations.iter().filter(|o| after.is_none_or(|a| o.id > a)).collect();
    organizations.sort_by_key(|o| o.id);
    let page: Vec<serde_json::Value> = organizations.into_iter().take(size).map(organization_json).collect();
    Json(page).into_response()
}

/// One condition of a device filter: a field (`org`, `class`, `status`, `online`, `offline`) and
/// the values it may take.
struct Condition {
    field: String,
    values: Vec<String>,
}

/// A device filter in the documented forms: `org = 12`, `class eq WINDOWS_SERVER`,
/// `class in (WINDOWS_WORKSTATION,MAC)`, `status eq APPROVED`, `online`, joined with `AND`.
fn parse_device_filter(df: &str) -> Result<Vec<Condition>, String> {
    let mut conditions = Vec::new();
    for part in df.split(" AND ").map(str::trim).filter(|p| !p.is_empty()) {
        let words: Vec<&str> = part.split_whitespace().collect();
        let condition = match words.as_slice() {
            [flag] if flag.eq_ignore_ascii_case("online") || flag.eq_ignore_ascii_case("offline") => {
                Condition { field: flag.to_ascii_lowercase(), values: Vec::new() }
            }
            [field, operator, rest @ ..] if !rest.is_empty() => {
                let field = field.to_ascii_lowercase();
                if !["org", "class", "status"].contains(&field.as_str()) {
                    return Err(format!("'{field}' is not a device field"));
                }
                let rest = rest.join("");
                let values: Vec<String> = match operator.to_ascii_lowercase().as_str() {
                    "=" | "eq" => vec![rest],
                    "in" => rest
                        .strip_prefix('(')
                        .and_then(|r| r.strip_suffix(')'))
                        .ok_or_else(|| format!("'{part}' needs its values in parentheses"))?
                        .split(',')
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                        .collect(),
                    other => return Err(format!("'{other}' is not an operator")),
                };
                Condition { field, values }
            }
            _ => return Err(format!("'{part}' is not a condition")),
        };
        conditions.push(condition);
    }
    Ok(conditions)
}

fn matches_filter(d: &NinjaOneDevice, conditions: &[Condition]) -> bool {
    conditions.iter().all(|c| match c.field.as_str() {
        "online" => !d.offline,
        "offline" => d.offline,
        "org" => c.values.iter().any(|v| v.parse::<i64>().ok() == Some(d.organization_id)),
        "class" => c.values.iter().any(|v| v.eq_ignore_ascii_case(d.node_class)),
        "status" => c.values.iter().any(|v| v.eq_ignore_ascii_case(d.approval_status)),
        _ => false,
    })
}

/// One page of the devices `keep` accepts, by id after `after`.
fn device_page(
    data: &NinjaOneData,
    size: usize,
    after: Option<i64>,
    keep: impl Fn(&NinjaOneDevice) -> bool,
) -> Response {
    let mut devices: Vec<&NinjaOneDevice> =
        data.devices.iter().filter(|d| after.is_none_or(|a| d.id > a)).filter(|d| keep(d)).collect();
    devices.sort_by_key(|d| d.id);
    let page: Vec<serde_json::Value> = devices.into_iter().take(size).map(device_json).collect();
    Json(page).into_response()
}

async fn devices(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if let Err(refused) = admit(&sim, &headers) {
        return refused;
    }
    let (size, after) = match page_window(&q) {
        Ok(window) => window,
        Err(refused) => return refused,
    };
    let conditions = match q.df.as_deref().map(parse_device_filter).transpose() {
        Ok(conditions) => conditions.unwrap_or_default(),
        Err(why) => return failure(StatusCode::BAD_REQUEST, &format!("Invalid device filter: {why}")),
    };
    let msp = sim.msp();
    device_page(&msp.billing_tools.ninjaone, size, after, |d| matches_filter(d, &conditions))
}

async fn organization_devices(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    if let Err(refused) = admit(&sim, &headers) {
        return refused;
    }
    let (size, after) = match page_window(&q) {
        Ok(window) => window,
        Err(refused) => return refused,
    };
    let msp = sim.msp();
    let data = &msp.billing_tools.ninjaone;
    let Some(organization) = id.trim().parse::<i64>().ok().filter(|id| data.organizations.iter().any(|o| o.id == *id))
    else {
        return failure(StatusCode::NOT_FOUND, &format!("Organization {id} was not found"));
    };
    device_page(data, size, after, |d| d.organization_id == organization)
}

/// The report's product for a node class, as the billing connector counts it.
fn product(node_class: &str) -> &'static str {
    match node_class {
        "WINDOWS_WORKSTATION" | "MAC" | "LINUX_WORKSTATION" => "Workstations",
        "WINDOWS_SERVER" | "LINUX_SERVER" | "MAC_SERVER" => "Servers",
        "VMWARE_VM_HOST" | "HYPERV_VMM_HOST" => "VM hosts",
        "VMWARE_VM_GUEST" | "HYPERV_VMM_GUEST" => "VM guests",
        "ANDROID" | "APPLE_IOS" | "APPLE_IPADOS" => "Mobile devices",
        c if c.starts_with("NMS_") => "Network devices",
        _ => "Other devices",
    }
}

/// Each organization with the tenant it truly is, the PSA company its custom field names (when
/// that is a whole number), and its approved devices counted per product as the billing
/// connector should count them: workstations and servers always, the rest where there are any.
pub fn truth(data: &NinjaOneData) -> serde_json::Value {
    let mut counts: HashMap<i64, BTreeMap<&'static str, i64>> = HashMap::new();
    for d in data.devices.iter().filter(|d| d.approval_status == "APPROVED") {
        *counts.entry(d.organization_id).or_default().entry(product(d.node_class)).or_default() += 1;
    }
    let organizations: Vec<serde_json::Value> = data
        .organizations
        .iter()
        .map(|o| {
            let mut counted = counts.remove(&o.id).unwrap_or_default();
            for main in ["Workstations", "Servers"] {
                counted.entry(main).or_insert(0);
            }
            let psa_company = o
                .psa_field
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
                .and_then(|t| t.parse::<i64>().ok())
                .filter(|id| *id > 0);
            json!({"id": o.id, "name": o.name, "tenantId": o.tenant_id, "psaCompanyId": psa_company, "counts": counted})
        })
        .collect();
    json!(organizations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_filters_in_their_documented_forms() {
        let device = |class: &'static str, status: &'static str, offline: bool| NinjaOneDevice {
            id: 1,
            uid: String::new(),
            organization_id: 12,
            location_id: 121,
            node_class: class,
            approval_status: status,
            offline,
            system_name: String::new(),
            dns_name: String::new(),
            created: 0.0,
            last_contact: 0.0,
        };
        let accepts = |df: &str, d: &NinjaOneDevice| matches_filter(d, &parse_device_filter(df).unwrap());
        let mac = device("MAC", "APPROVED", false);
        assert!(accepts("org = 12", &mac));
        assert!(!accepts("org = 13", &mac));
        assert!(accepts("class in (WINDOWS_WORKSTATION,MAC,LINUX_WORKSTATION)", &mac));
        assert!(accepts("class in (WINDOWS_WORKSTATION, MAC)", &mac));
        assert!(!accepts("class eq WINDOWS_SERVER", &mac));
        assert!(accepts("status eq APPROVED AND online", &mac));
        assert!(!accepts("status eq APPROVED AND online", &device("MAC", "APPROVED", true)));
        assert!(!accepts("status eq APPROVED", &device("MAC", "PENDING", false)));
        assert!(accepts("", &mac));
        assert!(parse_device_filter("colour eq blue").is_err());
        assert!(parse_device_filter("class in WINDOWS_SERVER").is_err());
        assert!(parse_device_filter("class like MAC").is_err());
    }
}
