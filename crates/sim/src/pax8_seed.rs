//! What the seeded MSP bought through Pax8: the products it sells and the subscriptions of the
//! customers that have a Pax8 company.
//!
//! A Microsoft subscription bought through Pax8 is the same subscription Partner Center lists:
//! it points at it (`vendorSubscriptionId`) and shares its quantity and status, so a change in
//! either shows in both and in Graph's `prepaidUnits`. Most carry the pointer; the companies
//! moved over from an older system carry none, so a client must match them another way. Some
//! Microsoft subscriptions of a Pax8 customer were bought directly in Partner Center and are
//! not in Pax8 at all, and every Pax8 customer buys a few products that are not Microsoft's.
//!
//! Drawn from its own generator, so adding Pax8 left the rest of the MSP as it was.

use chrono::{DateTime, Duration, Utc};
use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::seed::{uuid, Customer, Pax8Company, CATALOGUE};

#[derive(Debug, Clone)]
pub struct Pax8Product {
    pub id: String,
    pub name: String,
    pub vendor_name: String,
    /// Pax8's own SKU.
    pub sku: String,
    pub requires_commitment: bool,
    /// Price per seat a month, for products that are not tied to a Microsoft subscription.
    pub monthly_price: f64,
}

#[derive(Debug, Clone)]
pub struct Pax8Subscription {
    pub id: String,
    pub company_id: String,
    pub product_id: String,
    /// The Partner Center subscription this is, if it is a Microsoft one.
    pub microsoft_subscription: Option<String>,
    /// Whether `vendorSubscriptionId` is filled in (records migrated from an older system lack it).
    pub shows_vendor_id: bool,
    /// The quantity of a subscription that is not Microsoft's (a Microsoft one reads Partner Center's).
    pub own_quantity: i64,
    pub billing_term: String,
    /// The commitment's term in Pax8's words and its end, when there is one.
    pub commitment: Option<(String, DateTime<Utc>)>,
    pub start_date: DateTime<Utc>,
    pub created_date: DateTime<Utc>,
    pub price: f64,
    pub partner_cost: f64,
    /// Status of a subscription that is not Microsoft's.
    pub own_status: String,
}

const OTHER_PRODUCTS: &[(&str, &str, f64)] = &[
    ("Acronis Cyber Protect Cloud - Per Workload", "Acronis", 9.5),
    ("Keeper Business", "Keeper Security", 3.75),
    ("SentinelOne Control", "SentinelOne", 6.0),
    ("Dropsuite Backup for Microsoft 365", "Dropsuite", 2.5),
];

/// Share of a Pax8 customer's Microsoft subscriptions bought through Pax8 (the rest directly in
/// Partner Center).
const BOUGHT_THROUGH_PAX8: f64 = 0.85;
/// Share of Pax8 companies moved over from an older system, whose subscriptions carry no
/// `vendorSubscriptionId`.
const MIGRATED_COMPANIES: f64 = 0.15;

/// Pax8's catalogue and subscriptions. Renames about a third of the companies as a person keys
/// names in (no legal suffix), so matching by name has to be forgiving.
pub fn generate(
    seed: u64,
    customers: &[Customer],
    companies: &mut [Pax8Company],
) -> (Vec<Pax8Product>, Vec<Pax8Subscription>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9A58_0000_5EA7_0003);
    let mut products: Vec<Pax8Product> = CATALOGUE
        .iter()
        .enumerate()
        .map(|(i, p)| Pax8Product {
            id: uuid(&mut rng),
            name: p.name.to_string(),
            vendor_name: "Microsoft".into(),
            sku: format!("MST-NCE-{:03}", 100 + i),
            requires_commitment: true,
            monthly_price: p.monthly_price,
        })
        .collect();
    for (i, (name, vendor, price)) in OTHER_PRODUCTS.iter().enumerate() {
        products.push(Pax8Product {
            id: uuid(&mut rng),
            name: name.to_string(),
            vendor_name: vendor.to_string(),
            sku: format!("OTH-{:03}", 200 + i),
            requires_commitment: false,
            monthly_price: *price,
        });
    }
    let microsoft_product =
        |name: &str| products.iter().find(|p| p.vendor_name == "Microsoft" && p.name == name).map(|p| p.id.clone());

    let mut subscriptions = Vec::new();
    for company in companies.iter_mut() {
        let Some(customer) = customers.iter().find(|c| c.tenant_id == company.tenant_id) else { continue };
        if rng.gen_bool(0.3) {
            for suffix in [" LLC", " Inc.", " LLP", " Ltd", " Co.", " Group", " Partners"] {
                if let Some(stem) = company.name.strip_suffix(suffix) {
                    company.name = stem.to_string();
                }
            }
        }
        let migrated = rng.gen_bool(MIGRATED_COMPANIES);
        for s in &customer.subscriptions {
            if !rng.gen_bool(BOUGHT_THROUGH_PAX8) {
                continue;
            }
            let Some(product_id) = microsoft_product(s.product.name) else { continue };
            let billing_term = match s.billing_cycle.as_str() {
                "annual" => "Annual",
                "triennial" => "3-Year",
                _ => "Monthly",
            };
            let commitment = match s.term_duration.as_str() {
                "P1Y" => Some(("1-Year".to_string(), s.commitment_end)),
                "P3Y" => Some(("3-Year".to_string(), s.commitment_end)),
                _ => Some(("Monthly".to_string(), s.commitment_end)),
            };
            subscriptions.push(Pax8Subscription {
                id: uuid(&mut rng),
                company_id: company.id.clone(),
                product_id,
                microsoft_subscription: Some(s.id.clone()),
                shows_vendor_id: !migrated,
                own_quantity: 0,
                billing_term: billing_term.into(),
                commitment,
                start_date: s.effective_start,
                created_date: s.creation_date,
                price: s.product.monthly_price,
                partner_cost: (s.product.monthly_price * 0.85 * 100.0).round() / 100.0,
                own_status: String::new(),
            });
        }
        let others: Vec<&Pax8Product> = products.iter().filter(|p| p.vendor_name != "Microsoft").collect();
        let count = rng.gen_range(1..=2);
        let chosen: Vec<&Pax8Product> = others.choose_multiple(&mut rng, count).copied().collect();
        for product in chosen {
            let start = Utc::now() - Duration::days(rng.gen_range(30..700));
            subscriptions.push(Pax8Subscription {
                id: uuid(&mut rng),
                company_id: company.id.clone(),
                product_id: product.id.clone(),
                microsoft_subscription: None,
                shows_vendor_id: false,
                own_quantity: rng.gen_range(3..=40),
                billing_term: "Monthly".into(),
                commitment: None,
                start_date: start,
                created_date: start - Duration::days(1),
                price: product.monthly_price,
                partner_cost: (product.monthly_price * 0.8 * 100.0).round() / 100.0,
                own_status: "Active".into(),
            });
        }
    }
    (products, subscriptions)
}

#[cfg(test)]
mod tests {
    use crate::seed::Msp;

    #[test]
    fn pax8_subscriptions_point_at_partner_center_and_leave_some_to_it() {
        let msp = Msp::generate(20261207, 120);
        assert!(!msp.pax8_companies.is_empty());
        let microsoft: Vec<_> = msp.pax8_subscriptions.iter().filter(|s| s.microsoft_subscription.is_some()).collect();
        for s in &microsoft {
            assert!(msp.subscription(s.microsoft_subscription.as_deref().unwrap()).is_some());
        }
        assert!(microsoft.iter().any(|s| s.shows_vendor_id) && microsoft.iter().any(|s| !s.shows_vendor_id));
        assert!(msp.pax8_subscriptions.iter().any(|s| s.microsoft_subscription.is_none()), "some are not Microsoft's");
        let in_pax8: std::collections::HashSet<_> =
            microsoft.iter().filter_map(|s| s.microsoft_subscription.clone()).collect();
        let pax8_tenants: std::collections::HashSet<_> = msp.pax8_companies.iter().map(|c| &c.tenant_id).collect();
        let direct = msp
            .customers
            .iter()
            .filter(|c| pax8_tenants.contains(&c.tenant_id))
            .flat_map(|c| &c.subscriptions)
            .filter(|s| !in_pax8.contains(&s.id))
            .count();
        assert!(direct > 0, "a Pax8 customer also buys directly in Partner Center");
    }
}
