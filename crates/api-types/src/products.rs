//! Product names and local costs per SKU.

use chrono::{DateTime, Utc};
use seatsync_domain::SkuId;
use serde::{Deserialize, Serialize};

/// The largest licensing CSV accepted. Microsoft's file is about 1 MB and grows every year.
pub const MAX_UPLOAD_MB: usize = 16;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkuLine {
    pub sku_id: SkuId,
    pub part_number: String,
    /// The name shown everywhere.
    pub name: String,
    /// Where that name comes from: "override", "uploaded CSV", "bundled table" or "part number".
    pub source: String,
    pub override_name: Option<String>,
    pub monthly_cost: Option<f64>,
    pub tenants: i64,
    pub purchased: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductCatalogInfo {
    /// The licensing CSV in use, when one was uploaded (else the bundled table is).
    pub upload: Option<UploadInfo>,
    pub bundled_products: usize,
    pub skus: Vec<SkuLine>,
}

/// An uploaded licensing CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadInfo {
    pub file_name: String,
    pub products: i32,
    pub uploaded_by: Option<String>,
    pub uploaded_at: DateTime<Utc>,
}
