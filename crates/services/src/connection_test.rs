//! "Test connection" on the Settings page: one harmless call to an integration, said in words.

use std::time::Instant;

use seatsync_api_types::settings::ConnectionTest;

use crate::{ServiceError, Services};

/// The name SeatSync looks up in Autotask to prove its credentials: a read that finds nothing.
const PROBE_COMPANY_NAME: &str = "SeatSync connection test";

impl Services {
    /// Makes one harmless call to the integration `key` and says what happened.
    pub async fn test_connection(&self, key: &str) -> Result<ConnectionTest, ServiceError> {
        let Some(info) = self.integrations.iter().find(|i| i.key == key) else {
            return Err(ServiceError::NotFound("That integration".into()));
        };
        if !info.configured {
            return Err(ServiceError::Invalid(format!(
                "{} is not configured yet: set {} first.",
                info.name,
                info.missing.join(", ")
            )));
        }
        let started = Instant::now();
        let outcome: Result<String, String> = match key {
            "partner_center" => self.probe_partner_center().await,
            "graph" => self.probe_graph().await?,
            "autotask" => self.probe_autotask().await,
            _ => {
                return Err(ServiceError::Invalid(format!(
                    "SeatSync has no client for {} yet, so there is nothing to test.",
                    info.name
                )))
            }
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        Ok(match outcome {
            Ok(said) => {
                ConnectionTest { ok: true, message: format!("Connected in {elapsed_ms} ms: {said}"), elapsed_ms }
            }
            Err(error) => ConnectionTest { ok: false, message: format!("{} answered: {error}", info.name), elapsed_ms },
        })
    }

    async fn probe_partner_center(&self) -> Result<String, String> {
        let sync = self.jobs.parts().licence_sync.as_ref().ok_or("not configured")?;
        let customers = sync.partner_center().first_customers(1).await.map_err(|e| e.to_string())?;
        Ok(match customers.first() {
            Some(c) => format!(
                "signed in as the partner and read the customer list (first: {}).",
                c.company_profile.company_name.as_deref().unwrap_or("a customer without a name")
            ),
            None => "signed in as the partner; the customer list is empty.".into(),
        })
    }

    /// Graph is used inside customer tenants: a token and the licence list of the first tenant
    /// the licence sync found.
    async fn probe_graph(&self) -> Result<Result<String, String>, ServiceError> {
        let Some(sync) = self.jobs.parts().licence_sync.as_ref() else {
            return Ok(Err("not configured".into()));
        };
        // A tenant whose last sync went through, if there is one.
        let tenants = seatsync_db::tenants::list(&self.pool).await?;
        let Some(tenant) = tenants.into_iter().min_by_key(|t| t.last_error.is_some()) else {
            return Err(ServiceError::Conflict(
                "No customer tenant is known yet, and Graph is only used inside them: run the licence sync, then test again."
                    .into(),
            ));
        };
        let graph = sync.graph();
        let read = async {
            graph.prepare(&tenant.tenant_id).await?;
            graph.subscribed_skus(&tenant.tenant_id).await
        };
        Ok(match read.await {
            Ok(skus) => Ok(format!("read {} licence(s) in {}'s tenant.", skus.len(), tenant.name)),
            Err(e) => Err(format!("{e} (in {}'s tenant)", tenant.name)),
        })
    }

    async fn probe_autotask(&self) -> Result<String, String> {
        let autotask = self.mapping.autotask().map_err(|e| e.to_string())?;
        autotask.companies_named(PROBE_COMPANY_NAME).await.map_err(|e| e.to_string())?;
        let usage = autotask.usage();
        Ok(format!(
            "signed in and queried companies; {} of SeatSync's {} requests this hour used.",
            usage.used_last_hour, usage.allowed_per_hour
        ))
    }
}
