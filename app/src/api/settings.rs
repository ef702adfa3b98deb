//! Integration settings as an Admin sees them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One configured vendor connection; never carries a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationInfo {
    pub name: String,
    pub purpose: String,
    pub base_url: String,
    /// Whether every credential the integration needs is set.
    pub configured: bool,
    /// The configuration keys still missing, to tell the Admin what to set.
    pub missing: Vec<String>,
}

/// Every integration with its endpoint and whether it is ready (Admin only: endpoints and
/// account names are not for everyone).
#[server(prefix = "/api", endpoint = "settings/integrations")]
pub async fn list_integrations() -> Result<Vec<IntegrationInfo>, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Admin).await?;
    Ok(caller.ctx.integrations.as_ref().clone())
}

/// How many integrations are ready, for the dashboard (everyone signed in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadinessSummary {
    pub ready: usize,
    pub total: usize,
    pub not_ready: Vec<String>,
}

#[server(prefix = "/api", endpoint = "settings/readiness")]
pub async fn integration_readiness() -> Result<ReadinessSummary, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Viewer).await?;
    let all = caller.ctx.integrations;
    Ok(ReadinessSummary {
        ready: all.iter().filter(|i| i.configured).count(),
        total: all.len(),
        not_ready: all.iter().filter(|i| !i.configured).map(|i| i.name.clone()).collect(),
    })
}
