//! What each customer's last unused-licence e-mail listed (`licence_alert_emails`), so a new one
//! goes out only when that changes, and what a run e-mailed (`licence_alert_runs`).

use std::collections::HashMap;

use seatsync_domain::TenantId;
use sqlx::{FromRow, PgExecutor};

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct LastEmail {
    pub tenant_id: TenantId,
    pub told: String,
}

/// Every customer's last e-mail's fingerprint.
pub async fn told(db: impl PgExecutor<'_>) -> Result<HashMap<TenantId, String>, DbError> {
    let rows: Vec<LastEmail> = sqlx::query_as("SELECT tenant_id, told FROM licence_alert_emails").fetch_all(db).await?;
    Ok(rows.into_iter().map(|r| (r.tenant_id, r.told)).collect())
}

/// Remembers what a customer's e-mail listed, once it went out.
pub async fn set_told(
    db: impl PgExecutor<'_>,
    tenant_id: &TenantId,
    told: &str,
    delivery_key: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO licence_alert_emails (tenant_id, told, delivery_key) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id) DO UPDATE SET told = EXCLUDED.told, delivery_key = EXCLUDED.delivery_key, sent_at = now()",
    )
    .bind(tenant_id)
    .bind(told)
    .bind(delivery_key)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets the customers with nothing left to give back: if seats go unused again, they are
/// e-mailed again.
pub async fn forget_except(db: impl PgExecutor<'_>, keep: &[TenantId]) -> Result<(), DbError> {
    sqlx::query("DELETE FROM licence_alert_emails WHERE NOT (tenant_id = ANY($1::text[]))")
        .bind(keep.iter().map(TenantId::as_str).collect::<Vec<_>>())
        .execute(db)
        .await?;
    Ok(())
}

/// What a run e-mailed: how many messages went out, and the ones that did not with why.
pub async fn record_run(db: impl PgExecutor<'_>, run_id: i64, sent: i32, failed: &[String]) -> Result<(), DbError> {
    sqlx::query("UPDATE licence_alert_runs SET emails_sent = $2, email_failed = $3 WHERE id = $1")
        .bind(run_id)
        .bind(sent)
        .bind(failed)
        .execute(db)
        .await?;
    Ok(())
}
