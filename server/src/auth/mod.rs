//! Sign-in, sign-out and the guard that sends signed-out visitors to the sign-in page.

pub mod oidc;

use std::sync::Arc;

use app::server::SESSION_USER_ID;
use axum::{
    extract::{Query, Request, State},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use seatsync_db::{users, PgPool};
use seatsync_domain::RoleMap;
use serde::Deserialize;
use tower_sessions::Session;

use self::oidc::{Oidc, PendingSignIn, SignInError};

const SESSION_PENDING: &str = "pending_sign_in";

/// What the sign-in routes need.
#[derive(Clone)]
pub struct AuthState {
    pub oidc: Arc<Oidc>,
    pub pool: PgPool,
    pub role_map: Arc<RoleMap>,
    pub bootstrap_admin_email: Option<String>,
}

pub fn router(state: AuthState) -> Router {
    Router::new()
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
        .with_state(state)
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

/// Only local paths are followed after sign-in, never another site.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.starts_with("/auth/"))
        .unwrap_or_else(|| "/".into())
}

fn to_signin_with_error(message: &str) -> Response {
    let encoded: String = url::form_urlencoded::byte_serialize(message.as_bytes()).collect();
    Redirect::to(&format!("/signin?error={encoded}")).into_response()
}

#[tracing::instrument(skip_all)]
async fn login(State(auth): State<AuthState>, session: Session, Query(q): Query<LoginQuery>) -> Response {
    match auth.oidc.begin(safe_next(q.next)).await {
        Ok((url, pending)) => {
            if let Err(e) = session.insert(SESSION_PENDING, &pending).await {
                tracing::error!(error = %e, "storing the pending sign-in failed");
                return to_signin_with_error("Sign-in could not be started: the session store is unavailable. Try again shortly.");
            }
            Redirect::to(url.as_str()).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "starting sign-in failed");
            to_signin_with_error(&format!("Sign-in could not be started: {e}."))
        }
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn callback(State(auth): State<AuthState>, session: Session, Query(q): Query<CallbackQuery>) -> Response {
    let pending: Option<PendingSignIn> = session.remove(SESSION_PENDING).await.ok().flatten();
    if let Some(err) = q.error {
        let description = q.error_description.unwrap_or_default();
        tracing::warn!(%err, %description, "identity provider returned an error");
        return to_signin_with_error(&format!("Sign-in failed: {}", SignInError::ProviderRefused(if description.is_empty() { err } else { description })));
    }
    let (Some(pending), Some(code), Some(state)) = (pending, q.code, q.state) else {
        return to_signin_with_error(&format!("Sign-in failed: {}.", SignInError::StateMismatch));
    };
    let identity = match auth.oidc.complete(&pending, &state, &code).await {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(error = %e, "sign-in refused");
            return to_signin_with_error(&format!("Sign-in failed: {e}."));
        }
    };
    let claimed_role = auth.role_map.role_for(&identity.roles);
    let is_bootstrap_admin = auth
        .bootstrap_admin_email
        .as_deref()
        .is_some_and(|b| b.eq_ignore_ascii_case(&identity.email));
    let user = match users::record_sign_in(
        &auth.pool,
        users::SignIn {
            subject: &identity.subject,
            email: &identity.email,
            display_name: &identity.name,
            claimed_role,
            is_bootstrap_admin,
        },
    )
    .await
    {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "recording the sign-in failed");
            return to_signin_with_error("Sign-in failed: SeatSync could not record it in its database. Try again shortly.");
        }
    };
    // A new session id at the moment of sign-in defeats session fixation.
    if let Err(e) = session.cycle_id().await {
        tracing::error!(error = %e, "rotating the session id failed");
        return to_signin_with_error("Sign-in failed: the session store is unavailable. Try again shortly.");
    }
    if let Err(e) = session.insert(SESSION_USER_ID, user.id).await {
        tracing::error!(error = %e, "storing the session failed");
        return to_signin_with_error("Sign-in failed: the session store is unavailable. Try again shortly.");
    }
    tracing::info!(user = %user.email, role = ?user.role(), "signed in");
    Redirect::to(&pending.next).into_response()
}

async fn logout(session: Session) -> Response {
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "ending the session failed");
    }
    Redirect::to("/signin?signed_out=1").into_response()
}

/// Paths anyone may request: the sign-in page and flow, static assets, health, and server
/// functions (which check the caller themselves and answer 401/403).
fn is_public(path: &str) -> bool {
    path == "/signin"
        || path == "/healthz"
        || path == "/favicon.ico"
        || path.starts_with("/auth/")
        || path.starts_with("/pkg/")
        || path.starts_with("/api/")
}

/// Sends a signed-out visitor of any page to the sign-in page, remembering where they wanted to go.
pub async fn require_sign_in(session: Session, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_public(path) {
        return next.run(req).await;
    }
    if app::server::session_user_id(&session).await.ok().flatten().is_some() {
        return next.run(req).await;
    }
    let wanted = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let encoded: String = url::form_urlencoded::byte_serialize(wanted.as_bytes()).collect();
    Redirect::to(&format!("/signin?next={encoded}")).into_response()
}

/// Reads the signed-in user once, before the page or server function runs, for everything the
/// request renders or checks (`app::server::RequestUser`). Static files skip it.
pub async fn load_user(State(pool): State<PgPool>, session: Session, mut req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/pkg/") {
        return next.run(req).await;
    }
    match app::server::RequestUser::load(&pool, &session).await {
        Ok(user) => {
            req.extensions_mut().insert(user);
            next.run(req).await
        }
        Err(e) => {
            tracing::error!(error = %e, "reading the signed-in user");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "SeatSync cannot read your session right now: the database did not answer. Try again in a moment.").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_ever_a_local_path() {
        assert_eq!(safe_next(Some("/users?x=1".into())), "/users?x=1");
        assert_eq!(safe_next(Some("https://evil.example/".into())), "/");
        assert_eq!(safe_next(Some("//evil.example/".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(Some("/auth/logout".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
