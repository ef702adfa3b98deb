//! The billing count reports (`billing_reports`): each run's whole table and how each tool's
//! connector fared, stored as JSON and read back as the domain's types.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use seatsync_domain::billing::{Report, ToolOutcome};
use sqlx::{types::Json, FromRow, PgExecutor};

use crate::DbError;

/// A stored report: the table and how each tool fared.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct StoredReport {
    pub id: i64,
    pub made_at: DateTime<Utc>,
    pub job_run_id: Option<i64>,
    pub report: Json<Report>,
    pub tools: Json<Vec<ToolOutcome>>,
}

/// An earlier report in the list: when it was made.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ReportLine {
    pub id: i64,
    pub made_at: DateTime<Utc>,
}

/// Stores a report; its id.
pub async fn insert(
    db: impl PgExecutor<'_>,
    job_run_id: Option<i64>,
    report: &Report,
    tools: &[ToolOutcome],
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO billing_reports (job_run_id, report, tools, totals) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(job_run_id)
    .bind(Json(report))
    .bind(Json(tools))
    .bind(Json(report.totals()))
    .fetch_one(db)
    .await?)
}

/// A report's column totals, for the chart over time.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TotalsRow {
    pub made_at: DateTime<Utc>,
    pub totals: Json<BTreeMap<String, i64>>,
}

/// Every report's column totals, oldest first.
pub async fn totals(db: impl PgExecutor<'_>) -> Result<Vec<TotalsRow>, DbError> {
    Ok(sqlx::query_as("SELECT made_at, totals FROM billing_reports ORDER BY made_at, id").fetch_all(db).await?)
}

/// The newest `limit` reports, newest first.
pub async fn newest(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<StoredReport>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, made_at, job_run_id, report, tools FROM billing_reports ORDER BY made_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// One report, and the one made before it (for what changed), if any.
pub async fn with_previous(db: impl PgExecutor<'_>, id: i64) -> Result<Vec<StoredReport>, DbError> {
    let found: Vec<StoredReport> = sqlx::query_as(
        "SELECT id, made_at, job_run_id, report, tools FROM billing_reports
         WHERE id <= $1 ORDER BY id DESC LIMIT 2",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    match found.first() {
        Some(first) if first.id == id => Ok(found),
        _ => Err(DbError::NotFound),
    }
}

/// Every report, newest first, without its contents.
pub async fn lines(db: impl PgExecutor<'_>) -> Result<Vec<ReportLine>, DbError> {
    Ok(sqlx::query_as("SELECT id, made_at FROM billing_reports ORDER BY made_at DESC, id DESC").fetch_all(db).await?)
}
