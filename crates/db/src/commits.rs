//! Whether anything has been committed since an earlier moment, for caches of what the database
//! holds.
//!
//! PostgreSQL's snapshot names the transactions still running and the first id not yet
//! completed. Two equal snapshots mean that no transaction completed in between: nothing was
//! committed, so anything read after the first is still what the database holds. The check is
//! conservative: it covers the whole cluster, so a commit in another database, or an abort,
//! also counts as a change.

use crate::DbError;

/// The commit state of the database cluster at one moment; compare two with `==`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMark(String);

impl From<&str> for CommitMark {
    /// A mark as PostgreSQL writes a snapshot: `xmin:xmax:running,ids`.
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// Where commits stand now. Read it before reading the data a cache keeps.
pub async fn mark(db: impl sqlx::PgExecutor<'_>) -> Result<CommitMark, DbError> {
    let text: String = sqlx::query_scalar("SELECT pg_current_snapshot()::text").fetch_one(db).await?;
    Ok(CommitMark(text))
}
