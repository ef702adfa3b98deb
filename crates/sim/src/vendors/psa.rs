//! ConnectWise Manage and HaloPSA: authentication, ConnectWise's system information and Halo's
//! ticket types, so SeatSync's Integrations page can test the connection; the ticket endpoints
//! join with the delivery service.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Deserialize;
use serde_json::json;

use super::bearer;
use crate::Sim;

pub const CW_COMPANY: &str = "northwind";
pub const CW_PUBLIC_KEY: &str = "simpublickey";
pub const CW_PRIVATE_KEY: &str = "simprivatekey";
pub const CW_CLIENT_ID: &str = "9f1f7c1e-0000-4000-8000-00000000c0de";
pub const HALO_CLIENT_ID: &str = "sim-halo-client";
pub const HALO_CLIENT_SECRET: &str = "sim-halo-secret";

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v4_6_release/apis/3.0/system/info", get(cw_system_info))
        .route("/auth/token", post(halo_token))
        .route("/api/TicketType", get(halo_ticket_types))
}

/// Whether a request carries ConnectWise's Basic credentials and the `clientId` header.
pub fn cw_authorised(headers: &HeaderMap) -> bool {
    let expected = format!("Basic {}", STANDARD.encode(format!("{CW_COMPANY}+{CW_PUBLIC_KEY}:{CW_PRIVATE_KEY}")));
    let auth_ok = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(expected.as_str());
    let client_ok = headers.get("clientId").and_then(|v| v.to_str().ok()) == Some(CW_CLIENT_ID);
    auth_ok && client_ok
}

async fn cw_system_info(headers: HeaderMap) -> Response {
    if !cw_authorised(&headers) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"code": "Unauthorized", "message": "Authentication failed: check the company id, keys and clientId."}))).into_response();
    }
    Json(json!({"version": "v2025.1.90000", "isCloud": true, "serverTimeZone": "Eastern Standard Time", "cloudRegion": "NA"})).into_response()
}

#[derive(Deserialize)]
struct HaloTokenForm {
    grant_type: String,
    client_id: String,
    client_secret: String,
    #[serde(default)]
    scope: Option<String>,
}

async fn halo_token(State(sim): State<Arc<Sim>>, Form(f): Form<HaloTokenForm>) -> Response {
    if f.grant_type != "client_credentials" || f.client_id != HALO_CLIENT_ID || f.client_secret != HALO_CLIENT_SECRET {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client"}))).into_response();
    }
    let token = sim.issue_access_token("halopsa", "halo", Duration::from_secs(3600));
    Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": f.scope.unwrap_or_else(|| "all".into())})).into_response()
}

/// The ticket types of a typical HaloPSA set-up; `GET /api/TicketType` answers them as an array.
pub const HALO_TICKET_TYPES: &[(i64, &str)] =
    &[(1, "Incident"), (2, "Service Request"), (3, "Problem"), (4, "Change Request"), (21, "Billing")];

async fn halo_ticket_types(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    if bearer(&sim, &headers, "halopsa").is_none() {
        return (StatusCode::UNAUTHORIZED, Json(json!({"message": "Authorization has been denied for this request."})))
            .into_response();
    }
    let types: Vec<_> = HALO_TICKET_TYPES
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name, "use": "reqs", "inactive": false}))
        .collect();
    Json(types).into_response()
}
