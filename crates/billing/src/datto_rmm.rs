//! Datto RMM: each site a customer (Datto's system sites left out), its devices that are not
//! deleted counted by what they are billed as (workstations, servers, network devices,
//! printers, ESXi hosts), from two bulk lists rather than a request per site. Suspended devices
//! are counted unless the settings leave them out (Datto leaves billing them to the MSP). A
//! site's own Autotask link, where Datto has one, places it.

use std::collections::{BTreeMap, HashSet};

use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{CustomerCount, ToolCustomer},
};
use seatsync_vendors::{
    datto_rmm::{DattoRmm, DeviceKind},
    Slot,
};

use crate::{BoxFuture, Connector, ConnectorError, Placement, Reading, ToolReading};

pub(crate) struct DattoRmmCounts {
    client: Slot<dyn DattoRmm>,
}

impl DattoRmmCounts {
    pub(crate) fn new(client: Slot<dyn DattoRmm>) -> Self {
        Self { client }
    }

    async fn read(&self) -> Result<Reading, ConnectorError> {
        let Some(client) = self.client.get() else { return Err(ConnectorError::NotConfigured) };
        let sites = client.sites().await.map_err(|e| ConnectorError::Failed(e.to_string()))?;
        let devices = client.devices().await.map_err(|e| ConnectorError::Failed(e.to_string()))?;
        let customers: Vec<ToolCustomer> = sites
            .iter()
            .filter(|s| !s.is_system())
            .map(|s| ToolCustomer {
                key: s.uid.clone(),
                name: s.name.trim().to_string(),
                domains: Vec::new(),
                psa_company: s.autotask_company(),
                tenant: None,
            })
            .collect();
        let known: HashSet<&str> = customers.iter().map(|c| c.key.as_str()).collect();
        let mut tally: BTreeMap<(&str, DeviceKind), i64> = BTreeMap::new();
        for c in &customers {
            // Every site shows its workstations and servers, 0 or not.
            tally.insert((c.key.as_str(), DeviceKind::Workstation), 0);
            tally.insert((c.key.as_str(), DeviceKind::Server), 0);
        }
        let counts_suspended = client.counts_suspended();
        let counted = devices.iter().filter(|d| counts_suspended || !d.suspended);
        for d in counted.filter(|d| known.contains(d.site_uid.as_str())) {
            *tally.entry((d.site_uid.as_str(), d.kind())).or_default() += 1;
        }
        let counts = tally
            .into_iter()
            .map(|((site, kind), count)| CustomerCount {
                customer: site.to_string(),
                product: kind.product().to_string(),
                count,
            })
            .collect();
        Ok(Reading::Customers(ToolReading { tool: BillingTool::DattoRmm, customers, counts }))
    }
}

impl Connector for DattoRmmCounts {
    fn tool(&self) -> &'static str {
        BillingTool::DattoRmm.name()
    }

    fn requests_sent(&self) -> Option<u64> {
        self.client.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, _placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(self.read())
    }
}
