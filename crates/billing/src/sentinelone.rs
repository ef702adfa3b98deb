//! SentinelOne: each active site a customer (or, where the MSP gives each customer an account of
//! its own, each account), with the licences it uses under its tier ("Complete licences") and
//! its agents that are not decommissioned counted as workstations and servers, from two bulk
//! lists rather than a request per site. A site's `externalId`, where the MSP wrote its PSA
//! company id there, places it.

use std::collections::{BTreeMap, HashMap};

use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{CustomerCount, ToolCustomer},
};
use seatsync_vendors::{
    sentinelone::{Agent, AgentKind, CustomerLevel, SentinelOne, Site},
    Slot,
};

use crate::{BoxFuture, Connector, ConnectorError, Placement, Reading, ToolReading};

pub(crate) struct SentinelOneCounts {
    client: Slot<dyn SentinelOne>,
}

impl SentinelOneCounts {
    pub(crate) fn new(client: Slot<dyn SentinelOne>) -> Self {
        Self { client }
    }

    async fn read(&self) -> Result<Reading, ConnectorError> {
        let Some(client) = self.client.get() else { return Err(ConnectorError::NotConfigured) };
        let sites = client.sites().await.map_err(|e| ConnectorError::Failed(e.to_string()))?;
        let agents = client.agents().await.map_err(|e| ConnectorError::Failed(e.to_string()))?;
        Ok(Reading::Customers(tally(client.customer_level(), &sites, &agents)))
    }
}

/// The customers and their counts: per site, or per account with its sites added up.
fn tally(level: CustomerLevel, sites: &[Site], agents: &[Agent]) -> ToolReading {
    let mut customers: Vec<ToolCustomer> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    // The PSA links a customer's sites carry; an account whose sites disagree links none.
    let mut links: HashMap<String, Vec<i64>> = HashMap::new();
    let mut customer_of_site: HashMap<&str, String> = HashMap::new();
    let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
    for site in sites {
        let account = site.account_id.as_deref().filter(|_| level == CustomerLevel::Account);
        let key = account.unwrap_or(site.id.as_str()).to_string();
        if !position.contains_key(&key) {
            let name: &str = match account {
                Some(_) => site.account_name.as_deref().unwrap_or(site.name.as_str()),
                None => site.name.as_str(),
            };
            position.insert(key.clone(), customers.len());
            customers.push(ToolCustomer {
                key: key.clone(),
                name: name.trim().to_string(),
                domains: Vec::new(),
                psa_company: None,
                tenant: None,
            });
        }
        if let Some(company) = site.psa_company() {
            links.entry(key.clone()).or_default().push(company);
        }
        customer_of_site.insert(site.id.as_str(), key.clone());
        // Every customer shows its licences, workstations and servers, 0 or not.
        *counts.entry((key.clone(), site.licences_product())).or_default() += site.active_licenses.unwrap_or(0).max(0);
        counts.entry((key.clone(), AgentKind::Workstation.product().to_string())).or_insert(0);
        counts.entry((key, AgentKind::Server.product().to_string())).or_insert(0);
    }
    for (key, companies) in links {
        let agreed = companies.iter().all(|c| *c == companies[0]);
        if let (true, Some(index)) = (agreed, position.get(&key)) {
            customers[*index].psa_company = companies.first().copied();
        }
    }
    // Agents of sites that are not listed (expired or deleted sites) belong to no customer.
    for agent in agents {
        let Some(key) = agent.site_id.as_deref().and_then(|id| customer_of_site.get(id)) else { continue };
        *counts.entry((key.clone(), agent.kind().product().to_string())).or_default() += 1;
    }
    let counts =
        counts.into_iter().map(|((customer, product), count)| CustomerCount { customer, product, count }).collect();
    ToolReading { tool: BillingTool::SentinelOne, customers, counts }
}

impl Connector for SentinelOneCounts {
    fn tool(&self) -> &'static str {
        BillingTool::SentinelOne.name()
    }

    fn requests_sent(&self) -> Option<u64> {
        self.client.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, _placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(self.read())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn site(id: &str, name: &str, account: &str, sku: &str, active: i64, external: Option<&str>) -> Site {
        serde_json::from_value(json!({
            "id": id, "name": name, "accountId": account, "accountName": format!("Account {account}"),
            "sku": sku, "activeLicenses": active, "state": "active", "externalId": external,
        }))
        .expect("a site")
    }

    fn agent(site: &str, machine_type: &str) -> Agent {
        serde_json::from_value(
            json!({"id": "1", "siteId": site, "machineType": machine_type, "isDecommissioned": false}),
        )
        .expect("an agent")
    }

    fn count(reading: &ToolReading, customer: &str, product: &str) -> Option<i64> {
        reading.counts.iter().find(|c| c.customer == customer && c.product == product).map(|c| c.count)
    }

    #[test]
    fn each_site_is_a_customer_with_its_main_counts_even_when_zero() {
        let sites = [
            site("11", "Acme Ltd", "1", "Complete", 3, Some("29684512")),
            site("12", "Empty Co", "1", "core", 0, Some("AT-5")),
        ];
        let agents = [agent("11", "laptop"), agent("11", "desktop"), agent("11", "server"), agent("99", "server")];
        let reading = tally(CustomerLevel::Site, &sites, &agents);
        assert_eq!(reading.tool, BillingTool::SentinelOne);
        assert_eq!(reading.customers.len(), 2);
        assert_eq!(reading.customers[0].psa_company, Some(29684512));
        assert_eq!(reading.customers[1].psa_company, None, "free text that is no id links nothing");
        assert_eq!(count(&reading, "11", "Complete licences"), Some(3));
        assert_eq!(count(&reading, "11", "Workstations"), Some(2));
        assert_eq!(count(&reading, "11", "Servers"), Some(1));
        assert_eq!(count(&reading, "12", "Core licences"), Some(0));
        assert_eq!(count(&reading, "12", "Workstations"), Some(0));
        assert_eq!(count(&reading, "12", "Servers"), Some(0));
        assert_eq!(count(&reading, "12", "Other agents"), None, "no column for what a site does not have");
        assert!(reading.counts.iter().all(|c| c.customer != "99"), "an unlisted site's agents count for no one");
    }

    #[test]
    fn accounts_as_customers_add_up_their_sites() {
        let sites = [
            site("11", "Main office", "1", "Complete", 3, Some("100")),
            site("12", "Branch", "1", "Complete", 2, None),
            site("21", "Default site", "2", "Control", 4, Some("100")),
            site("22", "Warehouse", "2", "Control", 1, Some("200")),
        ];
        let agents = [agent("11", "desktop"), agent("12", "desktop"), agent("22", "kubernetes node")];
        let reading = tally(CustomerLevel::Account, &sites, &agents);
        assert_eq!(reading.customers.len(), 2);
        assert_eq!(reading.customers[0].key, "1");
        assert_eq!(reading.customers[0].name, "Account 1");
        assert_eq!(reading.customers[0].psa_company, Some(100));
        assert_eq!(reading.customers[1].psa_company, None, "its sites link different companies");
        assert_eq!(count(&reading, "1", "Complete licences"), Some(5));
        assert_eq!(count(&reading, "1", "Workstations"), Some(2));
        assert_eq!(count(&reading, "2", "Control licences"), Some(5));
        assert_eq!(count(&reading, "2", "Other agents"), Some(1));
    }
}
