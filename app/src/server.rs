//! Server-side plumbing shared by every server function: what the server provides as context,
//! and who is calling.

use std::sync::Arc;

use leptos::prelude::*;
use seatsync_db::PgPool;
use seatsync_domain::Role;
use tower_sessions::Session;
use uuid::Uuid;

use crate::{api::settings::IntegrationInfo, error::AppError};

/// Session key holding the signed-in user's id.
pub const SESSION_USER_ID: &str = "user_id";
/// Session key holding when the user signed in (Unix milliseconds): sessions end this long after
/// it whatever the activity, and "sign out everywhere" ends those begun before it was asked.
pub const SESSION_SIGNED_IN_AT: &str = "signed_in_at";
/// Session key holding when the session was last used (Unix seconds), refreshed at most once a
/// minute so that requests do not each write the session.
pub const SESSION_SEEN_AT: &str = "seen_at";

/// What the server provides to every page render and server-function call.
#[derive(Clone)]
pub struct ServerContext {
    pub pool: PgPool,
    /// The configured integrations, as an Admin may see them (no secrets).
    pub integrations: Arc<Vec<IntegrationInfo>>,
    /// The licence sync, when Partner Center and Graph are configured.
    pub licence_sync: Option<Arc<seatsync_sync::LicenceSync>>,
    /// Product names and local costs per SKU.
    pub catalog: Arc<seatsync_licences::Catalog>,
    /// Tenant and offer mappings (and the Autotask cache behind them).
    pub mapping: Arc<seatsync_mapping::Mapping>,
    /// Suggested contracts, contract creation and the contract sync.
    pub contracts: Arc<seatsync_contracts::Contracts>,
}

pub fn context() -> ServerContext {
    expect_context::<ServerContext>()
}

/// Sets the HTTP status of the response being built. Captured before the first `.await`: Leptos
/// only guarantees context lookups at the start of a server function.
#[derive(Clone)]
pub struct Responder(Option<leptos_axum::ResponseOptions>);

impl Responder {
    pub fn current() -> Self {
        Self(use_context::<leptos_axum::ResponseOptions>())
    }

    /// Gives `error` its HTTP status on the response, then returns it.
    pub fn fail(&self, error: AppError) -> AppError {
        if let Some(opts) = &self.0 {
            opts.set_status(error.status());
        }
        error
    }
}

/// The signed-in caller of a server function, with the role they act with right now and what
/// the server function needs to do its work.
#[derive(Clone)]
pub struct Caller {
    pub user: seatsync_db::users::User,
    pub role: Role,
    pub ctx: ServerContext,
    pub respond: Responder,
}

impl Caller {
    /// Converts `error` into the typed error and gives the response its status.
    pub fn fail(&self, error: impl Into<AppError>) -> AppError {
        self.respond.fail(error.into())
    }
}

/// The signed-in user as read once for the current request, by the server's sign-in guard
/// before the page or server function runs: the page frame needs it synchronously, and every
/// role check of the request reuses it. The guard has already ended a session that expired, was
/// revoked or belongs to a blocked or removed user, so a user here may act.
#[derive(Clone, Default)]
pub struct RequestUser(Option<Arc<seatsync_db::users::User>>);

impl RequestUser {
    pub fn new(user: Option<seatsync_db::users::User>) -> Self {
        Self(user.map(Arc::new))
    }

    pub fn loaded(&self) -> Option<&seatsync_db::users::User> {
        self.0.as_deref()
    }
}

/// The signed-in user of this request, if any (see `RequestUser`). Without the guard in front
/// nobody is signed in: a route the guard does not cover can never act as a user.
pub fn signed_in_user() -> Option<seatsync_db::users::User> {
    use_context::<RequestUser>().and_then(|u| u.loaded().cloned())
}

/// Who the session says is signed in. The user may since have been removed or blocked: the
/// guard reads the user before trusting it.
pub async fn session_user_id(session: &Session) -> Result<Option<Uuid>, AppError> {
    session.get(SESSION_USER_ID).await.map_err(|e| AppError::internal("reading the session", e))
}

/// The caller, when signed in with at least `needed`; otherwise 401 or 403. Every server
/// function starts with this, before any other `.await`: hiding a button in the UI is not
/// security.
pub async fn require(needed: Role) -> Result<Caller, AppError> {
    let ctx = context();
    let respond = Responder::current();
    let Some(user) = signed_in_user() else {
        return Err(respond.fail(AppError::Unauthenticated));
    };
    match user.role() {
        Some(role) if role.allows(needed) => Ok(Caller { user, role, ctx, respond }),
        other => Err(respond.fail(AppError::Forbidden {
            needed,
            have: other.map(|r| r.label().to_string()).unwrap_or_else(|| "a user without a SeatSync role".into()),
        })),
    }
}

/// Autotask's web address (from zone discovery) for links to companies and contracts; `None`
/// when Autotask is not configured or cannot be reached right now (links are then left out).
pub async fn autotask_web_url(ctx: &ServerContext) -> Option<String> {
    let autotask = ctx.mapping.autotask().ok()?.clone();
    match autotask.web_url().await {
        Ok(url) => Some(url.to_string()),
        Err(e) => {
            tracing::warn!(error = %e, "Autotask's web address is unknown; links to it are left out");
            None
        }
    }
}
