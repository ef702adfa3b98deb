//! HaloPSA's service desk (vendor-apis.md, section 5): clients, tickets (created by posting a JSON
//! array, updated by posting one with its `id`; `search` finds them by summary; read one by id),
//! actions (notes, in HTML, listed per ticket) and attachments (base64 in `data_base64`), kept as
//! received. Statuses are Halo's built-in ones: 1 New, 9 Closed. Every call needs the bearer token of `/auth/token`.

use std::sync::Arc;

use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{bearer, psa::HALO_TICKET_TYPES};
use crate::{state::lock, Sim};

/// Where client ids start.
const FIRST_CLIENT_ID: i64 = 12;
/// Halo's built-in statuses.
const STATUSES: &[(i64, &str)] =
    &[(1, "New"), (2, "In Progress"), (3, "Action Required"), (4, "With User"), (8, "Resolved"), (9, "Closed")];

/// What the desk received.
#[derive(Default)]
pub struct HaloDesk {
    pub tickets: Vec<Value>,
    pub actions: Vec<Value>,
    pub attachments: Vec<Value>,
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/Client", get(clients))
        .route("/api/Tickets", get(tickets).post(create_tickets))
        .route("/api/Tickets/{id}", get(ticket))
        .route("/api/Actions", get(actions).post(create_actions))
        .route("/api/Attachment", get(attachments).post(create_attachments))
}

fn refused() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"message": "Authorization has been denied for this request."})))
        .into_response()
}

fn invalid(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"message": message}))).into_response()
}

fn client_list(sim: &Sim) -> Vec<(i64, String)> {
    sim.msp().customers.iter().enumerate().map(|(i, c)| (FIRST_CLIENT_ID + i as i64, c.company_name.clone())).collect()
}

async fn clients(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    if bearer(&sim, &headers, "halopsa").is_none() {
        return refused();
    }
    let clients: Vec<Value> =
        client_list(&sim).into_iter().map(|(id, name)| json!({"id": id, "name": name, "inactive": false})).collect();
    Json(json!({"record_count": clients.len(), "clients": clients})).into_response()
}

#[derive(Deserialize)]
struct TicketQuery {
    #[serde(default)]
    search: Option<String>,
}

async fn tickets(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<TicketQuery>) -> Response {
    if bearer(&sim, &headers, "halopsa").is_none() {
        return refused();
    }
    let all = lock(&sim.halo).tickets.clone();
    let found: Vec<Value> = match q.search.filter(|s| !s.trim().is_empty()) {
        Some(text) => all
            .into_iter()
            .filter(|t| t["summary"].as_str().is_some_and(|s| s.to_lowercase().contains(&text.to_lowercase())))
            .collect(),
        None => all,
    };
    Json(json!({"page_no": 1, "page_size": found.len(), "record_count": found.len(), "tickets": found})).into_response()
}

/// Posts take a JSON array, one object per record; one record is answered as that object.
/// `None`: the body is not such an array.
fn records(body: &Value) -> Option<Vec<Value>> {
    match body {
        Value::Array(items) if !items.is_empty() => Some(items.clone()),
        _ => None,
    }
}

fn not_an_array() -> Response {
    invalid("The body must be a JSON array of records.")
}

fn answer(created: Vec<Value>) -> Response {
    if created.len() == 1 {
        Json(created.into_iter().next().unwrap_or_default()).into_response()
    } else {
        Json(Value::Array(created)).into_response()
    }
}

async fn create_tickets(State(sim): State<Arc<Sim>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if bearer(&sim, &headers, "halopsa").is_none() {
        return refused();
    }
    let Some(items) = records(&body) else {
        return not_an_array();
    };
    let clients = client_list(&sim);
    let mut desk = lock(&sim.halo);
    let mut created = Vec::new();
    for item in items {
        // A record with an id updates that ticket (its status is all the desk changes).
        if let Some(id) = item["id"].as_i64().filter(|id| *id > 0) {
            let Some(ticket) = desk.tickets.iter_mut().find(|t| t["id"] == id) else {
                return invalid("id must be an existing ticket.");
            };
            if let Some(status) = item.get("status_id").filter(|s| !s.is_null()) {
                let Some((status_id, name)) = STATUSES.iter().find(|(s, _)| Some(*s) == status.as_i64()) else {
                    return invalid("status_id must be an existing status.");
                };
                ticket["status_id"] = json!(status_id);
                ticket["status_name"] = json!(name);
            }
            created.push(ticket.clone());
            continue;
        }
        let summary = item["summary"].as_str().unwrap_or_default().trim().to_string();
        if summary.is_empty() {
            return invalid("Summary is required.");
        }
        let Some(client) = item["client_id"].as_i64().and_then(|id| clients.iter().find(|c| c.0 == id)) else {
            return invalid("client_id must be an existing client.");
        };
        let type_id = item["tickettype_id"].as_i64().unwrap_or(1);
        let Some((_, type_name)) = HALO_TICKET_TYPES.iter().find(|(id, _)| *id == type_id) else {
            return invalid("tickettype_id must be an existing ticket type.");
        };
        let ticket = json!({
            "id": 5000 + desk.tickets.len() as i64 + 1,
            "summary": summary,
            "details": item["details"].clone(),
            "client_id": client.0,
            "client_name": client.1,
            "tickettype_id": type_id,
            "tickettype_name": type_name,
            "status_id": 1,
            "status_name": "New",
            "dateoccurred": chrono::Utc::now().to_rfc3339(),
        });
        desk.tickets.push(ticket.clone());
        created.push(ticket);
    }
    answer(created)
}

async fn ticket(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    if bearer(&sim, &headers, "halopsa").is_none() {
        return refused();
    }
    match lock(&sim.halo).tickets.iter().find(|t| t["id"] == id) {
        Some(t) => Json(t.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"message": format!("Ticket {id} not found.")}))).into_response(),
    }
}

#[derive(Deserialize)]
struct ActionQuery {
    #[serde(default)]
    ticket_id: Option<i64>,
}

async fn actions(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<ActionQuery>) -> Response {
    if bearer(&sim, &headers, "halopsa").is_none() {
        return refused();
    }
    let Some(ticket) = q.ticket_id else {
        return invalid("ticket_id is required.");
    };
    let of_ticket: Vec<Value> = lock(&sim.halo).actions.iter().filter(|a| a["ticket_id"] == ticket).cloned().collect();
    Json(json!({"record_count": of_ticket.len(), "actions": of_ticket})).into_response()
}

async fn create_actions(State(sim): State<Arc<Sim>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if bearer(&sim, &headers, "halopsa").is_none() {
        return refused();
    }
    let Some(items) = records(&body) else {
        return not_an_array();
    };
    let mut desk = lock(&sim.halo);
    let mut created = Vec::new();
    for item in items {
        let ticket = item["ticket_id"].as_i64().unwrap_or_default();
        if !desk.tickets.iter().any(|t| t["id"] == ticket) {
            return invalid("ticket_id must be an existing ticket.");
        }
        let action = json!({"id": desk.actions.len() as i64 + 1, "ticket_id": ticket, "note_html": item["note_html"], "outcome": item["outcome"], "hiddenfromuser": item["hiddenfromuser"]});
        desk.actions.push(action.clone());
        created.push(action);
    }
    answer(created)
}

#[derive(Deserialize)]
struct AttachmentQuery {
    #[serde(default)]
    ticket_id: Option<i64>,
}

async fn attachments(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<AttachmentQuery>) -> Response {
    if bearer(&sim, &headers, "halopsa").is_none() {
        return refused();
    }
    let list: Vec<Value> = lock(&sim.halo)
        .attachments
        .iter()
        .filter(|a| q.ticket_id.is_none_or(|t| a["ticket_id"] == t))
        .cloned()
        .collect();
    Json(json!({"record_count": list.len(), "attachments": list})).into_response()
}

async fn create_attachments(State(sim): State<Arc<Sim>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if bearer(&sim, &headers, "halopsa").is_none() {
        return refused();
    }
    let Some(items) = records(&body) else {
        return not_an_array();
    };
    let mut desk = lock(&sim.halo);
    let mut created = Vec::new();
    for item in items {
        let ticket = item["ticket_id"].as_i64().unwrap_or_default();
        if !desk.tickets.iter().any(|t| t["id"] == ticket) {
            return invalid("ticket_id must be an existing ticket.");
        }
        let Some(bytes) = item["data_base64"].as_str().and_then(|d| STANDARD.decode(d).ok()) else {
            return invalid("data_base64 must hold the file in base64.");
        };
        let attachment = json!({
            "id": desk.attachments.len() as i64 + 1,
            "ticket_id": ticket,
            "filename": item["filename"],
            "filesize": bytes.len(),
        });
        desk.attachments.push(attachment.clone());
        created.push(attachment);
    }
    answer(created)
}

/// `GET /_sim/halo/{tickets|actions|attachments}`: what the desk received.
pub async fn received(State(sim): State<Arc<Sim>>, Path(what): Path<String>) -> Response {
    let desk = lock(&sim.halo);
    match what.as_str() {
        "tickets" => Json(desk.tickets.clone()).into_response(),
        "actions" => Json(desk.actions.clone()).into_response(),
        "attachments" => Json(desk.attachments.clone()).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
