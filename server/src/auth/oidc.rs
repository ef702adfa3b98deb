//! OpenID Connect against Microsoft Entra ID: authorization code with PKCE, and a verified ID
//! token (signature through the provider's JWKS, issuer, audience, nonce, expiry) at the end.

use std::time::{Duration, Instant};

use app::navigation::SignInFailure;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use openidconnect::{
    core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata},
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse as _,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::config::OidcConfig;

/// How long discovery and JWKS are cached before being fetched again; a key rotation is also
/// picked up at once, because a failed signature check refreshes them.
const METADATA_TTL: Duration = Duration::from_secs(3600);

/// What the sign-in start leaves in the session for the callback to check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go after signing in (a local path).
    pub next: String,
    /// When the sign-in started (Unix seconds): it must finish within ten minutes.
    pub started_at: i64,
}

/// Who signed in, from a verified ID token.
#[derive(Debug, Clone)]
pub struct VerifiedIdentity {
    /// Entra's object id (`oid`), or `sub` where a provider has no `oid`.
    pub subject: String,
    pub email: String,
    pub name: String,
    /// The app-role values of the `roles` claim.
    pub roles: Vec<String>,
}

/// Why a sign-in failed, with the details for the log. The browser only ever gets the
/// [`SignInFailure`] code of it, never this text.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the sign-in service could not be reached ({0})")]
    ProviderUnreachable(String),
    #[error("the sign-in was not started here or has expired; start again")]
    StateMismatch,
    #[error("the code could not be exchanged for tokens ({0})")]
    Exchange(String),
    #[error("the identity provider's answer did not include an ID token")]
    NoIdToken,
    #[error("the ID token was refused: {detail}")]
    InvalidIdToken { problem: SignInFailure, detail: String },
    #[error("the ID token names no e-mail address or user name")]
    NoEmail,
}

impl SignInError {
    /// The code the sign-in page shows a fixed message for.
    pub fn failure(&self) -> SignInFailure {
        match self {
            SignInError::ProviderUnreachable(_) => SignInFailure::Unreachable,
            SignInError::StateMismatch => SignInFailure::NotStarted,
            SignInError::Exchange(_) => SignInFailure::Exchange,
            SignInError::NoIdToken => SignInFailure::Token,
            SignInError::InvalidIdToken { problem, .. } => *problem,
            SignInError::NoEmail => SignInFailure::NoEmail,
        }
    }

    fn token(e: &ClaimsVerificationError) -> Self {
        let problem = match e {
            ClaimsVerificationError::Expired(_) => SignInFailure::Expired,
            ClaimsVerificationError::InvalidAudience(_) => SignInFailure::Audience,
            ClaimsVerificationError::InvalidIssuer(_) => SignInFailure::Issuer,
            ClaimsVerificationError::InvalidNonce(_) => SignInFailure::Nonce,
            ClaimsVerificationError::SignatureVerification(_) => SignInFailure::Signature,
            _ => SignInFailure::Token,
        };
        SignInError::InvalidIdToken { problem, detail: e.to_string() }
    }
}

/// The configured authority, its (cached) metadata and the HTTP client used to reach it.
pub struct Oidc {
    config: OidcConfig,
    redirect_url: RedirectUrl,
    http: reqwest::Client,
    metadata: RwLock<Option<(CoreProviderMetadata, Instant)>>,
}

#[derive(Deserialize)]
struct EntraClaims {
    oid: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
}

impl Oidc {
    pub fn new(config: OidcConfig, redirect_url: String) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            // The token endpoint must not redirect us elsewhere (SSRF guard recommended by oauth2).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(Self { config, redirect_url: RedirectUrl::new(redirect_url)?, http, metadata: RwLock::new(None) })
    }

    async fn metadata(&self, refresh: bool) -> Result<CoreProviderMetadata, SignInError> {
        if !refresh {
            if let Some((m, at)) = self.metadata.read().await.as_ref() {
                if at.elapsed() < METADATA_TTL {
                    return Ok(m.clone());
                }
            }
        }
        let issuer = IssuerUrl::new(self.config.authority.as_str().trim_end_matches('/').to_string())
            .map_err(|e| SignInError::ProviderUnreachable(e.to_string()))?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SignInError::ProviderUnreachable(error_chain(&e)))?;
        *self.metadata.write().await = Some((m.clone(), Instant::now()));
        Ok(m)
    }

    fn client(&self, metadata: CoreProviderMetadata) -> CoreClientWithEndpoints {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.expose().to_string())),
        )
        .set_redirect_uri(self.redirect_url.clone())
    }

    /// The URL to send the browser to, and what to remember until it comes back.
    pub async fn begin(&self, next: String, now: i64) -> Result<(url::Url, PendingSignIn), SignInError> {
        let client = self.client(self.metadata(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url,
            PendingSignIn {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                next,
                started_at: now,
            },
        ))
    }

    /// Redeems the code and verifies the ID token.
    pub async fn complete(
        &self,
        pending: &PendingSignIn,
        state: &str,
        code: &str,
    ) -> Result<VerifiedIdentity, SignInError> {
        if state != pending.state {
            return Err(SignInError::StateMismatch);
        }
        let client = self.client(self.metadata(false).await?);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SignInError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| SignInError::Exchange(error_chain(&e)))?;
        let id_token = response.id_token().ok_or(SignInError::NoIdToken)?;
        let nonce = Nonce::new(pending.nonce.clone());
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(c) => c.clone(),
            Err(first) => {
                // The provider may have rotated its signing keys since we cached them.
                let fresh = self.client(self.metadata(true).await?);
                let verifier = fresh.id_token_verifier();
                id_token.claims(&verifier, &nonce).map_err(|_| SignInError::token(&first))?.clone()
            }
        };
        // The token is verified: its payload can be read for Entra's own claims.
        let extra: EntraClaims = id_token
            .to_string()
            .split('.')
            .nth(1)
            .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(EntraClaims { oid: None, roles: Vec::new() });
        let email = claims
            .email()
            .map(|e| e.as_str().to_string())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_string()))
            .ok_or(SignInError::NoEmail)?;
        let name =
            claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()).unwrap_or_else(|| email.clone());
        Ok(VerifiedIdentity {
            subject: extra.oid.unwrap_or_else(|| claims.subject().as_str().to_string()),
            email,
            name,
            roles: extra.roles,
        })
    }
}

/// The client as discovery configures it: authorize endpoint set, token and userinfo endpoints
/// as the provider advertises them.
type CoreClientWithEndpoints = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// An error with its sources, for logs and the message the user sees.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
