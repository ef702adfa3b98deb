//! Pax8 as SeatSync last read it (`pax8_companies`, `pax8_subscriptions`, `pax8_products`),
//! which tenant each company is (`pax8_company_links`) and the Admin's additions to the table of
//! Pax8 products to SKUs (`pax8_product_skus`).

use chrono::{DateTime, Utc};
use seatsync_domain::{kinds::Pax8LinkState, Pax8CompanyId, Pax8SubscriptionId, SubscriptionId, TenantId};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Pax8Company {
    pub id: Pax8CompanyId,
    pub name: String,
    pub website: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Pax8Subscription {
    pub id: Pax8SubscriptionId,
    pub company_id: Pax8CompanyId,
    pub product_id: String,
    pub product_name: Option<String>,
    pub vendor_subscription_id: Option<SubscriptionId>,
    pub quantity: i64,
    pub billing_term: Option<String>,
    pub commitment_term: Option<String>,
    pub commitment_end: Option<DateTime<Utc>>,
    pub price: Option<f64>,
    pub currency_code: Option<String>,
}

/// Replaces what Pax8 holds with a new read, in one transaction: a read that fails never gets
/// here, so the last good one stays. Two jobs storing at once take turns, so neither's rows mix
/// with the other's.
pub async fn replace(
    conn: &mut sqlx::PgConnection,
    companies: &[Pax8Company],
    subscriptions: &[Pax8Subscription],
    read_at: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('pax8 replace'))").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM pax8_subscriptions").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM pax8_companies").execute(&mut *conn).await?;
    for chunk in companies.chunks(1000) {
        let ids: Vec<&str> = chunk.iter().map(|c| c.id.as_str()).collect();
        let names: Vec<&str> = chunk.iter().map(|c| c.name.as_str()).collect();
        let websites: Vec<Option<&str>> = chunk.iter().map(|c| c.website.as_deref()).collect();
        let statuses: Vec<Option<&str>> = chunk.iter().map(|c| c.status.as_deref()).collect();
        sqlx::query(
            "INSERT INTO pax8_companies (id, name, website, status, read_at)
             SELECT *, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&ids)
        .bind(&names)
        .bind(&websites)
        .bind(&statuses)
        .bind(read_at)
        .execute(&mut *conn)
        .await?;
    }
    for chunk in subscriptions.chunks(1000) {
        let col = |f: fn(&Pax8Subscription) -> Option<&str>| chunk.iter().map(f).collect::<Vec<_>>();
        let ids = col(|s| Some(s.id.as_str()));
        let companies = col(|s| Some(s.company_id.as_str()));
        let products = col(|s| Some(s.product_id.as_str()));
        let product_names = col(|s| s.product_name.as_deref());
        let pointers = col(|s| s.vendor_subscription_id.as_ref().map(|v| v.as_str()));
        let billing_terms = col(|s| s.billing_term.as_deref());
        let commitment_terms = col(|s| s.commitment_term.as_deref());
        let currencies = col(|s| s.currency_code.as_deref());
        let quantities: Vec<i64> = chunk.iter().map(|s| s.quantity).collect();
        let ends: Vec<Option<DateTime<Utc>>> = chunk.iter().map(|s| s.commitment_end).collect();
        let prices: Vec<Option<f64>> = chunk.iter().map(|s| s.price).collect();
        sqlx::query(
            "INSERT INTO pax8_subscriptions (id, company_id, product_id, product_name, vendor_subscription_id, quantity,
                                             billing_term, commitment_term, commitment_end, price, currency_code, read_at)
             SELECT *, $12 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
                                       $7::text[], $8::text[], $9::timestamptz[], $10::float8[], $11::text[])
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&ids)
        .bind(&companies)
        .bind(&products)
        .bind(&product_names)
        .bind(&pointers)
        .bind(&quantities)
        .bind(&billing_terms)
        .bind(&commitment_terms)
        .bind(&ends)
        .bind(&prices)
        .bind(&currencies)
        .bind(read_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn companies(db: impl PgExecutor<'_>) -> Result<Vec<Pax8Company>, DbError> {
    Ok(sqlx::query_as("SELECT id, name, website, status FROM pax8_companies ORDER BY lower(name), id")
        .fetch_all(db)
        .await?)
}

pub async fn subscriptions(db: impl PgExecutor<'_>) -> Result<Vec<Pax8Subscription>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, company_id, product_id, product_name, vendor_subscription_id, quantity, billing_term,
                commitment_term, commitment_end, price, currency_code
         FROM pax8_subscriptions ORDER BY company_id, id",
    )
    .fetch_all(db)
    .await?)
}

/// When Pax8 was last read successfully, if ever.
pub async fn last_read(db: impl PgExecutor<'_>) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(sqlx::query_scalar("SELECT max(read_at) FROM pax8_companies").fetch_one(db).await?)
}

/// Product names already read, by id.
pub async fn product_names(db: impl PgExecutor<'_>) -> Result<Vec<(String, String)>, DbError> {
    #[derive(FromRow)]
    struct Row {
        id: String,
        name: String,
    }
    let rows: Vec<Row> = sqlx::query_as("SELECT id, name FROM pax8_products").fetch_all(db).await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// A Pax8 product as read, with its vendor.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Pax8Product {
    pub id: String,
    pub name: String,
    pub vendor_name: Option<String>,
}

pub async fn products(db: impl PgExecutor<'_>) -> Result<Vec<Pax8Product>, DbError> {
    Ok(sqlx::query_as("SELECT id, name, vendor_name FROM pax8_products").fetch_all(db).await?)
}

pub async fn save_product(
    db: impl PgExecutor<'_>,
    id: &str,
    name: &str,
    vendor_name: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO pax8_products (id, name, vendor_name, read_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, vendor_name = EXCLUDED.vendor_name, read_at = now()",
    )
    .bind(id)
    .bind(name)
    .bind(vendor_name)
    .execute(db)
    .await?;
    Ok(())
}

/// Which tenant a Pax8 company is.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct CompanyLink {
    pub company_id: Pax8CompanyId,
    pub tenant_id: Option<TenantId>,
    pub state: Pax8LinkState,
    pub reason: String,
    pub confidence: Option<f64>,
    pub decided_by: Option<Uuid>,
    pub decided_at: DateTime<Utc>,
}

pub async fn links(db: impl PgExecutor<'_>) -> Result<Vec<CompanyLink>, DbError> {
    Ok(sqlx::query_as(
        "SELECT company_id, tenant_id, state, reason, confidence, decided_by, decided_at FROM pax8_company_links",
    )
    .fetch_all(db)
    .await?)
}

/// Records SeatSync's own view of a company: a match by subscriptions or a suggestion. A
/// person's decision (confirmed, ignored) is never overwritten by it.
pub async fn propose_link(
    db: impl PgExecutor<'_>,
    company_id: &Pax8CompanyId,
    tenant_id: &TenantId,
    state: Pax8LinkState,
    reason: &str,
    confidence: Option<f64>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO pax8_company_links (company_id, tenant_id, state, reason, confidence, decided_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (company_id) DO UPDATE
           SET tenant_id = EXCLUDED.tenant_id, state = EXCLUDED.state, reason = EXCLUDED.reason,
               confidence = EXCLUDED.confidence, decided_at = now()
         WHERE pax8_company_links.state IN ('matched', 'suggested')
           AND (pax8_company_links.tenant_id, pax8_company_links.state, pax8_company_links.reason)
               IS DISTINCT FROM (EXCLUDED.tenant_id, EXCLUDED.state, EXCLUDED.reason)",
    )
    .bind(company_id)
    .bind(tenant_id)
    .bind(state)
    .bind(reason)
    .bind(confidence)
    .execute(db)
    .await?;
    Ok(())
}

/// Drops SeatSync's own links that no longer hold (a company gone from Pax8, a suggestion
/// whose evidence went); a person's decisions stay.
pub async fn forget_own_links_except(db: impl PgExecutor<'_>, keep: &[Pax8CompanyId]) -> Result<(), DbError> {
    let keep: Vec<&str> = keep.iter().map(|c| c.as_str()).collect();
    sqlx::query(
        "DELETE FROM pax8_company_links WHERE state IN ('matched', 'suggested') AND NOT (company_id = ANY($1::text[]))",
    )
    .bind(&keep)
    .execute(db)
    .await?;
    Ok(())
}

/// A person's decision on a company: confirmed as a tenant, or ignored (`tenant_id` `None`);
/// written to the history in the same transaction.
pub async fn decide_link(
    pool: &crate::PgPool,
    company_id: &Pax8CompanyId,
    tenant_id: Option<&TenantId>,
    by: Uuid,
) -> Result<(), DbError> {
    let state = if tenant_id.is_some() { Pax8LinkState::Confirmed } else { Pax8LinkState::Ignored };
    crate::in_transaction(pool, async |tx| {
        sqlx::query(
            "INSERT INTO pax8_company_links (company_id, tenant_id, state, reason, decided_by, decided_at)
             VALUES ($1, $2, $3, 'a person decided', $4, now())
             ON CONFLICT (company_id) DO UPDATE
               SET tenant_id = EXCLUDED.tenant_id, state = EXCLUDED.state, reason = EXCLUDED.reason,
                   confidence = NULL, decided_by = EXCLUDED.decided_by, decided_at = now()",
        )
        .bind(company_id)
        .bind(tenant_id)
        .bind(state)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        record(&mut *tx, company_id, state.as_str(), tenant_id, by).await
    })
    .await
}

/// A person's decision withdrawn: the company goes back to SeatSync's own matching at the next
/// run. False when there was no decision to withdraw.
pub async fn reset_link(pool: &crate::PgPool, company_id: &Pax8CompanyId, by: Uuid) -> Result<bool, DbError> {
    crate::in_transaction(pool, async |tx| {
        let done =
            sqlx::query("DELETE FROM pax8_company_links WHERE company_id = $1 AND state IN ('confirmed', 'ignored')")
                .bind(company_id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        record(&mut *tx, company_id, "reset", None, by).await?;
        Ok(true)
    })
    .await
}

async fn record(
    db: impl PgExecutor<'_>,
    company_id: &Pax8CompanyId,
    action: &str,
    tenant_id: Option<&TenantId>,
    by: Uuid,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO pax8_link_history (company_id, action, tenant_id, decided_by) VALUES ($1, $2, $3, $4)")
        .bind(company_id)
        .bind(action)
        .bind(tenant_id)
        .bind(by)
        .execute(db)
        .await?;
    Ok(())
}

/// A link with the name of whoever decided it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct LinkRow {
    pub company_id: Pax8CompanyId,
    pub tenant_id: Option<TenantId>,
    pub state: Pax8LinkState,
    pub reason: String,
    pub confidence: Option<f64>,
    pub decided_by_name: Option<String>,
    pub decided_at: DateTime<Utc>,
}

pub async fn link_rows(db: impl PgExecutor<'_>) -> Result<Vec<LinkRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT l.company_id, l.tenant_id, l.state, l.reason, l.confidence, u.display_name AS decided_by_name, l.decided_at
         FROM pax8_company_links l LEFT JOIN users u ON u.id = l.decided_by",
    )
    .fetch_all(db)
    .await?)
}

/// One decision in the history.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct LinkDecision {
    pub company_id: Pax8CompanyId,
    /// "confirmed", "ignored" or "reset".
    pub action: String,
    pub tenant_id: Option<TenantId>,
    pub decided_by_name: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// Every decision, newest first.
pub async fn link_history(db: impl PgExecutor<'_>) -> Result<Vec<LinkDecision>, DbError> {
    Ok(sqlx::query_as(
        "SELECT h.company_id, h.action, h.tenant_id, u.display_name AS decided_by_name, h.decided_at
         FROM pax8_link_history h LEFT JOIN users u ON u.id = h.decided_by ORDER BY h.id DESC",
    )
    .fetch_all(db)
    .await?)
}

/// How many active subscriptions each company holds in Pax8.
pub async fn subscription_counts(
    db: impl PgExecutor<'_>,
) -> Result<std::collections::HashMap<Pax8CompanyId, i64>, DbError> {
    #[derive(FromRow)]
    struct Count {
        company_id: Pax8CompanyId,
        subscriptions: i64,
    }
    let rows: Vec<Count> =
        sqlx::query_as("SELECT company_id, count(*) AS subscriptions FROM pax8_subscriptions GROUP BY company_id")
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(|r| (r.company_id, r.subscriptions)).collect())
}

/// The Admin's additions to the product table: (Pax8 product name, SKU part number).
pub async fn product_skus(db: impl PgExecutor<'_>) -> Result<Vec<(String, String)>, DbError> {
    #[derive(FromRow)]
    struct Row {
        product_name: String,
        sku_part_number: String,
    }
    let rows: Vec<Row> =
        sqlx::query_as("SELECT product_name, sku_part_number FROM pax8_product_skus ORDER BY 1").fetch_all(db).await?;
    Ok(rows.into_iter().map(|r| (r.product_name, r.sku_part_number)).collect())
}

/// An Admin's addition to the Pax8 product table, with who made it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ProductSkuRow {
    pub product_name: String,
    pub sku_part_number: String,
    pub added_by_name: Option<String>,
    pub added_at: DateTime<Utc>,
}

pub async fn product_sku_rows(db: impl PgExecutor<'_>) -> Result<Vec<ProductSkuRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.product_name, p.sku_part_number, u.display_name AS added_by_name, p.added_at
         FROM pax8_product_skus p LEFT JOIN users u ON u.id = p.added_by ORDER BY lower(p.product_name)",
    )
    .fetch_all(db)
    .await?)
}

/// Says which SKU part number a Pax8 product is, over the shipped table; `None` removes the
/// addition (the shipped entry, if any, applies again).
pub async fn set_product_sku(
    db: impl PgExecutor<'_>,
    product_name: &str,
    part_number: Option<&str>,
    by: Uuid,
) -> Result<(), DbError> {
    match part_number {
        Some(part) => {
            sqlx::query(
                "INSERT INTO pax8_product_skus (product_name, sku_part_number, added_by) VALUES ($1, $2, $3)
             ON CONFLICT (product_name) DO UPDATE SET sku_part_number = EXCLUDED.sku_part_number,
                 added_by = EXCLUDED.added_by, added_at = now()",
            )
            .bind(product_name)
            .bind(part)
            .bind(by)
            .execute(db)
            .await?
        }
        None => {
            sqlx::query("DELETE FROM pax8_product_skus WHERE product_name = $1").bind(product_name).execute(db).await?
        }
    };
    Ok(())
}
