//! The Integrations page (Admin): each integration's settings, saved encrypted where secret,
//! audited, and the clients rebuilt from them.

use seatsync_api_types::settings::{FieldChange, IntegrationDetail, IntegrationInfo, ReadinessSummary};
use seatsync_domain::kinds::IntegrationKey;

use crate::{ServiceError, Services, Staff};

/// The most fields one save may change (every integration has fewer).
const MAX_CHANGES: usize = 20;

fn integration(key: &str) -> Result<IntegrationKey, ServiceError> {
    IntegrationKey::parse(key).ok_or_else(|| ServiceError::NotFound("That integration".into()))
}

impl Services {
    /// Every integration, whether it is ready and what uses it (no secrets).
    pub async fn integrations(&self) -> Result<Vec<IntegrationInfo>, ServiceError> {
        Ok(self.integrations.resolved().await?.infos())
    }

    /// How many integrations are ready, for the dashboard.
    pub async fn integration_readiness(&self) -> Result<ReadinessSummary, ServiceError> {
        let all = self.integrations().await?;
        Ok(ReadinessSummary {
            ready: all.iter().filter(|i| i.configured).count(),
            total: all.len(),
            not_ready: all.iter().filter(|i| !i.configured).map(|i| i.name.clone()).collect(),
        })
    }

    pub async fn integration(&self, key: &str) -> Result<IntegrationDetail, ServiceError> {
        Ok(self.integrations.detail(integration(key)?).await?)
    }

    /// Saves an Admin's changes; the clients that use the integration are rebuilt at once.
    pub async fn save_integration(
        &self,
        by: &Staff,
        key: &str,
        changes: Vec<FieldChange>,
    ) -> Result<IntegrationDetail, ServiceError> {
        let key = integration(key)?;
        if changes.is_empty() || changes.len() > MAX_CHANGES {
            return Err(ServiceError::Invalid("Nothing to save.".into()));
        }
        let changed = self.integrations.save(Some(by.id), key, &changes).await?;
        tracing::info!(by = %by.email, integration = key.as_str(), changed, "integration saved");
        Ok(self.integrations.detail(key).await?)
    }
}
