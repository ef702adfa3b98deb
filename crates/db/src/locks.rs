//! PostgreSQL advisory locks: one job run at a time across every SeatSync instance, and one
//! piece of contract work per tenant at a time.
//!
//! A session-level lock belongs to a connection, so each lock holds a connection of its own for
//! as long as it is held. Released properly, the connection goes back to the pool. Dropped
//! without release (a cancelled future, a panic), the connection is closed instead: returned to
//! the pool it would keep the lock, and nobody could take it again.

use sqlx::{pool::PoolConnection, PgPool, Postgres};

use crate::DbError;

/// Which lock: a job's single key, or a class and a name (a tenant id) hashed by PostgreSQL.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Single(i64),
    Named(i32, String),
}

/// A held advisory lock. `release` it when the work is done.
#[derive(Debug)]
pub struct AdvisoryLock {
    conn: Option<PoolConnection<Postgres>>,
    key: Key,
}

impl AdvisoryLock {
    /// Takes the lock `key` if nobody holds it; `None` when somebody does.
    pub async fn try_acquire(pool: &PgPool, key: i64) -> Result<Option<Self>, DbError> {
        let mut conn = pool.acquire().await?;
        let locked: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(key).fetch_one(&mut *conn).await?;
        Ok(locked.then(|| Self { conn: Some(conn), key: Key::Single(key) }))
    }

    /// Waits for the lock of `name` in `class` and takes it.
    pub async fn acquire_named(pool: &PgPool, class: i32, name: &str) -> Result<Self, DbError> {
        let conn = pool.acquire().await?;
        // Held by the guard from here: a cancelled wait closes the connection.
        let mut lock = Self { conn: None, key: Key::Named(class, name.to_string()) };
        let conn = lock.conn.insert(conn);
        sqlx::query("SELECT pg_advisory_lock($1, hashtext($2))").bind(class).bind(name).execute(&mut **conn).await?;
        Ok(lock)
    }

    /// Releases the lock and gives the connection back to the pool.
    pub async fn release(mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        let released = match &self.key {
            Key::Single(key) => sqlx::query("SELECT pg_advisory_unlock($1)").bind(key).execute(&mut *conn).await,
            Key::Named(class, name) => {
                sqlx::query("SELECT pg_advisory_unlock($1, hashtext($2))")
                    .bind(class)
                    .bind(name)
                    .execute(&mut *conn)
                    .await
            }
        };
        if let Err(e) = released {
            tracing::warn!(error = %e, key = ?self.key, "releasing an advisory lock failed; closing its connection, which releases it");
            drop(conn.detach());
        }
    }
}

impl Drop for AdvisoryLock {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Not released: close the connection rather than pool it with the lock still held.
            drop(conn.detach());
        }
    }
}
