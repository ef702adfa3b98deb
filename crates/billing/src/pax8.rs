//! Pax8 read afresh by the report (companies, active subscriptions, new products; stored for the
//! unused-licence alerts too): the quantity of each product per Pax8 company. A company is placed
//! in a PSA company by a person on its customers page, else by its Microsoft tenant (matched by
//! SeatSync or confirmed on the Pax8 companies page) when that tenant is mapped: a company that
//! buys no Microsoft product through Pax8 has no tenant and is placed by hand. Columns are prefixed
//! "PAX8", as distributors' products are on billing sheets. A read that fails fails the connector:
//! billing from an older read would bill last month's quantities without saying so.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use seatsync_db::{kinds::Pax8LinkState, pax8, PgPool};
use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{CustomerCount, ToolCustomer},
    Pax8CompanyId, TenantId,
};
use seatsync_integrations::ClientSlots;

use crate::{BoxFuture, Connector, ConnectorError, Placement, Reading, ToolReading};

pub(crate) struct Pax8Counts {
    pool: PgPool,
    slots: ClientSlots,
}

impl Pax8Counts {
    pub(crate) fn new(pool: PgPool, slots: ClientSlots) -> Self {
        Self { pool, slots }
    }

    async fn read(&self) -> Result<ToolReading, ConnectorError> {
        let Some(client) = self.slots.pax8.get() else { return Err(ConnectorError::NotConfigured) };
        seatsync_pax8::read_and_store(&self.pool, client.as_ref(), Utc::now()).await.map_err(|e| match e {
            seatsync_pax8::ReadError::Vendor(e) => ConnectorError::Failed(e.to_string()),
            seatsync_pax8::ReadError::Db(e) => ConnectorError::from(e),
        })?;
        seatsync_pax8::match_companies(&self.pool).await?;
        let (companies, subscriptions, links) =
            tokio::try_join!(pax8::companies(&self.pool), pax8::subscriptions(&self.pool), pax8::links(&self.pool))?;
        let tenant_of: HashMap<&Pax8CompanyId, &TenantId> = links
            .iter()
            .filter(|l| matches!(l.state, Pax8LinkState::Matched | Pax8LinkState::Confirmed))
            .filter_map(|l| l.tenant_id.as_ref().map(|t| (&l.company_id, t)))
            .collect();
        // Only companies with something to bill are customers: one with no active subscription
        // would only lengthen the list of companies to place.
        let buying: HashSet<&Pax8CompanyId> = subscriptions.iter().map(|s| &s.company_id).collect();
        // A subscription of a company the list no longer holds is named by its id when placed.
        let customers: Vec<ToolCustomer> = companies
            .iter()
            .filter(|c| buying.contains(&c.id))
            .map(|c| ToolCustomer {
                key: c.id.to_string(),
                name: c.name.trim().to_string(),
                domains: c.website.iter().filter(|w| !w.trim().is_empty()).cloned().collect(),
                psa_company: None,
                tenant: tenant_of.get(&c.id).map(|t| TenantId::new(t.to_ascii_lowercase())),
            })
            .collect();
        let counts = subscriptions
            .iter()
            .map(|s| CustomerCount {
                customer: s.company_id.to_string(),
                product: s.product_name.clone().unwrap_or_else(|| s.product_id.clone()),
                count: s.quantity,
            })
            .collect();
        Ok(ToolReading { tool: BillingTool::Pax8, customers, counts })
    }
}

impl Connector for Pax8Counts {
    fn tool(&self) -> &'static str {
        "PAX8"
    }

    fn requests_sent(&self) -> Option<u64> {
        self.slots.pax8.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, _: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(async move { self.read().await.map(Reading::Customers) })
    }
}
