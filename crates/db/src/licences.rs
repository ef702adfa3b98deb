//! A tenant's subscriptions and SKU consumption, replaced as a whole by each successful sync,
//! and the history kept for charts.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::DbError;

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Subscription {
    pub id: String,
    pub tenant_id: String,
    pub offer_id: String,
    pub offer_name: Option<String>,
    pub friendly_name: Option<String>,
    pub quantity: i64,
    pub unit_type: Option<String>,
    pub term: Option<String>,
    pub billing_cycle: Option<String>,
    pub effective_start: Option<DateTime<Utc>>,
    pub commitment_end: Option<DateTime<Utc>>,
    pub cancellation_allowed_until: Option<DateTime<Utc>>,
    pub status: Option<String>,
    pub auto_renew: bool,
    pub is_nce: bool,
    pub is_trial: bool,
    pub sku_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SkuConsumption {
    pub sku_id: String,
    pub sku_part_number: String,
    pub applies_to: Option<String>,
    pub capability_status: Option<String>,
    pub consumed: i64,
    pub enabled: i64,
    pub suspended: i64,
    pub warning: i64,
    pub locked_out: i64,
}

/// Writes one tenant's fresh data in one transaction: subscriptions upserted (missing ones
/// marked removed, never deleted), consumption replaced, a history point added, and the tenant
/// stamped as synced.
pub async fn store_tenant_sync(
    db: &sqlx::PgPool,
    tenant_id: &str,
    subscriptions: &[Subscription],
    skus: &[SkuConsumption],
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    // One statement per table, whatever the number of rows: a tenant with 300 subscriptions
    // costs the same few round trips as one with three.
    let col = |f: fn(&Subscription) -> Option<String>| subscriptions.iter().map(f).collect::<Vec<_>>();
    let ids: Vec<String> = subscriptions.iter().map(|s| s.id.clone()).collect();
    let offer_ids: Vec<String> = subscriptions.iter().map(|s| s.offer_id.clone()).collect();
    let quantities: Vec<i64> = subscriptions.iter().map(|s| s.quantity).collect();
    let time_col = |f: fn(&Subscription) -> Option<DateTime<Utc>>| subscriptions.iter().map(f).collect::<Vec<_>>();
    let flag = |f: fn(&Subscription) -> bool| subscriptions.iter().map(f).collect::<Vec<_>>();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO subscriptions (id, tenant_id, offer_id, offer_name, friendly_name, quantity, unit_type, term,
             billing_cycle, effective_start, commitment_end, cancellation_allowed_until, status, auto_renew, is_nce,
             is_trial, sku_id, synced_at, removed_at)
         SELECT u.id, $1, u.offer_id, u.offer_name, u.friendly_name, u.quantity, u.unit_type, u.term, u.billing_cycle,
                u.effective_start, u.commitment_end, u.cancellation_allowed_until, u.status, u.auto_renew, u.is_nce,
                u.is_trial, u.sku_id, $18, NULL
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[],
                     $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::bool[], $15::bool[],
                     $16::bool[], $17::text[])
              AS u(id, offer_id, offer_name, friendly_name, quantity, unit_type, term, billing_cycle, effective_start,
                   commitment_end, cancellation_allowed_until, status, auto_renew, is_nce, is_trial, sku_id)
         ON CONFLICT (id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, offer_id = EXCLUDED.offer_id,
             offer_name = EXCLUDED.offer_name, friendly_name = EXCLUDED.friendly_name, quantity = EXCLUDED.quantity,
             unit_type = EXCLUDED.unit_type, term = EXCLUDED.term, billing_cycle = EXCLUDED.billing_cycle,
             effective_start = EXCLUDED.effective_start, commitment_end = EXCLUDED.commitment_end,
             cancellation_allowed_until = EXCLUDED.cancellation_allowed_until, status = EXCLUDED.status,
             auto_renew = EXCLUDED.auto_renew, is_nce = EXCLUDED.is_nce, is_trial = EXCLUDED.is_trial,
             sku_id = EXCLUDED.sku_id, synced_at = EXCLUDED.synced_at, removed_at = NULL",
    )
    .bind(tenant_id)
    .bind(&ids)
    .bind(&offer_ids)
    .bind(col(|s| s.offer_name.clone()))
    .bind(col(|s| s.friendly_name.clone()))
    .bind(&quantities)
    .bind(col(|s| s.unit_type.clone()))
    .bind(col(|s| s.term.clone()))
    .bind(col(|s| s.billing_cycle.clone()))
    .bind(time_col(|s| s.effective_start))
    .bind(time_col(|s| s.commitment_end))
    .bind(time_col(|s| s.cancellation_allowed_until))
    .bind(col(|s| s.status.clone()))
    .bind(flag(|s| s.auto_renew))
    .bind(flag(|s| s.is_nce))
    .bind(flag(|s| s.is_trial))
    .bind(col(|s| s.sku_id.clone()))
    .bind(at)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE subscriptions SET removed_at = $3 WHERE tenant_id = $1 AND removed_at IS NULL AND NOT (id = ANY($2))")
        .bind(tenant_id)
        .bind(&ids)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sku_consumption WHERE tenant_id = $1").bind(tenant_id).execute(&mut *tx).await?;
    let num = |f: fn(&SkuConsumption) -> i64| skus.iter().map(f).collect::<Vec<_>>();
    let sku_ids: Vec<String> = skus.iter().map(|k| k.sku_id.clone()).collect();
    let part_numbers: Vec<String> = skus.iter().map(|k| k.sku_part_number.clone()).collect();
    let applies: Vec<Option<String>> = skus.iter().map(|k| k.applies_to.clone()).collect();
    let capability: Vec<Option<String>> = skus.iter().map(|k| k.capability_status.clone()).collect();
    sqlx::query(
        "INSERT INTO sku_consumption (tenant_id, sku_id, sku_part_number, applies_to, capability_status, consumed,
             enabled, suspended, warning, locked_out, synced_at)
         SELECT $1, u.* , $11 FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                                          $8::bigint[], $9::bigint[], $10::bigint[]) AS u",
    )
    .bind(tenant_id)
    .bind(&sku_ids)
    .bind(&part_numbers)
    .bind(&applies)
    .bind(&capability)
    .bind(num(|k| k.consumed))
    .bind(num(|k| k.enabled))
    .bind(num(|k| k.suspended))
    .bind(num(|k| k.warning))
    .bind(num(|k| k.locked_out))
    .bind(at)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO licence_history (tenant_id, sku_id, recorded_at, purchased, assigned)
         SELECT $1, u.sku_id, $2, u.purchased, u.assigned FROM UNNEST($3::text[], $4::bigint[], $5::bigint[]) AS u(sku_id, purchased, assigned)
         ON CONFLICT DO NOTHING",
    )
    .bind(tenant_id)
    .bind(at)
    .bind(&sku_ids)
    .bind(num(|k| k.enabled + k.warning))
    .bind(num(|k| k.consumed))
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE tenants SET last_synced_at = $2, last_attempt_at = $2, last_error = NULL WHERE tenant_id = $1")
        .bind(tenant_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A tenant's current subscriptions, by product.
pub async fn subscriptions(db: &sqlx::PgPool, tenant_id: &str) -> Result<Vec<Subscription>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, tenant_id, offer_id, offer_name, friendly_name, quantity, unit_type, term, billing_cycle,
                effective_start, commitment_end, cancellation_allowed_until, status, auto_renew, is_nce, is_trial, sku_id
         FROM subscriptions WHERE tenant_id = $1 AND removed_at IS NULL
         ORDER BY lower(coalesce(friendly_name, offer_name, offer_id)), commitment_end",
    )
    .bind(tenant_id)
    .fetch_all(db)
    .await?)
}

pub async fn consumption(db: &sqlx::PgPool, tenant_id: &str) -> Result<Vec<SkuConsumption>, DbError> {
    Ok(sqlx::query_as(
        "SELECT sku_id, sku_part_number, applies_to, capability_status, consumed, enabled, suspended, warning, locked_out
         FROM sku_consumption WHERE tenant_id = $1 ORDER BY sku_part_number",
    )
    .bind(tenant_id)
    .fetch_all(db)
    .await?)
}

/// One chart point.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct HistoryPoint {
    pub sku_id: String,
    pub recorded_at: DateTime<Utc>,
    pub purchased: i64,
    pub assigned: i64,
}

pub async fn history(db: &sqlx::PgPool, tenant_id: &str) -> Result<Vec<HistoryPoint>, DbError> {
    Ok(sqlx::query_as(
        "SELECT sku_id, recorded_at, purchased, assigned FROM licence_history
         WHERE tenant_id = $1 ORDER BY sku_id, recorded_at",
    )
    .bind(tenant_id)
    .fetch_all(db)
    .await?)
}
