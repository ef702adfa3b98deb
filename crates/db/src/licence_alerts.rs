//! Unused-licence alerts: the lists the rule reads (`ignored_skus`, `alert_tenant_exclusions`,
//! `alert_sku_exclusions`, `alert_sku_allowances`), each run (`licence_alert_runs`) and the newest
//! findings per tenant (`licence_findings`, `licence_passed_over`), with one history point per
//! tenant and run for the chart (`licence_alert_history`).

use chrono::{DateTime, Utc};
use seatsync_domain::{
    kinds::{FindingChannel, FindingTiming},
    Pax8SubscriptionId, SkuId, SubscriptionId, TenantId,
};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct IgnoredSku {
    pub part_number: String,
    pub category: String,
    pub note: Option<String>,
    pub added_by_name: Option<String>,
    pub added_at: DateTime<Utc>,
}

pub async fn ignored_skus(db: impl PgExecutor<'_>) -> Result<Vec<IgnoredSku>, DbError> {
    Ok(sqlx::query_as(
        "SELECT i.part_number, i.category, i.note, u.display_name AS added_by_name, i.added_at
         FROM ignored_skus i LEFT JOIN users u ON u.id = i.added_by ORDER BY lower(i.part_number)",
    )
    .fetch_all(db)
    .await?)
}

/// Puts the shipped list in place once, on a new installation: a default an Admin removes later
/// stays removed.
pub async fn seed_ignored_skus(conn: &mut sqlx::PgConnection, defaults: &[(&str, &str)]) -> Result<(), DbError> {
    let seeded: Option<bool> = sqlx::query_scalar("SELECT true FROM app_settings WHERE key = 'ignored_skus_seeded'")
        .fetch_optional(&mut *conn)
        .await?;
    if seeded.is_some() {
        return Ok(());
    }
    let parts: Vec<&str> = defaults.iter().map(|(p, _)| *p).collect();
    let categories: Vec<&str> = defaults.iter().map(|(_, c)| *c).collect();
    sqlx::query(
        "INSERT INTO ignored_skus (part_number, category, note)
         SELECT p, c, 'shipped with SeatSync' FROM unnest($1::text[], $2::text[]) AS d(p, c)
         ON CONFLICT DO NOTHING",
    )
    .bind(&parts)
    .bind(&categories)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO app_settings (key, value) VALUES ('ignored_skus_seeded', 'true') ON CONFLICT (key) DO NOTHING",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The tenant-level settings of every tenant the rule reads, in one query each.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TenantExclusion {
    pub tenant_id: TenantId,
    pub note: Option<String>,
}

pub async fn tenant_exclusions(db: impl PgExecutor<'_>) -> Result<Vec<TenantExclusion>, DbError> {
    Ok(sqlx::query_as("SELECT tenant_id, note FROM alert_tenant_exclusions").fetch_all(db).await?)
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SkuExclusion {
    pub tenant_id: TenantId,
    pub sku_id: SkuId,
    pub note: Option<String>,
}

pub async fn sku_exclusions(db: impl PgExecutor<'_>) -> Result<Vec<SkuExclusion>, DbError> {
    Ok(sqlx::query_as("SELECT tenant_id, sku_id, note FROM alert_sku_exclusions").fetch_all(db).await?)
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SkuAllowance {
    pub tenant_id: TenantId,
    pub sku_id: SkuId,
    pub spare: i32,
}

pub async fn sku_allowances(db: impl PgExecutor<'_>) -> Result<Vec<SkuAllowance>, DbError> {
    Ok(sqlx::query_as("SELECT tenant_id, sku_id, spare FROM alert_sku_allowances").fetch_all(db).await?)
}

pub async fn begin_run(db: impl PgExecutor<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("INSERT INTO licence_alert_runs DEFAULT VALUES RETURNING id").fetch_one(db).await?)
}

/// How a run ended.
#[derive(Debug, Clone, Default)]
pub struct RunEnd<'a> {
    pub pax8_error: Option<&'a str>,
    pub pax8_read_at: Option<DateTime<Utc>>,
    pub tenants: i32,
    pub alerted: i32,
    pub error: Option<&'a str>,
}

pub async fn finish_run(db: impl PgExecutor<'_>, run_id: i64, end: &RunEnd<'_>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE licence_alert_runs SET finished_at = now(), pax8_error = $2, pax8_read_at = $3, tenants = $4,
                alerted = $5, error = $6 WHERE id = $1",
    )
    .bind(run_id)
    .bind(end.pax8_error)
    .bind(end.pax8_read_at)
    .bind(end.tenants)
    .bind(end.alerted)
    .bind(end.error)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AlertRun {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub pax8_error: Option<String>,
    pub pax8_read_at: Option<DateTime<Utc>>,
    pub tenants: Option<i32>,
    pub alerted: Option<i32>,
    pub error: Option<String>,
}

pub async fn last_run(db: impl PgExecutor<'_>) -> Result<Option<AlertRun>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, started_at, finished_at, pax8_error, pax8_read_at, tenants, alerted, error
         FROM licence_alert_runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(db)
    .await?)
}

/// A finding as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Finding {
    pub tenant_id: TenantId,
    pub subscription_id: SubscriptionId,
    pub sku_id: SkuId,
    pub product: String,
    pub term: Option<String>,
    pub commitment_end: Option<DateTime<Utc>>,
    pub channel: FindingChannel,
    pub pax8_subscription_id: Option<Pax8SubscriptionId>,
    pub purchased: i64,
    pub sku_purchased: i64,
    pub assigned: i64,
    pub allowance: i64,
    pub reducible: i64,
    pub target: i64,
    pub timing: FindingTiming,
    pub timing_date: Option<DateTime<Utc>>,
    pub alert: bool,
    pub monthly_saving: Option<f64>,
}

/// Something the rule left out, as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct PassedOver {
    pub tenant_id: TenantId,
    pub sku_id: Option<SkuId>,
    pub part_number: Option<String>,
    pub subscription_id: Option<SubscriptionId>,
    pub unused: i64,
    pub reason: String,
    pub words: String,
}

/// A tenant's findings of one run, replacing the previous run's, with its history point.
pub struct TenantFindings<'a> {
    pub tenant_id: &'a TenantId,
    pub findings: &'a [Finding],
    pub passed_over: &'a [PassedOver],
    pub reducible: i64,
    pub monthly_saving: f64,
}

pub async fn store_findings(
    conn: &mut sqlx::PgConnection,
    run_id: i64,
    recorded_at: DateTime<Utc>,
    tenant: &TenantFindings<'_>,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM licence_findings WHERE tenant_id = $1").bind(tenant.tenant_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM licence_passed_over WHERE tenant_id = $1")
        .bind(tenant.tenant_id)
        .execute(&mut *conn)
        .await?;
    for f in tenant.findings {
        sqlx::query(
            "INSERT INTO licence_findings (tenant_id, subscription_id, run_id, sku_id, product, term, commitment_end, channel,
                 pax8_subscription_id, purchased, sku_purchased, assigned, allowance, reducible, target, timing, timing_date, alert,
                 monthly_saving)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .bind(&f.tenant_id)
        .bind(&f.subscription_id)
        .bind(run_id)
        .bind(&f.sku_id)
        .bind(&f.product)
        .bind(&f.term)
        .bind(f.commitment_end)
        .bind(f.channel)
        .bind(&f.pax8_subscription_id)
        .bind(f.purchased)
        .bind(f.sku_purchased)
        .bind(f.assigned)
        .bind(f.allowance)
        .bind(f.reducible)
        .bind(f.target)
        .bind(f.timing)
        .bind(f.timing_date)
        .bind(f.alert)
        .bind(f.monthly_saving)
        .execute(&mut *conn)
        .await?;
    }
    for p in tenant.passed_over {
        sqlx::query(
            "INSERT INTO licence_passed_over (tenant_id, run_id, sku_id, part_number, subscription_id, unused, reason, words)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&p.tenant_id)
        .bind(run_id)
        .bind(&p.sku_id)
        .bind(&p.part_number)
        .bind(&p.subscription_id)
        .bind(p.unused)
        .bind(&p.reason)
        .bind(&p.words)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO licence_alert_history (run_id, tenant_id, recorded_at, reducible, monthly_saving)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, tenant_id) DO NOTHING",
    )
    .bind(run_id)
    .bind(tenant.tenant_id)
    .bind(recorded_at)
    .bind(tenant.reducible)
    .bind(tenant.monthly_saving)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

const FINDING_COLUMNS: &str =
    "tenant_id, subscription_id, sku_id, product, term, commitment_end, channel, pax8_subscription_id,
     purchased, sku_purchased, assigned, allowance, reducible, target, timing, timing_date, alert, monthly_saving";

/// Every current finding of every current tenant.
pub async fn findings(db: impl PgExecutor<'_>) -> Result<Vec<Finding>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {FINDING_COLUMNS} FROM licence_findings f
         WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.tenant_id = f.tenant_id AND t.removed_at IS NULL)
         ORDER BY tenant_id, product, subscription_id"
    ))
    .fetch_all(db)
    .await?)
}

pub async fn passed_over(db: impl PgExecutor<'_>) -> Result<Vec<PassedOver>, DbError> {
    Ok(sqlx::query_as(
        "SELECT tenant_id, sku_id, part_number, subscription_id, unused, reason, words FROM licence_passed_over p
         WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.tenant_id = p.tenant_id AND t.removed_at IS NULL)
         ORDER BY tenant_id, unused DESC, part_number",
    )
    .fetch_all(db)
    .await?)
}

/// One point of the chart: every tenant's reducible seats and saving at one run.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct HistoryPoint {
    pub recorded_at: DateTime<Utc>,
    pub reducible: i64,
    pub monthly_saving: f64,
}

pub async fn history(db: impl PgExecutor<'_>) -> Result<Vec<HistoryPoint>, DbError> {
    Ok(sqlx::query_as(
        "SELECT min(recorded_at) AS recorded_at, sum(reducible)::bigint AS reducible,
                sum(monthly_saving)::float8 AS monthly_saving
         FROM licence_alert_history GROUP BY run_id ORDER BY run_id DESC LIMIT 90",
    )
    .fetch_all(db)
    .await?)
}

/// Leaves a tenant out of alerts, or takes it back in.
pub async fn set_tenant_excluded(
    db: impl PgExecutor<'_>,
    tenant_id: &TenantId,
    excluded: bool,
    note: Option<&str>,
    by: Uuid,
) -> Result<(), DbError> {
    if excluded {
        sqlx::query(
            "INSERT INTO alert_tenant_exclusions (tenant_id, note, added_by) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id) DO UPDATE SET note = EXCLUDED.note, added_by = EXCLUDED.added_by, added_at = now()",
        )
        .bind(tenant_id)
        .bind(note)
        .bind(by)
        .execute(db)
        .await?;
    } else {
        sqlx::query("DELETE FROM alert_tenant_exclusions WHERE tenant_id = $1").bind(tenant_id).execute(db).await?;
    }
    Ok(())
}
