//! Product names: the licensing CSV in use, every SKU seen with the name it is shown under, and
//! local overrides (Admin).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkuLine {
    pub sku_id: String,
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
    pub upload: Option<(String, i32, Option<String>, DateTime<Utc>)>,
    pub bundled_products: usize,
    pub skus: Vec<SkuLine>,
}

#[server(prefix = "/api", endpoint = "products/catalog")]
pub async fn product_catalog() -> Result<ProductCatalogInfo, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let pool = &caller.ctx.pool;
    let names = caller.ctx.catalog.names().await.map_err(|e| caller.fail(e))?;
    let upload = seatsync_db::product_names::latest_upload(pool).await.map_err(|e| caller.fail(e))?;
    let seen = seatsync_db::product_names::seen_skus(pool).await.map_err(|e| caller.fail(e))?;
    let mut skus: Vec<SkuLine> = seen
        .into_iter()
        .map(|k| {
            let o = names.override_of(&k.sku_id).cloned();
            let source = if o.as_ref().and_then(|o| o.display_name.as_ref()).is_some() {
                "override"
            } else if names.uploaded_name(&k.sku_id).is_some() {
                "uploaded CSV"
            } else if names.bundled_name(&k.sku_id).is_some() {
                "bundled table"
            } else {
                "part number"
            };
            SkuLine {
                name: names.name(&k.sku_id, &k.sku_part_number),
                source: source.into(),
                override_name: o.as_ref().and_then(|o| o.display_name.clone()),
                monthly_cost: o.and_then(|o| o.monthly_cost),
                sku_id: k.sku_id,
                part_number: k.sku_part_number,
                tenants: k.tenants,
                purchased: k.purchased,
            }
        })
        .collect();
    skus.sort_by_key(|s| s.name.to_lowercase());
    Ok(ProductCatalogInfo {
        upload: upload.map(|u| (u.file_name, u.products, u.uploaded_by_name, u.uploaded_at)),
        bundled_products: seatsync_domain::product_names::bundled().len(),
        skus,
    })
}

/// Makes an uploaded licensing CSV the source of product names; returns how many products it
/// names. A file that does not read changes nothing and says why.
#[server(prefix = "/api", endpoint = "products/upload")]
pub async fn upload_product_names(file_name: String, csv: String) -> Result<usize, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let name = if file_name.trim().is_empty() { "upload.csv".to_string() } else { file_name.trim().chars().take(200).collect() };
    let count = caller.ctx.catalog.upload(&name, csv.as_bytes(), caller.user.id).await.map_err(|e| caller.fail(e))?;
    Ok(count)
}

/// Sets a SKU's local name and monthly cost (both empty: back to Microsoft's name).
#[server(prefix = "/api", endpoint = "products/override")]
pub async fn set_sku_override(sku_id: String, name: Option<String>, monthly_cost: Option<String>) -> Result<(), AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let cost = match monthly_cost.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => Some(
            text.trim_start_matches(['$', '€', '£'])
                .replace(',', "")
                .parse::<f64>()
                .map_err(|_| caller.fail(AppError::Invalid(format!("'{text}' is not an amount; write it like 12.50."))))?,
        ),
    };
    caller.ctx.catalog.set_override(&sku_id, name.as_deref(), cost, caller.user.id).await.map_err(|e| caller.fail(e))?;
    Ok(())
}
