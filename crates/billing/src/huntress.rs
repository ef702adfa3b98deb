//! Huntress: each organization a customer, with the counts its list carries (agents, billable
//! identities, SAT learners, SIEM log sources), so the whole partner takes one request per 500
//! organizations. An organization's Microsoft tenant (`identity_provider_tenant_id`) places it
//! when SeatSync maps that tenant; its report recipients' domains feed the suggestions.

use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{CustomerCount, ToolCustomer},
    TenantId,
};
use seatsync_vendors::{huntress::Huntress, Slot};

use crate::{BoxFuture, Connector, ConnectorError, Placement, Reading, ToolReading};

pub(crate) struct HuntressCounts {
    client: Slot<dyn Huntress>,
}

impl HuntressCounts {
    pub(crate) fn new(client: Slot<dyn Huntress>) -> Self {
        Self { client }
    }

    async fn read(&self) -> Result<Reading, ConnectorError> {
        let Some(client) = self.client.get() else { return Err(ConnectorError::NotConfigured) };
        let organizations = client.organizations().await.map_err(|e| ConnectorError::Failed(e.to_string()))?;
        let mut customers = Vec::with_capacity(organizations.len());
        let mut counts = Vec::with_capacity(organizations.len() * 2);
        for o in &organizations {
            let key = o.id.to_string();
            let tenant = o.identity_provider_tenant_id.as_deref().map(str::trim).filter(|t| !t.is_empty());
            customers.push(ToolCustomer {
                key: key.clone(),
                name: o.name.trim().to_string(),
                domains: o.recipient_domains(),
                psa_company: None,
                tenant: tenant.map(|t| TenantId::new(t.to_ascii_lowercase())),
            });
            // Agents always (0 included); the other products only where the organization has
            // them, so a product nobody uses adds no column.
            let products = [
                ("Agents", o.agents_count.or(Some(0))),
                ("Identities", o.billable_identity_count.filter(|n| *n > 0)),
                ("SAT learners", o.sat_learner_count.filter(|n| *n > 0)),
                ("SIEM log sources", o.logs_sources_count.filter(|n| *n > 0)),
            ];
            for (product, count) in products {
                if let Some(count) = count {
                    counts.push(CustomerCount { customer: key.clone(), product: product.into(), count });
                }
            }
        }
        Ok(Reading::Customers(ToolReading { tool: BillingTool::Huntress, customers, counts }))
    }
}

impl Connector for HuntressCounts {
    fn tool(&self) -> &'static str {
        BillingTool::Huntress.name()
    }

    fn requests_sent(&self) -> Option<u64> {
        self.client.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, _placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(self.read())
    }
}
