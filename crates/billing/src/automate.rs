//! ConnectWise Automate: each client a customer, its agents counted by what they are billed as
//! (workstations, servers) and the network devices its probes found, from three bulk lists
//! rather than a request per client. Every agent on the server counts, online or not: Automate
//! moves the ones it no longer manages to its retired assets, which the list leaves out.
//!
//! A client's `ExternalId`, where Automate's PSA integration set one, places it; the public
//! domains its computers are joined to feed the suggestions.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{CustomerCount, ToolCustomer},
};
use seatsync_vendors::{
    automate::{AgentKind, Automate, NETWORK_DEVICES},
    Slot,
};

use crate::{BoxFuture, Connector, ConnectorError, Placement, Reading, ToolReading};

/// The most domains kept for one client: a few are evidence, more are noise.
const MAX_DOMAINS: usize = 5;

pub(crate) struct AutomateCounts {
    client: Slot<dyn Automate>,
}

impl AutomateCounts {
    pub(crate) fn new(client: Slot<dyn Automate>) -> Self {
        Self { client }
    }

    async fn read(&self) -> Result<Reading, ConnectorError> {
        let Some(client) = self.client.get() else { return Err(ConnectorError::NotConfigured) };
        let failed = |e: seatsync_vendors::VendorError| ConnectorError::Failed(e.to_string());
        let clients = client.clients().await.map_err(failed)?;
        let computers = client.computers().await.map_err(failed)?;
        let devices = client.network_devices().await.map_err(failed)?;

        let mut domains: HashMap<i64, BTreeSet<String>> = HashMap::new();
        let mut tally: BTreeMap<(i64, &'static str), i64> = BTreeMap::new();
        for c in &clients {
            // Every client shows its workstations and servers, 0 or not.
            tally.insert((c.id, AgentKind::Workstation.product()), 0);
            tally.insert((c.id, AgentKind::Server.product()), 0);
        }
        // Records of a client the list did not have (made while it was read) are left out.
        let ids: HashSet<i64> = clients.iter().map(|c| c.id).collect();
        let listed = |id: Option<i64>| id.filter(|id| ids.contains(id));
        for computer in &computers {
            let Some(owner) = listed(computer.client_id()) else { continue };
            *tally.entry((owner, computer.kind().product())).or_default() += 1;
            if let Some(domain) = computer.public_domain() {
                domains.entry(owner).or_default().insert(domain);
            }
        }
        for device in &devices {
            if let Some(owner) = listed(device.client_id()) {
                *tally.entry((owner, NETWORK_DEVICES)).or_default() += 1;
            }
        }

        let customers = clients
            .iter()
            .map(|c| ToolCustomer {
                key: c.id.to_string(),
                name: c.display_name(),
                domains: domains.remove(&c.id).map(|d| d.into_iter().take(MAX_DOMAINS).collect()).unwrap_or_default(),
                psa_company: c.psa_company(),
                tenant: None,
            })
            .collect();
        let counts = tally
            .into_iter()
            .map(|((owner, product), count)| CustomerCount {
                customer: owner.to_string(),
                product: product.to_string(),
                count,
            })
            .collect();
        Ok(Reading::Customers(ToolReading { tool: BillingTool::Automate, customers, counts }))
    }
}

impl Connector for AutomateCounts {
    fn tool(&self) -> &'static str {
        BillingTool::Automate.name()
    }

    fn requests_sent(&self) -> Option<u64> {
        self.client.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, _placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(self.read())
    }
}
