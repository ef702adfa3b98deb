//! Pax8 from what the unused-licence run last read of it: the quantity of each product per Pax8
//! company, for the companies placed in a tenant (matched by SeatSync or confirmed by an Editor
//! on the Pax8 companies page) that is mapped to a PSA company. Columns are prefixed "PAX8", as
//! distributors' products are on billing sheets.

use std::collections::{BTreeSet, HashMap};

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
        if !self.slots.pax8.is_set() {
            return Err(ConnectorError::NotConfigured);
        }
        let (companies, subscriptions, links, read_at) = tokio::try_join!(
            pax8::companies(&self.pool),
            pax8::subscriptions(&self.pool),
            pax8::links(&self.pool),
            pax8::last_read(&self.pool),
        )?;
        let Some(read_at) = read_at else {
            return Err(ConnectorError::Failed(
                "Pax8 has not been read yet: the unused-licence alert run reads it (Run now on the Alerts page)."
                    .into(),
            ));
        };
        let tenant_of: HashMap<&Pax8CompanyId, &TenantId> = links
            .iter()
            .filter(|l| matches!(l.state, Pax8LinkState::Matched | Pax8LinkState::Confirmed))
            .filter_map(|l| l.tenant_id.as_ref().map(|t| (&l.company_id, t)))
            .collect();
        let name_of: HashMap<&Pax8CompanyId, &str> = companies.iter().map(|c| (&c.id, c.name.as_str())).collect();
        let mut counted = Counted {
            note: Some(format!("as Pax8 was read on {}", read_at.format("%Y-%m-%d %H:%M UTC"))),
            ..Counted::default()
        };
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

    fn count<'a>(&'a self, placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(async move { self.counted(placement).await.map(Reading::Placed) })
    }
}
