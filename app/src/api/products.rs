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

/// The largest licensing CSV accepted. Microsoft's file is about 1 MB and grows every year.
pub const MAX_UPLOAD_MB: usize = 16;

/// Makes an uploaded licensing CSV (the form's `file` part) the source of product names;
/// returns how many products it names. A file that does not read changes nothing and says why.
#[server(prefix = "/api", endpoint = "products/upload", input = leptos::server_fn::codec::MultipartFormData)]
pub async fn upload_product_names(data: leptos::server_fn::codec::MultipartData) -> Result<usize, AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let unreadable = |e: &dyn std::fmt::Display| {
        caller.fail(AppError::Invalid(format!("The upload could not be read ({e}). Choose the file again.")))
    };
    let mut form = data.into_inner().ok_or_else(|| unreadable(&"no form data"))?;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = form.next_field().await.map_err(|e| unreadable(&e))? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .file_name()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("upload.csv")
            .chars()
            .take(200)
            .collect();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
            if bytes.len() + chunk.len() > MAX_UPLOAD_MB * 1024 * 1024 {
                return Err(caller.fail(AppError::TooLarge(format!("The file is too large (at most {MAX_UPLOAD_MB} MB). Microsoft's licensing CSV is about 1 MB; check that this is the right file."))));
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some((name, bytes));
    }
    let Some((name, bytes)) = file else {
        return Err(caller.fail(AppError::Invalid("No file was sent: choose Microsoft's licensing CSV.".into())));
    };
    let count = caller.ctx.catalog.upload(&name, &bytes, caller.user.id).await.map_err(|e| caller.fail(e))?;
    tracing::info!(by = %caller.user.email, file = %name, bytes = bytes.len(), products = count, "licensing CSV uploaded");
    Ok(count)
}

/// Sets a SKU's local name and monthly cost (both empty: back to Microsoft's name).
#[server(prefix = "/api", endpoint = "products/override")]
pub async fn set_sku_override(
    sku_id: String,
    name: Option<String>,
    monthly_cost: Option<String>,
) -> Result<(), AppError> {
    let caller = crate::server::require(Role::Admin).await?;
    let cost = crate::api::mapping::amount("monthly cost", monthly_cost.as_deref().unwrap_or_default())
        .map_err(|e| caller.fail(e))?;
    caller
        .ctx
        .catalog
        .set_override(&sku_id, name.as_deref(), cost, caller.user.id)
        .await
        .map_err(|e| caller.fail(e))?;
    Ok(())
}
