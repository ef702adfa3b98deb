//! Product names: the licensing CSV in use, every SKU seen with the name it is shown under, and
//! local overrides (Admin).

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use seatsync_domain::Role;
use seatsync_domain::SkuId;

pub use seatsync_api_types::products::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::server::serve;

#[server(prefix = "/api", endpoint = "products/catalog")]
pub async fn product_catalog() -> Result<ProductCatalogInfo, AppError> {
    serve(Role::Admin, |c| async move { c.services.product_catalog().await }).await
}

/// Makes an uploaded licensing CSV (the form's `file` part) the source of product names;
/// returns how many products it names. A file that does not read changes nothing and says why.
#[server(prefix = "/api", endpoint = "products/upload", input = leptos::server_fn::codec::MultipartFormData)]
pub async fn upload_product_names(data: leptos::server_fn::codec::MultipartData) -> Result<usize, AppError> {
    serve(Role::Admin, |c| async move {
        let (name, bytes) = read_file(data).await?;
        c.services.upload_product_names(&c.user, &name, &bytes).await.map_err(AppError::from)
    })
    .await
}

/// The form's `file` part, its name and bytes, refused above [`MAX_UPLOAD_MB`] as it arrives.
#[cfg(feature = "ssr")]
async fn read_file(data: leptos::server_fn::codec::MultipartData) -> Result<(String, Vec<u8>), AppError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        AppError::Invalid(format!("The upload could not be read ({e}). Choose the file again."))
    };
    let mut form = data.into_inner().ok_or_else(|| unreadable(&"no form data"))?;
    while let Some(mut field) = form.next_field().await.map_err(|e| unreadable(&e))? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
            if bytes.len() + chunk.len() > MAX_UPLOAD_MB * 1024 * 1024 {
                return Err(AppError::TooLarge(format!(
                    "The file is too large (at most {MAX_UPLOAD_MB} MB). Microsoft's licensing CSV is about 1 MB; check that this is the right file."
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok((name, bytes));
    }
    Err(AppError::Invalid("No file was sent: choose Microsoft's licensing CSV.".into()))
}

/// Sets a SKU's local name and monthly cost (both empty: back to Microsoft's name).
#[server(prefix = "/api", endpoint = "products/override")]
pub async fn set_sku_override(
    sku_id: SkuId,
    name: Option<String>,
    monthly_cost: Option<String>,
) -> Result<(), AppError> {
    serve(Role::Admin, |c| async move {
        c.services
            .set_sku_override(&c.user, &sku_id, name.as_deref(), monthly_cost.as_deref().unwrap_or_default())
            .await
    })
    .await
}
