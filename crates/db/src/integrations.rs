//! Integration settings saved in the app (`integration_values`) and their history
//! (`integration_audit`). Secrets arrive here already encrypted: this module never sees one in
//! plain text.

use chrono::{DateTime, Utc};
use seatsync_domain::kinds::{IntegrationAction, IntegrationKey};
use sqlx::{FromRow, PgConnection, PgExecutor};
use uuid::Uuid;

use crate::DbError;

/// A saved value: plain text, or a secret's ciphertext and the id of the key that made it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct StoredValue {
    pub integration: IntegrationKey,
    pub field: String,
    pub plain_value: Option<String>,
    pub secret_value: Option<Vec<u8>>,
    pub key_id: Option<String>,
    pub set_by_name: Option<String>,
    pub set_at: DateTime<Utc>,
}

/// What to store for a field.
#[derive(Debug, Clone, PartialEq)]
pub enum NewValue {
    Plain(String),
    Encrypted { ciphertext: Vec<u8>, key_id: String },
}

/// Every saved value.
pub async fn values(db: impl PgExecutor<'_>) -> Result<Vec<StoredValue>, DbError> {
    Ok(sqlx::query_as(
        "SELECT v.integration, v.field, v.plain_value, v.secret_value, v.key_id,
                u.display_name AS set_by_name, v.set_at
         FROM integration_values v LEFT JOIN users u ON u.id = v.set_by
         ORDER BY v.integration, v.field",
    )
    .fetch_all(db)
    .await?)
}

/// Every encrypted value, locked until the transaction ends (a key rotation re-encrypts them).
pub async fn lock_secrets(tx: &mut PgConnection) -> Result<Vec<StoredValue>, DbError> {
    Ok(sqlx::query_as(
        "SELECT v.integration, v.field, v.plain_value, v.secret_value, v.key_id,
                NULL::text AS set_by_name, v.set_at
         FROM integration_values v WHERE v.secret_value IS NOT NULL
         ORDER BY v.integration, v.field FOR UPDATE",
    )
    .fetch_all(&mut *tx)
    .await?)
}

/// The field's value before a change, locked until the transaction ends.
pub async fn lock_value(
    tx: &mut PgConnection,
    integration: IntegrationKey,
    field: &str,
) -> Result<Option<StoredValue>, DbError> {
    Ok(sqlx::query_as(
        "SELECT v.integration, v.field, v.plain_value, v.secret_value, v.key_id,
                NULL::text AS set_by_name, v.set_at
         FROM integration_values v WHERE v.integration = $1 AND v.field = $2 FOR UPDATE",
    )
    .bind(integration)
    .bind(field)
    .fetch_optional(&mut *tx)
    .await?)
}

pub async fn set_value(
    db: impl PgExecutor<'_>,
    integration: IntegrationKey,
    field: &str,
    value: &NewValue,
    by: Option<Uuid>,
) -> Result<(), DbError> {
    let (plain, secret, key_id) = match value {
        NewValue::Plain(v) => (Some(v.as_str()), None, None),
        NewValue::Encrypted { ciphertext, key_id } => (None, Some(ciphertext.as_slice()), Some(key_id.as_str())),
    };
    sqlx::query(
        "INSERT INTO integration_values (integration, field, plain_value, secret_value, key_id, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5, $6, now())
         ON CONFLICT (integration, field) DO UPDATE SET plain_value = EXCLUDED.plain_value,
             secret_value = EXCLUDED.secret_value, key_id = EXCLUDED.key_id,
             set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at",
    )
    .bind(integration)
    .bind(field)
    .bind(plain)
    .bind(secret)
    .bind(key_id)
    .bind(by)
    .execute(db)
    .await?;
    Ok(())
}

/// Replaces a secret's ciphertext without touching who set it or when (a key rotation).
pub async fn reencrypt(
    db: impl PgExecutor<'_>,
    integration: IntegrationKey,
    field: &str,
    ciphertext: &[u8],
    key_id: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE integration_values SET secret_value = $3, key_id = $4 WHERE integration = $1 AND field = $2")
        .bind(integration)
        .bind(field)
        .bind(ciphertext)
        .bind(key_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn clear_value(db: impl PgExecutor<'_>, integration: IntegrationKey, field: &str) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM integration_values WHERE integration = $1 AND field = $2")
        .bind(integration)
        .bind(field)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// One line of an integration's history.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub integration: IntegrationKey,
    pub field: Option<String>,
    pub action: IntegrationAction,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub by_name: Option<String>,
}

/// A change to record; a secret's values are never passed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry<'a> {
    pub integration: IntegrationKey,
    pub field: Option<&'a str>,
    pub action: IntegrationAction,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
    pub by: Option<Uuid>,
}

pub async fn record(db: impl PgExecutor<'_>, entry: NewAuditEntry<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO integration_audit (integration, field, action, old_value, new_value, changed_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry.integration)
    .bind(entry.field)
    .bind(entry.action)
    .bind(entry.old_value)
    .bind(entry.new_value)
    .bind(entry.by)
    .execute(db)
    .await?;
    Ok(())
}

/// The newest changes to one integration, newest first.
pub async fn history(
    db: impl PgExecutor<'_>,
    integration: IntegrationKey,
    limit: i64,
) -> Result<Vec<AuditEntry>, DbError> {
    Ok(sqlx::query_as(
        "SELECT a.at, a.integration, a.field, a.action, a.old_value, a.new_value, u.display_name AS by_name
         FROM integration_audit a LEFT JOIN users u ON u.id = a.changed_by
         WHERE a.integration = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2",
    )
    .bind(integration)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// A number that grows with every change to any integration: an instance compares it with the
/// one its clients were built at to know when to rebuild them.
pub async fn version(db: impl PgExecutor<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM integration_audit").fetch_one(db).await?)
}
