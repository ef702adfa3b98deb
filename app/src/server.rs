//! Server-side plumbing shared by every server function: the services, who is calling, and
//! answering with the right status.
//!
//! Every server function is one line over [`serve`]: the role it needs, and one call of
//! [`Services`]. The services do the work; nothing here reads the database.

use std::{future::Future, sync::Arc};

use leptos::prelude::*;
use seatsync_domain::Role;
pub use seatsync_services::{Services, Staff};

use crate::error::AppError;

/// Session key holding the signed-in user's id.
pub const SESSION_USER_ID: &str = "user_id";
/// Session key holding when the user signed in (Unix milliseconds): sessions end this long after
/// it whatever the activity, and "sign out everywhere" ends those begun before it was asked.
pub const SESSION_SIGNED_IN_AT: &str = "signed_in_at";
/// Session key holding when the session was last used (Unix seconds), refreshed at most once a
/// minute so that requests do not each write the session.
pub const SESSION_SEEN_AT: &str = "seen_at";

/// The services, as the server provides them to every page render and server-function call.
pub fn services() -> Arc<Services> {
    expect_context::<Arc<Services>>()
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

/// The signed-in caller of a server function, with what it needs to do its work.
#[derive(Clone)]
pub struct Caller {
    pub user: Staff,
    pub services: Arc<Services>,
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
pub struct RequestUser(Option<Arc<Staff>>);

impl RequestUser {
    pub fn new(user: Option<Staff>) -> Self {
        Self(user.map(Arc::new))
    }

    pub fn loaded(&self) -> Option<&Staff> {
        self.0.as_deref()
    }
}

/// The signed-in user of this request, if any (see `RequestUser`). Without the guard in front
/// nobody is signed in: a route the guard does not cover can never act as a user.
pub fn signed_in_user() -> Option<Staff> {
    use_context::<RequestUser>().and_then(|u| u.loaded().cloned())
}

/// The caller, when signed in with at least `needed`; otherwise 401 or 403. Every server
/// function starts with this, before any other `.await`: hiding a button in the UI is not
/// security.
pub async fn require(needed: Role) -> Result<Caller, AppError> {
    let services = services();
    let respond = Responder::current();
    let Some(user) = signed_in_user() else {
        return Err(respond.fail(AppError::Unauthenticated));
    };
    match user.role {
        Some(role) if role.allows(needed) => Ok(Caller { user, services, respond }),
        other => Err(respond.fail(AppError::Forbidden {
            needed,
            have: other.map(|r| r.label().to_string()).unwrap_or_else(|| "a user without a SeatSync role".into()),
        })),
    }
}

/// A server function's whole body: the caller must have `needed`; then `work` runs with the
/// caller, and its error becomes the typed error with its status.
pub async fn serve<T, E, Fut>(needed: Role, work: impl FnOnce(Caller) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, E>>,
    E: Into<AppError>,
{
    let caller = require(needed).await?;
    let respond = caller.respond.clone();
    work(caller).await.map_err(|e| respond.fail(e.into()))
}
