//! The cache of Autotask companies and services, and the record of each refresh.

use chrono::{DateTime, Utc};
use seatsync_domain::{CompanyId, ServiceId};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    pub number: Option<String>,
    pub company_type: Option<i64>,
    pub is_active: bool,
    pub web_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub description: Option<String>,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub period_type: Option<i64>,
    pub period_label: Option<String>,
    pub is_active: bool,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Refresh {
    pub id: i64,
    pub trigger: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub companies: Option<i32>,
    pub services: Option<i32>,
    pub error: Option<String>,
}

/// Stores the companies Autotask lists now; the ones it no longer lists are marked removed.
pub async fn replace_companies(db: &sqlx::PgPool, companies: &[Company], at: DateTime<Utc>) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    upsert_companies(&mut tx, companies, at).await?;
    let ids: Vec<CompanyId> = companies.iter().map(|c| c.id).collect();
    sqlx::query("UPDATE autotask_companies SET removed_at = $2 WHERE removed_at IS NULL AND NOT (id = ANY($1))")
        .bind(&ids)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Records one company SeatSync has just created (or found) in Autotask, leaving the others.
pub async fn store_company(pool: &sqlx::PgPool, company: &Company, at: DateTime<Utc>) -> Result<(), DbError> {
    crate::in_transaction(pool, async |db| upsert_companies(db, std::slice::from_ref(company), at).await).await
}

async fn upsert_companies(
    db: &mut sqlx::PgConnection,
    companies: &[Company],
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    let ids: Vec<CompanyId> = companies.iter().map(|c| c.id).collect();
    let names: Vec<&str> = companies.iter().map(|c| c.name.as_str()).collect();
    let numbers: Vec<Option<&str>> = companies.iter().map(|c| c.number.as_deref()).collect();
    let types: Vec<Option<i64>> = companies.iter().map(|c| c.company_type).collect();
    let active: Vec<bool> = companies.iter().map(|c| c.is_active).collect();
    let web: Vec<Option<&str>> = companies.iter().map(|c| c.web_address.as_deref()).collect();
    sqlx::query(
        "INSERT INTO autotask_companies (id, name, number, company_type, is_active, web_address, refreshed_at, removed_at)
         SELECT u.*, $7, NULL FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bool[], $6::text[]) AS u
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, number = EXCLUDED.number, company_type = EXCLUDED.company_type,
             is_active = EXCLUDED.is_active, web_address = EXCLUDED.web_address, refreshed_at = EXCLUDED.refreshed_at, removed_at = NULL",
    )
    .bind(&ids)
    .bind(&names)
    .bind(&numbers)
    .bind(&types)
    .bind(&active)
    .bind(&web)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn replace_services(db: &sqlx::PgPool, services: &[Service], at: DateTime<Utc>) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    upsert_services(&mut tx, services, at).await?;
    let ids: Vec<ServiceId> = services.iter().map(|s| s.id).collect();
    sqlx::query("UPDATE autotask_services SET removed_at = $2 WHERE removed_at IS NULL AND NOT (id = ANY($1))")
        .bind(&ids)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds or updates services without touching the others (a service SeatSync just created).
/// Records one service SeatSync has just created (or found) in Autotask.
pub async fn store_service(pool: &sqlx::PgPool, service: &Service, at: DateTime<Utc>) -> Result<(), DbError> {
    crate::in_transaction(pool, async |db| upsert_services(db, std::slice::from_ref(service), at).await).await
}

async fn upsert_services(db: &mut sqlx::PgConnection, services: &[Service], at: DateTime<Utc>) -> Result<(), DbError> {
    let ids: Vec<ServiceId> = services.iter().map(|s| s.id).collect();
    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    let descriptions: Vec<Option<&str>> = services.iter().map(|s| s.description.as_deref()).collect();
    let prices: Vec<Option<f64>> = services.iter().map(|s| s.unit_price).collect();
    let costs: Vec<Option<f64>> = services.iter().map(|s| s.unit_cost).collect();
    let periods: Vec<Option<i64>> = services.iter().map(|s| s.period_type).collect();
    let labels: Vec<Option<&str>> = services.iter().map(|s| s.period_label.as_deref()).collect();
    let active: Vec<bool> = services.iter().map(|s| s.is_active).collect();
    sqlx::query(
        "INSERT INTO autotask_services (id, name, description, unit_price, unit_cost, period_type, period_label, is_active, refreshed_at, removed_at)
         SELECT u.*, $9, NULL FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::bigint[], $7::text[], $8::bool[]) AS u
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, unit_price = EXCLUDED.unit_price,
             unit_cost = EXCLUDED.unit_cost, period_type = EXCLUDED.period_type, period_label = EXCLUDED.period_label,
             is_active = EXCLUDED.is_active, refreshed_at = EXCLUDED.refreshed_at, removed_at = NULL",
    )
    .bind(&ids)
    .bind(&names)
    .bind(&descriptions)
    .bind(&prices)
    .bind(&costs)
    .bind(&periods)
    .bind(&labels)
    .bind(&active)
    .bind(at)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Current companies by name.
pub async fn companies(db: impl PgExecutor<'_>) -> Result<Vec<Company>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, name, number, company_type, is_active, web_address FROM autotask_companies WHERE removed_at IS NULL ORDER BY lower(name), id",
    )
    .fetch_all(db)
    .await?)
}

pub async fn company(db: impl PgExecutor<'_>, id: CompanyId) -> Result<Company, DbError> {
    sqlx::query_as(
        "SELECT id, name, number, company_type, is_active, web_address FROM autotask_companies WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or(DbError::NotFound)
}

pub async fn services(db: impl PgExecutor<'_>) -> Result<Vec<Service>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, name, description, unit_price, unit_cost, period_type, period_label, is_active FROM autotask_services
         WHERE removed_at IS NULL ORDER BY lower(name), id",
    )
    .fetch_all(db)
    .await?)
}

pub async fn service(db: impl PgExecutor<'_>, id: ServiceId) -> Result<Service, DbError> {
    sqlx::query_as("SELECT id, name, description, unit_price, unit_cost, period_type, period_label, is_active FROM autotask_services WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn start_refresh(db: impl PgExecutor<'_>, trigger: &str, by: Option<Uuid>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("INSERT INTO autotask_refreshes (trigger, requested_by) VALUES ($1, $2) RETURNING id")
        .bind(trigger)
        .bind(by)
        .fetch_one(db)
        .await?)
}

/// How a refresh ended: what it read, or why it failed.
#[derive(Debug, Clone, PartialEq)]
pub enum RefreshEnd<'a> {
    Read { companies: i32, services: i32, web_url: Option<&'a str> },
    Failed { error: &'a str },
}

pub async fn finish_refresh(db: impl PgExecutor<'_>, id: i64, end: RefreshEnd<'_>) -> Result<(), DbError> {
    let (companies, services, web_url, error) = match end {
        RefreshEnd::Read { companies, services, web_url } => (Some(companies), Some(services), web_url, None),
        RefreshEnd::Failed { error } => (None, None, None, Some(error)),
    };
    sqlx::query(
        "UPDATE autotask_refreshes SET finished_at = now(), companies = $2, services = $3, web_url = $4, error = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(companies)
    .bind(services)
    .bind(web_url)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}

/// Autotask's web address as of the latest refresh that read it; `None` before any did.
pub async fn web_url(db: impl PgExecutor<'_>) -> Result<Option<String>, DbError> {
    Ok(sqlx::query_scalar("SELECT web_url FROM autotask_refreshes WHERE web_url IS NOT NULL ORDER BY id DESC LIMIT 1")
        .fetch_optional(db)
        .await?)
}

/// The latest refresh, and the latest one that succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct LatestRefreshes {
    pub latest: Option<Refresh>,
    /// What the cache is as of.
    pub good: Option<Refresh>,
}

/// The latest refresh, and the latest one that succeeded (what the cache is as of).
pub async fn latest_refreshes(db: &sqlx::PgPool) -> Result<LatestRefreshes, DbError> {
    const COLUMNS: &str = "id, trigger, started_at, finished_at, companies, services, error";
    let latest = sqlx::query_as(&format!("SELECT {COLUMNS} FROM autotask_refreshes ORDER BY id DESC LIMIT 1"))
        .fetch_optional(db)
        .await?;
    let good = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM autotask_refreshes WHERE finished_at IS NOT NULL AND error IS NULL ORDER BY id DESC LIMIT 1"
    ))
    .fetch_optional(db)
    .await?;
    Ok(LatestRefreshes { latest, good })
}
