//! ConnectWise Automate's REST API v1 under `/automate` (the server's address, so the API is at
//! `/automate/cwa/api/v1`), as shared/docs/billing-connectors.md section 2 describes it.
//!
//! - `POST apitoken` takes the user name and password as JSON, property names in any case (the
//!   community clients send both `UserName` and `username`), and answers with PascalCase keys:
//!   `AccessToken`, `TokenType`, `ExpirationDate` (an hour on), `IsTwoFactorRequired`. A user
//!   with two-factor sign-in who sends no `TwoFactorPasscode` gets no token, only
//!   `IsTwoFactorRequired: true`. `POST apitoken/refresh` takes the current token as a JSON string.
//! - Every call needs the registered `clientId` header (mandatory since Automate 2020.11) and,
//!   after sign-in, `Authorization: Bearer`.
//! - `clients`, `locations`, `computers` and `networkdevices` answer a bare JSON array, 1-based
//!   `page` and `pageSize` (at most 1000 served), an empty array past the end and no page
//!   metadata. Parameter names are read in any case, flat or under `options.`; unknown ones are
//!   ignored. `condition` is evaluated (`=`/`eq`, `!=`, `<`, `<=`, `>`, `>=`, `and`, `or`,
//!   parentheses, `like`, `contains`, `in`, `not` with the last three); a field the records do
//!   not have is a 400 "Invalid field", and comparing dates on `RemoteAgentLastContact` is a 500,
//!   as on real servers. `orderBy`, `includedFields`, `excludedFields` and `ids` work too.
//! - Errors come as `{"code", "message", "errors": [{"message"}]}`; a 401 has `code: "Unauthorized"`.
//! - Automate publishes no rate limit, so none is enforced here.

// A request's checks refuse with the answer itself, ready to send; the simulator serves tests,
// where a larger `Err` costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

use std::{
    cmp::Ordering,
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post, MethodRouter},
    Json, Router,
};
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::bearer;
use crate::{
    automate_seed::{AutomateClient, AutomateData},
    Sim,
};

/// The ConnectWise developer ClientID the simulated server accepts.
pub const AUTOMATE_CLIENT_ID: &str = "3c0a7e5e-9d1b-4c6a-8f2e-5a17a7e0c0de";
/// An integrator login: a non-interactive API user.
pub const AUTOMATE_USERNAME: &str = "seatsync-integrator";
pub const AUTOMATE_PASSWORD: &str = "sim-automate-password";
/// A technician who signs in with two-factor codes (same password): without a passcode the
/// server answers with no token.
pub const AUTOMATE_TWO_FACTOR_USERNAME: &str = "sim-automate-technician";
const AUDIENCE: &str = "connectwise-automate";
const SERVER: &str = "automate-server";
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
const API: &str = "/automate/cwa/api/v1";
/// The page size when a request names none. Automate's own is not documented; a small one makes
/// a client that leaves it out visibly page.
const DEFAULT_PAGE_SIZE: usize = 50;
/// The largest page served: the community client allows no more than 1000.
const MAX_PAGE_SIZE: usize = 1000;

pub fn router() -> Router<Arc<Sim>> {
    // ASP.NET routes ignore case, and the community clients write both `computers` and
    // `Computers`.
    let both = |router: Router<Arc<Sim>>, lower: &str, pascal: &str, handler: MethodRouter<Arc<Sim>>| {
        router.route(&format!("{API}/{lower}"), handler.clone()).route(&format!("{API}/{pascal}"), handler)
    };
    let router = Router::new()
        .route(&format!("{API}/apitoken"), post(token))
        .route(&format!("{API}/apitoken/refresh"), post(refresh));
    let router = both(router, "clients", "Clients", get(clients));
    let router = both(router, "locations", "Locations", get(locations));
    let router = both(router, "computers", "Computers", get(computers));
    both(router, "networkdevices", "NetworkDevices", get(network_devices))
}

/// Automate's error body.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message, "errors": [{"message": message}]}))).into_response()
}

fn unauthorized(message: &str) -> Response {
    error(StatusCode::UNAUTHORIZED, "Unauthorized", message)
}

/// The registered ClientID, which every request must carry.
fn check_client_id(headers: &HeaderMap) -> Result<(), Response> {
    match headers.get("clientid").and_then(|v| v.to_str().ok()).map(str::trim) {
        Some(id) if id.eq_ignore_ascii_case(AUTOMATE_CLIENT_ID) => Ok(()),
        Some(_) => Err(unauthorized("The ClientId is not registered for API access.")),
        None => Err(unauthorized(
            "A ClientId header is required for API access; register one at developer.connectwise.com.",
        )),
    }
}

/// The ClientID and a bearer token this server issued.
fn admit(sim: &Sim, headers: &HeaderMap) -> Result<(), Response> {
    check_client_id(headers)?;
    if bearer(sim, headers, AUDIENCE).is_none() {
        return Err(unauthorized("Authorization has been denied for this request."));
    }
    Ok(())
}

/// A `TokenResult` with a new token.
fn token_result(sim: &Sim, user: &str) -> Response {
    let token = sim.issue_access_token(AUDIENCE, SERVER, TOKEN_LIFETIME);
    let now = Utc::now();
    let stamp = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    Json(json!({
        "AccessToken": token,
        "TokenType": "Bearer",
        "ExpirationDate": stamp(now + chrono::Duration::seconds(TOKEN_LIFETIME.as_secs() as i64)),
        "AbsoluteExpirationDate": stamp(now + chrono::Duration::hours(24)),
        "UserId": "17",
        "InternalUserName": user,
        "IsTwoFactorRequired": false,
        "IsInternalTwoFactorRequired": false,
    }))
    .into_response()
}

/// `POST apitoken`.
async fn token(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = check_client_id(&headers) {
        return refused;
    }
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The body must be a JSON object with UserName and Password.",
        );
    };
    // ASP.NET binds JSON properties whatever their case.
    let field = |name: &str| {
        fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str()).map(str::to_string)
    };
    let (user, password, passcode) = (field("UserName"), field("Password"), field("TwoFactorPasscode"));
    let known = matches!(user.as_deref(), Some(AUTOMATE_USERNAME) | Some(AUTOMATE_TWO_FACTOR_USERNAME));
    if !known || password.as_deref() != Some(AUTOMATE_PASSWORD) {
        return unauthorized("The user name or password is incorrect.");
    }
    let user = user.unwrap_or_default();
    if user == AUTOMATE_TWO_FACTOR_USERNAME {
        match passcode.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => {
                return Json(json!({
                    "AccessToken": null, "TokenType": null, "ExpirationDate": null,
                    "IsTwoFactorRequired": true, "IsInternalTwoFactorRequired": false,
                }))
                .into_response()
            }
            Some(code) if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) => {}
            Some(_) => return unauthorized("The two-factor passcode is incorrect."),
        }
    }
    token_result(&sim, &user)
}

/// `POST apitoken/refresh`: the current token, as a JSON string, for a new one.
async fn refresh(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = check_client_id(&headers) {
        return refused;
    }
    let Ok(current) = serde_json::from_slice::<String>(&body) else {
        return error(StatusCode::BAD_REQUEST, "BadRequest", "The body must be the current token as a JSON string.");
    };
    if sim.grant(current.trim()).filter(|g| g.audience == AUDIENCE).is_none() {
        return unauthorized("The token is not valid.");
    }
    token_result(&sim, AUTOMATE_USERNAME)
}

/// The lists the server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Clients,
    Locations,
    Computers,
    NetworkDevices,
}

impl Endpoint {
    /// Condition fields the server knows beyond the records' own (the community notes use
    /// `ClientId=5` on computers).
    fn aliases(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Endpoint::Clients => &[],
            Endpoint::Locations => &[("ClientId", "Client.Id")],
            Endpoint::Computers | Endpoint::NetworkDevices => {
                &[("ClientId", "Client.Id"), ("LocationId", "Location.Id")]
            }
        }
    }
}

type ListQuery = Query<Vec<(String, String)>>;

async fn clients(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(query): ListQuery) -> Response {
    serve_list(&sim, &headers, &query, Endpoint::Clients)
}

async fn locations(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(query): ListQuery) -> Response {
    serve_list(&sim, &headers, &query, Endpoint::Locations)
}

async fn computers(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(query): ListQuery) -> Response {
    serve_list(&sim, &headers, &query, Endpoint::Computers)
}

async fn network_devices(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(query): ListQuery) -> Response {
    serve_list(&sim, &headers, &query, Endpoint::NetworkDevices)
}

/// A list request's parameters.
struct ListParams {
    page: usize,
    page_size: usize,
    condition: Option<String>,
    order_by: Option<String>,
    included: Option<Vec<String>>,
    excluded: Vec<String>,
    ids: Option<Vec<i64>>,
}

impl ListParams {
    /// Reads the query as Automate's model binding does: names in any case, flat or under
    /// `options.` (where a list may come as repeated parameters); unknown names ignored.
    fn read(query: &[(String, String)]) -> Result<Self, Response> {
        let all = |names: &[&str]| -> Vec<String> {
            query
                .iter()
                .filter(|(k, _)| {
                    let k = k.to_ascii_lowercase();
                    names.contains(&k.strip_prefix("options.").unwrap_or(&k))
                })
                .map(|(_, v)| v.clone())
                .collect()
        };
        let one = |names: &[&str]| all(names).into_iter().next().filter(|v| !v.trim().is_empty());
        let list = |names: &[&str]| -> Vec<String> {
            all(names)
                .iter()
                .flat_map(|v| v.split(','))
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect()
        };
        let bad = |message: &str| error(StatusCode::BAD_REQUEST, "BadRequest", message);
        let page = match one(&["page"]).map(|p| p.trim().parse::<usize>()) {
            None => 1,
            Some(Ok(n)) if n >= 1 => n,
            _ => return Err(bad("page must be a whole number from 1.")),
        };
        let page_size = match one(&["pagesize"]).map(|p| p.trim().parse::<usize>()) {
            None => DEFAULT_PAGE_SIZE,
            Some(Ok(n)) if n >= 1 => n.min(MAX_PAGE_SIZE),
            _ => return Err(bad("pageSize must be a whole number from 1.")),
        };
        let included = list(&["includedfields", "includefields"]);
        let ids = list(&["ids"]);
        let ids = match ids.iter().map(|i| i.parse::<i64>()).collect::<Result<Vec<i64>, _>>() {
            Ok(parsed) if parsed.is_empty() => None,
            Ok(parsed) => Some(parsed),
            Err(_) => return Err(bad("ids must be a comma-separated list of whole numbers.")),
        };
        Ok(Self {
            page,
            page_size,
            condition: one(&["condition"]),
            order_by: one(&["orderby"]),
            included: (!included.is_empty()).then_some(included),
            excluded: list(&["excludedfields", "excludefields"]),
            ids,
        })
    }
}

fn serve_list(sim: &Sim, headers: &HeaderMap, query: &[(String, String)], endpoint: Endpoint) -> Response {
    if let Err(refused) = admit(sim, headers) {
        return refused;
    }
    let params = match ListParams::read(query) {
        Ok(params) => params,
        Err(refused) => return refused,
    };
    let mut records = {
        let msp = sim.msp();
        records_of(&msp.billing_tools.automate, endpoint)
    };
    // Field names are checked against the records' own shape.
    let sample = records.first().cloned();
    if let Some(ids) = &params.ids {
        records.retain(|r| r["Id"].as_i64().is_some_and(|id| ids.contains(&id)));
    }
    if let Some(text) = &params.condition {
        match condition::parse(text, sample.as_ref(), endpoint.aliases()) {
            Ok(expr) => records.retain(|r| expr.matches(r)),
            Err(condition::ConditionError::Invalid(message)) => {
                return error(StatusCode::BAD_REQUEST, "BadRequest", &message)
            }
            Err(condition::ConditionError::ServerFault) => {
                return error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", "An error has occurred.")
            }
        }
    }
    let order_by = params.order_by.as_deref().unwrap_or("Id asc");
    let mut keys: Vec<(Vec<String>, bool)> = Vec::new();
    for part in order_by.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let name = words.next().unwrap_or_default();
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return error(StatusCode::BAD_REQUEST, "BadRequest", &format!("Invalid sort direction '{other}'."))
            }
        };
        match condition::resolve(name, sample.as_ref(), endpoint.aliases()) {
            Ok(path) => keys.push((path, descending)),
            Err(condition::ConditionError::Invalid(message)) => {
                return error(StatusCode::BAD_REQUEST, "BadRequest", &message)
            }
            Err(condition::ConditionError::ServerFault) => {
                return error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", "An error has occurred.")
            }
        }
    }
    records.sort_by(|a, b| {
        keys.iter()
            .map(|(path, descending)| {
                let order = condition::compare_values(condition::lookup(a, path), condition::lookup(b, path));
                if *descending {
                    order.reverse()
                } else {
                    order
                }
            })
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    });
    let start = (params.page - 1).saturating_mul(params.page_size);
    let page: Vec<Value> = records
        .into_iter()
        .skip(start)
        .take(params.page_size)
        .map(|r| project(r, params.included.as_deref(), &params.excluded))
        .collect();
    Json(Value::Array(page)).into_response()
}

/// Only the top-level fields asked for (a nested name such as `Client.Id` keeps `Client`), less
/// the ones excluded.
fn project(record: Value, included: Option<&[String]>, excluded: &[String]) -> Value {
    let Value::Object(map) = record else { return record };
    let names = |fields: &[String], key: &str| {
        fields.iter().any(|f| f.split('.').next().unwrap_or_default().trim().eq_ignore_ascii_case(key))
    };
    let kept: Map<String, Value> = map
        .into_iter()
        .filter(|(k, _)| included.is_none_or(|fields| names(fields, k)) && !names(excluded, k))
        .collect();
    Value::Object(kept)
}

fn state_of(city: &str) -> &'static str {
    match city {
        "Dayton" | "Columbus" => "OH",
        "Austin" => "TX",
        "Denver" => "CO",
        "Portland" => "OR",
        "Raleigh" => "NC",
        _ => "",
    }
}

fn stamp_minutes_ago(minutes: i64) -> String {
    (Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Every record of a list, whole, in id order.
fn records_of(data: &AutomateData, endpoint: Endpoint) -> Vec<Value> {
    let clients: HashMap<i64, &AutomateClient> = data.clients.iter().map(|c| (c.id, c)).collect();
    let client_ref = |id: i64| json!({"Id": id, "Name": clients.get(&id).map(|c| c.name.as_str())});
    let locations: HashMap<i64, &str> = data.locations.iter().map(|l| (l.id, l.name.as_str())).collect();
    let location_ref = |id: i64| json!({"Id": id, "Name": locations.get(&id).copied()});
    match endpoint {
        Endpoint::Clients => data
            .clients
            .iter()
            .map(|c| {
                json!({
                    "Id": c.id, "Name": c.name, "Company": c.name, "FirstName": "", "LastName": "",
                    "Address1": format!("{} Main Street", 100 + c.id), "Address2": "", "City": c.city,
                    "State": state_of(&c.city), "ZipCode": c.zip_code, "Country": "United States",
                    "PhoneNumber": c.phone_number, "FaxNumber": "", "Comment": "", "ExternalId": c.external_id,
                    "UsesInHouseSupportStaff": false, "NewTicketNotificationEmail": "",
                    "IsHiddenFromAllInclusiveGroup": false,
                })
            })
            .collect(),
        Endpoint::Locations => data
            .locations
            .iter()
            .map(|l| {
                let client = clients.get(&l.client_id);
                let probe = data.computers.iter().find(|c| c.location_id == l.id && c.is_network_probe);
                let city = client.map(|c| c.city.as_str());
                json!({
                    "Id": l.id, "LocationId": l.id, "Name": l.name, "Client": client_ref(l.client_id),
                    "Address1": "", "City": city, "ZipCode": client.map(|c| c.zip_code.as_str()),
                    "PhoneNumber": client.map(|c| c.phone_number.as_str()), "Comments": "",
                    "ProbeId": probe.map(|c| c.id).unwrap_or(0), "ExternalId": 0,
                })
            })
            .collect(),
        Endpoint::Computers => data
            .computers
            .iter()
            .map(|c| {
                let server = c.computer_type == "Server";
                let version =
                    c.operating_system.split_whitespace().find(|w| w.starts_with(|d: char| d.is_ascii_digit()));
                let status = if c.online { "Online" } else { "Offline" };
                let bios = if c.is_virtual_machine { "VMware, Inc." } else { "Dell Inc." };
                let address = format!("10.{}.{}.{}", c.client_id % 250, c.location_id % 250, 10 + c.id % 240);
                let tcp = if server { json!([53, 88, 135, 389, 445, 3389]) } else { json!([135, 445]) };
                let group = if server {
                    json!({"Id": 3, "Name": "Windows Servers"})
                } else {
                    json!({"Id": 2, "Name": "Windows Workstations"})
                };
                json!({
                    "Id": c.id, "ComputerName": c.computer_name, "FriendlyName": "",
                    "Client": client_ref(c.client_id), "Location": location_ref(c.location_id),
                    "Type": c.computer_type, "Status": status,
                    "OperatingSystemName": c.operating_system,
                    "OperatingSystemVersion": version.unwrap_or(""),
                    "RemoteAgentLastContact": stamp_minutes_ago(c.minutes_since_contact),
                    "LastHeartbeat": stamp_minutes_ago(c.minutes_since_contact),
                    "RemoteAgentVersion": "2024.10.120",
                    "IsVirtualMachine": c.is_virtual_machine, "IsVirtualHost": false, "IsMaster": false,
                    "IsNetworkProbe": c.is_network_probe, "IsMaintenanceModeEnabled": false,
                    "IsRebootNeeded": false,
                    "DomainName": c.domain_name, "SerialNumber": c.serial_number,
                    "AssetTag": "", "Comment": "",
                    "VirusScanner": {"Id": 12, "Name": "Microsoft Defender Antivirus"},
                    "BIOSManufacturer": bios,
                    "LocalIPAddress": address,
                    "OpenPortsTCP": tcp,
                    "OpenPortsUDP": [137, 138],
                    "UserAccounts": ["Administrator", "DefaultAccount", "Guest"],
                    "Groups": [group],
                    "Tickets": [],
                })
            })
            .collect(),
        Endpoint::NetworkDevices => data
            .network_devices
            .iter()
            .map(|d| {
                json!({
                    "Id": d.id, "Name": d.name,
                    "Client": client_ref(d.client_id), "Location": location_ref(d.location_id),
                    "DeviceType": d.device_type, "Manufacturer": d.manufacturer, "IPAddress": d.ip_address,
                    "MACAddress": d.mac_address, "Status": "Online",
                })
            })
            .collect(),
    }
}

/// Each client with the tenant it truly is, its PSA link and its counts as the connector should
/// make them: every agent by its `Type` (online or not), workstations and servers always (0
/// included), network devices where it has any.
pub fn truth(data: &AutomateData) -> Value {
    let mut counts: HashMap<i64, BTreeMap<&'static str, i64>> = HashMap::new();
    for c in &data.clients {
        let entry = counts.entry(c.id).or_default();
        entry.insert("Workstations", 0);
        entry.insert("Servers", 0);
    }
    for c in &data.computers {
        let product = if c.computer_type == "Server" { "Servers" } else { "Workstations" };
        *counts.entry(c.client_id).or_default().entry(product).or_default() += 1;
    }
    for d in &data.network_devices {
        *counts.entry(d.client_id).or_default().entry("Network devices").or_default() += 1;
    }
    let clients: Vec<Value> = data
        .clients
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "name": c.name, "tenantId": c.tenant_id,
                "externalId": (c.external_id > 0).then_some(c.external_id),
                "counts": counts.remove(&c.id).unwrap_or_default(),
            })
        })
        .collect();
    Value::Array(clients)
}

/// Automate's SQL-like `condition`, evaluated over the records' JSON.
mod condition {
    use std::cmp::Ordering;

    use serde_json::Value;

    #[derive(Debug, Clone, PartialEq)]
    pub enum ConditionError {
        /// A 400: the text does not parse, or names a field the records do not have.
        Invalid(String),
        /// A 500: what real servers fail on (comparing dates on `RemoteAgentLastContact`).
        ServerFault,
    }

    fn invalid(message: impl Into<String>) -> ConditionError {
        ConditionError::Invalid(message.into())
    }

    #[derive(Debug, Clone, PartialEq)]
    pub enum Token {
        Word(String),
        Text(String),
        Symbol(&'static str),
        Open,
        Close,
        Comma,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum CompareOp {
        Eq,
        Ne,
        Lt,
        Le,
        Gt,
        Ge,
    }

    impl CompareOp {
        fn holds(self, order: Ordering) -> bool {
            match self {
                CompareOp::Eq => order == Ordering::Equal,
                CompareOp::Ne => order != Ordering::Equal,
                CompareOp::Lt => order == Ordering::Less,
                CompareOp::Le => order != Ordering::Greater,
                CompareOp::Gt => order == Ordering::Greater,
                CompareOp::Ge => order != Ordering::Less,
            }
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    pub enum Literal {
        Text(String),
        Number(f64),
        Bool(bool),
        Null,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub enum Expr {
        And(Box<Expr>, Box<Expr>),
        Or(Box<Expr>, Box<Expr>),
        Compare { path: Vec<String>, op: CompareOp, value: Literal },
        Like { path: Vec<String>, pattern: String, negated: bool },
        Contains { path: Vec<String>, needle: String, negated: bool },
        In { path: Vec<String>, values: Vec<Literal>, negated: bool },
    }

    fn tokenize(text: &str) -> Result<Vec<Token>, ConditionError> {
        let chars: Vec<char> = text.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            match c {
                _ if c.is_whitespace() => i += 1,
                '(' => {
                    tokens.push(Token::Open);
                    i += 1;
                }
                ')' => {
                    tokens.push(Token::Close);
                    i += 1;
                }
                ',' => {
                    tokens.push(Token::Comma);
                    i += 1;
                }
                '\'' | '"' => {
                    let mut value = String::new();
                    i += 1;
                    loop {
                        match chars.get(i).copied() {
                            None => return Err(invalid("A string is not closed.")),
                            // A doubled quote stands for the quote itself, as in SQL.
                            Some(q) if q == c && chars.get(i + 1) == Some(&c) => {
                                value.push(c);
                                i += 2;
                            }
                            Some(q) if q == c => {
                                i += 1;
                                break;
                            }
                            Some(other) => {
                                value.push(other);
                                i += 1;
                            }
                        }
                    }
                    tokens.push(Token::Text(value));
                }
                '=' => {
                    tokens.push(Token::Symbol("="));
                    i += 1;
                }
                '!' if next == Some('=') => {
                    tokens.push(Token::Symbol("!="));
                    i += 2;
                }
                '<' if next == Some('=') => {
                    tokens.push(Token::Symbol("<="));
                    i += 2;
                }
                '<' if next == Some('>') => {
                    tokens.push(Token::Symbol("!="));
                    i += 2;
                }
                '<' => {
                    tokens.push(Token::Symbol("<"));
                    i += 1;
                }
                '>' if next == Some('=') => {
                    tokens.push(Token::Symbol(">="));
                    i += 2;
                }
                '>' => {
                    tokens.push(Token::Symbol(">"));
                    i += 1;
                }
                _ => {
                    let start = i;
                    while i < chars.len() && !chars[i].is_whitespace() && !"()=<>!,'\"".contains(chars[i]) {
                        i += 1;
                    }
                    if start == i {
                        return Err(invalid(format!("Unexpected '{c}' in the condition.")));
                    }
                    tokens.push(Token::Word(chars[start..i].iter().collect()));
                }
            }
        }
        Ok(tokens)
    }

    /// The path of a field in the records (`Client.Id` → `["Client", "Id"]`, in the records'
    /// own spelling), through the endpoint's aliases. Without a sample record (an empty list)
    /// any name is taken as written.
    pub fn resolve(
        name: &str,
        sample: Option<&Value>,
        aliases: &[(&str, &str)],
    ) -> Result<Vec<String>, ConditionError> {
        let name =
            aliases.iter().find(|(alias, _)| alias.eq_ignore_ascii_case(name)).map(|(_, real)| *real).unwrap_or(name);
        let mut path = Vec::new();
        let mut node = sample;
        for part in name.split('.') {
            match node {
                None | Some(Value::Null) => {
                    node = None;
                    path.push(part.to_string());
                }
                Some(Value::Object(map)) => match map.iter().find(|(k, _)| k.eq_ignore_ascii_case(part)) {
                    Some((key, value)) => {
                        path.push(key.clone());
                        node = Some(value);
                    }
                    None => return Err(invalid(format!("Invalid field '{name}'."))),
                },
                Some(_) => return Err(invalid(format!("Invalid field '{name}'."))),
            }
        }
        if path.iter().any(|p| p.is_empty()) {
            return Err(invalid(format!("Invalid field '{name}'.")));
        }
        Ok(path)
    }

    /// What a path leads to when a record lacks it.
    static NULL: Value = Value::Null;

    pub fn lookup<'a>(record: &'a Value, path: &[String]) -> &'a Value {
        path.iter().fold(record, |node, key| node.get(key).unwrap_or(&NULL))
    }

    /// How two field values sort: null first, numbers by value, text without regard to case.
    pub fn compare_values(a: &Value, b: &Value) -> Ordering {
        let rank = |v: &Value| match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) | Value::Object(_) => 4,
        };
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(Ordering::Equal)
            }
            (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            _ => rank(a).cmp(&rank(b)),
        }
    }

    struct Parser<'a> {
        tokens: Vec<Token>,
        at: usize,
        sample: Option<&'a Value>,
        aliases: &'a [(&'a str, &'a str)],
    }

    impl Parser<'_> {
        fn take_token(&mut self) -> Option<Token> {
            let token = self.tokens.get(self.at).cloned();
            self.at += 1;
            token
        }

        fn at_keyword(&self, keyword: &str) -> bool {
            matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword))
        }

        fn or(&mut self) -> Result<Expr, ConditionError> {
            let mut left = self.and()?;
            while self.at_keyword("or") {
                self.at += 1;
                left = Expr::Or(Box::new(left), Box::new(self.and()?));
            }
            Ok(left)
        }

        fn and(&mut self) -> Result<Expr, ConditionError> {
            let mut left = self.primary()?;
            while self.at_keyword("and") {
                self.at += 1;
                left = Expr::And(Box::new(left), Box::new(self.primary()?));
            }
            Ok(left)
        }

        fn primary(&mut self) -> Result<Expr, ConditionError> {
            match self.take_token() {
                Some(Token::Open) => {
                    let inner = self.or()?;
                    match self.take_token() {
                        Some(Token::Close) => Ok(inner),
                        _ => Err(invalid("A ')' is missing in the condition.")),
                    }
                }
                Some(Token::Word(field)) => self.comparison(&field),
                _ => Err(invalid("A field name was expected in the condition.")),
            }
        }

        fn comparison(&mut self, field: &str) -> Result<Expr, ConditionError> {
            let path = resolve(field, self.sample, self.aliases)?;
            let negated = self.at_keyword("not");
            if negated {
                self.at += 1;
            }
            let symbol = |s: &str| match s {
                "=" => Some(CompareOp::Eq),
                "!=" => Some(CompareOp::Ne),
                "<" => Some(CompareOp::Lt),
                "<=" => Some(CompareOp::Le),
                ">" => Some(CompareOp::Gt),
                ">=" => Some(CompareOp::Ge),
                _ => None,
            };
            let operator = match self.take_token() {
                Some(Token::Symbol(s)) if !negated => symbol(s).map(Err),
                Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                    "eq" if !negated => Some(Err(CompareOp::Eq)),
                    "like" | "contains" | "in" => Some(Ok(w.to_ascii_lowercase())),
                    _ => None,
                },
                _ => None,
            };
            let what = if negated { "'like', 'contains' or 'in' after 'not'" } else { "an operator" };
            let Some(operator) = operator else {
                return Err(invalid(format!("Expected {what} after '{field}' in the condition.")));
            };
            match operator {
                Err(op) => {
                    let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
                    let is_contact = path.last().is_some_and(|p| p.eq_ignore_ascii_case("RemoteAgentLastContact"));
                    if ordering && is_contact {
                        return Err(ConditionError::ServerFault);
                    }
                    Ok(Expr::Compare { path, op, value: self.literal()? })
                }
                Ok(word) if word == "in" => {
                    if self.take_token() != Some(Token::Open) {
                        return Err(invalid("'in' takes a list in parentheses."));
                    }
                    let mut values = vec![self.literal()?];
                    loop {
                        match self.take_token() {
                            Some(Token::Comma) => values.push(self.literal()?),
                            Some(Token::Close) => break,
                            _ => return Err(invalid("An 'in' list is not closed.")),
                        }
                    }
                    Ok(Expr::In { path, values, negated })
                }
                Ok(word) => {
                    let text = match self.literal()? {
                        Literal::Text(t) => t,
                        Literal::Number(n) => n.to_string(),
                        _ => return Err(invalid(format!("'{word}' takes text."))),
                    };
                    if word == "like" {
                        Ok(Expr::Like { path, pattern: text, negated })
                    } else {
                        Ok(Expr::Contains { path, needle: text, negated })
                    }
                }
            }
        }

        fn literal(&mut self) -> Result<Literal, ConditionError> {
            match self.take_token() {
                Some(Token::Text(t)) => Ok(Literal::Text(t)),
                Some(Token::Word(w)) => Ok(match w.to_ascii_lowercase().as_str() {
                    "true" => Literal::Bool(true),
                    "false" => Literal::Bool(false),
                    "null" => Literal::Null,
                    // An unquoted value that is no number (a date) is taken as text.
                    _ => w.parse::<f64>().map(Literal::Number).unwrap_or(Literal::Text(w)),
                }),
                _ => Err(invalid("A value was expected in the condition.")),
            }
        }
    }

    /// Parses `text`, checking field names against `sample` (a record of the list).
    pub fn parse(text: &str, sample: Option<&Value>, aliases: &[(&str, &str)]) -> Result<Expr, ConditionError> {
        let mut parser = Parser { tokens: tokenize(text)?, at: 0, sample, aliases };
        let expr = parser.or()?;
        if parser.at < parser.tokens.len() {
            return Err(invalid("The condition has more after its end."));
        }
        Ok(expr)
    }

    fn text_of(value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// How a field's value compares with a literal, as MySQL coerces: text that is a number
    /// compares with numbers, text with text without regard to case.
    fn order(field: &Value, literal: &Literal) -> Option<Ordering> {
        match (field, literal) {
            (Value::Number(n), Literal::Number(x)) => n.as_f64()?.partial_cmp(x),
            (Value::Number(n), Literal::Text(t)) => n.as_f64()?.partial_cmp(&t.trim().parse::<f64>().ok()?),
            (Value::String(s), Literal::Number(x)) => s.trim().parse::<f64>().ok()?.partial_cmp(x),
            (Value::String(s), Literal::Text(t)) => Some(s.to_lowercase().cmp(&t.to_lowercase())),
            (Value::Bool(b), Literal::Bool(x)) => Some(b.cmp(x)),
            (Value::Bool(b), Literal::Number(x)) => (if *b { 1.0_f64 } else { 0.0_f64 }).partial_cmp(x),
            _ => None,
        }
    }

    /// SQL `like` without regard to case: `%` any run of characters, `_` any one.
    fn like(text: &str, pattern: &str) -> bool {
        let t: Vec<char> = text.to_lowercase().chars().collect();
        let p: Vec<char> = pattern.to_lowercase().chars().collect();
        let (mut ti, mut pi) = (0, 0);
        // Where the last `%` was and the text position it has swallowed up to.
        let mut resume: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && p[pi] == '%' {
                resume = Some((pi, ti));
                pi += 1;
            } else if pi < p.len() && (p[pi] == '_' || p[pi] == t[ti]) {
                ti += 1;
                pi += 1;
            } else if let Some((percent, swallowed)) = resume {
                pi = percent + 1;
                ti = swallowed + 1;
                resume = Some((percent, swallowed + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|c| *c == '%')
    }

    impl Expr {
        pub fn matches(&self, record: &Value) -> bool {
            match self {
                Expr::And(a, b) => a.matches(record) && b.matches(record),
                Expr::Or(a, b) => a.matches(record) || b.matches(record),
                Expr::Compare { path, op, value } => {
                    let field = lookup(record, path);
                    match (value, op) {
                        (Literal::Null, CompareOp::Eq) => field.is_null(),
                        (Literal::Null, CompareOp::Ne) => !field.is_null(),
                        _ if field.is_null() => false,
                        _ => match order(field, value) {
                            Some(o) => op.holds(o),
                            None => *op == CompareOp::Ne,
                        },
                    }
                }
                Expr::Like { path, pattern, negated } => match text_of(lookup(record, path)) {
                    Some(text) => like(&text, pattern) != *negated,
                    None => false,
                },
                Expr::Contains { path, needle, negated } => match text_of(lookup(record, path)) {
                    Some(text) => text.to_lowercase().contains(&needle.to_lowercase()) != *negated,
                    None => false,
                },
                Expr::In { path, values, negated } => {
                    let field = lookup(record, path);
                    !field.is_null() && values.iter().any(|v| order(field, v) == Some(Ordering::Equal)) != *negated
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use serde_json::json;

        use super::*;

        fn computer() -> Value {
            json!({"Id": 12, "ComputerName": "ACME-WS001", "Client": {"Id": 5, "Name": "Acme Ltd"},
                   "Type": "Server", "Status": "Online", "IsVirtualMachine": true,
                   "RemoteAgentLastContact": "2026-05-31T10:15:00Z"})
        }

        fn holds(text: &str) -> Result<bool, ConditionError> {
            let record = computer();
            parse(text, Some(&record), &[("ClientId", "Client.Id")]).map(|e| e.matches(&record))
        }

        #[test]
        fn the_documented_operators() {
            assert_eq!(holds("(Client.Id = 5)"), Ok(true));
            assert_eq!(holds("(Client.Id = '5') and (Type = 'server')"), Ok(true));
            assert_eq!(holds("ClientId eq 6 or Status = \"Online\""), Ok(true));
            assert_eq!(holds("(Type != 'Workstation')"), Ok(true));
            assert_eq!(holds("Id >= 12 and Id < 13 and Id <= 12 and Id > 11"), Ok(true));
            assert_eq!(holds("(Client.Name like '%Acme%')"), Ok(true));
            assert_eq!(holds("ComputerName like 'acme-ws__1'"), Ok(true));
            assert_eq!(holds("ComputerName not like '%SRV%'"), Ok(true));
            assert_eq!(holds("ComputerName contains 'ws0'"), Ok(true));
            assert_eq!(holds("ComputerName not contains 'ws0'"), Ok(false));
            assert_eq!(holds("Type in ('Server', 'Workstation')"), Ok(true));
            assert_eq!(holds("Id not in (1, 2)"), Ok(true));
            assert!(holds("IsVirtualMachine = true and not_a_keyword = 1").is_err());
            assert_eq!(holds("((Type = 'Server') and (Status = 'Offline')) or Id = 99"), Ok(false));
        }

        #[test]
        fn what_real_servers_refuse() {
            assert_eq!(holds("LastContact < '2026-01-01'"), Err(invalid("Invalid field 'LastContact'.")));
            assert_eq!(holds("RemoteAgentLastContact <= 2019-12-18T00:50:19.575Z"), Err(ConditionError::ServerFault));
            assert!(matches!(holds("(Type = 'Server'"), Err(ConditionError::Invalid(_))));
            assert!(matches!(holds("Type not = 'Server'"), Err(ConditionError::Invalid(_))));
            assert!(matches!(holds("Type = 'Server' Status"), Err(ConditionError::Invalid(_))));
            assert!(matches!(holds("Type = 'unclosed"), Err(ConditionError::Invalid(_))));
        }

        #[test]
        fn like_patterns() {
            assert!(like("Acme Dental", "%dental"));
            assert!(like("Acme Dental", "a%e%l"));
            assert!(!like("Acme Dental", "acme"));
            assert!(like("", "%"));
            assert!(like("abc", "a_c"));
            assert!(!like("abc", "a_"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parameters_in_any_case_flat_or_under_options() {
        let query = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let params = ListParams::read(&query(&[
            ("pagesize", "5000"),
            ("Page", "3"),
            ("options.condition", "Type = 'Server'"),
            ("options.includedFields", "Id"),
            ("options.includedFields", "Client,Type"),
            ("unknown", "ignored"),
        ]))
        .unwrap_or_else(|_| panic!("the parameters are valid"));
        assert_eq!((params.page, params.page_size), (3, MAX_PAGE_SIZE));
        assert_eq!(params.condition.as_deref(), Some("Type = 'Server'"));
        assert_eq!(params.included, Some(vec!["Id".to_string(), "Client".to_string(), "Type".to_string()]));
        assert!(ListParams::read(&query(&[("page", "0")])).is_err());
        assert!(ListParams::read(&query(&[("pageSize", "many")])).is_err());
        assert_eq!(ListParams::read(&query(&[])).map(|p| p.page_size).ok(), Some(DEFAULT_PAGE_SIZE));
    }

    #[test]
    fn projection_keeps_what_was_asked_for() {
        let record = json!({"Id": 1, "Client": {"Id": 5}, "OpenPortsTCP": [80], "Type": "Server"});
        let fields = vec!["id".to_string(), "Client.Id".to_string()];
        assert_eq!(project(record.clone(), Some(fields.as_slice()), &[]), json!({"Id": 1, "Client": {"Id": 5}}));
        assert_eq!(
            project(record, None, &["OpenPortsTCP".to_string()]),
            json!({"Id": 1, "Client": {"Id": 5}, "Type": "Server"})
        );
    }

    #[test]
    fn the_truth_counts_every_agent_by_type() {
        let msp = crate::seed::Msp::generate_with(11, 20, None);
        let company_of_tenant = std::collections::HashMap::new();
        let data = crate::automate_seed::generate(11, &msp.customers, &company_of_tenant, &msp.partner_name);
        let truth = truth(&data);
        let clients = truth.as_array().unwrap();
        assert_eq!(clients.len(), data.clients.len());
        let agents: i64 = clients
            .iter()
            .map(|c| c["counts"]["Workstations"].as_i64().unwrap() + c["counts"]["Servers"].as_i64().unwrap())
            .sum();
        assert_eq!(agents as usize, data.computers.len());
        let devices: i64 = clients.iter().filter_map(|c| c["counts"]["Network devices"].as_i64()).sum();
        assert_eq!(devices as usize, data.network_devices.len());
    }
}
