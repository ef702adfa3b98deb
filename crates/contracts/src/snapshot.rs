//! Reading contracts, their services and current units from Autotask into the snapshot: three
//! batched reads (`in` filters) whatever the number of companies, plus paging.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use seatsync_db::contracts as db;
use seatsync_domain::{CompanyId, ContractId};
use seatsync_vendors::autotask::picklist_value;

use crate::{ContractError, Contracts};

impl Contracts {
    /// Re-reads the contracts of `company_ids` and stores them. Returns how many contracts.
    #[tracing::instrument(skip(self, company_ids), fields(companies = company_ids.len()))]
    pub async fn reread_company_contracts(
        &self,
        company_ids: &[CompanyId],
        today: NaiveDate,
    ) -> Result<usize, ContractError> {
        if company_ids.is_empty() {
            return Ok(0);
        }
        let autotask = self.autotask()?;
        let statuses = autotask.picklist("Contracts", "status").await?;
        let active = picklist_value(&statuses, "Contracts", "status", "Active")?;
        let contracts = autotask.contracts_of(company_ids).await?;
        let ids: Vec<ContractId> = contracts.iter().map(|c| c.id).collect();
        let (services, units) = if ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            tokio::try_join!(autotask.contract_services(&ids), autotask.contract_service_units(&ids, today))?
        };
        // Units in force today per contract service (a service may hold several period rows).
        let mut units_of: HashMap<i64, i64> = HashMap::new();
        for u in &units {
            if u.start_date <= today && today <= u.end_date {
                *units_of.entry(u.contract_service_id).or_default() += u.units;
            }
        }
        let rows: Vec<db::Contract> = contracts
            .iter()
            .map(|c| db::Contract {
                id: c.id,
                company_id: c.company_id,
                name: c.contract_name.clone(),
                contract_type: c.contract_type,
                status: c.status,
                is_active: c.status == Some(active),
                start_date: c.start_date,
                end_date: c.end_date,
            })
            .collect();
        let services: Vec<db::ContractService> = services
            .iter()
            .map(|s| db::ContractService {
                id: s.id,
                contract_id: s.contract_id,
                service_id: s.service_id,
                units: units_of.get(&s.id).copied().unwrap_or(0),
                unit_price: s.unit_price,
                unit_cost: s.unit_cost,
            })
            .collect();
        db::store_snapshot(&self.pool, company_ids, &rows, &services, Utc::now()).await?;
        Ok(rows.len())
    }
}
