//! The sign-in authority: an OpenID Connect provider shaped like Microsoft Entra ID v2.0.
//!
//! Discovery at `/{tenant}/v2.0/.well-known/openid-configuration`, the authorize page at
//! `/{tenant}/oauth2/v2.0/authorize` (pick one of the demo users), JWKS at
//! `/{tenant}/discovery/v2.0/keys`; the token endpoint lives in `tokens.rs` with the other grants.

use std::sync::Arc;

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
    Form, Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use rsa::{
    pkcs1::DecodeRsaPrivateKey,
    pkcs1v15::SigningKey as RsaSigningKey,
    signature::{SignatureEncoding, Signer},
    traits::PublicKeyParts,
    RsaPrivateKey,
};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{
    state::{lock, PendingCode},
    Sim,
};

/// The simulator's token-signing key. It is a published test key: it signs tokens for the
/// simulated authority only, which nothing outside a demo or a test trusts.
pub struct SigningKey {
    key: RsaSigningKey<Sha256>,
    n: String,
    e: String,
}

pub const KEY_ID: &str = "seatsync-sim-1";

impl SigningKey {
    pub fn load() -> anyhow::Result<Self> {
        let private = RsaPrivateKey::from_pkcs1_pem(include_str!("../keys/oidc-signing-key.pem"))?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        Ok(Self { key: RsaSigningKey::<Sha256>::new(private), n, e })
    }

    /// A compact JWS (RS256) over `claims`.
    pub fn sign(&self, claims: &serde_json::Value) -> String {
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": KEY_ID});
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = self.key.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

/// A deliberate flaw in the next ID token, so tests can prove the app refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenDefect {
    TamperedSignature,
    WrongNonce,
    WrongAudience,
    WrongIssuer,
    Expired,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/{tenant}/v2.0/.well-known/openid-configuration", get(discovery))
        .route("/{tenant}/discovery/v2.0/keys", get(jwks))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize_page).post(authorize_decision))
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
}

async fn discovery(State(sim): State<Arc<Sim>>, Path(tenant): Path<String>) -> Response {
    let partner = sim.msp().partner_tenant_id.clone();
    if !tenant.eq_ignore_ascii_case(&partner) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            &format!("AADSTS90002: Tenant '{tenant}' not found."),
        );
    }
    let base = format!("{}/{partner}", sim.base_url);
    Json(json!({
        "issuer": format!("{base}/v2.0"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "name", "preferred_username", "email", "oid", "tid", "roles", "ver"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
    }))
    .into_response()
}

async fn jwks(State(sim): State<Arc<Sim>>) -> Json<serde_json::Value> {
    let k = &sim.signing_key;
    Json(json!({"keys": [{"kty": "RSA", "use": "sig", "kid": KEY_ID, "alg": "RS256", "n": k.n, "e": k.e}]}))
}

#[derive(Debug, Deserialize)]
pub struct AuthorizeParams {
    client_id: String,
    redirect_uri: String,
    response_type: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    code_challenge: Option<String>,
    #[serde(default)]
    code_challenge_method: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    login_hint: Option<String>,
    /// Set by the page's form: which demo user signs in.
    #[serde(default)]
    user: Option<String>,
}

fn check_request(sim: &Sim, p: &AuthorizeParams) -> Result<(), String> {
    if p.client_id != sim.client_id {
        return Err(format!(
            "AADSTS700016: Application with identifier '{}' was not found in the directory.",
            p.client_id
        ));
    }
    if p.response_type != "code" {
        return Err(format!("AADSTS900144: response_type '{}' is not supported here; use 'code'.", p.response_type));
    }
    if url::Url::parse(&p.redirect_uri).is_err() {
        return Err("AADSTS50011: The redirect URI specified in the request is not valid.".into());
    }
    if !p.scope.as_deref().unwrap_or("").split(' ').any(|s| s == "openid") {
        return Err("AADSTS900144: The request body must contain the scope 'openid'.".into());
    }
    Ok(())
}

/// The sign-in page: one button per demo user, each a form that posts the original request back.
async fn authorize_page(State(sim): State<Arc<Sim>>, Query(p): Query<AuthorizeParams>) -> Response {
    if let Err(msg) = check_request(&sim, &p) {
        return (StatusCode::BAD_REQUEST, Html(page("Sign-in error", &format!("<p class=err>{}</p>", esc(&msg)))))
            .into_response();
    }
    let hidden = |name: &str, value: &Option<String>| match value {
        Some(v) => format!("<input type=hidden name=\"{name}\" value=\"{}\">", esc(v)),
        None => String::new(),
    };
    let common = [
        hidden("client_id", &Some(p.client_id.clone())),
        hidden("redirect_uri", &Some(p.redirect_uri.clone())),
        hidden("response_type", &Some(p.response_type.clone())),
        hidden("state", &p.state),
        hidden("nonce", &p.nonce),
        hidden("code_challenge", &p.code_challenge),
        hidden("code_challenge_method", &p.code_challenge_method),
        hidden("scope", &p.scope),
    ]
    .concat();
    let users = sim.msp().demo_users.clone();
    let buttons: String = users
        .iter()
        .map(|u| {
            let role = u.roles.first().map(String::as_str).unwrap_or("no SeatSync role");
            let hint = p.login_hint.as_deref() == Some(u.email.as_str());
            format!(
                "<form method=post>{common}<input type=hidden name=user value=\"{}\"><button type=submit{}><strong>{}</strong><span>{} &middot; {}</span></button></form>",
                esc(&u.key),
                if hint { " autofocus" } else { "" },
                esc(&u.name),
                esc(&u.email),
                esc(role)
            )
        })
        .collect();
    Html(page(
        "Pick an account",
        &format!(
            "<h1>Pick an account</h1><p>Simulated Microsoft Entra ID sign-in for <b>{}</b>.</p>{buttons}",
            esc(&sim.msp().partner_name)
        ),
    ))
    .into_response()
}

async fn authorize_decision(State(sim): State<Arc<Sim>>, Form(p): Form<AuthorizeParams>) -> Response {
    if let Err(msg) = check_request(&sim, &p) {
        return (StatusCode::BAD_REQUEST, Html(page("Sign-in error", &esc(&msg)))).into_response();
    }
    let Some(user) = p.user.as_deref().and_then(|k| sim.msp().demo_users.iter().find(|u| u.key == k).cloned()) else {
        return (StatusCode::BAD_REQUEST, Html(page("Sign-in error", "Unknown account."))).into_response();
    };
    let code = random_token();
    lock(&sim.codes).insert(
        code.clone(),
        PendingCode {
            client_id: p.client_id.clone(),
            redirect_uri: p.redirect_uri.clone(),
            code_challenge: p.code_challenge.clone(),
            code_challenge_method: p.code_challenge_method.clone(),
            nonce: p.nonce.clone(),
            user_key: user.key,
            issued: std::time::Instant::now(),
        },
    );
    let mut target = match url::Url::parse(&p.redirect_uri) {
        Ok(u) => u,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = &p.state {
        target.query_pairs_mut().append_pair("state", state);
    }
    Redirect::to(target.as_str()).into_response()
}

async fn logout(Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    match q.get("post_logout_redirect_uri") {
        Some(uri) => Redirect::to(uri).into_response(),
        None => Html(page("Signed out", "<h1>You have signed out.</h1>")).into_response(),
    }
}

/// `POST /_sim/oidc/next-token`: `{"defect": "expired"}` spoils the next ID token issued.
pub async fn set_next_token_defect(State(sim): State<Arc<Sim>>, Json(body): Json<serde_json::Value>) -> StatusCode {
    let defect = serde_json::from_value::<TokenDefect>(body["defect"].clone()).ok();
    *lock(&sim.next_token_defect) = defect;
    if defect.is_some() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// Redeems an authorization code (`grant_type=authorization_code`): checks the client, the
/// redirect URI and the PKCE verifier, then issues the ID token.
pub fn redeem_code(
    sim: &Sim,
    tenant: &str,
    client_id: &str,
    code: &str,
    redirect_uri: &str,
    code_verifier: Option<&str>,
) -> Result<serde_json::Value, (StatusCode, &'static str, String)> {
    let bad = |code: &'static str, msg: String| (StatusCode::BAD_REQUEST, code, msg);
    let pending = lock(&sim.codes).remove(code).ok_or_else(|| {
        bad(
            "invalid_grant",
            "AADSTS70008: The provided authorization code or refresh token has expired or was already redeemed.".into(),
        )
    })?;
    if pending.issued.elapsed() > std::time::Duration::from_secs(600) {
        return Err(bad("invalid_grant", "AADSTS70008: The provided authorization code has expired.".into()));
    }
    if pending.client_id != client_id {
        return Err(bad("invalid_grant", "AADSTS70000: The code was issued to another client.".into()));
    }
    if pending.redirect_uri != redirect_uri {
        return Err(bad(
            "invalid_grant",
            "AADSTS50148: The redirect_uri does not match the one of the authorization request.".into(),
        ));
    }
    if let Some(challenge) = &pending.code_challenge {
        let verifier =
            code_verifier.ok_or_else(|| bad("invalid_grant", "AADSTS50148: The code_verifier is missing.".into()))?;
        let computed = match pending.code_challenge_method.as_deref() {
            Some("S256") => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
            _ => verifier.to_string(),
        };
        if &computed != challenge {
            return Err(bad("invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.".into()));
        }
    }
    let user = sim
        .msp()
        .demo_users
        .iter()
        .find(|u| u.key == pending.user_key)
        .cloned()
        .ok_or_else(|| bad("invalid_grant", "unknown user".into()))?;
    let defect = lock(&sim.next_token_defect).take();
    let now = chrono::Utc::now().timestamp();
    let (iat, exp) = if defect == Some(TokenDefect::Expired) { (now - 7200, now - 3600) } else { (now, now + 3600) };
    let mut claims = json!({
        "aud": if defect == Some(TokenDefect::WrongAudience) { "some-other-app".to_string() } else { client_id.to_string() },
        "iss": if defect == Some(TokenDefect::WrongIssuer) { format!("{}/00000000-0000-0000-0000-000000000000/v2.0", sim.base_url) } else { format!("{}/{tenant}/v2.0", sim.base_url) },
        "iat": iat, "nbf": iat, "exp": exp,
        "name": user.name,
        "preferred_username": user.email,
        "email": user.email,
        "oid": user.object_id,
        "sub": user.object_id,
        "tid": tenant,
        "ver": "2.0",
    });
    if !user.roles.is_empty() {
        claims["roles"] = json!(user.roles);
    }
    match (defect, &pending.nonce) {
        (Some(TokenDefect::WrongNonce), _) => claims["nonce"] = json!("not-the-nonce-you-sent"),
        (_, Some(n)) => claims["nonce"] = json!(n),
        _ => {}
    }
    let mut id_token = sim.signing_key.sign(&claims);
    if defect == Some(TokenDefect::TamperedSignature) {
        // Flip the payload after signing: a valid-looking token whose signature no longer fits.
        let mut parts: Vec<String> = id_token.split('.').map(str::to_string).collect();
        claims["roles"] = json!(["SeatSync.Admin"]);
        claims["name"] = json!("Mallory");
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        id_token = parts.join(".");
    }
    let access_token =
        sim.issue_access_token("00000003-0000-0000-c000-000000000000", tenant, std::time::Duration::from_secs(3600));
    Ok(json!({
        "token_type": "Bearer",
        "scope": "openid profile email",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": access_token,
        "id_token": id_token,
    }))
}

/// Entra's error body.
pub fn entra_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({
            "error": error,
            "error_description": description,
            "error_codes": [],
            "timestamp": chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": uuid::Uuid::new_v4(),
            "correlation_id": uuid::Uuid::new_v4(),
        })),
    )
        .into_response()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;background:#f3f4f6;display:flex;justify-content:center;padding-top:8vh}}\
         main{{background:#fff;padding:2rem 2.5rem;border-radius:12px;box-shadow:0 1px 4px #0002;min-width:360px}}\
         button{{display:flex;flex-direction:column;align-items:flex-start;width:100%;margin:.4rem 0;padding:.7rem 1rem;border:1px solid #d1d5db;border-radius:8px;background:#fff;cursor:pointer;font-size:1rem}}\
         button:hover{{background:#eef2ff}} button span{{color:#6b7280;font-size:.85rem}} .err{{color:#b91c1c}}\
         </style></head><body><main>{body}</main></body></html>"
    )
}
