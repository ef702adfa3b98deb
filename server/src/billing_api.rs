//! The billing reports over HTTP for other systems (a finance workflow, a PSA automation), with a
//! bearer token an Admin makes under Settings:
//!
//! - `GET /api/v1/billing/reports`: every report, newest first (`id`, `made_at`);
//! - `GET /api/v1/billing/reports/latest.csv` or `.json`, and `/api/v1/billing/reports/{id}.csv`
//!   or `.json`: one report, as the Billing page's CSV or as JSON with each tool's outcome.
//!
//! Every request is checked here against the token's scope: no session, no cookie, and a missing,
//! wrong or revoked token gets 401 with `WWW-Authenticate: Bearer`, never which of them it was.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use seatsync_domain::kinds::ApiScope;
use seatsync_services::{ServiceError, Services};

pub fn router(services: Arc<Services>) -> Router {
    Router::new()
        .route("/api/v1/billing/reports", get(list))
        .route("/api/v1/billing/reports/{file}", get(one))
        .with_state(services)
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let mut res = (status, Json(serde_json::json!({ "error": message }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"SeatSync\""));
    }
    res
}

fn failed(e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound(what) => refuse(StatusCode::NOT_FOUND, &format!("{what} was not found.")),
        other => {
            let reference = uuid::Uuid::new_v4().simple().to_string();
            tracing::error!(error = %other, reference, "the billing API failed");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("SeatSync could not answer (reference {reference})."))
        }
    }
}

/// Passes when the request carries a live token with the billing scope.
async fn authorised(services: &Services, headers: &HeaderMap) -> Result<(), Response> {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    match services.api_caller(authorization, ApiScope::BillingRead).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(refuse(
            StatusCode::UNAUTHORIZED,
            "A live API token with the billing scope is needed: Authorization: Bearer <token>.",
        )),
        Err(e) => Err(failed(e)),
    }
}

async fn list(State(services): State<Arc<Services>>, headers: HeaderMap) -> Response {
    if let Err(refused) = authorised(&services, &headers).await {
        return refused;
    }
    match services.billing_report_refs().await {
        Ok(refs) => Json(refs).into_response(),
        Err(e) => failed(e),
    }
}

async fn one(State(services): State<Arc<Services>>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    if let Err(refused) = authorised(&services, &headers).await {
        return refused;
    }
    let Some((which, format)) = file.rsplit_once('.') else {
        return refuse(StatusCode::NOT_FOUND, "Ask for latest.csv, latest.json, {id}.csv or {id}.json.");
    };
    let report_id = match which {
        "latest" => None,
        id => match id.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return refuse(StatusCode::NOT_FOUND, "Ask for latest.csv, latest.json, {id}.csv or {id}.json."),
        },
    };
    match format {
        "csv" => match services.billing_csv(report_id).await {
            Ok(file) => {
                let disposition = format!("attachment; filename=\"{}\"", file.file_name);
                let mut res = file.text.into_response();
                let headers = res.headers_mut();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
                if let Ok(value) = HeaderValue::from_str(&disposition) {
                    headers.insert(header::CONTENT_DISPOSITION, value);
                }
                res
            }
            Err(e) => failed(e),
        },
        "json" => match services.billing_export(report_id).await {
            Ok(report) => Json(report).into_response(),
            Err(e) => failed(e),
        },
        _ => refuse(StatusCode::NOT_FOUND, "Reports come as .csv or .json."),
    }
}
