//! Auvik: each tenant with a network of its own (a client, or a corporate IT tenant) a customer,
//! named as Auvik's tenant details show it; the multi-clients only group clients (their usage
//! includes their clients'), so they are left out. Each customer's billable network devices
//! (routers, switches, firewalls, wireless controllers) are counted as the integration is set:
//! by default the daily average Auvik bills for the last whole calendar month, read for up to
//! 100 clients a request; or the managed ones in its inventory now, read in pages for the same
//! batches. Every customer shows its network devices, 0 or not.
//!
//! Auvik keeps no link to the PSA and no domains, so its tenants are placed on the Auvik
//! customers page.

use std::collections::HashMap;

use chrono::Utc;
use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{CustomerCount, ToolCustomer},
};
use seatsync_vendors::{
    auvik::{main_accounts, previous_month, Auvik, Counting},
    Slot, VendorError,
};

use crate::{BoxFuture, Connector, ConnectorError, Placement, Reading, ToolReading};

/// What Auvik bills, as the report names it.
const NETWORK_DEVICES: &str = "Network devices";

pub(crate) struct AuvikCounts {
    client: Slot<dyn Auvik>,
}

fn failed(e: VendorError) -> ConnectorError {
    ConnectorError::Failed(e.to_string())
}

impl AuvikCounts {
    pub(crate) fn new(client: Slot<dyn Auvik>) -> Self {
        Self { client }
    }

    async fn read(&self) -> Result<Reading, ConnectorError> {
        let Some(client) = self.client.get() else { return Err(ConnectorError::NotConfigured) };
        let tenants = client.tenants().await.map_err(failed)?;
        // Display names come only with the details; without them a tenant goes by its domain
        // prefix, which still lets a person place it.
        let mut names: HashMap<String, String> = HashMap::new();
        for main in main_accounts(&tenants) {
            match client.tenant_details(&main.domain_prefix).await {
                Ok(details) => names.extend(details.iter().map(|t| (t.id.clone(), t.name().to_string()))),
                Err(e) => tracing::warn!(
                    account = main.domain_prefix.as_str(),
                    error = %e,
                    "Auvik's tenant details could not be read; its tenants go by their domain prefixes"
                ),
            }
        }
        let customers: Vec<ToolCustomer> = tenants
            .iter()
            .filter(|t| t.is_customer())
            .map(|t| ToolCustomer {
                key: t.id.clone(),
                name: names.get(&t.id).cloned().unwrap_or_else(|| t.name().to_string()).trim().to_string(),
                domains: Vec::new(),
                psa_company: None,
                tenant: None,
            })
            .collect();
        let ids: Vec<String> = customers.iter().map(|c| c.key.clone()).collect();
        let billable: HashMap<String, i64> = match client.counting() {
            Counting::Usage => {
                let (from, thru) = previous_month(Utc::now().date_naive());
                let usage = client.client_usage(&ids, from, thru).await.map_err(failed)?;
                usage
                    .into_iter()
                    .map(|u| {
                        let devices = u.network_devices();
                        (u.tenant_id, devices)
                    })
                    .collect()
            }
            Counting::Inventory => {
                let devices = client.devices(&ids).await.map_err(failed)?;
                let mut tally: HashMap<String, i64> = HashMap::new();
                for d in devices.iter().filter(|d| d.is_billable()) {
                    if let Some(tenant) = &d.tenant_id {
                        *tally.entry(tenant.clone()).or_default() += 1;
                    }
                }
                tally
            }
        };
        let counts = customers
            .iter()
            .map(|c| CustomerCount {
                customer: c.key.clone(),
                product: NETWORK_DEVICES.to_string(),
                count: billable.get(&c.key).copied().unwrap_or(0),
            })
            .collect();
        Ok(Reading::Customers(ToolReading { tool: BillingTool::Auvik, customers, counts }))
    }
}

impl Connector for AuvikCounts {
    fn tool(&self) -> &'static str {
        BillingTool::Auvik.name()
    }

    fn requests_sent(&self) -> Option<u64> {
        self.client.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, _placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(self.read())
    }
}
