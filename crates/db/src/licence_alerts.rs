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

/// A licence's spare seats for one tenant as the Alerts page lists them, with the tenant's
/// default beside it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AllowanceRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub tenant_default: i32,
    pub sku_id: SkuId,
    pub part_number: Option<String>,
    pub spare: i32,
    pub set_by_name: Option<String>,
    pub set_at: DateTime<Utc>,
}

pub async fn allowance_rows(db: impl PgExecutor<'_>) -> Result<Vec<AllowanceRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT a.tenant_id, t.name AS tenant_name, t.spare_seats AS tenant_default, a.sku_id,
                c.sku_part_number AS part_number, a.spare, u.display_name AS set_by_name, a.set_at
         FROM alert_sku_allowances a JOIN tenants t ON t.tenant_id = a.tenant_id AND t.removed_at IS NULL
         LEFT JOIN sku_consumption c ON c.tenant_id = a.tenant_id AND c.sku_id = a.sku_id
         LEFT JOIN users u ON u.id = a.set_by
         ORDER BY lower(t.name), c.sku_part_number NULLS LAST, a.sku_id",
    )
    .fetch_all(db)
    .await?)
}

/// Sets a licence's spare seats for one tenant, or (`None`) gives it back the tenant's default.
pub async fn set_allowance(
    db: impl PgExecutor<'_>,
    tenant_id: &TenantId,
    sku_id: &SkuId,
    spare: Option<i32>,
    by: Uuid,
) -> Result<(), DbError> {
    match spare {
        Some(spare) => sqlx::query(
            "INSERT INTO alert_sku_allowances (tenant_id, sku_id, spare, set_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, sku_id) DO UPDATE SET spare = EXCLUDED.spare, set_by = EXCLUDED.set_by, set_at = now()",
        )
        .bind(tenant_id)
        .bind(sku_id)
        .bind(spare)
        .bind(by)
        .execute(db)
        .await?,
        None => sqlx::query("DELETE FROM alert_sku_allowances WHERE tenant_id = $1 AND sku_id = $2")
            .bind(tenant_id)
            .bind(sku_id)
            .execute(db)
            .await?,
    };
    Ok(())
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
    pub tickets_opened: Option<i32>,
    pub tickets_noted: Option<i32>,
    pub tickets_closed: Option<i32>,
    pub tickets_unmapped: Option<Vec<String>>,
    pub tickets_failed: Option<Vec<String>>,
    pub tickets_skipped: Option<String>,
    /// E-mails sent after the run (`None`: e-mail was off).
    pub emails_sent: Option<i32>,
    pub email_failed: Option<Vec<String>>,
}

/// What a run did to the tickets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunTickets<'a> {
    pub opened: i32,
    pub noted: i32,
    pub closed: i32,
    pub unmapped: &'a [String],
    pub failed: &'a [String],
    pub skipped: Option<&'a str>,
}

pub async fn record_tickets(db: impl PgExecutor<'_>, run_id: i64, tickets: &RunTickets<'_>) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE licence_alert_runs SET tickets_opened = $2, tickets_noted = $3, tickets_closed = $4,
                tickets_unmapped = $5, tickets_failed = $6, tickets_skipped = $7 WHERE id = $1",
    )
    .bind(run_id)
    .bind(tickets.opened)
    .bind(tickets.noted)
    .bind(tickets.closed)
    .bind(tickets.unmapped)
    .bind(tickets.failed)
    .bind(tickets.skipped)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn last_run(db: impl PgExecutor<'_>) -> Result<Option<AlertRun>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, started_at, finished_at, pax8_error, pax8_read_at, tenants, alerted, error, tickets_opened,
                tickets_noted, tickets_closed, tickets_unmapped, tickets_failed, tickets_skipped, emails_sent, email_failed
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
    /// The quantity already scheduled for the next term that a reduction at renewal starts from.
    pub scheduled: Option<i64>,
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

/// Replaces the findings of every tenant in `tenants` with this run's, and records each one's
/// history point: a few statements for thousands of tenants (arrays through `unnest`), in the
/// caller's transaction.
pub async fn store_findings(
    conn: &mut sqlx::PgConnection,
    run_id: i64,
    recorded_at: DateTime<Utc>,
    tenants: &[TenantFindings<'_>],
) -> Result<(), DbError> {
    let ids: Vec<&str> = tenants.iter().map(|t| t.tenant_id.as_str()).collect();
    sqlx::query("DELETE FROM licence_findings WHERE tenant_id = ANY($1::text[])")
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM licence_passed_over WHERE tenant_id = ANY($1::text[])")
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    let findings: Vec<&Finding> = tenants.iter().flat_map(|t| t.findings.iter()).collect();
    for chunk in findings.chunks(2000) {
        let text = |f: fn(&Finding) -> Option<&str>| chunk.iter().map(|x| f(x)).collect::<Vec<_>>();
        let int = |f: fn(&Finding) -> i64| chunk.iter().map(|x| f(x)).collect::<Vec<_>>();
        let time = |f: fn(&Finding) -> Option<DateTime<Utc>>| chunk.iter().map(|x| f(x)).collect::<Vec<_>>();
        sqlx::query(
            "INSERT INTO licence_findings (tenant_id, subscription_id, run_id, sku_id, product, term, commitment_end, channel,
                 pax8_subscription_id, purchased, sku_purchased, assigned, allowance, reducible, target, timing, timing_date, alert,
                 monthly_saving, scheduled)
             SELECT t, s, $1, k, p, tm, ce, ch, px, pu, sp, a, al, r, tg, ti, td, ale, ms, sc
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[],
                         $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],
                         $16::text[], $17::timestamptz[], $18::bool[], $19::float8[], $20::bigint[])
                  AS x(t, s, k, p, tm, ce, ch, px, pu, sp, a, al, r, tg, ti, td, ale, ms, sc)",
        )
        .bind(run_id)
        .bind(text(|f| Some(f.tenant_id.as_str())))
        .bind(text(|f| Some(f.subscription_id.as_str())))
        .bind(text(|f| Some(f.sku_id.as_str())))
        .bind(text(|f| Some(f.product.as_str())))
        .bind(text(|f| f.term.as_deref()))
        .bind(time(|f| f.commitment_end))
        .bind(text(|f| Some(f.channel.as_str())))
        .bind(text(|f| f.pax8_subscription_id.as_ref().map(|p| p.as_str())))
        .bind(int(|f| f.purchased))
        .bind(int(|f| f.sku_purchased))
        .bind(int(|f| f.assigned))
        .bind(int(|f| f.allowance))
        .bind(int(|f| f.reducible))
        .bind(int(|f| f.target))
        .bind(text(|f| Some(f.timing.as_str())))
        .bind(time(|f| f.timing_date))
        .bind(chunk.iter().map(|f| f.alert).collect::<Vec<_>>())
        .bind(chunk.iter().map(|f| f.monthly_saving).collect::<Vec<_>>())
        .bind(chunk.iter().map(|f| f.scheduled).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await?;
    }
    let passed: Vec<&PassedOver> = tenants.iter().flat_map(|t| t.passed_over.iter()).collect();
    for chunk in passed.chunks(2000) {
        let text = |f: fn(&PassedOver) -> Option<&str>| chunk.iter().map(|x| f(x)).collect::<Vec<_>>();
        sqlx::query(
            "INSERT INTO licence_passed_over (tenant_id, run_id, sku_id, part_number, subscription_id, unused, reason, words)
             SELECT t, $1, k, pn, s, u, r, w
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[])
                  AS x(t, k, pn, s, u, r, w)",
        )
        .bind(run_id)
        .bind(text(|p| Some(p.tenant_id.as_str())))
        .bind(text(|p| p.sku_id.as_ref().map(|k| k.as_str())))
        .bind(text(|p| p.part_number.as_deref()))
        .bind(text(|p| p.subscription_id.as_ref().map(|s| s.as_str())))
        .bind(chunk.iter().map(|p| p.unused).collect::<Vec<_>>())
        .bind(text(|p| Some(p.reason.as_str())))
        .bind(text(|p| Some(p.words.as_str())))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO licence_alert_history (run_id, tenant_id, recorded_at, reducible, monthly_saving)
         SELECT $1, t, $2, r, m FROM unnest($3::text[], $4::bigint[], $5::float8[]) AS x(t, r, m)
         ON CONFLICT (run_id, tenant_id) DO NOTHING",
    )
    .bind(run_id)
    .bind(recorded_at)
    .bind(&ids)
    .bind(tenants.iter().map(|t| t.reducible).collect::<Vec<_>>())
    .bind(tenants.iter().map(|t| t.monthly_saving).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

const FINDING_COLUMNS: &str =
    "tenant_id, subscription_id, sku_id, product, term, commitment_end, channel, pax8_subscription_id,
     purchased, scheduled, sku_purchased, assigned, allowance, reducible, target, timing, timing_date, alert, monthly_saving";

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

/// Adds a part number to the global ignore list (or updates its category and note).
pub async fn ignore_sku(
    db: impl PgExecutor<'_>,
    part_number: &str,
    category: &str,
    note: Option<&str>,
    by: Uuid,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO ignored_skus (part_number, category, note, added_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (lower(part_number)) DO UPDATE
           SET category = EXCLUDED.category, note = EXCLUDED.note, added_by = EXCLUDED.added_by, added_at = now()",
    )
    .bind(part_number)
    .bind(category)
    .bind(note)
    .bind(by)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes a part number off the global ignore list; whether it was on it.
pub async fn unignore_sku(db: impl PgExecutor<'_>, part_number: &str) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM ignored_skus WHERE lower(part_number) = lower($1)")
        .bind(part_number)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Leaves one SKU of one tenant out of alerts, or takes it back in.
pub async fn set_sku_excluded(
    db: impl PgExecutor<'_>,
    tenant_id: &TenantId,
    sku_id: &SkuId,
    excluded: bool,
    note: Option<&str>,
    by: Uuid,
) -> Result<(), DbError> {
    if excluded {
        sqlx::query(
            "INSERT INTO alert_sku_exclusions (tenant_id, sku_id, note, added_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, sku_id) DO UPDATE SET note = EXCLUDED.note, added_by = EXCLUDED.added_by, added_at = now()",
        )
        .bind(tenant_id)
        .bind(sku_id)
        .bind(note)
        .bind(by)
        .execute(db)
        .await?;
    } else {
        sqlx::query("DELETE FROM alert_sku_exclusions WHERE tenant_id = $1 AND sku_id = $2")
            .bind(tenant_id)
            .bind(sku_id)
            .execute(db)
            .await?;
    }
    Ok(())
}

/// An exclusion as the Alerts page lists it: a tenant, or one SKU of it (`sku_id`), with who
/// made it and why.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ExclusionRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub sku_id: Option<SkuId>,
    pub part_number: Option<String>,
    pub note: Option<String>,
    pub added_by_name: Option<String>,
    pub added_at: DateTime<Utc>,
}

pub async fn exclusions(db: impl PgExecutor<'_>) -> Result<Vec<ExclusionRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT e.tenant_id, t.name AS tenant_name, NULL::text AS sku_id, NULL::text AS part_number, e.note,
                u.display_name AS added_by_name, e.added_at
         FROM alert_tenant_exclusions e JOIN tenants t ON t.tenant_id = e.tenant_id
         LEFT JOIN users u ON u.id = e.added_by
         UNION ALL
         SELECT e.tenant_id, t.name, e.sku_id, c.sku_part_number, e.note, u.display_name, e.added_at
         FROM alert_sku_exclusions e JOIN tenants t ON t.tenant_id = e.tenant_id
         LEFT JOIN sku_consumption c ON c.tenant_id = e.tenant_id AND c.sku_id = e.sku_id
         LEFT JOIN users u ON u.id = e.added_by
         ORDER BY 2, 4 NULLS FIRST",
    )
    .fetch_all(db)
    .await?)
}

/// Drops one finding once its reduction is done, so the page stops offering it before the next
/// run weighs the tenant again.
pub async fn forget_finding(
    db: impl PgExecutor<'_>,
    tenant_id: &TenantId,
    subscription_id: &SubscriptionId,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM licence_findings WHERE tenant_id = $1 AND lower(subscription_id) = lower($2)")
        .bind(tenant_id)
        .bind(subscription_id)
        .execute(db)
        .await?;
    Ok(())
}
