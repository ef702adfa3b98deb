//! A licence's own spare seats for one customer: the alert rule keeps that many unassigned
//! seats of it instead of the customer's default (more for a licence new starters need at
//! once, none for an expensive one).

use seatsync_api_types::alerts::{AllowanceRow, TenantLicence, TenantLicences};
use seatsync_db::{licence_alerts as db, licences, tenants};
use seatsync_domain::{SkuId, TenantId};

use crate::{ServiceError, Services};

/// More spare seats than any customer keeps is a typing mistake, not a setting.
const MAX_SPARE: i64 = 10_000;

impl Services {
    /// Every licence given its own spare seats, by customer.
    pub async fn allowances(&self) -> Result<Vec<AllowanceRow>, ServiceError> {
        let (rows, names) =
            tokio::try_join!(async { Ok::<_, ServiceError>(db::allowance_rows(&self.pool).await?) }, async {
                Ok(self.catalog.names().await?)
            },)?;
        Ok(rows
            .into_iter()
            .map(|r| AllowanceRow {
                licence: match &r.part_number {
                    Some(part) => names.name(&r.sku_id, part),
                    None => r.sku_id.to_string(),
                },
                tenant_id: r.tenant_id,
                tenant_name: r.tenant_name,
                sku_id: r.sku_id,
                spare: i64::from(r.spare),
                tenant_default: i64::from(r.tenant_default),
                set_by: r.set_by_name,
                set_at: r.set_at,
            })
            .collect())
    }

    /// A customer's licences assigned to users, each with its own spare seats where set.
    pub async fn licences_for_allowances(&self, tenant: &TenantId) -> Result<TenantLicences, ServiceError> {
        let found = tenants::find(&self.pool, tenant).await.map_err(ServiceError::db_missing("That customer"))?;
        let (skus, own, names) = tokio::try_join!(
            async { Ok::<_, ServiceError>(licences::consumption(&self.pool, tenant).await?) },
            async { Ok(db::sku_allowances(&self.pool).await?) },
            async { Ok(self.catalog.names().await?) },
        )?;
        let mut licences: Vec<TenantLicence> = skus
            .into_iter()
            .filter(|k| k.is_user_sku())
            .map(|k| TenantLicence {
                licence: names.name(&k.sku_id, &k.sku_part_number),
                spare: own.iter().find(|a| &a.tenant_id == tenant && a.sku_id == k.sku_id).map(|a| i64::from(a.spare)),
                assigned: k.consumed,
                part_number: k.sku_part_number,
                sku_id: k.sku_id,
            })
            .collect();
        licences.sort_by_key(|l| l.licence.to_lowercase());
        Ok(TenantLicences { tenant_default: i64::from(found.spare_seats), licences })
    }

    /// Gives a customer's licence its own spare seats, or (`None`) the customer's default back.
    /// It applies from the next run.
    pub async fn set_allowance(
        &self,
        by: &crate::Staff,
        tenant: TenantId,
        sku: SkuId,
        spare: Option<i64>,
    ) -> Result<(), ServiceError> {
        let spare = match spare {
            Some(n) if !(0..=MAX_SPARE).contains(&n) => {
                return Err(ServiceError::Invalid(format!(
                    "Spare seats must be between 0 and {MAX_SPARE}; {n} is not."
                )))
            }
            Some(n) => Some(n as i32),
            None => None,
        };
        if spare.is_some() {
            let found = tenants::find(&self.pool, &tenant).await.map_err(ServiceError::db_missing("That customer"))?;
            let skus = licences::consumption(&self.pool, &tenant).await?;
            if !skus.iter().any(|k| k.sku_id == sku && k.is_user_sku()) {
                return Err(ServiceError::Invalid(format!(
                    "Microsoft Graph lists no licence {sku} assigned to users at {}; sync the licences and choose one from the list.",
                    found.name
                )));
            }
        }
        db::set_allowance(&self.pool, &tenant, &sku, spare, by.id).await?;
        Ok(())
    }
}
