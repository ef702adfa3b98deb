//! Microsoft 365 from SeatSync's own licence data: per product, the seats bought (active, paid
//! Partner Center subscriptions) and the seats assigned (Graph), for each tenant mapped to a PSA
//! company. Products are named as everywhere in SeatSync (the licence catalogue), so the same
//! product is one column whichever subscription bought it.

use std::{collections::HashMap, sync::Arc};

use seatsync_db::{licences, tenants, PgPool};
use seatsync_domain::{SkuId, TenantId};
use seatsync_licences::Catalog;

use crate::{BoxFuture, Connector, ConnectorError, Counted, Placement, Reading};

pub(crate) struct Microsoft365 {
    pool: PgPool,
    catalog: Arc<Catalog>,
}

impl Microsoft365 {
    pub(crate) fn new(pool: PgPool, catalog: Arc<Catalog>) -> Self {
        Self { pool, catalog }
    }

    async fn counted(&self, placement: &Placement) -> Result<Counted, ConnectorError> {
        let (subscriptions, consumption, tenants) = tokio::try_join!(
            licences::all_subscriptions(&self.pool),
            licences::all_consumption(&self.pool),
            tenants::list(&self.pool),
        )?;
        let tenant_name: HashMap<&TenantId, &str> = tenants.iter().map(|t| (&t.tenant_id, t.name.as_str())).collect();
        let names = self
            .catalog
            .names()
            .await
            .map_err(|e| ConnectorError::Failed(format!("the product names could not be read: {e}")))?;
        let part_numbers: HashMap<(&TenantId, &SkuId), &str> =
            consumption.iter().map(|c| ((&c.tenant_id, &c.sku.sku_id), c.sku.sku_part_number.as_str())).collect();
        let mut counted = Counted::default();
        let mut unplaced = std::collections::BTreeSet::new();
        let mut bought: HashMap<(&TenantId, &SkuId), ()> = HashMap::new();
        for s in &subscriptions {
            let active = s.status.as_deref().is_none_or(|st| st.eq_ignore_ascii_case("active"));
            if !active || s.is_trial {
                continue;
            }
            let Some(company) = placement.company_of(&s.tenant_id) else {
                unplaced.insert(
                    tenant_name.get(&s.tenant_id).map(|n| n.to_string()).unwrap_or_else(|| s.tenant_id.to_string()),
                );
                continue;
            };
            counted.companies.insert(company);
            let product = match &s.sku_id {
                Some(sku) => {
                    bought.insert((&s.tenant_id, sku), ());
                    let part = part_numbers.get(&(&s.tenant_id, sku)).copied().unwrap_or(sku.as_str());
                    names.name(sku, part)
                }
                None => s.friendly_name.clone().or_else(|| s.offer_name.clone()).unwrap_or_else(|| s.offer_id.clone()),
            };
            counted.counts.push((company, format!("{product} (purchased)"), s.quantity));
        }
        // Assigned seats of the products bought: free and trial SKUs are not billed.
        for c in &consumption {
            if !bought.contains_key(&(&c.tenant_id, &c.sku.sku_id)) {
                continue;
            }
            if let Some(company) = placement.company_of(&c.tenant_id) {
                let product = names.name(&c.sku.sku_id, &c.sku.sku_part_number);
                counted.counts.push((company, format!("{product} (assigned)"), c.sku.consumed));
            }
        }
        counted.unplaced = unplaced.into_iter().collect();
        Ok(counted)
    }
}

impl Connector for Microsoft365 {
    fn tool(&self) -> &'static str {
        "Microsoft 365"
    }

    fn count<'a>(&'a self, placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>> {
        Box::pin(async move { self.counted(placement).await.map(Reading::Placed) })
    }
}
