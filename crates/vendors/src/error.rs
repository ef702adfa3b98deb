//! What can go wrong talking to a vendor, in words for the sync record and the page.

/// A failed vendor call, after retries.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VendorError {
    /// The vendor answered with an error status; `message` is what its error body said.
    #[error("{vendor} answered {status}: {message}")]
    Status { vendor: &'static str, status: u16, message: String },
    /// Still throttled (429) after every retry.
    #[error("{vendor} kept throttling the requests (429) after {attempts} attempts")]
    Throttled { vendor: &'static str, attempts: u32 },
    /// No answer in time, after every retry.
    #[error("{vendor} did not answer in time after {attempts} attempts")]
    Timeout { vendor: &'static str, attempts: u32 },
    /// The connection failed.
    #[error("{vendor} could not be reached: {detail}")]
    Transport { vendor: &'static str, detail: String },
    /// The answer was not in the documented shape.
    #[error("{vendor} sent a malformed {what}: {detail}")]
    Malformed { vendor: &'static str, what: String, detail: String },
    /// Signing in to the vendor failed (bad or expired credentials, missing consent).
    #[error("signing in to {vendor} failed: {detail}")]
    Auth { vendor: &'static str, detail: String },
    /// A write whose outcome is unknown: it may have reached the vendor (a timeout, a server
    /// error or a dropped connection after sending) and the vendor has no idempotency keys, so
    /// sending it again could apply it twice.
    #[error("{vendor}: {detail}; the change may or may not have been applied; re-read before trying again")]
    Uncertain { vendor: &'static str, detail: String },
    /// SeatSync's share of the vendor's request allowance is used up for now.
    #[error("{vendor} request budget exhausted: {detail}")]
    Budget { vendor: &'static str, detail: String },
    /// The vendor requires fields the request would not carry, found before sending (from the
    /// vendor's own field definitions); nothing was sent.
    #[error("{vendor} requires {} on a new {entity}, and SeatSync has no value for it; nothing was created", fields.join(", "))]
    MissingFields { vendor: &'static str, entity: String, fields: Vec<String> },
    /// What would be sent is over the vendor's size limit; nothing was sent.
    #[error("{vendor}: {detail}")]
    TooLarge { vendor: &'static str, detail: String },
    /// A required setting is missing.
    #[error("{vendor} is not configured: {detail}")]
    NotConfigured { vendor: &'static str, detail: String },
}

impl VendorError {
    /// A file over the size a vendor takes (`limit` bytes), said before anything is sent;
    /// `setting` names the setting that holds the limit where it is one.
    pub fn file_too_large(
        vendor: &'static str,
        file_name: &str,
        bytes: usize,
        limit: usize,
        setting: Option<&str>,
    ) -> Self {
        let mb = |n: usize| n as f64 / 1_000_000.0;
        let whose = match setting {
            Some(key) => format!("SeatSync attaches files up to {:.1} MB to {vendor} tickets ({key})", mb(limit)),
            None => format!("{vendor} takes files up to {:.1} MB", mb(limit)),
        };
        VendorError::TooLarge {
            vendor,
            detail: format!("'{file_name}' is {:.1} MB; {whose}, so nothing was sent", mb(bytes)),
        }
    }
}
