//! The unused-licence ticket of each tenant (`licence_alert_tickets`): one episode from the
//! first finding until nothing is reducible any more or a person closes the ticket.

use chrono::{DateTime, Utc};
use seatsync_domain::TenantId;
use sqlx::{FromRow, PgExecutor};

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AlertTicket {
    pub id: i64,
    pub tenant_id: TenantId,
    pub episode: i32,
    /// The dedup key of the ticket's delivery.
    pub delivery_key: String,
    /// The fingerprint of the findings the ticket last listed.
    pub told: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_why: Option<String>,
}

const COLUMNS: &str = "id, tenant_id, episode, delivery_key, told, opened_at, closed_at, closed_why";

/// Every tenant's open episode.
pub async fn open(db: impl PgExecutor<'_>) -> Result<Vec<AlertTicket>, DbError> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM licence_alert_tickets WHERE closed_at IS NULL ORDER BY id"))
        .fetch_all(db)
        .await?)
}

/// The newest episodes, newest first, for the Alerts page.
pub async fn recent(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<AlertTicket>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM licence_alert_tickets ORDER BY opened_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// Opens the tenant's next episode under the key `key_of(episode)`, unless one is open (then
/// that one is returned: two instances never open two).
pub async fn open_episode(
    db: &crate::PgPool,
    tenant: &TenantId,
    key_of: impl Fn(i32) -> String,
    told: &str,
) -> Result<AlertTicket, DbError> {
    crate::in_transaction(db, async |tx| {
        // One tenant at a time: the partial unique index would refuse a second open episode,
        // the lock makes the loser wait and find the winner's instead of failing.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('licence_alert_tickets:' || $1))")
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        if let Some(open) = sqlx::query_as::<_, AlertTicket>(&format!(
            "SELECT {COLUMNS} FROM licence_alert_tickets WHERE tenant_id = $1 AND closed_at IS NULL"
        ))
        .bind(tenant)
        .fetch_optional(&mut *tx)
        .await?
        {
            return Ok(open);
        }
        let episode: i32 =
            sqlx::query_scalar("SELECT coalesce(max(episode), 0) + 1 FROM licence_alert_tickets WHERE tenant_id = $1")
                .bind(tenant)
                .fetch_one(&mut *tx)
                .await?;
        Ok(sqlx::query_as(&format!(
            "INSERT INTO licence_alert_tickets (tenant_id, episode, delivery_key, told) VALUES ($1, $2, $3, $4)
             RETURNING {COLUMNS}"
        ))
        .bind(tenant)
        .bind(episode)
        .bind(key_of(episode))
        .bind(told)
        .fetch_one(&mut *tx)
        .await?)
    })
    .await
}

/// The ticket now lists the findings whose fingerprint is `told`.
pub async fn set_told(db: impl PgExecutor<'_>, id: i64, told: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE licence_alert_tickets SET told = $2 WHERE id = $1").bind(id).bind(told).execute(db).await?;
    Ok(())
}

/// The episode ends, and why.
pub async fn close(db: impl PgExecutor<'_>, id: i64, why: &str) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE licence_alert_tickets SET closed_at = now(), closed_why = $2 WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id)
    .bind(why)
    .execute(db)
    .await?;
    Ok(())
}
