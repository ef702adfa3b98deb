//! The Autotask cache: every company and service, so pickers and pages never wait on Autotask.

use std::collections::HashMap;

use chrono::Utc;
use seatsync_db::autotask_cache::{self, RefreshEnd};
use uuid::Uuid;

use crate::{Mapping, MappingError};

/// What a refresh read.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshSummary {
    /// The refresh's record (`autotask_refreshes`).
    pub refresh: i64,
    pub companies: usize,
    pub services: usize,
}

impl Mapping {
    /// Reads every company and service from Autotask into the cache. A failed refresh keeps the
    /// previous cache and records why it failed.
    #[tracing::instrument(skip(self))]
    pub async fn refresh_cache(&self, trigger: &str, by: Option<Uuid>) -> Result<RefreshSummary, MappingError> {
        let autotask = self.autotask()?.clone();
        // A refresh already under way (the one at start, a colleague's click) is waited for, then
        // this one reads again: the caller wants what Autotask holds now.
        let _guard = self.refreshing.lock().await;
        let id = autotask_cache::start_refresh(&self.pool, trigger, by).await?;
        let outcome = async {
            let (companies, services, periods) = tokio::try_join!(
                autotask.companies(),
                autotask.services(),
                autotask.picklist("Services", "periodType")
            )?;
            let labels: HashMap<i64, String> = periods
                .iter()
                .filter_map(|p| p.value.trim().parse::<i64>().ok().map(|v| (v, p.label.clone())))
                .collect();
            let now = Utc::now();
            let companies: Vec<autotask_cache::Company> = companies
                .into_iter()
                .map(|c| autotask_cache::Company {
                    id: c.id,
                    name: c.company_name,
                    number: c.company_number,
                    company_type: c.company_type,
                    is_active: c.is_active,
                    web_address: c.web_address,
                })
                .collect();
            let services: Vec<autotask_cache::Service> = services
                .into_iter()
                .map(|s| autotask_cache::Service {
                    period_label: s.period_type.and_then(|p| labels.get(&p).cloned()),
                    id: s.id,
                    name: s.name,
                    description: s.description,
                    unit_price: s.unit_price,
                    unit_cost: s.unit_cost,
                    period_type: s.period_type,
                    is_active: s.is_active,
                })
                .collect();
            autotask_cache::replace_companies(&self.pool, &companies, now).await?;
            autotask_cache::replace_services(&self.pool, &services, now).await?;
            // Known from the zone discovery the reads above needed: costs no request.
            let web_url = autotask.web_url().await?.to_string();
            Ok::<_, MappingError>((
                RefreshSummary { refresh: id, companies: companies.len(), services: services.len() },
                web_url,
            ))
        }
        .await;
        let recorded = match &outcome {
            Ok((s, web_url)) => {
                let end = RefreshEnd::Read {
                    companies: s.companies as i32,
                    services: s.services as i32,
                    web_url: Some(web_url),
                };
                autotask_cache::finish_refresh(&self.pool, id, end).await
            }
            Err(e) => {
                tracing::warn!(error = %e, "Autotask cache refresh failed; keeping the previous cache");
                autotask_cache::finish_refresh(&self.pool, id, RefreshEnd::Failed { error: &e.to_string() }).await
            }
        };
        recorded?;
        outcome.map(|(summary, _)| summary)
    }
}
