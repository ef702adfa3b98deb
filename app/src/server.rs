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

/// The signed-in user as read once for the current request. A middleware reads it before the
/// page or server function runs (`RequestUser::load`): the page frame needs it synchronously,
/// and every role check of the request reuses it.
#[derive(Clone, Default)]
pub struct RequestUser(Arc<tokio::sync::OnceCell<Option<seatsync_db::users::User>>>);

impl RequestUser {
    /// Reads the user of `session`, fresh from the database, so that a role change or removal
    /// takes effect on the very next request.
    pub async fn load(pool: &PgPool, session: &Session) -> Result<Self, AppError> {
        let user = read_user(pool, session).await?;
        Ok(Self(Arc::new(tokio::sync::OnceCell::new_with(Some(user)))))
    }

    /// The user, when already read for this request.
    pub fn loaded(&self) -> Option<&seatsync_db::users::User> {
        self.0.get().and_then(Option::as_ref)
    }
}

/// The signed-in user, if any, read once per request (see `RequestUser`).
pub async fn signed_in_user(ctx: &ServerContext) -> Result<Option<seatsync_db::users::User>, AppError> {
    let cache = use_context::<RequestUser>().unwrap_or_default();
    cache
        .0
        .get_or_try_init(|| async {
            let session: Session = leptos_axum::extract().await.map_err(|e| AppError::internal("reading the session", e))?;
            read_user(&ctx.pool, &session).await
        })
        .await
        .cloned()
}

/// Who the session says is signed in. The user may since have been removed: read the user
/// (`RequestUser`) before trusting it.
pub async fn session_user_id(session: &Session) -> Result<Option<Uuid>, AppError> {
    session.get(SESSION_USER_ID).await.map_err(|e| AppError::internal("reading the session", e))
}

async fn read_user(pool: &PgPool, session: &Session) -> Result<Option<seatsync_db::users::User>, AppError> {
    let Some(id) = session_user_id(session).await? else { return Ok(None) };
    match seatsync_db::users::find(pool, id).await {
        Ok(user) => Ok(Some(user)),
        Err(seatsync_db::DbError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The caller, when signed in with at least `needed`; otherwise 401 or 403. Every server
/// function starts with this, before any other `.await`: hiding a button in the UI is not
/// security.
pub async fn require(needed: Role) -> Result<Caller, AppError> {
    let ctx = context();
    let respond = Responder::current();
    let Some(user) = signed_in_user(&ctx).await? else {
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
