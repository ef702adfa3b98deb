//! Remediation links (`remediation_links`, `remediation_link_items`) and the quantity changes
//! they made (`remediation_actions`).

use chrono::{DateTime, Utc};
use seatsync_domain::{
    kinds::{FindingChannel, QuantityChange, QuantityChangeStatus},
    Pax8SubscriptionId, SubscriptionId, TenantId,
};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Link {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub delivery_key: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub used_by_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LinkItem {
    pub subscription_id: SubscriptionId,
    pub target: i64,
}

/// Records a link and its items, in one transaction.
pub async fn insert_link(conn: &mut sqlx::PgConnection, link: &Link, items: &[LinkItem]) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO remediation_links (id, tenant_id, delivery_key, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(link.id)
    .bind(&link.tenant_id)
    .bind(&link.delivery_key)
    .bind(link.created_by)
    .bind(link.created_at)
    .bind(link.expires_at)
    .execute(&mut *conn)
    .await?;
    for item in items {
        sqlx::query("INSERT INTO remediation_link_items (link_id, subscription_id, target) VALUES ($1, $2, $3)")
            .bind(link.id)
            .bind(&item.subscription_id)
            .bind(item.target)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// When the last link put in the delivery keyed `delivery_key` expires, if any was.
pub async fn links_expire(db: impl PgExecutor<'_>, delivery_key: &str) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(sqlx::query_scalar("SELECT max(expires_at) FROM remediation_links WHERE delivery_key = $1")
        .bind(delivery_key)
        .fetch_one(db)
        .await?)
}

pub async fn find_link(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Link>, DbError> {
    Ok(sqlx::query_as(
        "SELECT l.id, l.tenant_id, l.delivery_key, l.created_by, l.created_at, l.expires_at, l.used_at,
                u.display_name AS used_by_name
         FROM remediation_links l LEFT JOIN users u ON u.id = l.used_by WHERE l.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

pub async fn link_items(db: impl PgExecutor<'_>, id: Uuid) -> Result<Vec<LinkItem>, DbError> {
    Ok(sqlx::query_as(
        "SELECT subscription_id, target FROM remediation_link_items WHERE link_id = $1 ORDER BY subscription_id",
    )
    .bind(id)
    .fetch_all(db)
    .await?)
}

/// Marks the link used by `by`, if it is still unused and unexpired at `now`: the one moment a
/// link is spent, so two clicks (or two tabs) can never both act on it.
pub async fn claim_link(db: impl PgExecutor<'_>, id: Uuid, by: Uuid, now: DateTime<Utc>) -> Result<bool, DbError> {
    let claimed: Option<Uuid> = sqlx::query_scalar(
        "UPDATE remediation_links SET used_at = $3, used_by = $2
         WHERE id = $1 AND used_at IS NULL AND expires_at > $3 RETURNING id",
    )
    .bind(id)
    .bind(by)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}

/// A change about to be asked of a vendor.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAction<'a> {
    pub link_id: Uuid,
    pub tenant_id: &'a TenantId,
    pub subscription_id: &'a SubscriptionId,
    pub product: &'a str,
    pub channel: FindingChannel,
    pub pax8_subscription_id: Option<&'a Pax8SubscriptionId>,
    pub kind: QuantityChange,
    pub quantity_before: i64,
    pub target: i64,
    pub requested_by: Uuid,
}

pub async fn record_intent(db: impl PgExecutor<'_>, action: &NewAction<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO remediation_actions (link_id, tenant_id, subscription_id, product, channel, pax8_subscription_id,
                                          kind, quantity_before, target, status, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'intent', $10) RETURNING id",
    )
    .bind(action.link_id)
    .bind(action.tenant_id)
    .bind(action.subscription_id)
    .bind(action.product)
    .bind(action.channel)
    .bind(action.pax8_subscription_id)
    .bind(action.kind)
    .bind(action.quantity_before)
    .bind(action.target)
    .bind(action.requested_by)
    .fetch_one(db)
    .await?)
}

pub async fn finish_action(
    db: impl PgExecutor<'_>,
    id: i64,
    status: QuantityChangeStatus,
    quantity_after: Option<i64>,
    detail: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE remediation_actions SET status = $2, quantity_after = $3, detail = $4, finished_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(quantity_after)
    .bind(detail)
    .execute(db)
    .await?;
    Ok(())
}

/// A change as the history shows it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Action {
    pub id: i64,
    pub link_id: Uuid,
    pub tenant_id: TenantId,
    pub subscription_id: SubscriptionId,
    pub product: String,
    pub channel: FindingChannel,
    pub kind: QuantityChange,
    pub quantity_before: i64,
    pub target: i64,
    pub status: QuantityChangeStatus,
    pub quantity_after: Option<i64>,
    pub detail: Option<String>,
    pub requested_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const ACTION_COLUMNS: &str = "a.id, a.link_id, a.tenant_id, a.subscription_id, a.product, a.channel, a.kind,
     a.quantity_before, a.target, a.status, a.quantity_after, a.detail, u.display_name AS requested_by_name,
     a.created_at, a.finished_at";

pub async fn actions_of_link(db: impl PgExecutor<'_>, link_id: Uuid) -> Result<Vec<Action>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ACTION_COLUMNS} FROM remediation_actions a LEFT JOIN users u ON u.id = a.requested_by
         WHERE a.link_id = $1 ORDER BY a.id"
    ))
    .bind(link_id)
    .fetch_all(db)
    .await?)
}

/// The newest changes across every tenant, newest first.
pub async fn recent_actions(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<Action>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ACTION_COLUMNS} FROM remediation_actions a LEFT JOIN users u ON u.id = a.requested_by
         ORDER BY a.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await?)
}
