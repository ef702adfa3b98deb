//! ConnectWise Manage's service desk (vendor-apis.md, section 5): companies, boards and their
//! statuses to choose from (a name starting with '>' is a closed status, as ConnectWise's own
//! boards name them), service tickets (summary at most 100 characters, a company required; found
//! by summary or by id; their status changed by a JSON Patch, which sets `closedFlag`), ticket
//! notes and documents (multipart), kept as received. Authentication is checked on every
//! call as `psa.rs` does for `/system/info`.

use std::sync::Arc;

use axum::{
    extract::{Multipart, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::psa::cw_authorised;
use crate::{state::lock, Sim};

const BASE: &str = "/v4_6_release/apis/3.0";
/// Where the ids of companies start (ConnectWise's own company is 1).
const FIRST_COMPANY_ID: i64 = 250;
/// A status: its id and name.
type Status = (i64, &'static str);
/// The boards of a typical service desk, and the statuses each has (the first the default).
const BOARDS: &[(i64, &str, &[Status])] = &[
    (1, "Service Desk", &[(16, "New"), (17, "In Progress"), (18, "Waiting Customer"), (19, ">Closed")]),
    (24, "Billing", &[(71, "New"), (72, "Review"), (73, ">Closed")]),
    (31, "Alerts", &[(90, "New (alert)"), (91, "Acknowledged"), (92, ">Closed")]),
];

/// What the service desk received.
#[derive(Default)]
pub struct ServiceDesk {
    pub tickets: Vec<Value>,
    pub notes: Vec<Value>,
    pub documents: Vec<Value>,
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route(&format!("{BASE}/company/companies"), get(companies))
        .route(&format!("{BASE}/service/boards"), get(boards))
        .route(&format!("{BASE}/service/boards/{{id}}/statuses"), get(statuses))
        .route(&format!("{BASE}/service/tickets"), get(tickets).post(create_ticket))
        .route(&format!("{BASE}/service/tickets/{{id}}"), get(ticket).patch(patch_ticket))
        .route(&format!("{BASE}/service/tickets/{{id}}/notes"), get(notes).post(create_note))
        .route(&format!("{BASE}/system/documents"), get(documents).post(upload))
}

fn error(status: StatusCode, code: &str, message: &str, field: Option<&str>) -> Response {
    let errors: Vec<Value> = field
        .map(|f| vec![json!({"code": code, "message": message, "resource": "ticket", "field": f})])
        .unwrap_or_default();
    (status, Json(json!({"code": code, "message": message, "errors": errors}))).into_response()
}

fn unauthorised() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Authentication failed: check the company id, keys and clientId.",
        None,
    )
}

fn desk(sim: &Sim) -> std::sync::MutexGuard<'_, ServiceDesk> {
    lock(&sim.connectwise)
}

/// The MSP's customers as ConnectWise companies.
fn company_list(sim: &Sim) -> Vec<(i64, String, String)> {
    sim.msp()
        .customers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let identifier: String = c.company_name.chars().filter(|ch| ch.is_ascii_alphanumeric()).take(20).collect();
            (FIRST_COMPANY_ID + i as i64, c.company_name.clone(), identifier)
        })
        .collect()
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    page: Option<usize>,
    #[serde(default, rename = "pageSize")]
    page_size: Option<usize>,
    #[serde(default)]
    conditions: Option<String>,
}

fn page<T: Clone>(items: &[T], p: &Paging) -> Vec<T> {
    let size = p.page_size.unwrap_or(25).clamp(1, 1000);
    let page = p.page.unwrap_or(1).max(1);
    items.iter().skip((page - 1) * size).take(size).cloned().collect()
}

async fn companies(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(p): Query<Paging>) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let all: Vec<Value> = company_list(&sim)
        .into_iter()
        .map(|(id, name, identifier)| json!({"id": id, "identifier": identifier, "name": name, "deletedFlag": false}))
        .collect();
    Json(page(&all, &p)).into_response()
}

async fn boards(headers: HeaderMap) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let all: Vec<Value> =
        BOARDS.iter().map(|(id, name, _)| json!({"id": id, "name": name, "inactiveFlag": false})).collect();
    Json(all).into_response()
}

async fn statuses(headers: HeaderMap, Path(board): Path<i64>) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let Some((_, _, statuses)) = BOARDS.iter().find(|(id, _, _)| *id == board) else {
        return error(StatusCode::NOT_FOUND, "NotFound", &format!("Board {board} not found"), None);
    };
    let all: Vec<Value> = statuses
        .iter()
        .enumerate()
        .map(|(i, (id, name))| {
            json!({"id": id, "name": name, "defaultFlag": i == 0, "inactive": false, "closedStatus": name.starts_with('>')})
        })
        .collect();
    Json(all).into_response()
}

/// The conditions the desk understands; others are refused.
enum Condition {
    /// `summary like "%text%"`.
    SummaryContains(String),
    /// `id in (1,2,3)`.
    IdIn(Vec<i64>),
}

fn condition(conditions: &str) -> Option<Condition> {
    let conditions = conditions.trim();
    if let Some(rest) = conditions.strip_prefix("summary like ") {
        let quoted = rest.trim().strip_prefix('"')?.strip_suffix('"')?;
        return Some(Condition::SummaryContains(quoted.trim_matches('%').to_string()));
    }
    let list = conditions.strip_prefix("id in ")?.trim().strip_prefix('(')?.strip_suffix(')')?;
    let ids: Result<Vec<i64>, _> = list.split(',').map(|i| i.trim().parse()).collect();
    ids.ok().map(Condition::IdIn)
}

async fn tickets(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(p): Query<Paging>) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let all = desk(&sim).tickets.clone();
    let matching: Vec<Value> = match p.conditions.as_deref().filter(|c| !c.trim().is_empty()) {
        None => all,
        Some(c) => match condition(c) {
            Some(Condition::SummaryContains(text)) => all
                .into_iter()
                .filter(|t| t["summary"].as_str().is_some_and(|s| s.to_lowercase().contains(&text.to_lowercase())))
                .collect(),
            Some(Condition::IdIn(ids)) => {
                all.into_iter().filter(|t| t["id"].as_i64().is_some_and(|id| ids.contains(&id))).collect()
            }
            None => {
                return error(StatusCode::BAD_REQUEST, "InvalidConditions", "The conditions could not be read.", None)
            }
        },
    };
    Json(page(&matching, &p)).into_response()
}

async fn create_ticket(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Option<Json<Value>>) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "InvalidObject", "The body is not JSON.", None);
    };
    let summary = body["summary"].as_str().unwrap_or_default().trim().to_string();
    if summary.is_empty() {
        return error(StatusCode::BAD_REQUEST, "InvalidObject", "ticket object is invalid", Some("summary"));
    }
    if summary.chars().count() > 100 {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidObject",
            "summary cannot be longer than 100 characters",
            Some("summary"),
        );
    }
    let companies = company_list(&sim);
    let Some(company) = body["company"]["id"].as_i64().and_then(|id| companies.iter().find(|c| c.0 == id)) else {
        return error(StatusCode::BAD_REQUEST, "InvalidObject", "company is required and must exist", Some("company"));
    };
    let board_id = body["board"]["id"].as_i64().unwrap_or(BOARDS[0].0);
    let Some((board_id, board_name, statuses)) = BOARDS.iter().find(|(id, _, _)| *id == board_id) else {
        return error(StatusCode::BAD_REQUEST, "InvalidObject", "board does not exist", Some("board"));
    };
    let status_id = body["status"]["id"].as_i64().unwrap_or(statuses[0].0);
    let Some((status_id, status_name)) = statuses.iter().find(|(id, _)| *id == status_id) else {
        return error(StatusCode::BAD_REQUEST, "InvalidObject", "status is not a status of the board", Some("status"));
    };
    let mut desk = desk(&sim);
    let id = 10_000 + desk.tickets.len() as i64 + 1;
    let ticket = json!({
        "id": id,
        "summary": summary,
        "company": {"id": company.0, "identifier": company.2, "name": company.1},
        "board": {"id": board_id, "name": board_name},
        "status": {"id": status_id, "name": status_name},
        "closedFlag": status_name.starts_with('>'),
        "priority": body.get("priority").cloned().unwrap_or(json!({"id": 8, "name": "Priority 3 - Normal Response"})),
        "initialDescription": body["initialDescription"].clone(),
        "_info": {"dateEntered": chrono::Utc::now().to_rfc3339(), "enteredBy": "SeatSync"},
    });
    desk.tickets.push(ticket.clone());
    (StatusCode::CREATED, Json(ticket)).into_response()
}

fn not_found(ticket: i64) -> Response {
    error(StatusCode::NOT_FOUND, "NotFound", &format!("Ticket {ticket} not found"), None)
}

async fn ticket(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    match desk(&sim).tickets.iter().find(|t| t["id"] == id) {
        Some(t) => Json(t.clone()).into_response(),
        None => not_found(id),
    }
}

/// A JSON Patch of the ticket; only `replace` of `status/id` (a status of the ticket's board) is
/// understood, as the desk needs nothing else.
async fn patch_ticket(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Option<Json<Value>>,
) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let Some(Json(Value::Array(ops))) = body else {
        return error(StatusCode::BAD_REQUEST, "InvalidObject", "The body must be a JSON Patch array.", None);
    };
    let mut desk = desk(&sim);
    let Some(ticket) = desk.tickets.iter_mut().find(|t| t["id"] == id) else {
        return not_found(id);
    };
    for op in ops {
        let path = op["path"].as_str().unwrap_or_default().trim_start_matches('/');
        if op["op"] != "replace" || !matches!(path, "status/id" | "status") {
            return error(StatusCode::BAD_REQUEST, "InvalidObject", "Only the status can be replaced here.", None);
        }
        let wanted = op["value"].as_i64().or_else(|| op["value"]["id"].as_i64());
        let board = ticket["board"]["id"].as_i64();
        let statuses = BOARDS.iter().find(|(b, _, _)| Some(*b) == board).map(|(_, _, s)| *s).unwrap_or(&[]);
        let Some((status_id, name)) = statuses.iter().find(|(s, _)| Some(*s) == wanted) else {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidObject",
                "status is not a status of the board",
                Some("status"),
            );
        };
        ticket["status"] = json!({"id": status_id, "name": name});
        ticket["closedFlag"] = json!(name.starts_with('>'));
    }
    Json(ticket.clone()).into_response()
}

async fn notes(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(ticket): Path<i64>) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let desk = desk(&sim);
    if !desk.tickets.iter().any(|t| t["id"] == ticket) {
        return not_found(ticket);
    }
    let of_ticket: Vec<Value> = desk.notes.iter().filter(|n| n["ticketId"] == ticket).cloned().collect();
    Json(of_ticket).into_response()
}

async fn create_note(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(ticket): Path<i64>,
    Json(body): Json<Value>,
) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let mut desk = desk(&sim);
    if !desk.tickets.iter().any(|t| t["id"] == ticket) {
        return not_found(ticket);
    }
    let flags = ["detailDescriptionFlag", "internalAnalysisFlag", "resolutionFlag"];
    if !flags.iter().any(|f| body[*f] == true) {
        let message = "A note must be a detail description, an internal analysis or a resolution.";
        return error(StatusCode::BAD_REQUEST, "InvalidObject", message, Some("detailDescriptionFlag"));
    }
    let note = json!({"id": desk.notes.len() as i64 + 1, "ticketId": ticket, "text": body["text"], "detailDescriptionFlag": body["detailDescriptionFlag"], "internalAnalysisFlag": body["internalAnalysisFlag"]});
    desk.notes.push(note.clone());
    (StatusCode::CREATED, Json(note)).into_response()
}

#[derive(Deserialize)]
struct DocumentQuery {
    #[serde(rename = "recordType")]
    record_type: Option<String>,
    #[serde(rename = "recordId")]
    record_id: Option<i64>,
}

async fn documents(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<DocumentQuery>) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let list: Vec<Value> = desk(&sim)
        .documents
        .iter()
        .filter(|d| q.record_type.as_deref().is_none_or(|t| d["recordType"] == t))
        .filter(|d| q.record_id.is_none_or(|id| d["recordId"] == id))
        .map(|d| {
            let mut d = d.clone();
            d.as_object_mut().map(|o| o.remove("data"));
            d
        })
        .collect();
    Json(list).into_response()
}

async fn upload(State(sim): State<Arc<Sim>>, headers: HeaderMap, mut form: Multipart) -> Response {
    if !cw_authorised(&headers) {
        return unauthorised();
    }
    let (mut record_type, mut record_id, mut title, mut file) = (None, None, None, None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name().unwrap_or_default() {
            "recordType" => record_type = field.text().await.ok(),
            "recordId" => record_id = field.text().await.ok().and_then(|t| t.trim().parse::<i64>().ok()),
            "title" => title = field.text().await.ok(),
            "file" => {
                let name = field.file_name().unwrap_or("file").to_string();
                file = field.bytes().await.ok().map(|b| (name, b.len()));
            }
            _ => {}
        }
    }
    let (Some(record_type), Some(record_id), Some((file_name, size))) = (record_type, record_id, file) else {
        return error(StatusCode::BAD_REQUEST, "InvalidObject", "recordType, recordId and file are required", None);
    };
    let mut desk = desk(&sim);
    if record_type == "Ticket" && !desk.tickets.iter().any(|t| t["id"] == record_id) {
        return error(StatusCode::NOT_FOUND, "NotFound", &format!("Ticket {record_id} not found"), None);
    }
    let document = json!({
        "id": desk.documents.len() as i64 + 1,
        "title": title.unwrap_or_else(|| file_name.clone()),
        "fileName": file_name,
        "recordType": record_type,
        "recordId": record_id,
        "size": size,
        "readOnlyFlag": false,
        "_info": {"lastUpdated": chrono::Utc::now().to_rfc3339(), "updatedBy": "SeatSync"},
    });
    desk.documents.push(document.clone());
    Json(document).into_response()
}

/// `GET /_sim/connectwise/{tickets|notes|documents}`: what the desk received.
pub async fn received(State(sim): State<Arc<Sim>>, Path(what): Path<String>) -> Response {
    let desk = desk(&sim);
    match what.as_str() {
        "tickets" => Json(desk.tickets.clone()).into_response(),
        "notes" => Json(desk.notes.clone()).into_response(),
        "documents" => Json(desk.documents.clone()).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_are_read() {
        let summary = |c: &str| match condition(c) {
            Some(Condition::SummaryContains(text)) => Some(text),
            _ => None,
        };
        assert_eq!(summary(r#"summary like "%SeatSync ab12%""#).as_deref(), Some("SeatSync ab12"));
        assert!(condition("company/id = 250").is_none());
        assert!(matches!(condition("id in (10001, 10002)"), Some(Condition::IdIn(ids)) if ids == [10001, 10002]));
        assert!(condition("id in (a)").is_none());
    }

    #[test]
    fn every_board_closes() {
        assert!(BOARDS.iter().all(|(_, _, s)| s.iter().any(|(_, name)| name.starts_with('>'))));
    }

    #[test]
    fn every_board_has_statuses() {
        assert!(BOARDS.iter().all(|(_, _, s)| !s.is_empty()));
    }
}
