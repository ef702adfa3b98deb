//! Pax8 Partner API: the client-credentials token (JSON body) and companies (page/size paging).

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::json;

use super::bearer;
use crate::Sim;

pub const PAX8_CLIENT_ID: &str = "sim-pax8-client";
pub const PAX8_CLIENT_SECRET: &str = "sim-pax8-secret";
const AUDIENCE: &str = "https://api.pax8.com";

pub fn router() -> Router<Arc<Sim>> {
    Router::new().route("/oauth/token", post(token)).route("/v1/companies", get(companies))
}

#[derive(Deserialize)]
struct TokenRequest {
    client_id: String,
    client_secret: String,
    audience: String,
    grant_type: String,
}

async fn token(State(sim): State<Arc<Sim>>, Json(req): Json<TokenRequest>) -> Response {
    let audience_ok = req.audience == AUDIENCE || req.audience == "api://p8p.client";
    if req.client_id != PAX8_CLIENT_ID
        || req.client_secret != PAX8_CLIENT_SECRET
        || req.grant_type != "client_credentials"
        || !audience_ok
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "access_denied", "error_description": "Unauthorized"})),
        )
            .into_response();
    }
    let token = sim.issue_access_token(AUDIENCE, "pax8", Duration::from_secs(86_400));
    Json(json!({"access_token": token, "expires_in": 86400, "token_type": "Bearer"})).into_response()
}

pub fn pax8_error(status: StatusCode, kind: &str, message: &str, instance: &str) -> Response {
    (
        status,
        Json(json!({"type": kind, "message": message, "instance": instance, "status": status.as_u16(), "details": []})),
    )
        .into_response()
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<usize>,
    size: Option<usize>,
}

async fn companies(State(sim): State<Arc<Sim>>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    if bearer(&sim, &headers, AUDIENCE).is_none() {
        return pax8_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Invalid or expired token", "/v1/companies");
    }
    let size = q.size.unwrap_or(10);
    if size == 0 || size > 200 {
        return pax8_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "size must be between 1 and 200", "/v1/companies");
    }
    let page = q.page.unwrap_or(0);
    let msp = sim.msp();
    let total = msp.pax8_companies.len();
    let content: Vec<_> = msp
        .pax8_companies
        .iter()
        .skip(page * size)
        .take(size)
        .map(|c| {
            json!({"id": c.id, "name": c.name, "address": {"city": c.city, "country": c.country},
                        "billOnBehalfOfEnabled": true, "selfServiceAllowed": false, "orderApprovalRequired": false,
                        "status": c.status, "updatedDate": "2026-08-11T11:33:12.314-0600"})
        })
        .collect();
    Json(json!({"content": content, "page": {"size": size, "totalElements": total, "totalPages": total.div_ceil(size), "number": page}})).into_response()
}
