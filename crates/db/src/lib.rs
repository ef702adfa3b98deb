//! SeatSync's database layer.
//!
//! One module per entity, each owning its queries; nothing outside this crate writes SQL.
//! Queries use sqlx's runtime-checked API (`query_as` + `FromRow`) rather than the compile-time
//! macros so that building the project never needs a database or committed query metadata; every
//! query is exercised by the integration tests against a real PostgreSQL instead.

pub mod autotask_cache;
pub mod contracts;
pub mod licences;
pub mod locks;
pub mod mappings;
pub mod product_names;
pub mod settings;
pub mod sync_runs;
pub mod tenants;
pub mod users;

use std::time::Duration;

pub use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

/// The migrations in `migrations/` at the workspace root, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// What went wrong talking to the database, in terms the layers above can act on.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Opens a pool; fails fast (within `acquire_timeout`) when the server is unreachable.
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, DbError> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    Ok(pool)
}

/// Brings the schema up to date. Safe to run from several instances at once: sqlx takes an
/// advisory lock for the duration.
pub async fn migrate(pool: &PgPool) -> Result<(), DbError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Cheap liveness probe used by `/healthz`.
pub async fn ping(pool: &PgPool) -> Result<(), DbError> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}
