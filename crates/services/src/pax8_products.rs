//! The Pax8 product table: a Pax8 subscription that does not name its Partner Center
//! subscription is matched to a tenant's licence by its product, through a table of Pax8
//! product names to SKU part numbers. SeatSync ships one; an Admin adds the products it lacks.

use std::collections::{BTreeMap, HashMap};

use seatsync_api_types::pax8::{Pax8ProductRow, Pax8ProductsView, ProductSource};
use seatsync_db::pax8;
use seatsync_domain::pax8_match::{product_name_key, DEFAULT_PRODUCT_SKUS};

use crate::{alerts::sku_part_number, ServiceError, Services, Staff};

/// Pax8's `vendorName` for Microsoft's products ("Microsoft", "Microsoft Corporation").
fn is_microsoft(vendor: &str) -> bool {
    vendor.to_ascii_lowercase().contains("microsoft")
}

/// Longer than any product name Pax8 shows.
const MAX_PRODUCT_NAME: usize = 200;

impl Services {
    pub async fn pax8_products(&self) -> Result<Pax8ProductsView, ServiceError> {
        let (subscriptions, products, added) = tokio::try_join!(
            pax8::subscriptions(&self.pool),
            pax8::products(&self.pool),
            pax8::product_sku_rows(&self.pool)
        )?;
        let product_of: HashMap<&str, &pax8::Pax8Product> = products.iter().map(|p| (p.id.as_str(), p)).collect();
        // Rows by the name's key, as matching compares them; the shipped table, then the
        // Admin's additions over it, then the products Pax8 holds.
        let mut rows: BTreeMap<String, Pax8ProductRow> = BTreeMap::new();
        for (name, part) in DEFAULT_PRODUCT_SKUS {
            rows.insert(
                product_name_key(name),
                Pax8ProductRow {
                    product_name: name.to_string(),
                    unpointed: 0,
                    part_number: Some(part.to_string()),
                    source: ProductSource::Shipped,
                },
            );
        }
        for a in added {
            rows.insert(
                product_name_key(&a.product_name),
                Pax8ProductRow {
                    product_name: a.product_name,
                    unpointed: 0,
                    part_number: Some(a.sku_part_number),
                    source: ProductSource::Added { by: a.added_by_name, at: a.added_at },
                },
            );
        }
        for s in subscriptions.iter().filter(|s| s.vendor_subscription_id.is_none()) {
            let product = product_of.get(s.product_id.as_str());
            // Another vendor's product (backup, security, password tools) is no Microsoft licence.
            if product.and_then(|p| p.vendor_name.as_deref()).is_some_and(|v| !is_microsoft(v)) {
                continue;
            }
            let Some(name) = product.map(|p| p.name.as_str()).or(s.product_name.as_deref()) else {
                continue;
            };
            rows.entry(product_name_key(name))
                .or_insert_with(|| Pax8ProductRow {
                    product_name: name.to_string(),
                    unpointed: 0,
                    part_number: None,
                    source: ProductSource::Unknown,
                })
                .unpointed += 1;
        }
        let mut rows: Vec<Pax8ProductRow> = rows.into_values().collect();
        // What the table misses first, then what is in use, then the rest by name.
        let rank = |r: &Pax8ProductRow| match (r.part_number.is_some(), r.unpointed > 0) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => 2,
        };
        rows.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then(b.unpointed.cmp(&a.unpointed))
                .then_with(|| a.product_name.to_lowercase().cmp(&b.product_name.to_lowercase()))
        });
        Ok(Pax8ProductsView { rows })
    }

    /// An Admin says which SKU part number a Pax8 product is (`None`: remove the addition). It
    /// applies from the next alert run.
    pub async fn set_pax8_product(
        &self,
        by: &Staff,
        product_name: String,
        part_number: Option<String>,
    ) -> Result<(), ServiceError> {
        let name = product_name.trim();
        if name.is_empty() || name.chars().count() > MAX_PRODUCT_NAME {
            return Err(ServiceError::Invalid(format!(
                "Give the product's name as Pax8 shows it (1 to {MAX_PRODUCT_NAME} characters)."
            )));
        }
        let part = match part_number.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(typed) => Some(sku_part_number(typed)?),
            None => None,
        };
        pax8::set_product_sku(&self.pool, name, part, by.id).await?;
        Ok(())
    }
}
