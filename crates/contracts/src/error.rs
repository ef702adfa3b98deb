use seatsync_db::DbError;
use seatsync_vendors::VendorError;

#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("Autotask is not configured. An Admin can see what is missing under Settings.")]
    NotConfigured,
    #[error("{0} was not found")]
    NotFound(&'static str),
    /// The request cannot be done as things stand; the message says why.
    #[error("{0}")]
    Refused(String),
    /// Someone else is doing it right now.
    #[error("{0}")]
    Busy(String),
    #[error("Autotask: {0}")]
    Vendor(#[from] VendorError),
    #[error(transparent)]
    Db(#[from] DbError),
}
