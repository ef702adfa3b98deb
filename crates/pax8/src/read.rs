//! Reads Pax8 and stores it: every company and active subscription (across the partner, 200 a
//! page), and each product not read before, once (its name decides its SKU where Pax8 does not
//! point at the Partner Center subscription).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use seatsync_db::{pax8 as db, DbError, PgPool};
use seatsync_vendors::{pax8::Pax8, VendorError};

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Vendor(#[from] VendorError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Reads every company, active subscription and new product from Pax8 and replaces what was
/// stored; a read that fails changes nothing stored.
pub async fn read_and_store(pool: &PgPool, pax8: &dyn Pax8, now: DateTime<Utc>) -> Result<(), ReadError> {
    let companies = pax8.companies().await?;
    let subscriptions = pax8.subscriptions().await?;
    let known: HashMap<String, String> = db::product_names(pool).await?.into_iter().collect();
    let unread: BTreeSet<&str> =
        subscriptions.iter().map(|s| s.product_id.as_str()).filter(|id| !known.contains_key(*id)).collect();
    for id in unread {
        let product = pax8.product(id).await?;
        db::save_product(pool, &product.id, &product.name, product.vendor_name.as_deref()).await?;
    }
    let companies: Vec<db::Pax8Company> = companies
        .into_iter()
        .map(|c| db::Pax8Company { id: c.id, name: c.name, website: c.website, status: c.status })
        .collect();
    let subscriptions: Vec<db::Pax8Subscription> = subscriptions
        .into_iter()
        .map(|s| db::Pax8Subscription {
            id: s.id,
            company_id: s.company_id,
            product_id: s.product_id,
            product_name: s.product_name,
            vendor_subscription_id: s.vendor_subscription_id,
            quantity: s.quantity,
            billing_term: s.billing_term,
            commitment_term: s.commitment_term.as_ref().and_then(|c| c.term.clone()),
            commitment_end: s.commitment_term.and_then(|c| c.end_date),
            price: s.price,
            currency_code: s.currency_code,
        })
        .collect();
    seatsync_db::in_transaction(pool, async |conn| db::replace(conn, &companies, &subscriptions, now).await).await?;
    Ok(())
}
