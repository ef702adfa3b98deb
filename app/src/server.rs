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

/// The signed-in user, if any, read fresh from the database so that a role change or removal
/// takes effect on the very next call.
pub async fn signed_in_user(ctx: &ServerContext) -> Result<Option<seatsync_db::users::User>, AppError> {
    let session: Session = leptos_axum::extract()
        .await
        .map_err(|e| AppError::internal("reading the session", e))?;
    let id: Option<Uuid> = session
        .get(SESSION_USER_ID)
        .await
        .map_err(|e| AppError::internal("reading the session", e))?;
    let Some(id) = id else { return Ok(None) };
    match seatsync_db::users::find(&ctx.pool, id).await {
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
