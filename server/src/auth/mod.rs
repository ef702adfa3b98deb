//! Sign-in, sign-out, and the guard every request passes: it ends sessions that are over and
//! reads the signed-in user once, sending signed-out visitors of a page to the sign-in page.

pub mod oidc;
pub mod pending;

use std::{sync::Arc, time::Duration};

use app::{
    navigation::{safe_return_path, SignInFailure},
    server::{RequestUser, Staff, SESSION_SEEN_AT, SESSION_SIGNED_IN_AT, SESSION_USER_ID},
};
use axum::{
    extract::{Query, Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use chrono::{DateTime, Utc};
use seatsync_db::{users, DbError, PgPool};
use seatsync_domain::RoleMap;
use serde::Deserialize;
use tower_sessions::Session;
use url::Url;
use uuid::Uuid;

use self::{oidc::Oidc, pending::PendingCookie};

/// A session's last use is written at most this often, so requests do not each write.
const SEEN_EVERY: i64 = 60;

/// What the sign-in routes need.
#[derive(Clone)]
pub struct AuthState {
    pub oidc: Arc<Oidc>,
    pub pool: PgPool,
    pub role_map: Arc<RoleMap>,
    pub bootstrap_admin_email: Option<String>,
    pub pending: PendingCookie,
    pub public_url: Url,
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

/// Where to go after signing in: `next` when it is a path on this site (see
/// [`safe_return_path`]) and, resolved against the public URL, stays on its origin; else `/`.
fn safe_next(next: Option<&str>, public_url: &Url) -> String {
    next.and_then(safe_return_path)
        .filter(|n| public_url.join(n).is_ok_and(|u| u.origin() == public_url.origin()))
        .map(str::to_string)
        .unwrap_or_else(|| "/".into())
}

fn to_signin(failure: SignInFailure) -> Response {
    Redirect::to(&failure.signin_url()).into_response()
}

fn now() -> i64 {
    Utc::now().timestamp()
}

/// Text from outside (a vendor, the identity provider) as one log line: control characters are
/// escaped, so nobody can write a line of their own into the text log.
pub fn loggable(text: &str) -> String {
    text.escape_debug().to_string()
}

#[tracing::instrument(skip_all)]
async fn login(State(auth): State<AuthState>, Query(q): Query<LoginQuery>) -> Response {
    match auth.oidc.begin(safe_next(q.next.as_deref(), &auth.public_url), now()).await {
        Ok((url, pending)) => {
            ([(header::SET_COOKIE, auth.pending.seal(&pending))], Redirect::to(url.as_str())).into_response()
        }
        Err(e) => {
            tracing::error!(error = %loggable(&e.to_string()), "starting sign-in failed");
            to_signin(e.failure())
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
async fn callback(
    State(auth): State<AuthState>,
    session: Session,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let pending = auth.pending.open(&headers, now());
    // The pending sign-in is used once, whatever happens next.
    let clear = [(header::SET_COOKIE, auth.pending.clear())];
    (clear, complete(&auth, &session, pending, q).await).into_response()
}

async fn complete(
    auth: &AuthState,
    session: &Session,
    pending: Option<oidc::PendingSignIn>,
    q: CallbackQuery,
) -> Response {
    if let Some(err) = q.error {
        let description = q.error_description.unwrap_or_default();
        tracing::warn!(error = %loggable(&err), description = %loggable(&description), "the identity provider returned an error");
        // RFC 6749: the person declined, or consent was not given.
        return to_signin(if matches!(err.as_str(), "access_denied" | "consent_required" | "interaction_required") {
            SignInFailure::Cancelled
        } else {
            SignInFailure::Refused
        });
    }
    let (Some(pending), Some(code), Some(state)) = (pending, q.code, q.state) else {
        return to_signin(SignInFailure::NotStarted);
    };
    let identity = match auth.oidc.complete(&pending, &state, &code).await {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(error = %loggable(&e.to_string()), "sign-in refused");
            return to_signin(e.failure());
        }
    };
    let claimed_role = auth.role_map.role_for(&identity.roles);
    let is_bootstrap_admin =
        auth.bootstrap_admin_email.as_deref().is_some_and(|b| b.eq_ignore_ascii_case(&identity.email));
    let sign_in = users::SignIn {
        subject: &identity.subject,
        email: &identity.email,
        display_name: &identity.name,
        claimed_role,
        is_bootstrap_admin,
    };
    let user = match users::record_sign_in(&auth.pool, sign_in).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "recording the sign-in failed");
            return to_signin(SignInFailure::Unavailable);
        }
    };
    if user.is_blocked() {
        tracing::warn!(user = %loggable(&user.email), "a blocked user tried to sign in");
        return to_signin(SignInFailure::Blocked);
    }
    if let Err(e) = start_session(session, user.id).await {
        tracing::error!(error = %e, "storing the session failed");
        return to_signin(SignInFailure::Unavailable);
    }
    tracing::info!(user = %loggable(&user.email), role = ?user.role(), "signed in");
    Redirect::to(&pending.next).into_response()
}

async fn start_session(session: &Session, user: Uuid) -> Result<(), tower_sessions::session::Error> {
    // A new session id at the moment of sign-in defeats session fixation.
    session.cycle_id().await?;
    session.insert(SESSION_USER_ID, user).await?;
    session.insert(SESSION_SIGNED_IN_AT, Utc::now().timestamp_millis()).await?;
    session.insert(SESSION_SEEN_AT, now()).await
}

async fn logout(session: Session) -> Response {
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "ending the session failed");
    }
    Redirect::to("/signin?signed_out=1").into_response()
}

/// Paths a signed-out visitor may request: the sign-in page and flow, static assets, health, and
/// server functions (which check the caller themselves and answer 401/403).
fn is_public(path: &str) -> bool {
    path == "/signin"
        || path == "/healthz"
        || path == "/favicon.ico"
        || path.starts_with("/auth/")
        || path.starts_with("/pkg/")
        || path.starts_with("/api/")
}

/// Requests that never act as a user: static files, health, and the sign-in flow itself.
fn needs_no_user(path: &str) -> bool {
    path == "/healthz" || path == "/favicon.ico" || path.starts_with("/pkg/") || path.starts_with("/auth/")
}

/// How long sessions live: `idle` without a request (the session store's expiry, renewed at
/// most once a minute) and `max` after sign-in whatever the activity.
#[derive(Clone)]
pub struct GuardState {
    pub pool: PgPool,
    pub max: Duration,
}

/// Why a session that named a user was ended.
enum Ended {
    /// Older than the longest session life, or from before these limits existed.
    Expired,
    Blocked,
    Revoked,
    /// The user was removed.
    Gone,
}

impl Ended {
    fn failure(&self) -> SignInFailure {
        match self {
            Ended::Expired | Ended::Gone => SignInFailure::SessionEnded,
            Ended::Blocked => SignInFailure::Blocked,
            Ended::Revoked => SignInFailure::SignedOutByAdmin,
        }
    }
}

/// Where a session stands by its times alone.
#[derive(Debug, PartialEq, Eq)]
enum Lifetime {
    /// Past its longest life (or from before sessions recorded their start).
    Over,
    /// Still alive; `touch`: its last use is older than a minute, so it is written again, which
    /// renews its idle expiry.
    Live { touch: bool },
}

/// The rule for a session signed in at `signed_in_ms` (Unix milliseconds) and last used at
/// `seen_at` (Unix seconds), at `now_ms`, when sessions live at most `max_seconds`. The idle
/// limit itself is the session store's expiry, which each write (`touch`) moves on.
fn lifetime(now_ms: i64, signed_in_ms: Option<i64>, seen_at: Option<i64>, max_seconds: i64) -> Lifetime {
    match signed_in_ms {
        Some(at) if at <= now_ms && now_ms - at <= max_seconds * 1000 => {
            Lifetime::Live { touch: seen_at.is_none_or(|s| now_ms / 1000 - s >= SEEN_EVERY) }
        }
        _ => Lifetime::Over,
    }
}

/// Reads the session's user; ends the session when it is over.
async fn session_user(guard: &GuardState, session: &Session) -> Result<Result<Option<users::User>, Ended>, String> {
    let read = |e: tower_sessions::session::Error| e.to_string();
    let Some(id) = session.get::<Uuid>(SESSION_USER_ID).await.map_err(read)? else { return Ok(Ok(None)) };
    let now_ms = Utc::now().timestamp_millis();
    let signed_in_ms = session.get::<i64>(SESSION_SIGNED_IN_AT).await.map_err(read)?;
    let seen_at = session.get::<i64>(SESSION_SEEN_AT).await.map_err(read)?;
    let ended = match lifetime(now_ms, signed_in_ms, seen_at, guard.max.as_secs() as i64) {
        Lifetime::Over => Ended::Expired,
        Lifetime::Live { touch } => {
            let signed_in_at = signed_in_ms.and_then(DateTime::from_timestamp_millis).unwrap_or_default();
            match users::find(&guard.pool, id).await {
                Ok(user) if user.session_is_valid(signed_in_at) => {
                    if touch {
                        // Saving the session renews its idle expiry in the store and the browser.
                        session.insert(SESSION_SEEN_AT, now_ms / 1000).await.map_err(read)?;
                    }
                    return Ok(Ok(Some(user)));
                }
                Ok(user) if user.is_blocked() => Ended::Blocked,
                Ok(_) => Ended::Revoked,
                Err(DbError::NotFound) => Ended::Gone,
                Err(e) => return Err(e.to_string()),
            }
        }
    };
    session.flush().await.map_err(read)?;
    Ok(Err(ended))
}

/// Runs before everything else that uses the session: ends a session that is over (idle, past
/// its longest life, revoked, or of a blocked or removed user), reads the signed-in user once for
/// the whole request (`RequestUser`), and sends a signed-out visitor of a page to the sign-in
/// page, remembering where they wanted to go.
pub async fn guard(State(guard): State<GuardState>, session: Session, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if needs_no_user(&path) {
        return next.run(req).await;
    }
    let user = match session_user(&guard, &session).await {
        Ok(user) => user,
        Err(e) => {
            tracing::error!(error = %e, "reading the signed-in user");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "SeatSync cannot read your session right now: the database did not answer. Try again in a moment.",
            )
                .into_response();
        }
    };
    let signed_in = matches!(user, Ok(Some(_)));
    req.extensions_mut().insert(RequestUser::new(user.as_ref().ok().cloned().flatten().map(Staff::from)));
    if signed_in || is_public(&path) {
        return next.run(req).await;
    }
    let wanted = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let encoded: String = url::form_urlencoded::byte_serialize(wanted.as_bytes()).collect();
    match user {
        Err(ended) => Redirect::to(&format!("{}&next={encoded}", ended.failure().signin_url())).into_response(),
        Ok(_) => Redirect::to(&format!("/signin?next={encoded}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_ever_a_local_path() {
        let public = Url::parse("http://127.0.0.1:3000").unwrap();
        assert_eq!(safe_next(Some("/users?x=1"), &public), "/users?x=1");
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example/",
            "/x\r\nLocation: //evil",
            "/auth/logout",
        ] {
            assert_eq!(safe_next(Some(bad), &public), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None, &public), "/");
    }

    #[test]
    fn sessions_end_after_their_longest_life_and_are_written_at_most_once_a_minute() {
        let max = 12 * 3600;
        let ms = |s: i64| s * 1000;
        assert_eq!(lifetime(ms(1_000), Some(ms(1_000)), Some(1_000), max), Lifetime::Live { touch: false });
        assert_eq!(lifetime(ms(1_059), Some(ms(1_000)), Some(1_000), max), Lifetime::Live { touch: false });
        assert_eq!(lifetime(ms(1_060), Some(ms(1_000)), Some(1_000), max), Lifetime::Live { touch: true });
        assert_eq!(
            lifetime(ms(1_000 + max), Some(ms(1_000)), Some(1_000 + max - 5), max),
            Lifetime::Live { touch: false }
        );
        assert_eq!(
            lifetime(ms(1_000 + max) + 1, Some(ms(1_000)), Some(1_000 + max), max),
            Lifetime::Over,
            "however active"
        );
        assert_eq!(lifetime(ms(1_000), None, Some(1_000), max), Lifetime::Over, "a session from before the limits");
        assert_eq!(
            lifetime(ms(1_000), Some(ms(2_000)), None, max),
            Lifetime::Over,
            "a start in the future is not believed"
        );
        assert_eq!(lifetime(ms(1_000), Some(ms(900)), None, max), Lifetime::Live { touch: true });
    }

    #[test]
    fn vendor_text_is_one_log_line() {
        assert_eq!(loggable("bad\nINFO forged line"), "bad\\nINFO forged line");
    }
}
