//! Customer tenants and the outcome of their last sync.

use chrono::{DateTime, Utc};
use seatsync_domain::TenantId;
use sqlx::{FromRow, PgExecutor};

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Tenant {
    pub tenant_id: TenantId,
    pub name: String,
    pub primary_domain: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub spare_seats: i32,
    /// When Partner Center's subscriptions were last stored, and why the last attempt to read
    /// them failed.
    pub subscriptions_synced_at: Option<DateTime<Utc>>,
    pub subscriptions_error: Option<String>,
    /// When Graph's seat counts were last stored, and why the last attempt failed.
    pub seats_synced_at: Option<DateTime<Utc>>,
    pub seats_error: Option<String>,
}

/// A current tenant as the picker and the overview list it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TenantSummary {
    pub tenant_id: TenantId,
    pub name: String,
    pub primary_domain: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub spare_seats: i32,
}

/// A tenant as Partner Center lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedTenant {
    pub tenant_id: TenantId,
    pub name: String,
    /// The tenant's primary domain, when Partner Center gives one.
    pub domain: Option<String>,
}

const COLUMNS: &str = "tenant_id, name, primary_domain, last_synced_at, last_attempt_at, last_error, spare_seats, \
                       subscriptions_synced_at, subscriptions_error, seats_synced_at, seats_error";

/// Records the tenants Partner Center lists now; tenants it no longer lists are marked removed
/// (their data is kept).
pub async fn upsert_listed(pool: &sqlx::PgPool, listed: &[ListedTenant]) -> Result<(), DbError> {
    crate::in_transaction(pool, async |db| upsert_listed_on(db, listed).await).await
}

async fn upsert_listed_on(db: &mut sqlx::PgConnection, listed: &[ListedTenant]) -> Result<(), DbError> {
    let ids: Vec<&str> = listed.iter().map(|t| t.tenant_id.as_str()).collect();
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    let domains: Vec<Option<&str>> = listed.iter().map(|t| t.domain.as_deref()).collect();
    sqlx::query(
        "INSERT INTO tenants (tenant_id, name, primary_domain)
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[])
         ON CONFLICT (tenant_id) DO UPDATE SET name = EXCLUDED.name, primary_domain = EXCLUDED.primary_domain, removed_at = NULL",
    )
    .bind(&ids)
    .bind(&names)
    .bind(&domains)
    .execute(&mut *db)
    .await?;
    sqlx::query("UPDATE tenants SET removed_at = now() WHERE removed_at IS NULL AND NOT (tenant_id = ANY($1))")
        .bind(&ids)
        .execute(&mut *db)
        .await?;
    Ok(())
}

pub async fn find(db: impl PgExecutor<'_>, tenant_id: &TenantId) -> Result<Tenant, DbError> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tenants WHERE tenant_id = $1"))
        .bind(tenant_id)
        .fetch_optional(db)
        .await?
        .ok_or(DbError::NotFound)
}

/// Current tenants by name.
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<TenantSummary>, DbError> {
    Ok(sqlx::query_as(
        "SELECT tenant_id, name, primary_domain, last_synced_at, last_error, spare_seats
         FROM tenants WHERE removed_at IS NULL ORDER BY lower(name)",
    )
    .fetch_all(db)
    .await?)
}

/// Sets how many spare seats per product the tenant is expected to keep.
pub async fn set_spare_seats(db: impl PgExecutor<'_>, tenant_id: &TenantId, spare: i32) -> Result<(), DbError> {
    let done = sqlx::query("UPDATE tenants SET spare_seats = $2 WHERE tenant_id = $1")
        .bind(tenant_id)
        .bind(spare)
        .execute(db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}
