//! Product names (Admin): the licensing CSV in use, every SKU seen with the name it is shown
//! under and where that name comes from, and local overrides.

use seatsync_api_types::products::{ProductCatalogInfo, SkuLine, UploadInfo};
use seatsync_db::product_names;
use seatsync_domain::SkuId;

use crate::{ServiceError, Services, Staff};

/// Reads an amount as a person writes it ("12,50", "€ 7", "$1,200.00"); empty is `None`. An
/// amount that could be read two ways is sent back as a question.
pub(crate) fn amount(label: &str, text: &str) -> Result<Option<f64>, ServiceError> {
    seatsync_domain::parse_amount(text).map_err(|e| ServiceError::Invalid(format!("The {label}: {e}.")))
}

impl Services {
    pub async fn product_catalog(&self) -> Result<ProductCatalogInfo, ServiceError> {
        let names = self.catalog.names().await?;
        let (upload, seen) =
            tokio::try_join!(product_names::latest_upload(&self.pool), product_names::seen_skus(&self.pool))?;
        let mut skus: Vec<SkuLine> = seen
            .into_iter()
            .map(|k| {
                let o = names.override_of(&k.sku_id).cloned();
                let (name, source) = names.named(&k.sku_id, &k.sku_part_number);
                SkuLine {
                    name,
                    source: source.label().into(),
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
            upload: upload.map(|u| UploadInfo {
                file_name: u.file_name,
                products: u.products,
                uploaded_by: u.uploaded_by_name,
                uploaded_at: u.uploaded_at,
            }),
            bundled_products: seatsync_domain::product_names::bundled().len(),
            skus,
        })
    }

    /// Makes an uploaded licensing CSV the source of product names; how many products it names.
    /// A file that does not read changes nothing and says why.
    pub async fn upload_product_names(&self, by: &Staff, file_name: &str, bytes: &[u8]) -> Result<usize, ServiceError> {
        let name: String =
            Some(file_name.trim()).filter(|n| !n.is_empty()).unwrap_or("upload.csv").chars().take(200).collect();
        let count = self.catalog.upload(&name, bytes, by.id).await?;
        tracing::info!(by = %by.email, file = %name, bytes = bytes.len(), products = count, "licensing CSV uploaded");
        Ok(count)
    }

    /// Sets a SKU's local name and monthly cost (both empty: back to Microsoft's name).
    pub async fn set_sku_override(
        &self,
        by: &Staff,
        sku_id: &SkuId,
        name: Option<&str>,
        monthly_cost: &str,
    ) -> Result<(), ServiceError> {
        let cost = amount("monthly cost", monthly_cost)?;
        Ok(self.catalog.set_override(sku_id, name, cost, by.id).await?)
    }
}
