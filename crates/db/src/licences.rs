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
    let mut tx = db.begin().await?;
    for s in subscriptions {
        sqlx::query(
            "INSERT INTO subscriptions (id, tenant_id, offer_id, offer_name, friendly_name, quantity, unit_type, term,
                 billing_cycle, effective_start, commitment_end, cancellation_allowed_until, status, auto_renew, is_nce,
                 is_trial, sku_id, synced_at, removed_at)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,NULL)
             ON CONFLICT (id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, offer_id = EXCLUDED.offer_id,
                 offer_name = EXCLUDED.offer_name, friendly_name = EXCLUDED.friendly_name, quantity = EXCLUDED.quantity,
                 unit_type = EXCLUDED.unit_type, term = EXCLUDED.term, billing_cycle = EXCLUDED.billing_cycle,
                 effective_start = EXCLUDED.effective_start, commitment_end = EXCLUDED.commitment_end,
                 cancellation_allowed_until = EXCLUDED.cancellation_allowed_until, status = EXCLUDED.status,
                 auto_renew = EXCLUDED.auto_renew, is_nce = EXCLUDED.is_nce, is_trial = EXCLUDED.is_trial,
                 sku_id = EXCLUDED.sku_id, synced_at = EXCLUDED.synced_at, removed_at = NULL",
        )
        .bind(&s.id)
        .bind(tenant_id)
        .bind(&s.offer_id)
        .bind(&s.offer_name)
        .bind(&s.friendly_name)
        .bind(s.quantity)
        .bind(&s.unit_type)
        .bind(&s.term)
        .bind(&s.billing_cycle)
        .bind(s.effective_start)
        .bind(s.commitment_end)
        .bind(s.cancellation_allowed_until)
        .bind(&s.status)
        .bind(s.auto_renew)
        .bind(s.is_nce)
        .bind(s.is_trial)
        .bind(&s.sku_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    }
    let ids: Vec<&str> = subscriptions.iter().map(|s| s.id.as_str()).collect();
    sqlx::query("UPDATE subscriptions SET removed_at = $3 WHERE tenant_id = $1 AND removed_at IS NULL AND NOT (id = ANY($2))")
        .bind(tenant_id)
        .bind(&ids)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sku_consumption WHERE tenant_id = $1").bind(tenant_id).execute(&mut *tx).await?;
    for k in skus {
        sqlx::query(
            "INSERT INTO sku_consumption (tenant_id, sku_id, sku_part_number, applies_to, capability_status, consumed,
                 enabled, suspended, warning, locked_out, synced_at)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
        )
        .bind(tenant_id)
        .bind(&k.sku_id)
        .bind(&k.sku_part_number)
        .bind(&k.applies_to)
        .bind(&k.capability_status)
        .bind(k.consumed)
        .bind(k.enabled)
        .bind(k.suspended)
        .bind(k.warning)
        .bind(k.locked_out)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO licence_history (tenant_id, sku_id, recorded_at, purchased, assigned) VALUES ($1,$2,$3,$4,$5)
             ON CONFLICT DO NOTHING",
        )
        .bind(tenant_id)
        .bind(&k.sku_id)
        .bind(at)
        .bind(k.enabled + k.warning)
        .bind(k.consumed)
        .execute(&mut *tx)
        .await?;
    }
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
