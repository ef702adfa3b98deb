//! NinjaOne: each organization a customer, its approved devices counted by what they are billed
//! as (workstations, servers, VM hosts and guests, network devices, mobile devices), from two
//! bulk lists rather than a request per organization. NinjaOne keeps no link to the PSA or to a
//! Microsoft tenant; where the MSP keeps the PSA company's id in an organization custom field
//! (named in the integration's settings), that places the organization.

use std::collections::{BTreeMap, HashSet};

use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{CustomerCount, ToolCustomer},
};
use seatsync_vendors::{
    ninjaone::{DeviceKind, NinjaOne},
    Slot,
};

use crate::{BoxFuture, Connector, ConnectorError, Placement, Reading, ToolReading};

pub(crate) struct NinjaOneCounts {
    client: Slot<dyn NinjaOne>,
}

impl NinjaOneCounts {
    pub(crate) fn new(client: Slot<dyn NinjaOne>) -> Self {
        Self { client }
    }

    async fn read(&self) -> Result<Reading, ConnectorError> {
        let Some(client) = self.client.get() else { return Err(ConnectorError::NotConfigured) };
        let organizations = client.organizations().await.map_err(|e| ConnectorError::Failed(e.to_string()))?;
        let devices = client.devices().await.map_err(|e| ConnectorError::Failed(e.to_string()))?;
        let customers: Vec<ToolCustomer> = organizations
            .iter()
            .map(|o| ToolCustomer {
                key: o.id.to_string(),
                name: o.name.trim().to_string(),
                domains: Vec::new(),
                psa_company: o.psa_company(),
                tenant: None,
            })
            .collect();
        let known: HashSet<i64> = organizations.iter().map(|o| o.id).collect();
        let mut tally: BTreeMap<(i64, DeviceKind), i64> = BTreeMap::new();
        for o in &organizations {
            // Every organization shows its workstations and servers, 0 or not.
            tally.insert((o.id, DeviceKind::Workstation), 0);
            tally.insert((o.id, DeviceKind::Server), 0);
        }
        // A device of an organization made after the list was read waits for the next report.
        for d in devices.iter().filter(|d| d.is_billable()) {
            let Some(organization) = d.organization_id.filter(|id| known.contains(id)) else { continue };
            *tally.entry((organization, d.kind())).or_default() += 1;
        }
        let counts = tally
            .into_iter()
            .map(|((organization, kind), count)| CustomerCount {
                customer: organization.to_string(),
                product: kind.product().to_string(),
                count,
            })
            .collect();
        Ok(Reading::Customers(ToolReading { tool: BillingTool::NinjaOne, customers, counts }))
    }
}

impl Connector for NinjaOneCounts {
    fn tool(&self) -> &'static str {
        BillingTool::NinjaOne.name()
    }

    fn requests_sent(&self) -> Option<u64> {
        self.client.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, _placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(self.read())
    }
}
