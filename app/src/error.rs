//! The one error type server functions return: each variant says something a person can act on.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use seatsync_domain::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 401: nobody is signed in (or the session expired).
    #[error("Your session has ended. Sign in again to continue.")]
    Unauthenticated,
    /// 403: signed in, but the role does not allow this.
    #[error("This needs the {needed} role; you are signed in as {have}.")]
    Forbidden { needed: Role, have: String },
    /// 404.
    #[error("{0} was not found.")]
    NotFound(String),
    /// 400: the input is wrong, and the message says how.
    #[error("{0}")]
    Invalid(String),
    /// 403: refused before any role was considered (a cross-site request); the message says why.
    #[error("{0}")]
    Refused(String),
    /// 413: an upload larger than SeatSync accepts; the message says the limit.
    #[error("{0}")]
    TooLarge(String),
    /// 409: someone else changed it first, or it cannot be done as things stand.
    #[error("{0}")]
    Conflict(String),
    /// 502: a vendor (Autotask, Partner Center) refused or failed; the message is theirs, in words.
    #[error("{0}")]
    Upstream(String),
    /// 500: logged on the server under this reference; details are not sent to the browser.
    #[error("Something went wrong on the server (reference {reference}). Try again; if it persists, give the reference to your administrator.")]
    Internal { reference: String },
    /// The request did not reach the server function or its answer could not be read.
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server these mean the request itself was malformed (a missing or unreadable
        // argument): the caller's mistake, answered 400 with what was wrong, never a 500.
        #[cfg(feature = "ssr")]
        if let ServerFnErrorErr::Args(detail)
        | ServerFnErrorErr::MissingArg(detail)
        | ServerFnErrorErr::Deserialization(detail) = &value
        {
            let error =
                AppError::Invalid(format!("The request could not be read: {detail}. Reload the page and try again."));
            tracing::info!(%detail, "refused a malformed server function request");
            if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(error.status());
            }
            return error;
        }
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } | AppError::Refused(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Upstream(_) => StatusCode::BAD_GATEWAY,
            AppError::Internal { .. } | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Logs an unexpected failure with its context and returns the error the user sees.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
        tracing::error!(%reference, error = %err, "{context}");
        AppError::Internal { reference }
    }
}

/// Every service error, once: what the caller can act on keeps its words; the rest is logged
/// with a reference.
#[cfg(feature = "ssr")]
impl From<seatsync_services::ServiceError> for AppError {
    fn from(e: seatsync_services::ServiceError) -> Self {
        use seatsync_services::ServiceError as E;
        match e {
            E::NotFound(what) => AppError::NotFound(what),
            E::Invalid(m) => AppError::Invalid(m),
            E::Conflict(m) => AppError::Conflict(m),
            E::Upstream(m) => AppError::Upstream(m),
            E::TooLarge(m) => AppError::TooLarge(m),
            E::Unexpected { context, detail } => AppError::internal(context, detail),
        }
    }
}
