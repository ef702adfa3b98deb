//! A deterministic, realistic MSP: the same seed always gives the same customers, subscriptions,
//! licences, PSA companies and distributor records.
//!
//! Dates are laid out around the day the simulator starts, so that terms renew in the future and
//! some cancellation windows are open "now", whatever day the demo runs.

use chrono::{DateTime, Duration, Months, NaiveDate, TimeZone, Utc};
use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

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
    Product { name: "Microsoft 365 Business Basic", sku_part_number: "O365_BUSINESS_ESSENTIALS", sku_id: "3b555118-da6a-4418-894f-7df1e2096870", catalog_id: "CFQ7TTC0LH18:0001", monthly_price: 6.0 },
    Product { name: "Microsoft 365 Business Standard", sku_part_number: "O365_BUSINESS_PREMIUM", sku_id: "f245ecc8-75af-4f8e-b61f-27d8114de5f3", catalog_id: "CFQ7TTC0LDPB:0001", monthly_price: 12.5 },
    Product { name: "Microsoft 365 Business Premium", sku_part_number: "SPB", sku_id: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", catalog_id: "CFQ7TTC0LCHC:0002", monthly_price: 22.0 },
    Product { name: "Microsoft 365 Apps for business", sku_part_number: "O365_BUSINESS", sku_id: "cdd28e44-67e3-425e-be4c-737fab2899d3", catalog_id: "CFQ7TTC0LH1G:0001", monthly_price: 8.25 },
    Product { name: "Office 365 E3", sku_part_number: "ENTERPRISEPACK", sku_id: "6fd2c87f-b296-42f0-b197-1e91e994b900", catalog_id: "CFQ7TTC0LF8R:0001", monthly_price: 23.0 },
    Product { name: "Microsoft 365 E3", sku_part_number: "SPE_E3", sku_id: "05e9a617-0261-4cee-bb44-138d3ef5d965", catalog_id: "CFQ7TTC0LFLX:0001", monthly_price: 36.0 },
    Product { name: "Microsoft 365 E5", sku_part_number: "SPE_E5", sku_id: "06ebc4ee-1bb5-47dd-8120-11324bc54e06", catalog_id: "CFQ7TTC0LFLZ:0002", monthly_price: 57.0 },
    Product { name: "Exchange Online (Plan 1)", sku_part_number: "EXCHANGESTANDARD", sku_id: "4b9405b0-7788-4568-add1-99614e613b69", catalog_id: "CFQ7TTC0LH16:0001", monthly_price: 4.0 },
    Product { name: "Exchange Online (Plan 2)", sku_part_number: "EXCHANGEENTERPRISE", sku_id: "19ec0d23-8335-4cbd-94ac-6050e30712fa", catalog_id: "CFQ7TTC0LH0R:0001", monthly_price: 8.0 },
    Product { name: "Power BI Pro", sku_part_number: "POWER_BI_PRO", sku_id: "f8a1db68-be16-40ed-86d5-cb42ce701560", catalog_id: "CFQ7TTC0L3PB:0001", monthly_price: 14.0 },
    Product { name: "Microsoft Teams Phone Standard", sku_part_number: "MCOEV", sku_id: "e43b5b99-8dfb-405f-9987-dc307f34bcbd", catalog_id: "CFQ7TTC0J1FV:0001", monthly_price: 10.0 },
    Product { name: "Visio Plan 2", sku_part_number: "VISIOCLIENT", sku_id: "c5928f49-12ba-48f7-ada3-0d743a3601d5", catalog_id: "CFQ7TTC0HD33:0001", monthly_price: 15.0 },
    Product { name: "Project Plan 3", sku_part_number: "PROJECTPROFESSIONAL", sku_id: "53818b1b-4a27-454b-8896-0dba576410e6", catalog_id: "CFQ7TTC0HDB0:0001", monthly_price: 30.0 },
    Product { name: "Microsoft Entra ID P1", sku_part_number: "AAD_PREMIUM", sku_id: "078d2b04-f1bd-4111-bbd4-b4b1b354cef4", catalog_id: "CFQ7TTC0LH3P:0001", monthly_price: 6.0 },
    Product { name: "Microsoft Intune Plan 1", sku_part_number: "INTUNE_A", sku_id: "061f9ace-7d42-4136-88ac-31dc755f143f", catalog_id: "CFQ7TTC0LCH1:0001", monthly_price: 8.0 },
    Product { name: "Microsoft Defender for Business", sku_part_number: "DEFENDER_ENDPOINT_P1", sku_id: "16a55f2f-ff35-4cd5-9146-fb784e3761a5", catalog_id: "CFQ7TTC0LCHB:0001", monthly_price: 3.0 },
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
}

#[derive(Debug, Clone)]
pub struct AutotaskCompany {
    pub id: i64,
    pub company_name: String,
    pub company_number: String,
    pub company_type: i64,
    pub is_active: bool,
    pub web_address: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AutotaskService {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub unit_price: f64,
    pub unit_cost: f64,
    pub period_type: i64,
    pub is_active: bool,
}

/// The MSP's Autotask database.
#[derive(Debug, Clone, Default)]
pub struct Autotask {
    pub companies: Vec<AutotaskCompany>,
    pub services: Vec<AutotaskService>,
    pub next_id: i64,
}

#[derive(Debug, Clone)]
pub struct Pax8Company {
    pub id: String,
    pub name: String,
    pub city: String,
    pub country: String,
    pub status: String,
}

/// Everything the simulator serves.
#[derive(Debug, Clone)]
pub struct Msp {
    pub partner_tenant_id: String,
    pub partner_name: String,
    pub demo_users: Vec<DemoUser>,
    pub customers: Vec<Customer>,
    pub autotask: Autotask,
    pub pax8_companies: Vec<Pax8Company>,
}

const FIRST: &[&str] = &[
    "Blue Harbor", "Summit Ridge", "Oak Valley", "Cedar Point", "Northwind", "Riverside", "Lakeshore",
    "Granite Peak", "Silver Creek", "Maple Grove", "Iron Bridge", "Golden Gate", "Pine Hollow",
    "Red Rock", "Harborview", "Willow Bend", "Stonegate", "Clearwater", "Eagle Crest", "Fox Run",
    "Bright Path", "Westfield", "Highland", "Brookside", "Sunrise", "Coastal", "Evergreen", "Meadowlark",
];
const TRADE: &[&str] = &[
    "Dental", "Legal", "Accounting", "Logistics", "Veterinary", "Architects", "Realty", "Engineering",
    "Medical Group", "Insurance", "Construction", "Consulting", "Bakery", "Motors", "Outfitters",
    "Family Practice", "Credit Union", "Marketing", "Manufacturing", "Foods",
];
const SUFFIX: &[&str] = &["", " LLC", " Inc.", " LLP", " Ltd", " Co.", " Group", " Partners"];
const CITIES: &[&str] = &["Dayton", "Austin", "Denver", "Portland", "Columbus", "Raleigh", "Boise", "Tampa"];

impl Msp {
    /// Generates the MSP for `seed` with `tenants` customers.
    pub fn generate(seed: u64, tenants: usize) -> Self {
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
            let name = if used_names.contains(&base) {
                format!("{base} {}", used_names.len())
            } else {
                base.clone()
            };
            if !used_names.insert(name.clone()) {
                continue;
            }
            let suffix = SUFFIX.choose(&mut rng).unwrap();
            let company_name = format!("{name}{suffix}");
            let slug: String = name.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            customers.push(generate_customer(&mut rng, today, company_name, &slug));
        }

        let autotask = generate_autotask(&mut rng, &customers);
        let mut pax8_companies = Vec::new();
        for c in &customers {
            if rng.gen_bool(0.3) {
                pax8_companies.push(Pax8Company {
                    id: uuid(&mut rng),
                    name: c.company_name.clone(),
                    city: CITIES.choose(&mut rng).unwrap().to_string(),
                    country: "US".into(),
                    status: "Active".into(),
                });
            }
        }

        Msp {
            partner_tenant_id,
            partner_name: "Northwind MSP".into(),
            demo_users,
            customers,
            autotask,
            pax8_companies,
        }
    }

    pub fn customer(&self, tenant_id: &str) -> Option<&Customer> {
        self.customers.iter().find(|c| c.tenant_id.eq_ignore_ascii_case(tenant_id))
    }
}

fn uuid(rng: &mut ChaCha8Rng) -> String {
    Uuid::from_bytes(rng.gen()).hyphenated().to_string()
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
}

fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(d)
}

fn generate_customer(rng: &mut ChaCha8Rng, today: NaiveDate, company_name: String, slug: &str) -> Customer {
    let tenant_id = uuid(rng);
    let count = rng.gen_range(8..=32);
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
        let availability: String = (0..12).map(|_| *b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789".choose(rng).unwrap() as char).collect();
        let offer_id = if nce { format!("{}:{}", product.catalog_id, availability) } else { uuid(rng) };
        subscriptions.push(Subscription {
            id: uuid(rng),
            offer_id,
            offer_name: product.name.to_string(),
            friendly_name: if rng.gen_bool(0.1) { format!("{} - {}", product.name, ["Sales", "Office", "Warehouse"].choose(rng).unwrap()) } else { product.name.to_string() },
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
    }
}

fn generate_autotask(rng: &mut ChaCha8Rng, customers: &[Customer]) -> Autotask {
    let mut next_id = 29_682_800_i64;
    let mut companies = vec![AutotaskCompany {
        id: 0,
        company_name: "Northwind MSP".into(),
        company_number: "0".into(),
        company_type: 5,
        is_active: true,
        web_address: Some("https://northwind-msp.example".into()),
    }];
    for c in customers {
        // Most customers exist in the PSA, named as the account manager typed them.
        if rng.gen_bool(0.88) {
            let base = c.company_name.trim_end_matches(|ch: char| ch == '.' ).to_string();
            let company_name = match rng.gen_range(0..6) {
                0 => base.to_uppercase(),
                1 => base.replace(" LLC", "").replace(" Inc", "").replace(" Ltd", ""),
                2 => format!("{base}, Inc."),
                _ => c.company_name.clone(),
            };
            next_id += 1;
            companies.push(AutotaskCompany {
                id: next_id,
                company_number: format!("C{:05}", next_id % 100_000),
                company_name,
                company_type: 1,
                is_active: true,
                web_address: Some(format!("https://www.{}", c.custom_domain)),
            });
        }
    }
    // Prospects, vendors and former customers share the company list.
    for i in 0..(customers.len() / 5).max(3) {
        next_id += 1;
        companies.push(AutotaskCompany {
            id: next_id,
            company_name: format!("{} {}", FIRST.choose(rng).unwrap(), ["Holdings", "Supply", "Prospect", "Ventures"][i % 4]),
            company_number: format!("C{:05}", next_id % 100_000),
            company_type: [2, 3, 4][i % 3],
            is_active: i % 7 != 0,
            web_address: None,
        });
    }
    let mut services = Vec::new();
    for p in CATALOGUE.iter().take(6) {
        next_id += 1;
        services.push(AutotaskService {
            id: next_id,
            name: format!("{} (P1Y, billed monthly)", p.name),
            description: format!("{} - annual commitment, monthly billing", p.name),
            unit_price: (p.monthly_price * 1.2 * 100.0).round() / 100.0,
            unit_cost: p.monthly_price,
            period_type: 3,
            is_active: true,
        });
    }
    Autotask { companies, services, next_id }
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
            assert!(s.effective_start <= today && s.commitment_end >= today - Duration::days(1), "{s:?}");
            assert!(s.quantity > 0);
        }
        let domains: std::collections::HashSet<_> = msp.customers.iter().map(|c| &c.domain).collect();
        assert_eq!(domains.len(), 200, "primary domains are unique");
    }
}
