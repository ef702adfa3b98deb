//! A deterministic, realistic MSP: the same seed always gives the same customers, subscriptions,
//! licences, PSA companies and distributor records.
//!
//! Dates are laid out around the day the simulator starts, so that terms renew in the future and
//! some cancellation windows are open "now", whatever day the demo runs.

use chrono::{DateTime, Duration, Months, NaiveDate, TimeZone, Utc};
use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

use crate::autotask::{schema, Database, API_RESOURCE_ID};

/// A member of the MSP's staff who can sign in at the simulated authority.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// Short key used by the authorize page's form.
    pub key: String,
    pub object_id: String,
    pub name: String,
    pub email: String,
    /// App-role values put in the ID token's `roles` claim.
    pub roles: Vec<String>,
}

/// A product in Microsoft's catalogue as the generator uses it.
#[derive(Debug, Clone, Copy)]
pub struct Product {
    pub name: &'static str,
    pub sku_part_number: &'static str,
    /// Graph `skuId`.
    pub sku_id: &'static str,
    /// Partner Center `{productId}:{skuId}` (the availability id is appended per subscription).
    pub catalog_id: &'static str,
    /// List price per seat and month, in USD.
    pub monthly_price: f64,
}

pub const CATALOGUE: &[Product] = &[
    Product {
        name: "Microsoft 365 Business Basic",
        sku_part_number: "O365_BUSINESS_ESSENTIALS",
        sku_id: "3b555118-da6a-4418-894f-7df1e2096870",
        catalog_id: "CFQ7TTC0LH18:0001",
        monthly_price: 6.0,
    },
    Product {
        name: "Microsoft 365 Business Standard",
        sku_part_number: "O365_BUSINESS_PREMIUM",
        sku_id: "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
        catalog_id: "CFQ7TTC0LDPB:0001",
        monthly_price: 12.5,
    },
    Product {
        name: "Microsoft 365 Business Premium",
        sku_part_number: "SPB",
        sku_id: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46",
        catalog_id: "CFQ7TTC0LCHC:0002",
        monthly_price: 22.0,
    },
    Product {
        name: "Microsoft 365 Apps for business",
        sku_part_number: "O365_BUSINESS",
        sku_id: "cdd28e44-67e3-425e-be4c-737fab2899d3",
        catalog_id: "CFQ7TTC0LH1G:0001",
        monthly_price: 8.25,
    },
    Product {
        name: "Office 365 E3",
        sku_part_number: "ENTERPRISEPACK",
        sku_id: "6fd2c87f-b296-42f0-b197-1e91e994b900",
        catalog_id: "CFQ7TTC0LF8R:0001",
        monthly_price: 23.0,
    },
    Product {
        name: "Microsoft 365 E3",
        sku_part_number: "SPE_E3",
        sku_id: "05e9a617-0261-4cee-bb44-138d3ef5d965",
        catalog_id: "CFQ7TTC0LFLX:0001",
        monthly_price: 36.0,
    },
    Product {
        name: "Microsoft 365 E5",
        sku_part_number: "SPE_E5",
        sku_id: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
        catalog_id: "CFQ7TTC0LFLZ:0002",
        monthly_price: 57.0,
    },
    Product {
        name: "Exchange Online (Plan 1)",
        sku_part_number: "EXCHANGESTANDARD",
        sku_id: "4b9405b0-7788-4568-add1-99614e613b69",
        catalog_id: "CFQ7TTC0LH16:0001",
        monthly_price: 4.0,
    },
    Product {
        name: "Exchange Online (Plan 2)",
        sku_part_number: "EXCHANGEENTERPRISE",
        sku_id: "19ec0d23-8335-4cbd-94ac-6050e30712fa",
        catalog_id: "CFQ7TTC0LH0R:0001",
        monthly_price: 8.0,
    },
    Product {
        name: "Power BI Pro",
        sku_part_number: "POWER_BI_PRO",
        sku_id: "f8a1db68-be16-40ed-86d5-cb42ce701560",
        catalog_id: "CFQ7TTC0L3PB:0001",
        monthly_price: 14.0,
    },
    Product {
        name: "Microsoft Teams Phone Standard",
        sku_part_number: "MCOEV",
        sku_id: "e43b5b99-8dfb-405f-9987-dc307f34bcbd",
        catalog_id: "CFQ7TTC0J1FV:0001",
        monthly_price: 10.0,
    },
    Product {
        name: "Visio Plan 2",
        sku_part_number: "VISIOCLIENT",
        sku_id: "c5928f49-12ba-48f7-ada3-0d743a3601d5",
        catalog_id: "CFQ7TTC0HD33:0001",
        monthly_price: 15.0,
    },
    Product {
        name: "Project Plan 3",
        sku_part_number: "PROJECTPROFESSIONAL",
        sku_id: "53818b1b-4a27-454b-8896-0dba576410e6",
        catalog_id: "CFQ7TTC0HDB0:0001",
        monthly_price: 30.0,
    },
    Product {
        name: "Microsoft Entra ID P1",
        sku_part_number: "AAD_PREMIUM",
        sku_id: "078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
        catalog_id: "CFQ7TTC0LH3P:0001",
        monthly_price: 6.0,
    },
    Product {
        name: "Microsoft Intune Plan 1",
        sku_part_number: "INTUNE_A",
        sku_id: "061f9ace-7d42-4136-88ac-31dc755f143f",
        catalog_id: "CFQ7TTC0LCH1:0001",
        monthly_price: 8.0,
    },
    Product {
        name: "Microsoft Defender for Business",
        sku_part_number: "DEFENDER_ENDPOINT_P1",
        sku_id: "16a55f2f-ff35-4cd5-9146-fb784e3761a5",
        catalog_id: "CFQ7TTC0LCHB:0001",
        monthly_price: 3.0,
    },
];

/// A subscription as Partner Center holds it.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub offer_id: String,
    pub offer_name: String,
    pub friendly_name: String,
    pub product: Product,
    pub quantity: i64,
    pub unit_type: String,
    pub term_duration: String,
    pub billing_cycle: String,
    pub creation_date: DateTime<Utc>,
    pub effective_start: DateTime<Utc>,
    pub commitment_end: DateTime<Utc>,
    pub cancellation_allowed_until: Option<DateTime<Utc>>,
    pub status: String,
    pub auto_renew: bool,
    pub nce: bool,
    pub is_trial: bool,
    pub order_id: String,
    /// The quantity scheduled for the next term (`scheduledNextTermInstructions`), if any.
    pub next_term_quantity: Option<i64>,
}

/// A customer tenant of the MSP.
#[derive(Debug, Clone)]
pub struct Customer {
    pub tenant_id: String,
    pub commerce_id: String,
    pub company_name: String,
    pub domain: String,
    pub custom_domain: String,
    pub subscriptions: Vec<Subscription>,
    /// Seats actually assigned to users, per Graph `skuId`.
    pub consumed: Vec<(String, i64)>,
    /// The MSP's app has no consent in this tenant: Graph answers 403 (a tenant onboarded
    /// before its admin consented, as every MSP has a few of).
    pub graph_access_denied: bool,
}

#[derive(Debug, Clone)]
pub struct Pax8Company {
    pub id: String,
    pub name: String,
    pub city: String,
    pub country: String,
    pub status: String,
    /// The customer's web site (its custom domain), which Pax8 keeps as `website`.
    pub website: String,
    /// The customer tenant this company is (never served: a client must work it out).
    pub tenant_id: String,
}

/// Everything the simulator serves.
#[derive(Debug, Clone)]
pub struct Msp {
    pub partner_tenant_id: String,
    pub partner_name: String,
    pub demo_users: Vec<DemoUser>,
    pub customers: Vec<Customer>,
    /// The MSP's Autotask database (companies, services, contracts, ...).
    pub autotask: crate::autotask::Database,
    pub pax8_companies: Vec<Pax8Company>,
    /// Pax8's catalogue: the Microsoft products the MSP sells and a few others.
    pub pax8_products: Vec<crate::pax8_seed::Pax8Product>,
    /// What the MSP bought through Pax8.
    pub pax8_subscriptions: Vec<crate::pax8_seed::Pax8Subscription>,
    /// Datto RMM and Huntress, as the MSP set them up.
    pub billing_tools: crate::tools_seed::BillingTools,
    /// Where each Partner Center subscription is (customer, subscription), by lower-case id:
    /// Pax8's subscriptions read their quantity through it on every request.
    subscription_index: HashMap<String, (usize, usize)>,
}

const FIRST: &[&str] = &[
    "Blue Harbor",
    "Summit Ridge",
    "Oak Valley",
    "Cedar Point",
    "Northwind",
    "Riverside",
    "Lakeshore",
    "Granite Peak",
    "Silver Creek",
    "Maple Grove",
    "Iron Bridge",
    "Golden Gate",
    "Pine Hollow",
    "Red Rock",
    "Harborview",
    "Willow Bend",
    "Stonegate",
    "Clearwater",
    "Eagle Crest",
    "Fox Run",
    "Bright Path",
    "Westfield",
    "Highland",
    "Brookside",
    "Sunrise",
    "Coastal",
    "Evergreen",
    "Meadowlark",
];
const TRADE: &[&str] = &[
    "Dental",
    "Legal",
    "Accounting",
    "Logistics",
    "Veterinary",
    "Architects",
    "Realty",
    "Engineering",
    "Medical Group",
    "Insurance",
    "Construction",
    "Consulting",
    "Bakery",
    "Motors",
    "Outfitters",
    "Family Practice",
    "Credit Union",
    "Marketing",
    "Manufacturing",
    "Foods",
];
const SUFFIX: &[&str] = &["", " LLC", " Inc.", " LLP", " Ltd", " Co.", " Group", " Partners"];
const CITIES: &[&str] = &["Dayton", "Austin", "Denver", "Portland", "Columbus", "Raleigh", "Boise", "Tampa"];

impl Msp {
    /// Generates the MSP for `seed` with `tenants` customers.
    pub fn generate(seed: u64, tenants: usize) -> Self {
        Self::generate_with(seed, tenants, None)
    }

    /// Like [`Msp::generate`]; when `first_tenant_subscriptions` is set, the first customer holds
    /// that many subscriptions (a very large tenant, for benchmarks).
    /// Sixty customers from seed 7, each given an Autotask company under its own name: what the
    /// billing tools' seeds are tested with.
    #[cfg(test)]
    pub(crate) fn for_tool_seeds() -> (Self, HashMap<String, (i64, String)>) {
        let msp = Self::generate_with(7, 60, None);
        let companies = msp
            .customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.tenant_id.clone(), (29_000_000 + i as i64, c.company_name.clone())))
            .collect();
        (msp, companies)
    }

    pub fn generate_with(seed: u64, tenants: usize, first_tenant_subscriptions: Option<usize>) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let today = Utc::now().date_naive();
        let partner_tenant_id = uuid(&mut rng);
        let domain = "northwind-msp.example";
        let demo_users = [
            ("admin", "Ada Admin", "SeatSync.Admin"),
            ("editor", "Eddie Editor", "SeatSync.Editor"),
            ("viewer", "Vera Viewer", "SeatSync.Viewer"),
            ("norole", "Nico Newhire", ""),
        ]
        .iter()
        .map(|(key, name, role)| DemoUser {
            key: key.to_string(),
            object_id: uuid(&mut rng),
            name: name.to_string(),
            email: format!("{key}@{domain}"),
            roles: if role.is_empty() { vec![] } else { vec![role.to_string()] },
        })
        .collect();

        let mut used_names = std::collections::HashSet::new();
        let mut customers = Vec::with_capacity(tenants);
        while customers.len() < tenants {
            let base = format!("{} {}", FIRST.choose(&mut rng).unwrap(), TRADE.choose(&mut rng).unwrap());
            let name = if used_names.contains(&base) { format!("{base} {}", used_names.len()) } else { base.clone() };
            if !used_names.insert(name.clone()) {
                continue;
            }
            let suffix = SUFFIX.choose(&mut rng).unwrap();
            let company_name = format!("{name}{suffix}");
            let slug: String = name.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            customers.push(generate_customer(
                &mut rng,
                today,
                company_name,
                &slug,
                if customers.is_empty() { first_tenant_subscriptions } else { None },
            ));
        }

        align_onboarding_terms(&mut customers, seed);
        seed_special_cases(&mut customers, today);
        let autotask = generate_autotask(&mut rng, seed, today, &customers);
        let mut pax8_companies = Vec::new();
        for c in &customers {
            if rng.gen_bool(0.3) {
                pax8_companies.push(Pax8Company {
                    id: uuid(&mut rng),
                    name: c.company_name.clone(),
                    city: CITIES.choose(&mut rng).unwrap().to_string(),
                    country: "US".into(),
                    status: "Active".into(),
                    website: format!("www.{}", c.custom_domain),
                    tenant_id: c.tenant_id.clone(),
                });
            }
        }
        let (pax8_products, pax8_subscriptions) = crate::pax8_seed::generate(seed, &customers, &mut pax8_companies);
        let company_of_tenant: HashMap<String, (i64, String)> = autotask
            .company_of_tenant
            .iter()
            .map(|(tenant, id)| {
                let name = autotask.get("Companies", *id).and_then(|r| r.get("companyName")).and_then(|n| n.as_str());
                (tenant.clone(), (*id, name.unwrap_or_default().to_string()))
            })
            .collect();
        let billing_tools = crate::tools_seed::generate(seed, &customers, &company_of_tenant, "Northwind MSP");

        let subscription_index = customers
            .iter()
            .enumerate()
            .flat_map(|(c, customer)| {
                customer.subscriptions.iter().enumerate().map(move |(i, s)| (s.id.to_ascii_lowercase(), (c, i)))
            })
            .collect();
        Msp {
            partner_tenant_id,
            partner_name: "Northwind MSP".into(),
            demo_users,
            customers,
            autotask,
            pax8_companies,
            pax8_products,
            pax8_subscriptions,
            billing_tools,
            subscription_index,
        }
    }

    pub fn customer(&self, tenant_id: &str) -> Option<&Customer> {
        self.customers.iter().find(|c| c.tenant_id.eq_ignore_ascii_case(tenant_id))
    }

    /// A Partner Center subscription by id, with its customer's tenant id.
    pub fn subscription_mut(&mut self, id: &str) -> Option<(&str, &mut Subscription)> {
        let (c, i) = *self.subscription_index.get(&id.to_ascii_lowercase())?;
        let customer = self.customers.get_mut(c)?;
        Some((customer.tenant_id.as_str(), customer.subscriptions.get_mut(i)?))
    }

    pub fn subscription(&self, id: &str) -> Option<&Subscription> {
        let (c, i) = *self.subscription_index.get(&id.to_ascii_lowercase())?;
        self.customers.get(c)?.subscriptions.get(i)
    }
}

/// A legacy offer's id identifies the product (one GUID per offer in Microsoft's catalogue), so
/// it is derived from the product rather than drawn per subscription.
fn legacy_offer_id(product: &Product) -> String {
    let sku = Uuid::parse_str(product.sku_id).map(|u| *u.as_bytes()).unwrap_or_default();
    let mut bytes = [0u8; 16];
    for (i, b) in sku.iter().enumerate() {
        bytes[i] = b ^ 0x5a;
    }
    Uuid::from_bytes(bytes).hyphenated().to_string()
}

pub(crate) fn uuid(rng: &mut ChaCha8Rng) -> String {
    Uuid::from_bytes(rng.gen()).hyphenated().to_string()
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
}

fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(d)
}

/// Customers buy several annual subscriptions on the day they are onboarded, so those share a
/// term (and are billed on one contract). Moves about 60 % of each customer's other annual
/// subscriptions onto the term of its first one. Uses its own generator so the rest of the MSP
/// stays as it was.
fn align_onboarding_terms(customers: &mut [Customer], seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0B0A_2D1E_7E2A_0002);
    for c in customers.iter_mut() {
        let Some(anchor) = c.subscriptions.iter().find(|s| s.term_duration == "P1Y").cloned() else { continue };
        for s in c.subscriptions.iter_mut().filter(|s| s.term_duration == "P1Y" && s.id != anchor.id) {
            if rng.gen_bool(0.6) {
                s.creation_date = anchor.creation_date;
                s.effective_start = anchor.effective_start;
                s.commitment_end = anchor.commitment_end;
                s.cancellation_allowed_until = s.nce.then(|| anchor.effective_start + Duration::days(7));
            }
        }
    }
}

fn generate_customer(
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
    company_name: String,
    slug: &str,
    subscriptions: Option<usize>,
) -> Customer {
    let tenant_id = uuid(rng);
    let drawn = rng.gen_range(8..=32);
    let count = subscriptions.unwrap_or(drawn);
    let mut subscriptions = Vec::with_capacity(count);
    for _ in 0..count {
        let product = *CATALOGUE.choose(rng).unwrap();
        let (term, cycle, months) = match rng.gen_range(0..10) {
            0..=3 => ("P1M", "monthly", 1),
            4..=7 => ("P1Y", if rng.gen_bool(0.7) { "monthly" } else { "annual" }, 12),
            8 => ("P1Y", "annual", 12),
            _ => ("P3Y", "triennial", 36),
        };
        // The subscription was bought some time ago on an anniversary day; its current term is
        // the latest one that has started.
        let first_start = today - Duration::days(rng.gen_range(3..900));
        let mut start = first_start;
        while add_months(start, months) <= today {
            start = add_months(start, months);
        }
        let end = add_months(start, months) - Duration::days(1);
        let nce = rng.gen_bool(0.9);
        let is_trial = nce && rng.gen_bool(0.03);
        let status = match rng.gen_range(0..40) {
            0 => "suspended",
            1 => "expired",
            _ => "active",
        };
        let quantity = if is_trial { 25 } else { rng.gen_range(1..=60) };
        let availability: String =
            (0..12).map(|_| *b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789".choose(rng).unwrap() as char).collect();
        let offer_id = if nce { format!("{}:{}", product.catalog_id, availability) } else { legacy_offer_id(&product) };
        subscriptions.push(Subscription {
            id: uuid(rng),
            offer_id,
            offer_name: product.name.to_string(),
            friendly_name: if rng.gen_bool(0.1) {
                format!("{} - {}", product.name, ["Sales", "Office", "Warehouse"].choose(rng).unwrap())
            } else {
                product.name.to_string()
            },
            product,
            quantity,
            unit_type: "Licenses".into(),
            term_duration: term.into(),
            billing_cycle: cycle.into(),
            creation_date: midnight(first_start) + Duration::seconds(rng.gen_range(0..86_000)),
            effective_start: midnight(start),
            commitment_end: midnight(end),
            cancellation_allowed_until: nce.then(|| midnight(start) + Duration::days(7)),
            status: status.into(),
            auto_renew: rng.gen_bool(0.85),
            nce,
            is_trial,
            order_id: format!("{:012x}", rng.gen::<u64>() & 0xffff_ffff_ffff),
            next_term_quantity: None,
        });
    }
    // Seats in use per SKU: usually most of what was bought, sometimes all, sometimes far less.
    let mut consumed: Vec<(String, i64)> = Vec::new();
    for s in subscriptions.iter().filter(|s| s.status == "active") {
        match consumed.iter_mut().find(|(sku, _)| sku == s.product.sku_id) {
            Some((_, q)) => *q += s.quantity,
            None => consumed.push((s.product.sku_id.to_string(), s.quantity)),
        }
    }
    for (_, q) in consumed.iter_mut() {
        let used_share = match rng.gen_range(0..10) {
            0..=3 => 1.0,
            4..=7 => rng.gen_range(0.75..1.0),
            _ => rng.gen_range(0.2..0.75),
        };
        *q = ((*q as f64) * used_share).floor() as i64;
    }
    Customer {
        tenant_id,
        commerce_id: uuid(rng),
        domain: format!("{slug}.onmicrosoft.com"),
        custom_domain: format!("{slug}.example"),
        company_name,
        subscriptions,
        consumed,
        graph_access_denied: false,
    }
}

/// Every this many customers, one lacks Graph consent and one has units in their grace period.
const SPECIAL_CASE_EVERY: usize = 40;

/// Cases every MSP meets and that a client must get right, at fixed positions so tests and the
/// demo find them (no random draws, so the rest of the MSP stays as it was):
/// - the 4th customer of every 40 has an expired subscription in its grace period: one product
///   with 6 seats enabled, 2 in warning (expired 10 days ago) and 5 assigned, and another with
///   4 enabled, 3 in warning and 6 assigned (2 users lose the licence when the grace ends);
/// - the 30th of every 40 has not consented to the MSP's app: Graph answers 403 there while
///   Partner Center lists its subscriptions.
fn seed_special_cases(customers: &mut [Customer], today: NaiveDate) {
    for (i, c) in customers.iter_mut().enumerate() {
        match i % SPECIAL_CASE_EVERY {
            3 => add_grace_period_units(c, today),
            29 => c.graph_access_denied = true,
            _ => {}
        }
    }
}

fn add_grace_period_units(c: &mut Customer, today: NaiveDate) {
    // Products held through exactly one subscription, an active one: its seats are the enabled units.
    let mut products: Vec<Product> = Vec::new();
    for s in c.subscriptions.iter().filter(|s| s.status == "active" && !s.is_trial) {
        let held_by = c.subscriptions.iter().filter(|o| o.product.sku_id == s.product.sku_id).count();
        if held_by == 1 {
            products.push(s.product);
        }
    }
    for (product, (enabled, warning, assigned)) in products.into_iter().zip([(6, 2, 5), (4, 3, 6)]) {
        if let Some(s) = c.subscriptions.iter_mut().find(|s| s.product.sku_id == product.sku_id && s.status == "active")
        {
            s.quantity = enabled;
        }
        let template = c
            .subscriptions
            .iter()
            .find(|s| s.product.sku_id == product.sku_id)
            .cloned()
            .expect("the product has a subscription");
        let ended = today - Duration::days(10);
        let id_seed = Uuid::parse_str(&template.id).map(|u| u.as_u128()).unwrap_or_default() ^ 0x67_7261_6365;
        c.subscriptions.push(Subscription {
            id: Uuid::from_u128(id_seed).hyphenated().to_string(),
            quantity: warning,
            term_duration: "P1M".into(),
            billing_cycle: "monthly".into(),
            effective_start: midnight(ended - Duration::days(30)),
            commitment_end: midnight(ended),
            cancellation_allowed_until: None,
            status: "expired".into(),
            auto_renew: false,
            ..template
        });
        match c.consumed.iter_mut().find(|(sku, _)| sku == product.sku_id) {
            Some((_, q)) => *q = assigned,
            None => c.consumed.push((product.sku_id.to_string(), assigned)),
        }
    }
}

fn record(v: serde_json::Value) -> crate::autotask::Record {
    match v {
        serde_json::Value::Object(map) => map,
        _ => Default::default(),
    }
}

/// The MSP's Autotask database: its own company, the customers' companies (named as an account
/// manager typed them), prospects and vendors, a service per common product, and recurring
/// service contracts for about a third of the customers plus a few expired ones.
fn generate_autotask(rng: &mut ChaCha8Rng, seed: u64, today: NaiveDate, customers: &[Customer]) -> Database {
    let companies = schema::entity("Companies").expect("companies are in the schema");
    let services = schema::entity("Services").expect("services are in the schema");
    let contracts = schema::entity("Contracts").expect("contracts are in the schema");
    let stamp = crate::autotask::time::format_date(today - Duration::days(400));
    let mut db = Database::new(29_682_800);
    db.insert_with_id("Companies", 0, record(json!({
        "companyName": "Northwind MSP", "companyNumber": "0", "companyType": companies.pick_value("companyType", "Our Company"),
        "isActive": true, "ownerResourceID": API_RESOURCE_ID, "parentCompanyID": null, "phone": "+1 555 0100",
        "webAddress": "https://northwind-msp.example", "city": "Dayton", "countryID": 237, "createDate": stamp, "lastActivityDate": stamp,
    })));
    let company = |name: String, id_hint: i64, company_type: i64, active: bool, web: Option<String>| {
        record(json!({
            "companyName": name, "companyNumber": format!("C{:05}", id_hint % 100_000), "companyType": company_type,
            "isActive": active, "ownerResourceID": API_RESOURCE_ID, "parentCompanyID": null, "phone": null,
            "webAddress": web, "city": null, "countryID": 237, "createDate": stamp, "lastActivityDate": stamp,
        }))
    };
    let customer_type = companies.pick_value("companyType", "Customer");
    for c in customers {
        // Most customers exist in the PSA, named as the account manager typed them.
        if rng.gen_bool(0.88) {
            let base = c.company_name.trim_end_matches('.').to_string();
            let company_name = match rng.gen_range(0..6) {
                0 => base.to_uppercase(),
                1 => base.replace(" LLC", "").replace(" Inc", "").replace(" Ltd", ""),
                2 => format!("{base}, Inc."),
                _ => c.company_name.clone(),
            };
            let id = db.insert(
                "Companies",
                company(
                    company_name,
                    db.next_id(),
                    customer_type,
                    true,
                    Some(format!("https://www.{}", c.custom_domain)),
                ),
            );
            db.company_of_tenant.insert(c.tenant_id.clone(), id);
        }
    }
    // Prospects, vendors and former customers share the company list.
    let other_types = ["Lead", "Prospect", "Dead"].map(|l| companies.pick_value("companyType", l));
    for i in 0..(customers.len() / 5).max(3) {
        let name = format!("{} {}", FIRST.choose(rng).unwrap(), ["Holdings", "Supply", "Prospect", "Ventures"][i % 4]);
        db.insert("Companies", company(name, db.next_id(), other_types[i % 3], i % 7 != 0, None));
    }
    let billing_codes = schema::entity("BillingCodes").expect("the BillingCodes entity");
    let mut recurring_code = None;
    for (name, use_type, active) in [
        ("Remote Support", "Work Type", true),
        ("Onsite Support", "Work Type", true),
        ("Hardware", "Material", true),
        ("Microsoft 365 Licensing", "Recurring Contract Service", true),
        ("Managed Services", "Recurring Contract Service", true),
        ("Legacy Licensing", "Recurring Contract Service", false),
        ("Travel", "Expense Category", true),
    ] {
        let id = db.insert("BillingCodes", record(json!({
            "name": name, "description": format!("{name} allocation code"), "externalNumber": null, "isActive": active,
            "billingCodeType": 0, "useType": billing_codes.pick_value("useType", use_type),
            "unitPrice": null, "unitCost": null, "taxCategoryID": null,
        })));
        if recurring_code.is_none() && use_type == "Recurring Contract Service" {
            recurring_code = Some(id);
        }
    }
    let monthly = services.pick_value("periodType", "Monthly");
    let yearly = services.pick_value("periodType", "Yearly");
    // The services the MSP set up first, years ago: annual terms billed monthly for the common
    // products. The seeded contracts bill through these.
    let mut service_of_product = HashMap::new();
    for p in CATALOGUE.iter().take(6) {
        let id = db.insert("Services", record(json!({
            "name": format!("{} (P1Y, billed monthly)", p.name),
            "description": format!("{} - annual commitment, monthly billing", p.name),
            "invoiceDescription": format!("{} licences", p.name),
            "unitPrice": (p.monthly_price * 1.2 * 100.0).round() / 100.0,
            "unitCost": p.monthly_price,
            "periodType": monthly,
            "isActive": true,
            "billingCodeID": recurring_code, "vendorCompanyID": null, "markupRate": null, "serviceLevelAgreementID": null,
            "lastModifiedDate": stamp,
        })));
        service_of_product.insert(p.sku_id, id);
    }
    // Services added later, named in the account team's own style, for the other terms and
    // billing cycles of most products; the last few products were never set up in the PSA.
    for p in CATALOGUE {
        for (term, cycle) in OFFER_TERMS {
            let Some(name) = later_service_name(p, term, cycle) else { continue };
            let (period, unit_cost) = later_service_cost(p, term, cycle);
            db.insert("Services", record(json!({
                "name": name,
                "description": format!("{} licences", p.name),
                "invoiceDescription": format!("{} licences", p.name),
                "unitPrice": (unit_cost * 1.25 * 100.0).round() / 100.0,
                "unitCost": unit_cost,
                "periodType": if period == 12 { yearly } else { monthly },
                "isActive": true,
                "billingCodeID": recurring_code, "vendorCompanyID": null, "markupRate": null, "serviceLevelAgreementID": null,
                "lastModifiedDate": stamp,
            })));
        }
    }
    seed_contracts(&mut db, seed, today, customers, &service_of_product, contracts);
    seed_resources(&mut db);
    db
}

/// The MSP's staff as Autotask resources (who can own a company), its API user, and a leaver.
/// Fixed ids, stored last, so adding them moves no other record's id.
fn seed_resources(db: &mut Database) {
    let staff = [
        (API_RESOURCE_ID, "SeatSync", "Integration", "seatsync-api@northwind-msp.example", "API User", true),
        (29_682_871, "Dana", "Whitfield", "dana.whitfield@northwind-msp.example", "Account Manager", true),
        (29_682_872, "Ravi", "Patel", "ravi.patel@northwind-msp.example", "Service Manager", true),
        (29_682_873, "Grace", "O'Neil", "grace.oneil@northwind-msp.example", "Technician", true),
        (29_682_874, "Tom", "Becker", "tom.becker@northwind-msp.example", "Account Manager", false),
    ];
    for (id, first, last, email, title, active) in staff {
        let user = email.split('@').next().unwrap_or_default();
        db.insert_with_id("Resources", id, record(json!({
            "firstName": first, "lastName": last, "email": email, "userName": user, "title": title, "isActive": active,
        })));
    }
}

/// The (term, billing cycle) pairs the generator sells subscriptions on.
const OFFER_TERMS: [(&str, &str); 4] =
    [("P1M", "monthly"), ("P1Y", "monthly"), ("P1Y", "annual"), ("P3Y", "triennial")];

/// Products at the end of the catalogue that have no service in the PSA at all.
const PRODUCTS_WITHOUT_SERVICES: usize = 3;

/// The name of a service the account team added for a product's term and billing cycle; `None`
/// where there is none: the first services cover annual terms billed monthly of the six common
/// products, and the last few products have none.
fn later_service_name(p: &Product, term: &str, cycle: &str) -> Option<String> {
    let index = CATALOGUE.iter().position(|c| c.sku_id == p.sku_id)?;
    if index >= CATALOGUE.len() - PRODUCTS_WITHOUT_SERVICES || (index < 6 && (term, cycle) == ("P1Y", "monthly")) {
        return None;
    }
    Some(match (term, cycle) {
        ("P1M", _) => format!("{} - month to month", p.name),
        ("P1Y", "monthly") => format!("{} - annual, paid monthly", p.name),
        ("P1Y", _) => format!("{} - annual, paid yearly", p.name),
        _ => format!("{} - 3 year commitment", p.name),
    })
}

/// Months one charge covers and what the MSP pays for it: month-to-month seats cost a fifth
/// more than annual ones (Microsoft's premium on monthly terms); upfront terms are charged yearly.
fn later_service_cost(p: &Product, term: &str, cycle: &str) -> (u32, f64) {
    let round = |v: f64| (v * 100.0).round() / 100.0;
    match (term, cycle) {
        ("P1M", _) => (1, round(p.monthly_price * 1.2)),
        (_, "monthly") => (1, p.monthly_price),
        _ => (12, round(p.monthly_price * 12.0)),
    }
}

/// Recurring service contracts: one for about a third of the customers with a company, over
/// their largest group of annual subscriptions sharing a term; a few expired ones for others.
/// Uses its own generator so the rest of the MSP stays as it was before contracts existed.
fn seed_contracts(
    db: &mut Database,
    seed: u64,
    today: NaiveDate,
    customers: &[Customer],
    service_of_product: &HashMap<&str, i64>,
    contracts: &schema::Entity,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x00A7_7A5C_C0A7_0001);
    let recurring = contracts.pick_value("contractType", "Recurring Service");
    let monthly = contracts.pick_value("contractPeriodType", "Monthly");
    let (active, inactive) = (contracts.pick_value("status", "Active"), contracts.pick_value("status", "Inactive"));
    let billing = contracts.pick_value("billingPreference", "Immediately");
    let category = contracts.pick_value("contractCategory", "Microsoft 365");
    for c in customers {
        let Some(company_id) = db.company_of_tenant.get(&c.tenant_id).copied() else { continue };
        let company_name =
            db.get("Companies", company_id).and_then(|r| r["companyName"].as_str()).unwrap_or_default().to_string();
        // Annual subscriptions with a service, grouped by term.
        type Term = (DateTime<Utc>, DateTime<Utc>);
        let mut groups: Vec<(Term, Vec<&Subscription>)> = Vec::new();
        for s in c.subscriptions.iter().filter(|s| {
            s.status == "active" && s.term_duration == "P1Y" && service_of_product.contains_key(s.product.sku_id)
        }) {
            let term = (s.effective_start, s.commitment_end);
            match groups.iter_mut().find(|(t, _)| *t == term) {
                Some((_, subs)) => subs.push(s),
                None => groups.push((term, vec![s])),
            }
        }
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let roll: f64 = rng.gen();
        let Some(((start, end), subs)) = groups.first() else { continue };
        let (start, end, status) = if roll < 1.0 / 3.0 {
            (start.date_naive(), end.date_naive(), active)
        } else if roll < 0.42 {
            // Last year's term, ended before today, on the same month and day.
            let end = start.date_naive() - Duration::days(1);
            let start = start.date_naive().checked_sub_months(Months::new(12)).unwrap_or(end);
            (start, end, if rng.gen_bool(0.5) { active } else { inactive })
        } else {
            continue;
        };
        debug_assert!(status == inactive || end >= today || start < today);
        let contract_id = db.insert(
            "Contracts",
            record(json!({
                "companyID": company_id,
                "contractName": format!("{company_name} - Microsoft annual term from {}", start.format("%Y-%m-%d")),
                "contractNumber": format!("M365-{}-{}", company_id % 100_000, start.format("%Y%m%d")),
                "contractType": recurring,
                "contractCategory": category,
                "status": status,
                "startDate": crate::autotask::time::format_date(start),
                "endDate": crate::autotask::time::format_date(end),
                "contractPeriodType": monthly,
                "billingPreference": billing,
                "description": "Microsoft 365 licences, annual commitment billed monthly",
                "isDefaultContract": false,
                "setupFee": null,
                "estimatedRevenue": null,
                "timeReportingRequiresStartAndStopTimes": 0,
                "lastModifiedDateTime": crate::autotask::time::format_date(start),
            })),
        );
        let mut units: Vec<(i64, i64)> = Vec::new();
        for s in subs {
            let service = service_of_product[s.product.sku_id];
            match units.iter_mut().find(|(id, _)| *id == service) {
                Some((_, q)) => *q += s.quantity,
                None => units.push((service, s.quantity)),
            }
        }
        for (service, quantity) in units {
            // About 30% disagree with Partner Center by a few seats, as real contracts drift.
            let quantity = if rng.gen_bool(0.3) {
                let delta = rng.gen_range(1..=3);
                if rng.gen_bool(0.5) && quantity > delta {
                    quantity - delta
                } else {
                    quantity + delta
                }
            } else {
                quantity
            };
            db.seed_contract_service(contract_id, service, quantity);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_msp() {
        let a = Msp::generate(7, 12);
        let b = Msp::generate(7, 12);
        assert_eq!(a.partner_tenant_id, b.partner_tenant_id);
        let names = |m: &Msp| m.customers.iter().map(|c| c.company_name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b));
        assert_ne!(names(&a), names(&Msp::generate(8, 12)));
    }

    #[test]
    fn scales_and_stays_plausible() {
        let msp = Msp::generate(1, 200);
        assert_eq!(msp.customers.len(), 200);
        let subs: usize = msp.customers.iter().map(|c| c.subscriptions.len()).sum();
        assert!((3000..=5000).contains(&subs), "about 20 subscriptions a tenant, got {subs}");
        let today = midnight(Utc::now().date_naive());
        for s in msp.customers.iter().flat_map(|c| &c.subscriptions) {
            // Expired subscriptions in their grace period are the one exception to "current".
            let in_grace = s.status == "expired" && s.commitment_end < today;
            assert!(s.effective_start <= today && (in_grace || s.commitment_end >= today - Duration::days(1)), "{s:?}");
            assert!(s.quantity > 0);
        }
        let domains: std::collections::HashSet<_> = msp.customers.iter().map(|c| &c.domain).collect();
        assert_eq!(domains.len(), 200, "primary domains are unique");
        // The cases every MSP meets, at their places.
        assert_eq!(
            msp.customers.iter().filter(|c| c.graph_access_denied).count(),
            5,
            "one in forty without Graph consent"
        );
        let grace: Vec<&Subscription> = msp.customers[3]
            .subscriptions
            .iter()
            .filter(|s| s.status == "expired" && s.commitment_end < today)
            .collect();
        assert_eq!(grace.iter().map(|s| s.quantity).collect::<Vec<_>>(), vec![2, 3], "units in their grace period");
    }

    #[test]
    fn most_offers_sold_have_a_priced_service_and_a_few_have_none() {
        let msp = Msp::generate(20261202, 60);
        let names: std::collections::HashMap<String, serde_json::Value> =
            msp.autotask.all("Services").map(|s| (s["name"].as_str().unwrap().to_string(), s.clone().into())).collect();
        let mut offers = std::collections::HashSet::new();
        for s in msp.customers.iter().flat_map(|c| &c.subscriptions) {
            offers.insert((s.product.name, s.term_duration.clone(), s.billing_cycle.clone()));
        }
        let priced = offers
            .iter()
            .filter(|(product, term, cycle)| {
                let p = CATALOGUE.iter().find(|p| p.name == *product).unwrap();
                let name =
                    later_service_name(p, term, cycle).unwrap_or_else(|| format!("{product} (P1Y, billed monthly)"));
                names.get(&name).is_some_and(|s| s["unitCost"].as_f64().is_some_and(|c| c > 0.0))
            })
            .count();
        assert!(priced * 10 >= offers.len() * 7, "{priced} of {} offers have a priced service", offers.len());
        assert!(priced < offers.len(), "some offers have no service, so 'no price' shows");
        let yearly = schema::entity("Services").unwrap().pick_value("periodType", "Yearly");
        let upfront = names.values().find(|s| s["name"].as_str().unwrap().ends_with("annual, paid yearly")).unwrap();
        assert_eq!(upfront["periodType"], yearly);
    }

    #[test]
    fn autotask_holds_contracts_named_after_their_terms() {
        let msp = Msp::generate(20261123, 120);
        let db = &msp.autotask;
        let with_company = msp.customers.iter().filter(|c| db.company_of_tenant.contains_key(&c.tenant_id)).count();
        let today = Utc::now().date_naive();
        let contracts: Vec<_> = db.all("Contracts").collect();
        let current =
            contracts.iter().filter(|c| db.contract_term(c["id"].as_i64().unwrap()).unwrap().1 >= today).count();
        let expired = contracts.len() - current;
        assert!((with_company / 5..=with_company / 2).contains(&current), "about a third of {with_company}: {current}");
        assert!(expired >= 2, "a few expired contracts: {expired}");
        let monthly = schema::entity("Services").unwrap().pick_value("periodType", "Monthly");
        let contract_services: Vec<_> = db
            .all("ContractServices")
            .map(|cs| db.get("Services", cs["serviceID"].as_i64().unwrap()).unwrap())
            .collect();
        assert!(!contract_services.is_empty());
        assert!(contract_services
            .iter()
            .all(|s| s["periodType"] == monthly && s["name"].as_str().unwrap().ends_with("(P1Y, billed monthly)")));
        let mut mismatched = 0;
        let mut services = 0;
        for c in &contracts {
            let id = c["id"].as_i64().unwrap();
            let (start, end) = db.contract_term(id).unwrap();
            let company = db.get("Companies", c["companyID"].as_i64().unwrap()).unwrap();
            assert_eq!(
                c["contractName"],
                format!(
                    "{} - Microsoft annual term from {}",
                    company["companyName"].as_str().unwrap(),
                    start.format("%Y-%m-%d")
                )
            );
            assert_eq!(c["contractType"], 7);
            assert_eq!(c["contractPeriodType"], 2);
            assert_eq!(add_months(start, 12) - Duration::days(1), end);
            let tenant =
                db.company_of_tenant.iter().find(|(_, cid)| **cid == company["id"].as_i64().unwrap()).unwrap().0;
            let customer = msp.customer(tenant).unwrap();
            for cs in db.all("ContractServices").filter(|cs| cs["contractID"] == id) {
                services += 1;
                let units = db.all("ContractServiceUnits").find(|u| u["contractServiceID"] == cs["id"]).unwrap();
                assert_eq!(units["startDate"], c["startDate"]);
                if end < today {
                    continue;
                }
                let service = db.get("Services", cs["serviceID"].as_i64().unwrap()).unwrap();
                let bought: i64 = customer
                    .subscriptions
                    .iter()
                    .filter(|s| {
                        s.status == "active"
                            && s.term_duration == "P1Y"
                            && s.effective_start.date_naive() == start
                            && service["name"].as_str().unwrap().starts_with(s.product.name)
                    })
                    .map(|s| s.quantity)
                    .sum();
                assert!(bought > 0);
                let diff = (units["units"].as_i64().unwrap() - bought).abs();
                assert!(diff <= 3, "{diff}");
                mismatched += (diff > 0) as usize;
            }
        }
        assert!(services > 0 && mismatched > 0 && mismatched < services, "{mismatched} of {services} differ");
        let again = Msp::generate(20261123, 120);
        assert_eq!(again.autotask.count("ContractServiceUnits"), db.count("ContractServiceUnits"));
    }
}
