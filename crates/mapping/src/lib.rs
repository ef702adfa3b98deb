//! Mapping customers and offers to Autotask.
//!
//! [`Mapping`] owns the Autotask cache (companies and services, refreshed by a job and on demand),
//! the tenant-to-company and offer-to-service mappings (saved only if nobody changed them since
//! the editor read them, every change audited), company suggestions, creating a service in
//! Autotask from the naming template, and creating a company for a tenant that has none.

mod cache;
mod error;
mod new_company;
mod offers;
pub mod settings;
mod tenants;

use std::sync::Arc;

use seatsync_db::PgPool;
use seatsync_vendors::{autotask::Autotask, Slot};
use tokio::sync::Mutex;

pub use cache::RefreshSummary;
pub use error::MappingError;
pub use new_company::{CompanyDraft, CompanyRequest};
pub use offers::{OfferAction, OfferSuggestion, ServiceDraft};
pub use settings::AppSettings;
pub use tenants::TenantAction;

/// The mapping service.
pub struct Mapping {
    pool: PgPool,
    /// Replaced when an Admin changes Autotask's settings (see `Slot`).
    autotask: Slot<dyn Autotask>,
    /// One cache refresh at a time in this process.
    refreshing: Mutex<()>,
}

impl Mapping {
    pub fn new(pool: PgPool, autotask: Slot<dyn Autotask>) -> Arc<Self> {
        Arc::new(Self { pool, autotask, refreshing: Mutex::new(()) })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The Autotask client, or the error saying it is not configured.
    pub fn autotask(&self) -> Result<Arc<dyn Autotask>, MappingError> {
        self.autotask.get().ok_or(MappingError::NotConfigured)
    }

    pub fn autotask_configured(&self) -> bool {
        self.autotask.is_set()
    }
}
