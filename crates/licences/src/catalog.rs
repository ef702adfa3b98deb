//! Product names: the table bundled with SeatSync, the newest licensing CSV an Admin uploaded, and
//! local overrides per SKU, resolved in that order of increasing precedence. Kept in memory and
//! reloaded after every change, because every page with seats asks for names.

use std::{collections::HashMap, sync::Arc};

use seatsync_db::{product_names, DbError, PgPool};
use seatsync_domain::{
    product_names::{bundled, named, parse_licensing_csv, CsvError, NameSource, ProductName, ProductNames},
    SkuId,
};
use tokio::sync::RwLock;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the file is not Microsoft's licensing CSV: {0}")]
    Csv(#[from] CsvError),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A SKU's local override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub display_name: Option<String>,
    pub monthly_cost: Option<f64>,
}

#[derive(Default)]
struct Loaded {
    uploaded: Option<ProductNames>,
    overrides: HashMap<String, Override>,
}

/// Resolves SKU names and local costs.
pub struct Catalog {
    pool: PgPool,
    loaded: RwLock<Option<Arc<Loaded>>>,
}

/// A consistent view of the catalogue for one request.
#[derive(Clone)]
pub struct Names(Arc<Loaded>);

impl Names {
    /// The name to show for a SKU: override, uploaded CSV, bundled table, part number; never blank.
    pub fn name(&self, sku_id: &SkuId, part_number: &str) -> String {
        self.named(sku_id, part_number).0
    }

    /// [`Names::name`] and where it comes from.
    pub fn named(&self, sku_id: &SkuId, part_number: &str) -> (String, NameSource) {
        let sku = sku_id.as_str().to_ascii_lowercase();
        let override_name = self.0.overrides.get(&sku).and_then(|o| o.display_name.as_deref());
        named(&sku, part_number, override_name, self.0.uploaded.as_ref(), bundled())
    }

    /// What an Admin said a seat of this SKU costs a month.
    pub fn monthly_cost(&self, sku_id: &SkuId) -> Option<f64> {
        self.0.overrides.get(&sku_id.as_str().to_ascii_lowercase()).and_then(|o| o.monthly_cost)
    }

    pub fn override_of(&self, sku_id: &SkuId) -> Option<&Override> {
        self.0.overrides.get(&sku_id.as_str().to_ascii_lowercase())
    }
}

impl Catalog {
    pub fn new(pool: PgPool) -> Arc<Self> {
        Arc::new(Self { pool, loaded: RwLock::new(None) })
    }

    /// The current names, loading them on first use.
    pub async fn names(&self) -> Result<Names, CatalogError> {
        if let Some(l) = self.loaded.read().await.as_ref() {
            return Ok(Names(l.clone()));
        }
        let mut slot = self.loaded.write().await;
        if let Some(l) = slot.as_ref() {
            return Ok(Names(l.clone()));
        }
        let loaded = Arc::new(self.load().await?);
        *slot = Some(loaded.clone());
        Ok(Names(loaded))
    }

    async fn load(&self) -> Result<Loaded, CatalogError> {
        let rows = product_names::uploaded(&self.pool).await?;
        let uploaded = (!rows.is_empty()).then(|| {
            ProductNames::new(
                rows.into_iter()
                    .map(|r| ProductName {
                        sku_id: r.sku_id,
                        sku_part_number: r.sku_part_number,
                        display_name: r.display_name,
                    })
                    .collect(),
            )
        });
        let overrides = product_names::overrides(&self.pool)
            .await?
            .into_iter()
            .map(|o| {
                (o.sku_id.to_ascii_lowercase(), Override { display_name: o.display_name, monthly_cost: o.monthly_cost })
            })
            .collect();
        Ok(Loaded { uploaded, overrides })
    }

    async fn invalidate(&self) {
        *self.loaded.write().await = None;
    }

    /// Reads an uploaded licensing CSV and makes its names the ones in use. Nothing changes
    /// when the file does not read.
    pub async fn upload(&self, file_name: &str, bytes: &[u8], by: Uuid) -> Result<usize, CatalogError> {
        let names = parse_licensing_csv(bytes)?;
        let rows: Vec<product_names::ProductNameRow> = names
            .into_iter()
            .map(|p| product_names::ProductNameRow {
                sku_id: p.sku_id,
                sku_part_number: p.sku_part_number,
                display_name: p.display_name,
            })
            .collect();
        product_names::replace_uploaded(&self.pool, file_name, &rows, by).await?;
        self.invalidate().await;
        tracing::info!(file_name, products = rows.len(), "product names uploaded");
        Ok(rows.len())
    }

    /// Sets (or with both empty, removes) a SKU's local name and monthly cost.
    pub async fn set_override(
        &self,
        sku_id: &SkuId,
        display_name: Option<&str>,
        monthly_cost: Option<f64>,
        by: Uuid,
    ) -> Result<(), CatalogError> {
        let sku = sku_id.as_str().trim().to_ascii_lowercase();
        if sku.is_empty() {
            return Err(CatalogError::Invalid("Which SKU? The SKU id is missing.".into()));
        }
        let name = display_name.map(str::trim).filter(|n| !n.is_empty());
        if name.is_some_and(|n| n.chars().count() > 200) {
            return Err(CatalogError::Invalid("A product name can be at most 200 characters.".into()));
        }
        if let Some(cost) = monthly_cost {
            if !cost.is_finite() || !(0.0..=100_000.0).contains(&cost) {
                return Err(CatalogError::Invalid(
                    "The monthly cost must be a positive amount (at most 100,000).".into(),
                ));
            }
        }
        product_names::set_override(&self.pool, &sku, name, monthly_cost, by).await?;
        self.invalidate().await;
        Ok(())
    }
}
