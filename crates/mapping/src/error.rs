use seatsync_db::DbError;
use seatsync_vendors::VendorError;

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error(
        "Autotask is not configured, so there is nothing to map to. An Admin can see what is missing under Settings."
    )]
    NotConfigured,
    /// Someone changed the mapping after the caller read it; nothing was written.
    #[error("{0}")]
    Conflict(String),
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("Autotask: {0}")]
    Vendor(#[from] VendorError),
    #[error(transparent)]
    Db(#[from] DbError),
}
