//! What a service says went wrong; every lower error is converted here, once.

use seatsync_db::DbError;

/// A failure in words a person can act on, sorted by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    /// The thing asked for does not exist; the text names it ("That tenant").
    #[error("{0} was not found.")]
    NotFound(String),
    /// The input is wrong, and the message says how.
    #[error("{0}")]
    Invalid(String),
    /// Someone else changed it first, or it cannot be done as things stand.
    #[error("{0}")]
    Conflict(String),
    /// A vendor refused or failed; the message is theirs, in words.
    #[error("{0}")]
    Upstream(String),
    /// An upload larger than SeatSync accepts.
    #[error("{0}")]
    TooLarge(String),
    /// Nothing the caller can fix: logged with its detail by the layer that answers.
    #[error("{context}: {detail}")]
    Unexpected { context: &'static str, detail: String },
}

impl ServiceError {
    pub(crate) fn unexpected(context: &'static str, detail: impl std::fmt::Display) -> Self {
        ServiceError::Unexpected { context, detail: detail.to_string() }
    }

    /// `NotFound` for `what` when the database found nothing, the error itself otherwise.
    pub(crate) fn db_missing(what: &str) -> impl Fn(DbError) -> ServiceError + '_ {
        move |e| match e {
            DbError::NotFound => ServiceError::NotFound(what.to_string()),
            other => other.into(),
        }
    }
}

impl From<DbError> for ServiceError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => ServiceError::NotFound("The record".into()),
            other => ServiceError::unexpected("database", other),
        }
    }
}

impl From<seatsync_mapping::MappingError> for ServiceError {
    fn from(e: seatsync_mapping::MappingError) -> Self {
        use seatsync_mapping::MappingError as E;
        match e {
            E::NotConfigured => ServiceError::Invalid(e.to_string()),
            E::Conflict(m) => ServiceError::Conflict(m),
            E::NotFound(what) => ServiceError::NotFound(what.into()),
            E::Invalid(m) => ServiceError::Invalid(m),
            E::Vendor(v) => ServiceError::Upstream(format!("Autotask: {v}")),
            E::Db(db) => db.into(),
        }
    }
}

impl From<seatsync_contracts::ContractError> for ServiceError {
    fn from(e: seatsync_contracts::ContractError) -> Self {
        use seatsync_contracts::ContractError as E;
        match e {
            E::NotConfigured => ServiceError::Invalid(e.to_string()),
            E::NotFound(what) => ServiceError::NotFound(what.into()),
            E::Refused(m) | E::Busy(m) => ServiceError::Conflict(m),
            E::Vendor(v) => ServiceError::Upstream(format!("Autotask: {v}")),
            E::Db(db) => db.into(),
        }
    }
}

impl From<seatsync_licences::CatalogError> for ServiceError {
    fn from(e: seatsync_licences::CatalogError) -> Self {
        use seatsync_licences::CatalogError as E;
        match e {
            E::Csv(_) | E::Invalid(_) => ServiceError::Invalid(e.to_string()),
            E::Db(db) => db.into(),
        }
    }
}

impl From<seatsync_licence_sync::SyncError> for ServiceError {
    fn from(e: seatsync_licence_sync::SyncError) -> Self {
        use seatsync_licence_sync::SyncError as E;
        match e {
            E::AlreadyRunning => ServiceError::Conflict(e.to_string()),
            E::UnknownTenant => ServiceError::NotFound("That tenant".into()),
            E::Db(db) => db.into(),
        }
    }
}

impl From<seatsync_jobs::JobError> for ServiceError {
    fn from(e: seatsync_jobs::JobError) -> Self {
        use seatsync_jobs::JobError as E;
        match e {
            E::Busy(m) => ServiceError::Conflict(m),
            E::NotConfigured(m) => ServiceError::Invalid(m),
            E::Queue(m) => ServiceError::unexpected("the job queue", m),
            E::Db(db) => db.into(),
        }
    }
}

impl From<seatsync_mapping::settings::SettingsError> for ServiceError {
    fn from(e: seatsync_mapping::settings::SettingsError) -> Self {
        match e {
            seatsync_mapping::settings::SettingsError::Db(db) => db.into(),
            other => ServiceError::Invalid(other.to_string()),
        }
    }
}

impl From<seatsync_integrations::IntegrationsError> for ServiceError {
    fn from(e: seatsync_integrations::IntegrationsError) -> Self {
        use seatsync_integrations::IntegrationsError as E;
        match e {
            E::Invalid(message) => ServiceError::Invalid(message),
            E::Db(e) => e.into(),
            other => ServiceError::Unexpected { context: "integration settings", detail: other.to_string() },
        }
    }
}
