//! Unused-licence alerts: a run reads Pax8 (companies, subscriptions, and each product once),
//! works out which tenant each Pax8 company is and which Pax8 subscription each Partner Center
//! subscription is, then weighs every tenant's seats with the domain rule
//! (`seatsync_domain::reducible`) and stores the findings and what was passed over, with why.
//!
//! A Pax8 read that fails leaves the last good one in place and is said on the run; the
//! findings are then made from it (a link re-reads the live numbers before it changes anything).

pub mod assess;
pub mod settings;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use seatsync_db::{licence_alerts as db, DbError, PgPool};
use seatsync_domain::reducible::{IgnoreCategory, DEFAULT_IGNORED_SKUS};
use seatsync_licences::catalog::Catalog;
use seatsync_vendors::{pax8::Pax8, Slot};

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the product catalogue could not be read: {0}")]
    Catalog(String),
}

/// What one run found.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub run_id: i64,
    pub tenants: usize,
    /// Tenants with seats worth alerting now.
    pub alerted_tenants: usize,
    pub reducible_seats: i64,
    pub monthly_saving: f64,
    /// Why Pax8 could not be read, when it could not (the last good read was used).
    pub pax8_error: Option<String>,
    pub pax8_read_at: Option<DateTime<Utc>>,
}

/// The alert runs and the page's view of their findings.
pub struct LicenceAlerts {
    pool: PgPool,
    pax8: Slot<dyn Pax8>,
    catalog: Arc<Catalog>,
}

impl LicenceAlerts {
    pub fn new(pool: PgPool, pax8: Slot<dyn Pax8>, catalog: Arc<Catalog>) -> Arc<Self> {
        Arc::new(Self { pool, pax8, catalog })
    }

    /// One run at `now`: Pax8 read (when configured), companies matched, every tenant weighed.
    pub async fn run(&self, now: DateTime<Utc>) -> Result<RunSummary, AlertError> {
        seed_ignore_list(&self.pool).await?;
        let run_id = db::begin_run(&self.pool).await?;
        let pax8_error = match self.pax8.get() {
            Some(pax8) => seatsync_pax8::read_and_store(&self.pool, pax8.as_ref(), now).await.err(),
            None => None,
        };
        if let Some(e) = &pax8_error {
            tracing::warn!(error = %e, "Pax8 could not be read; the last good read is used");
        }
        let pax8_read_at = seatsync_db::pax8::last_read(&self.pool).await?;
        let outcome = async {
            seatsync_pax8::match_companies(&self.pool).await?;
            let notice = settings::AlertSettings::load(&self.pool).await?.renewal_notice_days;
            let context = assess::Context::load(&self.pool, &self.catalog, notice).await?;
            assess::assess_all(&self.pool, &context, run_id, now).await
        }
        .await;
        let pax8_error = pax8_error.map(|e| e.to_string());
        let (summary, error) = match outcome {
            Ok(found) => (
                RunSummary {
                    run_id,
                    tenants: found.tenants,
                    alerted_tenants: found.alerted_tenants,
                    reducible_seats: found.reducible_seats,
                    monthly_saving: found.monthly_saving,
                    pax8_error: pax8_error.clone(),
                    pax8_read_at,
                },
                None,
            ),
            Err(e) => {
                let message = e.to_string();
                db::finish_run(
                    &self.pool,
                    run_id,
                    &db::RunEnd {
                        pax8_error: pax8_error.as_deref(),
                        pax8_read_at,
                        error: Some(&message),
                        ..Default::default()
                    },
                )
                .await?;
                return Err(e);
            }
        };
        db::finish_run(
            &self.pool,
            run_id,
            &db::RunEnd {
                pax8_error: pax8_error.as_deref(),
                pax8_read_at,
                tenants: summary.tenants as i32,
                alerted: summary.alerted_tenants as i32,
                error,
            },
        )
        .await?;
        Ok(summary)
    }
}

/// The shipped ignore list, put in place once.
async fn seed_ignore_list(pool: &PgPool) -> Result<(), DbError> {
    let defaults: Vec<(&str, &str)> = DEFAULT_IGNORED_SKUS
        .iter()
        .map(|(part, category)| {
            let category = match category {
                IgnoreCategory::Free => "free",
                IgnoreCategory::Trial => "trial",
                IgnoreCategory::Device => "device",
                IgnoreCategory::Consumption => "consumption",
            };
            (*part, category)
        })
        .collect();
    seatsync_db::in_transaction(pool, async |conn| db::seed_ignored_skus(conn, &defaults).await).await
}
