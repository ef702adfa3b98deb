//! API tokens (`api_tokens`): only each token's SHA-256 is kept, never the token.

use chrono::{DateTime, Utc};
use seatsync_domain::kinds::ApiScope;
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    pub token_prefix: String,
    pub scope: ApiScope,
    /// The person's display name, if they still exist.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
}

/// A new token's record: its hash and the start of it, never the token.
pub struct NewToken<'a> {
    pub name: &'a str,
    pub hash: &'a [u8],
    pub prefix: &'a str,
    pub scope: ApiScope,
}

pub async fn insert(db: impl PgExecutor<'_>, token: &NewToken<'_>, by: Uuid) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, token_prefix, scope, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(token.name)
    .bind(token.hash)
    .bind(token.prefix)
    .bind(token.scope)
    .bind(by)
    .fetch_one(db)
    .await?)
}

/// Every token, newest first.
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<ApiTokenRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.name, t.token_prefix, t.scope, c.display_name AS created_by, t.created_at, t.last_used_at,
                t.revoked_at, r.display_name AS revoked_by
         FROM api_tokens t LEFT JOIN users c ON c.id = t.created_by LEFT JOIN users r ON r.id = t.revoked_by
         ORDER BY t.created_at DESC, t.id DESC",
    )
    .fetch_all(db)
    .await?)
}

/// Revokes a token; whether it was live. `DbError::NotFound` when there is no such token.
pub async fn revoke(db: impl PgExecutor<'_>, id: i64, by: Uuid) -> Result<bool, DbError> {
    let row: Option<(bool,)> = sqlx::query_as(
        "WITH found AS (SELECT id, revoked_at IS NULL AS live FROM api_tokens WHERE id = $1 FOR UPDATE)
         UPDATE api_tokens t SET revoked_at = coalesce(t.revoked_at, now()), revoked_by = coalesce(t.revoked_by, $2)
         FROM found WHERE t.id = found.id RETURNING found.live",
    )
    .bind(id)
    .bind(by)
    .fetch_optional(db)
    .await?;
    row.map(|r| r.0).ok_or(DbError::NotFound)
}

/// The live token with this hash, marked as used now; `None` when there is none (unknown or
/// revoked).
pub async fn use_live(db: impl PgExecutor<'_>, hash: &[u8]) -> Result<Option<(i64, ApiScope)>, DbError> {
    Ok(sqlx::query_as(
        "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id, scope",
    )
    .bind(hash)
    .fetch_optional(db)
    .await?)
}
