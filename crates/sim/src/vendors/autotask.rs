//! Autotask PSA REST (`/ATServicesRest/V1.0/…`): zone discovery, the three auth headers, the
//! hourly threshold and thread limit, queries with paging, get, create and update where the
//! documents allow them, child routes, and `entityInformation`. The records and the rules for
//! writing them live in `crate::autotask`.

use std::{sync::Arc, time::Instant};

use axum::{
    body::Bytes,
    extract::{Path, Request, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{any, get, post},
    Json, Router,
};
use serde_json::{json, Value};

use crate::{
    autotask::{
        query::{key, Query as AtQuery},
        schema::{self, Child, Entity},
        ApiError, Database, Record,
    },
    state::{lock, Held},
    Sim,
};

pub const AUTOTASK_USERNAME: &str = "seatsync-api@northwind-msp.example";
pub const AUTOTASK_SECRET: &str = "sim-autotask-secret";
pub const AUTOTASK_INTEGRATION_CODE: &str = "SEATSYNCSIMTRACKING";

/// Every Autotask path starts with this, in any casing.
const PREFIX: &str = "/atservicesrest/";
const API_ROOT: &str = "/atservicesrest/v1.0/";

pub fn router() -> Router<Arc<Sim>> {
    // A 7 MB attachment is about 9.4 MB of base64; the size rules are Autotask's, not axum's.
    Router::new()
        .route("/atservicesrest/v1.0/{*rest}", any(dispatch))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
}

/// Steering for tests and the demo.
pub fn control_router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_sim/autotask/reset-usage", post(reset_usage))
        .route("/_sim/autotask/{entity}", get(records))
        .route("/_sim/autotask-usage", get(usage))
        .route("/_sim/autotask-company-of/{tenant}", get(company_of))
        // Autotask's web UI, as far as SeatSync links into it (the zone's webUrl points here).
        .route("/autotask/Autotask/AutotaskExtend/ExecuteCommand.aspx", get(web_page))
}

/// A plain page standing in for Autotask's web UI: the company or contract a link opens, with
/// a contract's services and units, so the demo's links lead somewhere true.
async fn web_page(
    State(sim): State<Arc<Sim>>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let id = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
    let msp = sim.msp();
    let find = |entity: &str, id: i64| {
        msp.autotask.all(entity).find(|r| r.get("id").and_then(Value::as_i64) == Some(id)).cloned()
    };
    let table = |r: &serde_json::Map<String, Value>| {
        let rows: String =
            r.iter().map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v.to_string()))).collect();
        format!("<table>{rows}</table>")
    };
    let (title, body) = match (q.get("Code").map(String::as_str), id("AccountID"), id("ContractID")) {
        (Some("OpenAccount"), Some(company), _) => match find("Companies", company) {
            Some(c) => (format!("Company {}", c.get("companyName").and_then(Value::as_str).unwrap_or("")), table(&c)),
            None => ("Company not found".to_string(), format!("<p>No company {company}.</p>")),
        },
        (Some("OpenContract"), _, Some(contract)) => match find("Contracts", contract) {
            Some(c) => {
                let units: String = msp
                    .autotask
                    .all("ContractServiceUnits")
                    .filter(|u| u.get("contractID").and_then(Value::as_i64) == Some(contract))
                    .map(|u| {
                        let service = u.get("serviceID").and_then(Value::as_i64).and_then(|s| find("Services", s));
                        let name = service.as_ref().and_then(|s| s.get("name")).and_then(Value::as_str).unwrap_or("?");
                        format!(
                            "<li>{}: {} units</li>",
                            esc(name),
                            u.get("units").map(|v| v.to_string()).unwrap_or_default()
                        )
                    })
                    .collect();
                (
                    format!("Contract {}", c.get("contractName").and_then(Value::as_str).unwrap_or("")),
                    format!("{}<h2>Services</h2><ul>{units}</ul>", table(&c)),
                )
            }
            None => ("Contract not found".to_string(), format!("<p>No contract {contract}.</p>")),
        },
        _ => ("Autotask (simulated)".to_string(), "<p>Nothing to open.</p>".to_string()),
    };
    axum::response::Html(format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>{t}</title><style>body{{font-family:sans-serif;margin:2rem}}th{{text-align:left;padding-right:1rem}}</style></head>\
         <body><p>Autotask (simulated)</p><h1>{t}</h1>{body}</body></html>",
        t = esc(&title)
    ))
    .into_response()
}

/// Lower-cases Autotask paths before routing: Autotask matches them case-insensitively.
pub async fn normalize_path(mut req: Request) -> Request {
    let path = req.uri().path();
    let is_autotask = path.get(..PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(PREFIX));
    if is_autotask && path.bytes().any(|b| b.is_ascii_uppercase()) {
        let lowered = match req.uri().query() {
            Some(q) => format!("{}?{q}", path.to_ascii_lowercase()),
            None => path.to_ascii_lowercase(),
        };
        let mut parts = req.uri().clone().into_parts();
        if let Ok(pq) = lowered.parse() {
            parts.path_and_query = Some(pq);
            if let Ok(uri) = Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
    }
    req
}

fn errors(status: StatusCode, messages: Vec<String>) -> Response {
    (status, Json(json!({ "errors": messages }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        errors(self.status, self.errors)
    }
}

/// Checks `ApiIntegrationCode`, `UserName` and `Secret`; Autotask answers 401 with a text body.
// The error is the answer the handler sends: boxing axum's `Response` would only add a step.
#[allow(clippy::result_large_err)]
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

/// The endpoint a path acts on, for the thread limit: the child entity for child routes.
fn endpoint(rest: &str) -> String {
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [parent, id, seg, ..] if id.parse::<i64>().is_ok() => match schema::child(parent, seg) {
            Some(c) => c.entity.to_string(),
            None => parent.to_string(),
        },
        [first, ..] => schema::entity(first).map(|e| e.name.to_string()).unwrap_or_else(|| first.to_string()),
        [] => String::new(),
    }
}

/// Gives a thread back when the request is done.
struct Thread {
    sim: Arc<Sim>,
    key: String,
    generation: u64,
}

impl Drop for Thread {
    fn drop(&mut self) {
        lock(&self.sim.autotask_usage).leave(&self.key, self.generation);
    }
}

/// Middleware: authentication, the hourly threshold (with Autotask's progressive latency) and
/// the thread limit, for every Autotask request but zone discovery.
pub async fn limits(State(sim): State<Arc<Sim>>, mut req: Request, next: Next) -> Response {
    let Some(rest) = req.uri().path().strip_prefix(API_ROOT).map(str::to_string) else {
        return next.run(req).await;
    };
    if rest.trim_end_matches('/') == "zoneinformation" {
        return next.run(req).await;
    }
    if let Err(res) = authenticate(req.headers()) {
        return res;
    }
    let code = req.headers().get("ApiIntegrationCode").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let key = format!("{code}/{}", endpoint(&rest));
    let (latency, thread) = {
        let mut usage = lock(&sim.autotask_usage);
        let count = match usage.admit(Instant::now()) {
            Ok(count) => count,
            Err(count) => {
                let limit = usage.limit();
                return errors(StatusCode::TOO_MANY_REQUESTS, vec![format!(
                    "Request rejected: the API request threshold of {limit} requests per 60 minutes has been exceeded for this database ({count} requests in the current timeframe). Try again later."
                )]);
            }
        };
        let Some(generation) = usage.enter(&key) else {
            return errors(StatusCode::TOO_MANY_REQUESTS, vec![format!(
                "Thread limit exceeded: at most {} requests may be in progress at once per API integration code and endpoint ({}).",
                crate::autotask::limits::THREADS_PER_ENDPOINT,
                endpoint(&rest)
            )]);
        };
        (usage.added_latency(count), Thread { sim: sim.clone(), key, generation })
    };
    let held = Held::new(thread);
    req.extensions_mut().insert(held.clone());
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let res = next.run(req).await;
    held.release();
    res
}

async fn zone_information(sim: &Sim, query: Option<&str>) -> Response {
    let user = query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k.eq_ignore_ascii_case("user"))
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    match user {
        Some(user) if user.eq_ignore_ascii_case(AUTOTASK_USERNAME) => Json(json!({
            "zoneName": "America West (simulated)",
            "url": format!("{}/ATServicesRest/", sim.base_url),
            "webUrl": format!("{}/autotask/", sim.base_url),
            "ci": 1234567,
        }))
        .into_response(),
        _ => errors(StatusCode::NOT_FOUND, vec!["Zone information could not be determined for this user.".into()]),
    }
}

fn threshold_information(sim: &Sim) -> Response {
    let mut usage = lock(&sim.autotask_usage);
    let count = usage.count(Instant::now());
    Json(json!({"externalRequestThreshold": usage.limit(), "requestThresholdTimeframe": 60, "currentTimeframeRequestCount": count})).into_response()
}

/// Where a page starts: the first id of every earlier page, and this page's first id.
#[derive(Debug, Clone, Default)]
struct Paging {
    previous: Vec<i64>,
    start: i64,
}

impl Paging {
    fn encode(&self, page_size: usize) -> String {
        json!({"pageSize": page_size, "previousIds": self.previous, "nextIds": [self.start]}).to_string()
    }

    fn decode(text: &str) -> Option<Self> {
        let v: Value = serde_json::from_str(text).ok()?;
        let obj = v.as_object()?;
        let ids = |name: &str| {
            key(obj, name).and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_i64).collect::<Vec<_>>())
        };
        Some(Self { previous: ids("previousIds")?, start: *ids("nextIds")?.first()? })
    }
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// One page of a query, with the URLs of its neighbours.
fn query_page(sim: &Sim, entity: &'static Entity, body: &Value, paging: Paging) -> Result<Value, ApiError> {
    let query = AtQuery::parse(entity, body).map_err(ApiError::one)?;
    let msp = sim.msp();
    let mut matching = msp
        .autotask
        .all(entity.name)
        .filter(|r| r["id"].as_i64().is_some_and(|id| id >= paging.start) && query.matches(r));
    let items: Vec<Value> = matching.by_ref().take(query.max_records).map(|r| query.project(r)).collect();
    let next_start = matching.next().and_then(|r| r["id"].as_i64());
    let search = enc(&body.to_string());
    let url = |p: &Paging| {
        format!(
            "{}/ATServicesRest/V1.0/{}/query/next?paging={}&search={search}",
            sim.base_url,
            entity.name,
            enc(&p.encode(query.max_records))
        )
    };
    let next = next_start.map(|start| {
        let mut previous = paging.previous.clone();
        previous.push(paging.start);
        url(&Paging { previous, start })
    });
    let prev = paging
        .previous
        .split_last()
        .map(|(start, previous)| url(&Paging { previous: previous.to_vec(), start: *start }));
    Ok(json!({
        "items": items,
        "pageDetails": {"count": items.len(), "requestCount": query.max_records, "prevPageUrl": prev, "nextPageUrl": next},
    }))
}

fn count(sim: &Sim, entity: &'static Entity, body: &Value) -> Result<Value, ApiError> {
    let query = AtQuery::parse(entity, body).map_err(ApiError::one)?;
    let n = sim.msp().autotask.all(entity.name).filter(|r| query.matches(r)).count();
    Ok(json!({ "queryCount": n }))
}

/// The query of a request: the body of a POST, or the `search` parameter of a GET.
fn query_of(method: &Method, params: &[(String, String)], body: &Bytes) -> Result<Value, ApiError> {
    let from_body = *method == Method::POST && !body.iter().all(u8::is_ascii_whitespace);
    let text = if from_body {
        String::from_utf8_lossy(body).into_owned()
    } else {
        match params.iter().find(|(k, _)| k.eq_ignore_ascii_case("search")) {
            Some((_, v)) => v.clone(),
            None => {
                return Err(ApiError::one(
                    r#"A filter is required. To return every record, filter on {"op":"gte","field":"id","value":0}."#,
                ))
            }
        }
    };
    serde_json::from_str(&text).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        errors: vec![format!("The query is not valid JSON: {e}")],
    })
}

fn body_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        errors: vec![format!("The request body is not valid JSON: {e}")],
    })
}

fn not_queryable(entity: &Entity) -> ApiError {
    ApiError::not_allowed(format!("{} can only be created; they cannot be queried or read back.", entity.name))
}

fn item(record: Option<&Record>, entity: &Entity, id: i64, with_data: bool) -> Result<Value, ApiError> {
    let Some(r) = record else {
        return Err(ApiError::not_found(format!("No {} with id {id} was found.", entity.name)));
    };
    let mut r = r.clone();
    if !with_data && r.contains_key("data") {
        r.insert("data".into(), Value::Null);
    }
    Ok(json!({ "item": r }))
}

async fn dispatch(State(sim): State<Arc<Sim>>, method: Method, uri: Uri, body: Bytes) -> Response {
    let rest = uri.path().strip_prefix(API_ROOT).unwrap_or_default();
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let params: Vec<(String, String)> =
        uri.query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    if segs == ["zoneinformation"] && method == Method::GET {
        return zone_information(&sim, uri.query()).await;
    }
    if segs == ["thresholdinformation"] && method == Method::GET {
        return threshold_information(&sim);
    }
    match handle(&sim, &method, &segs, &params, &body) {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

fn handle(
    sim: &Sim,
    method: &Method,
    segs: &[&str],
    params: &[(String, String)],
    body: &Bytes,
) -> Result<Value, ApiError> {
    let Some((first, rest)) = segs.split_first() else {
        return Err(ApiError::not_found("No such resource."));
    };
    let Some(entity) = schema::entity(first) else {
        return Err(ApiError::not_found(format!("The resource '{first}' does not exist.")));
    };
    let (top_create, top_update) = Database::top_level_writes(entity);
    match (method, rest) {
        (&Method::GET, ["entityinformation"]) => Ok(entity.info()),
        (&Method::GET, ["entityinformation", "fields"]) => {
            Ok(json!({"fields": entity.fields.iter().map(|f| f.info()).collect::<Vec<_>>()}))
        }
        (&Method::GET, ["entityinformation", "userdefinedfields"]) => Ok(json!({"fields": []})),
        (&Method::GET | &Method::POST, ["query", ..]) if !entity.can_query() => Err(not_queryable(entity)),
        (&Method::GET | &Method::POST, ["query"]) => {
            query_page(sim, entity, &query_of(method, params, body)?, Paging { previous: Vec::new(), start: 0 })
        }
        (&Method::GET | &Method::POST, ["query", "count"]) => count(sim, entity, &query_of(method, params, body)?),
        (&Method::GET | &Method::POST, ["query", "next"]) => {
            let paging = params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("paging"))
                .and_then(|(_, v)| Paging::decode(v))
                .ok_or_else(|| {
                    ApiError::one(
                        "The paging parameter is missing or not valid; follow the nextPageUrl of the previous page.",
                    )
                })?;
            query_page(sim, entity, &query_of(method, params, body)?, paging)
        }
        (&Method::POST, []) if top_create => {
            let id = sim.msp().autotask.create(entity, &body_json(body)?, None)?;
            Ok(json!({ "itemId": id }))
        }
        (&Method::PATCH, []) if top_update => {
            let id = sim.msp().autotask.update(entity, &body_json(body)?, None)?;
            Ok(json!({ "itemId": id }))
        }
        (_, []) => Err(ApiError::not_allowed(match entity.name {
            "ContractServices" => {
                "Contract services are created and updated through /Contracts/{id}/Services.".to_string()
            }
            "TicketNotes" => "Ticket notes are created and updated through /Tickets/{id}/Notes.".to_string(),
            "TicketAttachments" => "Ticket attachments are created through /Tickets/{id}/Attachments.".to_string(),
            name => format!("{name} does not support {method} here."),
        })),
        (&Method::GET, [id]) => {
            let id: i64 =
                id.parse().map_err(|_| ApiError::not_found(format!("The resource '{id}' does not exist.")))?;
            if !entity.can_query() {
                return Err(not_queryable(entity));
            }
            item(sim.msp().autotask.get(entity.name, id), entity, id, false)
        }
        (_, [parent_id, seg, tail @ ..]) => {
            let parent_id: i64 = parent_id
                .parse()
                .map_err(|_| ApiError::not_found(format!("The resource '{parent_id}' does not exist.")))?;
            let child = schema::child(entity.name, seg)
                .ok_or_else(|| ApiError::not_found(format!("{} has no child resource '{seg}'.", entity.name)))?;
            child_route(sim, method, child, parent_id, tail, body)
        }
        _ => Err(ApiError::not_allowed(format!("{} does not support {method} here.", entity.name))),
    }
}

/// `/{Parent}/{id}/{Child}[/{childId}]`.
fn child_route(
    sim: &Sim,
    method: &Method,
    child: &Child,
    parent_id: i64,
    tail: &[&str],
    body: &Bytes,
) -> Result<Value, ApiError> {
    let entity = schema::entity(child.entity).expect("children are in the schema");
    let mut msp = sim.msp();
    let db = &mut msp.autotask;
    match (method, tail) {
        (&Method::GET, []) if entity.can_query() => {
            if db.get(child.parent, parent_id).is_none() {
                return Err(ApiError::not_found(format!("No {} with id {parent_id} was found.", child.parent)));
            }
            let items: Vec<Value> = db
                .all(entity.name)
                .filter(|r| r[child.parent_field].as_i64() == Some(parent_id))
                .map(|r| {
                    let mut r = r.clone();
                    if r.contains_key("data") {
                        r.insert("data".into(), Value::Null);
                    }
                    Value::Object(r)
                })
                .collect();
            Ok(
                json!({"items": items, "pageDetails": {"count": items.len(), "requestCount": 500, "prevPageUrl": null, "nextPageUrl": null}}),
            )
        }
        (&Method::GET, [id]) if entity.can_query() => {
            let id: i64 =
                id.parse().map_err(|_| ApiError::not_found(format!("The resource '{id}' does not exist.")))?;
            let record = db.get(entity.name, id).filter(|r| r[child.parent_field].as_i64() == Some(parent_id));
            // Only this route returns an attachment's data.
            item(record, entity, id, true)
        }
        (&Method::POST, []) if child.can_create => {
            Ok(json!({"itemId": db.create(entity, &body_json(body)?, Some((child, parent_id)))?}))
        }
        (&Method::PATCH, []) if child.can_update => {
            Ok(json!({"itemId": db.update(entity, &body_json(body)?, Some((child, parent_id)))?}))
        }
        (&Method::DELETE, [id]) => {
            let id: i64 =
                id.parse().map_err(|_| ApiError::not_found(format!("The resource '{id}' does not exist.")))?;
            Ok(json!({"itemId": db.delete_child(child, parent_id, id)?}))
        }
        _ => Err(ApiError::not_allowed(format!(
            "{} does not support {method} at /{}/{{id}}/{}.",
            entity.name, child.parent, child.segment
        ))),
    }
}

/// `GET /_sim/autotask/{entity}`: every stored record, `data` included.
async fn records(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> Response {
    let name: String = name.chars().filter(|c| *c != '-' && *c != '_').collect();
    let Some(entity) = schema::entity(&name) else {
        let known: Vec<&str> = schema::entities().iter().map(|e| e.name).collect();
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("unknown entity {name}; known: {}", known.join(", "))})),
        )
            .into_response();
    };
    let msp = sim.msp();
    Json(msp.autotask.all(entity.name).cloned().map(Value::Object).collect::<Vec<_>>()).into_response()
}

/// `POST /_sim/autotask/reset-usage`: clears the hourly window and the thread counters.
async fn reset_usage(State(sim): State<Arc<Sim>>) -> StatusCode {
    lock(&sim.autotask_usage).reset();
    StatusCode::NO_CONTENT
}

/// `GET /_sim/autotask-usage`: the hour's count, the limit, and how many requests were refused.
async fn usage(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let mut u = lock(&sim.autotask_usage);
    let count = u.count(Instant::now());
    Json(json!({
        "limit": u.limit(),
        "currentTimeframeRequestCount": count,
        "refusedThreshold": u.refused_threshold,
        "refusedThreadLimit": u.refused_threads,
        "inFlight": u.in_flight(),
    }))
}

/// `GET /_sim/autotask-company-of/{tenantId}`: the seeded company of a customer tenant.
async fn company_of(State(sim): State<Arc<Sim>>, Path(tenant): Path<String>) -> Response {
    let msp = sim.msp();
    let found = msp.autotask.company_of_tenant.iter().find(|(t, _)| t.eq_ignore_ascii_case(&tenant)).map(|(_, id)| *id);
    match found {
        Some(id) => Json(json!({"tenantId": tenant, "companyId": id})).into_response(),
        None => {
            (StatusCode::NOT_FOUND, Json(json!({"error": format!("tenant {tenant} has no seeded Autotask company")})))
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_name_the_entity_acted_on() {
        assert_eq!(endpoint("companies/query"), "Companies");
        assert_eq!(endpoint("contracts/123/services"), "ContractServices");
        assert_eq!(endpoint("contracts/123"), "Contracts");
        assert_eq!(endpoint("thresholdinformation"), "thresholdinformation");
    }

    #[test]
    fn paging_tokens_round_trip() {
        let p = Paging { previous: vec![0, 40], start: 90 };
        let back = Paging::decode(&p.encode(50)).unwrap();
        assert_eq!((back.previous, back.start), (vec![0, 40], 90));
    }
}
