//! Product names: the rows of the last licensing CSV an Admin uploaded, and local overrides per
//! SKU (a name and what a seat costs a month).

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;
use seatsync_domain::SkuId;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ProductNameRow {
    pub sku_id: String,
    pub sku_part_number: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Upload {
    pub id: i64,
    pub file_name: String,
    pub products: i32,
    pub uploaded_by_name: Option<String>,
    pub uploaded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SkuOverride {
    pub sku_id: String,
    pub display_name: Option<String>,
    pub monthly_cost: Option<f64>,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// Replaces the uploaded names with a new file's, in one transaction: a failed upload leaves the
/// previous names in place.
pub async fn replace_uploaded(
    db: &sqlx::PgPool,
    file_name: &str,
    rows: &[ProductNameRow],
    by: Uuid,
) -> Result<i64, DbError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.sku_id.as_str()).collect();
    let parts: Vec<&str> = rows.iter().map(|r| r.sku_part_number.as_str()).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.display_name.as_str()).collect();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM product_names").execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO product_names (sku_id, sku_part_number, display_name)
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[]) ON CONFLICT (sku_id) DO NOTHING",
    )
    .bind(&ids)
    .bind(&parts)
    .bind(&names)
    .execute(&mut *tx)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO product_name_uploads (file_name, products, uploaded_by) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(file_name)
    .bind(rows.len() as i32)
    .bind(by)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn uploaded(db: impl PgExecutor<'_>) -> Result<Vec<ProductNameRow>, DbError> {
    Ok(sqlx::query_as("SELECT sku_id, sku_part_number, display_name FROM product_names").fetch_all(db).await?)
}

/// The upload in use, if any.
pub async fn latest_upload(db: impl PgExecutor<'_>) -> Result<Option<Upload>, DbError> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.file_name, u.products, p.display_name AS uploaded_by_name, u.uploaded_at
         FROM product_name_uploads u LEFT JOIN users p ON p.id = u.uploaded_by ORDER BY u.id DESC LIMIT 1",
    )
    .fetch_optional(db)
    .await?)
}

pub async fn overrides(db: impl PgExecutor<'_>) -> Result<Vec<SkuOverride>, DbError> {
    Ok(sqlx::query_as(
        "SELECT o.sku_id, o.display_name, o.monthly_cost, u.display_name AS changed_by_name, o.changed_at
         FROM sku_overrides o LEFT JOIN users u ON u.id = o.changed_by ORDER BY o.sku_id",
    )
    .fetch_all(db)
    .await?)
}

/// Sets a SKU's local name and monthly cost; both empty removes the override.
pub async fn set_override(
    db: impl PgExecutor<'_>,
    sku_id: &str,
    display_name: Option<&str>,
    monthly_cost: Option<f64>,
    by: Uuid,
) -> Result<(), DbError> {
    if display_name.is_none() && monthly_cost.is_none() {
        sqlx::query("DELETE FROM sku_overrides WHERE sku_id = $1").bind(sku_id).execute(db).await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO sku_overrides (sku_id, display_name, monthly_cost, changed_by, changed_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (sku_id) DO UPDATE SET display_name = EXCLUDED.display_name, monthly_cost = EXCLUDED.monthly_cost,
             changed_by = EXCLUDED.changed_by, changed_at = now()",
    )
    .bind(sku_id)
    .bind(display_name)
    .bind(monthly_cost)
    .bind(by)
    .execute(db)
    .await?;
    Ok(())
}

/// Every SKU seen in any tenant, with its part number and how many tenants hold it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SeenSku {
    pub sku_id: SkuId,
    pub sku_part_number: String,
    pub tenants: i64,
    pub purchased: i64,
}

pub async fn seen_skus(db: impl PgExecutor<'_>) -> Result<Vec<SeenSku>, DbError> {
    Ok(sqlx::query_as(
        "SELECT k.sku_id, min(k.sku_part_number) AS sku_part_number, count(DISTINCT k.tenant_id) AS tenants,
                sum(k.enabled)::bigint AS purchased
         FROM sku_consumption k JOIN tenants t ON t.tenant_id = k.tenant_id AND t.removed_at IS NULL
         GROUP BY k.sku_id ORDER BY min(k.sku_part_number)",
    )
    .fetch_all(db)
    .await?)
}
