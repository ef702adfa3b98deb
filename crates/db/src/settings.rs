//! Settings an Admin changes in the app, one JSON value per key.

use serde::{de::DeserializeOwned, Serialize};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::DbError;

/// The stored value of `key`, or `None` when it was never set (or no longer reads as `T`).
pub async fn get<T: DeserializeOwned>(db: impl PgExecutor<'_>, key: &str) -> Result<Option<T>, DbError> {
    let value: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT value FROM app_settings WHERE key = $1").bind(key).fetch_optional(db).await?;
    Ok(value.and_then(|v| match serde_json::from_value(v) {
        Ok(t) => Some(t),
        Err(e) => {
            // A value written by an older version: fall back to the default rather than fail pages.
            tracing::warn!(key, error = %e, "a stored setting no longer reads; using the default");
            None
        }
    }))
}

/// Stores a setting SeatSync chooses itself (the demo's head start) unless one is stored already,
/// so a person's choice is never replaced; whether it was stored.
pub async fn set_if_absent<T: Serialize>(db: impl PgExecutor<'_>, key: &str, value: &T) -> Result<bool, DbError> {
    let json = serde_json::to_value(value).map_err(|e| DbError::Sqlx(sqlx::Error::Encode(Box::new(e))))?;
    let stored = sqlx::query("INSERT INTO app_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(json)
        .execute(db)
        .await?;
    Ok(stored.rows_affected() == 1)
}

pub async fn set<T: Serialize>(db: impl PgExecutor<'_>, key: &str, value: &T, by: Uuid) -> Result<(), DbError> {
    let json = serde_json::to_value(value).map_err(|e| DbError::Sqlx(sqlx::Error::Encode(Box::new(e))))?;
    sqlx::query(
        "INSERT INTO app_settings (key, value, changed_by, changed_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, changed_by = EXCLUDED.changed_by, changed_at = now()",
    )
    .bind(key)
    .bind(json)
    .bind(by)
    .execute(db)
    .await?;
    Ok(())
}
