//! Entra ID's token endpoint, for every grant SeatSync uses: the sign-in code (OIDC), the
//! Partner Center App+User refresh token, and client credentials in a customer tenant (Graph).

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Form, Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Deserialize;
use serde_json::json;

use crate::{oidc::entra_error, Sim};

pub const PARTNER_CENTER_RESOURCE: &str = "https://api.partnercenter.microsoft.com";
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
/// The refresh token the simulated partner admin consented with (secure application model).
pub const PARTNER_REFRESH_TOKEN: &str = "sim-partner-center-refresh-token";

pub fn router() -> Router<Arc<Sim>> {
    Router::new().route("/{tenant}/oauth2/v2.0/token", post(token_v2)).route("/{tenant}/oauth2/token", post(token_v1))
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    grant_type: String,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    code_verifier: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    resource: Option<String>,
}

/// The client, authenticated by HTTP Basic or by form fields (both are accepted by Entra).
// The error is the answer the handler sends: boxing axum's `Response` would only add a step.
#[allow(clippy::result_large_err)]
fn client(sim: &Sim, headers: &HeaderMap, form: &TokenForm) -> Result<String, Response> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (id, secret) = s.split_once(':')?;
            let decode =
                |x: &str| url::form_urlencoded::parse(format!("x={x}").as_bytes()).next().map(|(_, v)| v.into_owned());
            Some((decode(id)?, decode(secret)?))
        });
    let (id, secret) = match (basic, &form.client_id, &form.client_secret) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id.clone(), secret.clone()),
        _ => return Err(entra_error(StatusCode::UNAUTHORIZED, "invalid_client", "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")),
    };
    if id != sim.client_id {
        return Err(entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!("AADSTS700016: Application with identifier '{id}' was not found in the directory."),
        ));
    }
    if secret != sim.client_secret {
        return Err(entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.",
        ));
    }
    Ok(id)
}

fn known_tenant(sim: &Sim, tenant: &str) -> bool {
    let msp = sim.msp();
    msp.partner_tenant_id.eq_ignore_ascii_case(tenant) || msp.customer(tenant).is_some()
}

async fn token_v2(
    State(sim): State<Arc<Sim>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    issue(&sim, &tenant, &headers, &form, false)
}

async fn token_v1(
    State(sim): State<Arc<Sim>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    issue(&sim, &tenant, &headers, &form, true)
}

fn issue(sim: &Sim, tenant: &str, headers: &HeaderMap, form: &TokenForm, v1: bool) -> Response {
    if !known_tenant(sim, tenant) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("AADSTS90002: Tenant '{tenant}' not found."),
        );
    }
    let client_id = match client(sim, headers, form) {
        Ok(id) => id,
        Err(res) => return res,
    };
    match form.grant_type.as_str() {
        "authorization_code" if !v1 => {
            match crate::oidc::redeem_code(
                sim,
                tenant,
                &client_id,
                form.code.as_deref().unwrap_or_default(),
                form.redirect_uri.as_deref().unwrap_or_default(),
                form.code_verifier.as_deref(),
            ) {
                Ok(body) => Json(body).into_response(),
                Err((status, code, msg)) => entra_error(status, code, &msg),
            }
        }
        "refresh_token" => {
            if form.refresh_token.as_deref() != Some(PARTNER_REFRESH_TOKEN) {
                return entra_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "AADSTS700082: The refresh token has expired due to inactivity.",
                );
            }
            let resource = requested_resource(form);
            if resource != PARTNER_CENTER_RESOURCE {
                return entra_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_resource",
                    &format!("AADSTS500011: The resource principal named {resource} was not found in the tenant."),
                );
            }
            let token = sim.issue_access_token(PARTNER_CENTER_RESOURCE, tenant, Duration::from_secs(3600));
            token_body(token, &resource, v1, Some(PARTNER_REFRESH_TOKEN))
        }
        "client_credentials" => {
            let resource = requested_resource(form);
            if resource != GRAPH_RESOURCE && resource != PARTNER_CENTER_RESOURCE {
                return entra_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_resource",
                    &format!("AADSTS500011: The resource principal named {resource} was not found in the tenant."),
                );
            }
            let token = sim.issue_access_token(&resource, tenant, Duration::from_secs(3599));
            token_body(token, &resource, v1, None)
        }
        other => entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("AADSTS70003: The app requested an unsupported grant type '{other}'."),
        ),
    }
}

/// The API a token is asked for: v1 names it in `resource`, v2 in `scope` as `{resource}/.default`.
fn requested_resource(form: &TokenForm) -> String {
    if let Some(r) = &form.resource {
        return r.trim_end_matches('/').to_string();
    }
    form.scope
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .find_map(|s| s.strip_suffix("/.default").or_else(|| s.strip_suffix("/user_impersonation")))
        .unwrap_or_default()
        .to_string()
}

fn token_body(access_token: String, resource: &str, v1: bool, refresh_token: Option<&str>) -> Response {
    let expires_on = chrono::Utc::now().timestamp() + 3600;
    let mut body = if v1 {
        // v1 sends numbers as strings.
        json!({"token_type": "Bearer", "scope": "user_impersonation", "expires_in": "3600", "ext_expires_in": "3600",
               "expires_on": expires_on.to_string(), "not_before": (expires_on - 3600).to_string(), "resource": resource, "access_token": access_token})
    } else {
        json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access_token})
    };
    if let Some(rt) = refresh_token {
        body["refresh_token"] = json!(rt);
    }
    Json(body).into_response()
}
