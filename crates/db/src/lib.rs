//! SeatSync's database layer.
//!
//! One module per entity, each owning its queries; nothing outside this crate writes SQL.
//! Queries use sqlx's runtime-checked API (`query_as` + `FromRow`) rather than the compile-time
//! macros so that building the project never needs a database or committed query metadata; every
//! query is exercised by the integration tests against a real PostgreSQL instead.

pub mod alert_emails;
pub mod alert_tickets;
pub mod api_tokens;
pub mod autotask_cache;
pub mod billing;
pub mod commits;
pub mod contracts;
pub mod deliveries;
pub mod integrations;
pub mod jobs;
pub mod licence_alerts;
pub mod licences;
pub mod locks;
pub mod mappings;
pub mod pax8;
pub mod product_names;
pub mod remediation;
pub mod settings;
pub mod sync_runs;
pub mod tenants;
pub mod ticket_companies;
pub mod tool_customers;
pub mod users;

/// The stored states and kinds, defined beside the domain so the pages share them.
pub use seatsync_domain::kinds;

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
pub use sqlx::PgPool;

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
    let options = connect_options(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// The URL's options. A connection to this machine that does not ask for TLS goes without it:
/// PostgreSQL's default (`prefer`) would encrypt every query and row over loopback, which keeps
/// nothing from anyone and costs CPU on both ends. An `sslmode` in the URL or
/// `PGSSLMODE` is always obeyed.
fn connect_options(url: &str) -> Result<sqlx::postgres::PgConnectOptions, DbError> {
    use std::str::FromStr;
    let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
    let asks_for_tls = url::Url::parse(url).is_ok_and(|u| u.query_pairs().any(|(k, _)| k == "sslmode"))
        || std::env::var_os("PGSSLMODE").is_some();
    let local = matches!(options.get_host(), "localhost" | "127.0.0.1" | "::1" | "[::1]")
        || options.get_host().starts_with('/');
    Ok(if local && !asks_for_tls { options.ssl_mode(sqlx::postgres::PgSslMode::Disable) } else { options })
}

/// Runs `work` in one transaction: committed when it succeeds, rolled back when it fails (or is
/// dropped half-way). The services open transactions only through this, so `sqlx` stays here.
pub async fn in_transaction<T>(
    pool: &PgPool,
    work: impl for<'c> AsyncFnOnce(&'c mut sqlx::PgConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let mut tx = pool.begin().await?;
    let out = work(&mut tx).await?;
    tx.commit().await?;
    Ok(out)
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

#[cfg(test)]
mod tests {
    use sqlx::postgres::PgSslMode;

    use super::connect_options;

    #[test]
    fn tls_is_skipped_only_on_this_machine_and_only_when_not_asked_for() {
        let mode = |url: &str| format!("{:?}", connect_options(url).unwrap().get_ssl_mode());
        assert_eq!(mode("postgres://u@127.0.0.1:5432/db"), format!("{:?}", PgSslMode::Disable));
        assert_eq!(mode("postgres://u@localhost/db"), format!("{:?}", PgSslMode::Disable));
        assert_eq!(mode("postgres://u@127.0.0.1/db?sslmode=require"), format!("{:?}", PgSslMode::Require));
        assert_eq!(mode("postgres://u@db.internal/db"), format!("{:?}", PgSslMode::Prefer));
    }
}
