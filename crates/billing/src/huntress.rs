//! Huntress: each organization a customer, with the counts its list carries (agents, billable
//! identities, SAT learners, SIEM log sources), one request per 500 organizations. Agents are
//! counted as Huntress bills them by default (`actual_usages`, one request more per organization
//! that the report can place in a company, at Huntress's 60 a minute: one placed nowhere is only
//! named); the list's count of every agent is a setting away.
//! An organization's Microsoft tenant (`identity_provider_tenant_id`) places it when SeatSync
//! maps that tenant; its report recipients' domains feed the suggestions.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Weak},
    time::{Duration, Instant},
};

use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{CustomerCount, ToolCustomer},
    TenantId,
};
use seatsync_vendors::{
    huntress::{AgentCounting, Huntress, Organization, Usage},
    Slot, VendorError,
};

use crate::{BoxFuture, Connector, ConnectorError, Placement, Reading, ToolReading};

/// How long an organization's usage is reused while its agent count stays the same. A report run
/// again within the hour (after a placement, say) then costs a few requests instead of one per
/// organization; a scheduled report, at most daily, always reads afresh.
const USAGE_KEPT: Duration = Duration::from_secs(60 * 60);

struct KeptUsage {
    agents_count: Option<i64>,
    usage: Usage,
    read: Instant,
}

/// The usages read, for the client they were read with (new settings start afresh).
#[derive(Default)]
struct UsageCache {
    client: Option<Weak<dyn Huntress>>,
    by_organization: HashMap<i64, KeptUsage>,
}

pub(crate) struct HuntressCounts {
    client: Slot<dyn Huntress>,
    cache: Mutex<UsageCache>,
}

impl HuntressCounts {
    pub(crate) fn new(client: Slot<dyn Huntress>) -> Self {
        Self { client, cache: Mutex::default() }
    }

    async fn read(&self, placement: &Placement) -> Result<Reading, ConnectorError> {
        let Some(client) = self.client.get() else { return Err(ConnectorError::NotConfigured) };
        let organizations = client.organizations().await.map_err(|e| ConnectorError::Failed(e.to_string()))?;
        let customers: Vec<ToolCustomer> = organizations.iter().map(customer).collect();
        let usages = match client.agent_counting() {
            AgentCounting::Billable => {
                let billed: Vec<&Organization> = organizations
                    .iter()
                    .zip(&customers)
                    .filter(|(o, c)| o.agents_count != Some(0) && placement.may_place(BillingTool::Huntress, c))
                    .map(|(o, _)| o)
                    .collect();
                self.usages(&client, &billed).await?
            }
            AgentCounting::All => HashMap::new(),
        };
        let mut counts = Vec::with_capacity(organizations.len() * 2);
        for (o, customer) in organizations.iter().zip(&customers) {
            let key = &customer.key;
            let usage = usages.get(&o.id);
            // Huntress's billing table: the usage where it says, else the list's count.
            let agents = usage.and_then(|u| u.billable_agents).or(o.agents_count);
            let learners = usage.and_then(|u| u.sat_learners).or(o.sat_learner_count);
            let log_sources = usage.and_then(|u| u.billable_log_sources).or(o.logs_sources_count);
            // Agents always (0 included); the other products only where the organization has
            // them, so a product nobody uses adds no column.
            let products = [
                ("Agents", agents.or(Some(0))),
                ("Identities", o.billable_identity_count.filter(|n| *n > 0)),
                ("SAT learners", learners.filter(|n| *n > 0)),
                ("SIEM log sources", log_sources.filter(|n| *n > 0)),
            ];
            for (product, count) in products {
                if let Some(count) = count {
                    counts.push(CustomerCount { customer: key.clone(), product: product.into(), count });
                }
            }
        }
        Ok(Reading::Customers(ToolReading { tool: BillingTool::Huntress, customers, counts }))
    }

    /// Each organization's usage: kept ones reused, the rest read in turn under the client's
    /// pace. An organization gone since the list (404) keeps the list's counts.
    async fn usages(
        &self,
        client: &Arc<dyn Huntress>,
        organizations: &[&Organization],
    ) -> Result<HashMap<i64, Usage>, ConnectorError> {
        let mut usages = HashMap::new();
        let mut to_read = Vec::new();
        {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            let same_client = cache.client.as_ref().is_some_and(|w| Weak::ptr_eq(w, &Arc::downgrade(client)));
            if !same_client {
                *cache = UsageCache { client: Some(Arc::downgrade(client)), by_organization: HashMap::new() };
            }
            for o in organizations.iter().copied() {
                match cache.by_organization.get(&o.id) {
                    Some(kept) if kept.agents_count == o.agents_count && kept.read.elapsed() < USAGE_KEPT => {
                        usages.insert(o.id, kept.usage.clone());
                    }
                    _ => to_read.push(o),
                }
            }
        }
        for o in to_read {
            let usage = match client.usage(o.id).await {
                Ok(usage) => usage,
                Err(VendorError::Status { status: 404, .. }) => continue,
                Err(e) => return Err(ConnectorError::Failed(format!("{e} (reading {}'s usage)", o.name.trim()))),
            };
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .by_organization
                .insert(o.id, KeptUsage { agents_count: o.agents_count, usage: usage.clone(), read: Instant::now() });
            usages.insert(o.id, usage);
        }
        Ok(usages)
    }
}

/// An organization as a customer of the report: its Microsoft tenant (`identity_provider_tenant_id`)
/// and its report recipients' domains help place it.
fn customer(o: &Organization) -> ToolCustomer {
    let tenant = o.identity_provider_tenant_id.as_deref().map(str::trim).filter(|t| !t.is_empty());
    ToolCustomer {
        key: o.id.to_string(),
        name: o.name.trim().to_string(),
        domains: o.recipient_domains(),
        psa_company: None,
        tenant: tenant.map(|t| TenantId::new(t.to_ascii_lowercase())),
    }
}

impl Connector for HuntressCounts {
    fn tool(&self) -> &'static str {
        BillingTool::Huntress.name()
    }

    fn requests_sent(&self) -> Option<u64> {
        self.client.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(self.read(placement))
    }
}
