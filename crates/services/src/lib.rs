//! The one boundary between the UI and everything under it.
//!
//! A server function checks the caller's role and calls one method of [`Services`]; the method
//! does the work (over the database, the service crates and the vendors) and returns a type of
//! `seatsync-api-types`, or a [`ServiceError`] saying what went wrong in words a person can act
//! on. Nothing above this crate reads the database, so "where is X computed?" has one answer:
//! in the module of this crate named after the page.

mod alert_allowances;
mod alerts;
mod api_tokens;
mod billing;
mod billing_settings;
mod connection_test;
mod contracts;
mod dashboard;
mod delivery;
mod error;
mod integrations;
mod jobs;
mod licences;
mod mapping;
mod overview;
mod pax8;
mod pax8_products;
mod products;
mod remediation;
pub mod settings;
mod tickets;
mod tool_customers;
pub mod users;

use std::sync::Arc;

use seatsync_db::PgPool;

pub use billing_settings::BillingSettingsForm;
pub use error::ServiceError;
pub use users::Staff;

/// What the services are built from (the server builds them once at start).
pub struct ServiceParts {
    pub pool: PgPool,
    /// The integrations: their settings, and the clients built from them.
    pub integrations: Arc<seatsync_integrations::Integrations>,
    /// The job queue: every sync and refresh a person asks for goes through it.
    pub jobs: Arc<seatsync_jobs::Jobs>,
    /// Tickets and e-mail.
    pub delivery: Arc<seatsync_delivery::Delivery>,
    pub catalog: Arc<seatsync_licences::Catalog>,
    pub mapping: Arc<seatsync_mapping::Mapping>,
    pub contracts: Arc<seatsync_contracts::Contracts>,
    /// Reduction links and the quantity changes they make.
    pub remediation: Arc<seatsync_remediation::Remediation>,
    pub alert_tickets: Arc<seatsync_alert_tickets::AlertTickets>,
    /// The billing count reports.
    pub billing: Arc<seatsync_billing::BillingReports>,
}

/// Everything the UI may ask of SeatSync.
pub struct Services {
    pool: PgPool,
    integrations: Arc<seatsync_integrations::Integrations>,
    jobs: Arc<seatsync_jobs::Jobs>,
    delivery: Arc<seatsync_delivery::Delivery>,
    catalog: Arc<seatsync_licences::Catalog>,
    mapping: Arc<seatsync_mapping::Mapping>,
    contracts: Arc<seatsync_contracts::Contracts>,
    remediation: Arc<seatsync_remediation::Remediation>,
    alert_tickets: Arc<seatsync_alert_tickets::AlertTickets>,
    billing: Arc<seatsync_billing::BillingReports>,
}

impl Services {
    pub fn new(parts: ServiceParts) -> Arc<Self> {
        let ServiceParts {
            pool,
            integrations,
            jobs,
            delivery,
            catalog,
            mapping,
            contracts,
            remediation,
            alert_tickets,
            billing,
        } = parts;
        Arc::new(Self {
            pool,
            integrations,
            jobs,
            delivery,
            catalog,
            mapping,
            contracts,
            remediation,
            alert_tickets,
            billing,
        })
    }

    /// Autotask's web address for links to companies and contracts, as the last refresh of the
    /// Autotask cache read it: from PostgreSQL, so no page calls Autotask while rendering.
    /// `None` before a refresh has read it (links are then left out).
    async fn autotask_web_url(&self) -> Option<String> {
        match seatsync_db::autotask_cache::web_url(&self.pool).await {
            Ok(url) => url,
            Err(e) => {
                tracing::warn!(error = %e, "Autotask's web address could not be read; links to it are left out");
                None
            }
        }
    }
}
