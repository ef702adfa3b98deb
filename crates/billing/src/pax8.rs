//! Pax8 read afresh by the report (companies, active subscriptions, new products; stored for the
//! unused-licence alerts too): the quantity of each product per Pax8 company, for the companies
//! placed in a tenant (matched by SeatSync or confirmed by an Editor on the Pax8 companies page)
//! that is mapped to a PSA company. Columns are prefixed "PAX8", as distributors' products are on
//! billing sheets. A read that fails fails the connector: billing from an older read would bill
//! last month's quantities without saying so.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use seatsync_db::{kinds::Pax8LinkState, pax8, PgPool};
use seatsync_domain::{Pax8CompanyId, TenantId};
use seatsync_integrations::ClientSlots;

use crate::{BoxFuture, Connector, ConnectorError, Counted, Placement, Reading};

pub(crate) struct Pax8Counts {
    pool: PgPool,
    slots: ClientSlots,
}

impl Pax8Counts {
    pub(crate) fn new(pool: PgPool, slots: ClientSlots) -> Self {
        Self { pool, slots }
    }

    async fn counted(&self, placement: &Placement) -> Result<Counted, ConnectorError> {
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
        let name_of: HashMap<&Pax8CompanyId, &str> = companies.iter().map(|c| (&c.id, c.name.as_str())).collect();
        let mut counted = Counted::default();
        let mut unplaced = BTreeSet::new();
        for s in &subscriptions {
            let company = tenant_of.get(&s.company_id).and_then(|t| placement.company_of(t));
            let Some(company) = company else {
                unplaced.insert(
                    name_of.get(&s.company_id).map(|n| n.to_string()).unwrap_or_else(|| s.company_id.to_string()),
                );
                continue;
            };
            counted.companies.insert(company);
            let product = s.product_name.clone().unwrap_or_else(|| s.product_id.clone());
            counted.counts.push((company, product, s.quantity));
        }
        counted.unplaced = unplaced.into_iter().collect();
        Ok(counted)
    }
}

impl Connector for Pax8Counts {
    fn tool(&self) -> &'static str {
        "PAX8"
    }

    fn requests_sent(&self) -> Option<u64> {
        self.slots.pax8.get().map(|c| c.requests_sent())
    }

    fn count<'a>(&'a self, placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(async move { self.counted(placement).await.map(Reading::Placed) })
    }
}
