//! The seeded MSP's SentinelOne console: the MSP's one account with a site for about four in five
//! customers, and each site's agents.
//!
//! Whoever set the console up typed the names their own way: capitals, another legal suffix
//! (Pty Ltd, Limited), a trade shortened, British spelling, the city or the tier added. A few
//! customers have a second site for another office. About half the sites carry the customer's
//! Autotask company id in `externalId` (free text, so now and then with a prefix that makes it no
//! id); the rest carry nothing. Records that are no customer: the account's default site, the
//! MSP's own site, a trial site for testing, and an expired site of a former customer.
//!
//! Drawn from its own generator, so adding SentinelOne left the rest of the MSP as it was.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::seed::{uuid, Customer};

#[derive(Debug, Clone)]
pub struct SentinelOneSite {
    /// A 64-bit number as a string, as SentinelOne writes ids.
    pub id: String,
    pub name: String,
    /// `sku` and `suite`: Core, Control or Complete.
    pub sku: &'static str,
    /// `siteType`: Paid or Trial.
    pub site_type: &'static str,
    /// `state`: active, expired or deleted.
    pub state: &'static str,
    /// What the MSP typed in `externalId`, if anything.
    pub external_id: Option<String>,
    pub total_licenses: i64,
    pub unlimited_licenses: bool,
    pub is_default: bool,
    /// Whether the site has the STAR module.
    pub star: bool,
    /// The id of the site's default group.
    pub group_id: String,
    pub created_at: String,
    /// The customer tenant the site is (never served: a client must work it out).
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SentinelOneAgent {
    pub id: String,
    pub uuid: String,
    pub site_id: String,
    pub computer_name: String,
    /// `machineType`: desktop, laptop, server, kubernetes node or unknown.
    pub machine_type: &'static str,
    /// `osType`: windows, macos or linux.
    pub os_type: &'static str,
    pub os_name: &'static str,
    pub is_active: bool,
    pub is_decommissioned: bool,
    pub is_uninstalled: bool,
    pub registered_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct SentinelOneData {
    /// The MSP's account, which holds every site.
    pub account_id: String,
    pub account_name: String,
    pub sites: Vec<SentinelOneSite>,
    pub agents: Vec<SentinelOneAgent>,
}

impl SentinelOneData {
    /// Each site's licences in use: its agents that are not decommissioned.
    pub fn licences_in_use(&self) -> HashMap<&str, i64> {
        let mut in_use: HashMap<&str, i64> = self.sites.iter().map(|s| (s.id.as_str(), 0)).collect();
        for agent in self.agents.iter().filter(|a| !a.is_decommissioned) {
            *in_use.entry(agent.site_id.as_str()).or_default() += 1;
        }
        in_use
    }
}

const LEGAL: &[&str] = &[" LLC", " Inc.", " LLP", " Ltd", " Co.", " Group", " Partners", " Inc"];
const SHORTENED: &[(&str, &str)] = &[
    ("Dental", "Dntl"),
    ("Accounting", "Acct."),
    ("Medical Group", "Medical"),
    ("Engineering", "Eng"),
    ("Construction", "Constr"),
    ("Manufacturing", "Mfg"),
    ("Veterinary", "Vet"),
    ("Family Practice", "FP"),
    ("Credit Union", "CU"),
];
const CITIES: &[&str] = &["Dayton", "Austin", "Denver", "Portland", "Columbus", "Raleigh", "Boise", "Tampa"];
/// Where SentinelOne ids start; each record's id is above the one made before it.
const ID_BASE: u64 = 1_380_000_000_000_000_000;

/// The customer's name without its legal suffix.
fn base_name(company_name: &str) -> &str {
    LEGAL.iter().find_map(|s| company_name.strip_suffix(s)).unwrap_or(company_name).trim()
}

/// The name as the console's admin typed it.
fn site_name(rng: &mut ChaCha8Rng, company_name: &str) -> String {
    let base = base_name(company_name);
    match rng.gen_range(0..10) {
        0 => base.to_uppercase(),
        1 => format!("{base} Pty Ltd"),
        2 => format!("{base} Limited"),
        3 => SHORTENED
            .iter()
            .find(|(long, _)| base.contains(long))
            .map(|(long, short)| base.replace(long, short))
            .unwrap_or_else(|| base.to_lowercase()),
        4 => format!("{base} - {}", CITIES.choose(rng).copied().unwrap_or("HQ")),
        5 => format!("{base} (S1 Complete)"),
        6 if base.contains("Harbor") || base.contains("Center") => {
            base.replace("Harbor", "Harbour").replace("Center", "Centre")
        }
        _ => company_name.to_string(),
    }
}

/// A microsecond timestamp with `Z`, as SentinelOne writes them, some time in the two years
/// before 2026.
fn timestamp(rng: &mut ChaCha8Rng) -> String {
    let seconds = 1_704_067_200 + rng.gen_range(0..2 * 365 * 86_400i64);
    let micros = rng.gen_range(0..1_000_000u32);
    let at = DateTime::<Utc>::from_timestamp(seconds, micros * 1_000).unwrap_or_default();
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

struct Ids {
    next: u64,
}

impl Ids {
    /// The next id: ascending, with SentinelOne's spread of low digits.
    fn next(&mut self, rng: &mut ChaCha8Rng) -> String {
        self.next += 1;
        (ID_BASE + self.next * 1_048_576 + rng.gen_range(0..1_000_000u64)).to_string()
    }
}

/// What a new site is.
struct SiteSpec {
    name: String,
    sku: &'static str,
    site_type: &'static str,
    state: &'static str,
    external_id: Option<String>,
    is_default: bool,
    tenant_id: Option<String>,
    /// Workstations and servers to give it.
    workstations: usize,
    servers: usize,
}

fn add_site(rng: &mut ChaCha8Rng, ids: &mut Ids, data: &mut SentinelOneData, spec: SiteSpec) {
    let unlimited = rng.gen_bool(0.15);
    let machines = spec.workstations + spec.servers;
    let site = SentinelOneSite {
        id: ids.next(rng),
        name: spec.name,
        sku: spec.sku,
        site_type: spec.site_type,
        state: spec.state,
        external_id: spec.external_id,
        total_licenses: if unlimited { 0 } else { (machines as i64 + rng.gen_range(0..10i64)).max(5) },
        unlimited_licenses: unlimited,
        is_default: spec.is_default,
        star: spec.sku == "Complete" && rng.gen_bool(0.4),
        group_id: ids.next(rng),
        created_at: timestamp(rng),
        tenant_id: spec.tenant_id,
    };
    let slug: String =
        site.name.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect::<String>().to_uppercase();
    let mut agent = |rng: &mut ChaCha8Rng, data: &mut SentinelOneData, machine_type: &'static str| {
        let (os_type, os_name) = match machine_type {
            "laptop" if rng.gen_bool(0.2) => ("macos", "macOS Sonoma"),
            "desktop" | "laptop" => ("windows", "Windows 11 Pro"),
            "server" if rng.gen_bool(0.3) => ("linux", "Ubuntu 22.04.4 LTS"),
            "server" => ("windows", "Windows Server 2022 Standard"),
            _ => ("linux", "Linux"),
        };
        // Decommissioned agents stay listed; some were uninstalled first.
        let decommissioned = rng.gen_bool(0.04);
        let agent = SentinelOneAgent {
            id: ids.next(rng),
            uuid: uuid(rng).replace('-', ""),
            site_id: site.id.clone(),
            computer_name: format!("{slug}-{:04}", data.agents.len() % 10_000),
            machine_type,
            os_type,
            os_name,
            is_active: !decommissioned && rng.gen_bool(0.85),
            is_decommissioned: decommissioned,
            is_uninstalled: decommissioned && rng.gen_bool(0.5),
            registered_at: timestamp(rng),
        };
        data.agents.push(agent);
    };
    for _ in 0..spec.workstations {
        let machine_type = if rng.gen_bool(0.5) { "laptop" } else { "desktop" };
        agent(rng, data, machine_type);
    }
    for _ in 0..spec.servers {
        agent(rng, data, "server");
    }
    // Now and then an agent SentinelOne cannot class, or a container host.
    if rng.gen_bool(0.08) {
        let machine_type = if rng.gen_bool(0.5) { "unknown" } else { "kubernetes node" };
        agent(rng, data, machine_type);
    }
    data.sites.push(site);
}

/// Generates the console for `customers`; `company_of_tenant` is the seeded Autotask company of
/// each tenant that has one, with its name.
pub fn generate(
    seed: u64,
    customers: &[Customer],
    company_of_tenant: &HashMap<String, (i64, String)>,
    partner_name: &str,
) -> SentinelOneData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5E17_0001_0000_0007);
    let mut ids = Ids { next: 0 };
    let mut data = SentinelOneData {
        account_id: ids.next(&mut rng),
        account_name: partner_name.to_string(),
        ..SentinelOneData::default()
    };

    // The account's default site, made with the account: the MSP's first test machines.
    let spec = SiteSpec {
        name: "Default site".into(),
        sku: "Complete",
        site_type: "Paid",
        state: "active",
        external_id: None,
        is_default: true,
        tenant_id: None,
        workstations: 2,
        servers: 0,
    };
    add_site(&mut rng, &mut ids, &mut data, spec);

    // Customers were added to the console in no particular order.
    let mut in_console: Vec<&Customer> = customers.iter().filter(|_| rng.gen_bool(0.8)).collect();
    in_console.shuffle(&mut rng);
    for customer in in_console {
        let sku = *["Core", "Control", "Complete", "Complete"].choose(&mut rng).unwrap_or(&"Complete");
        let company = company_of_tenant.get(&customer.tenant_id);
        let external_id = match (company, rng.gen_range(0..10)) {
            (Some((id, _)), 0..=4) => Some(id.to_string()),
            (Some((id, _)), 5..=6) => Some(format!("AT-{id}")),
            _ => None,
        };
        let spec = SiteSpec {
            name: site_name(&mut rng, &customer.company_name),
            sku,
            site_type: "Paid",
            state: "active",
            external_id: external_id.clone(),
            is_default: false,
            tenant_id: Some(customer.tenant_id.clone()),
            workstations: rng.gen_range(2..35),
            servers: rng.gen_range(0..4),
        };
        add_site(&mut rng, &mut ids, &mut data, spec);
        if rng.gen_bool(0.06) {
            let spec = SiteSpec {
                name: format!(
                    "{} - {}",
                    base_name(&customer.company_name),
                    CITIES.choose(&mut rng).unwrap_or(&"Branch")
                ),
                sku,
                site_type: "Paid",
                state: "active",
                external_id,
                is_default: false,
                tenant_id: Some(customer.tenant_id.clone()),
                workstations: rng.gen_range(1..10),
                servers: rng.gen_range(0..2),
            };
            add_site(&mut rng, &mut ids, &mut data, spec);
        }
    }

    let no_customer = [
        (format!("{partner_name} - Internal"), "Complete", "Paid", "active", 6, 2),
        ("SE Test Site".to_string(), "Complete", "Trial", "active", 1, 0),
        ("Lakeview Bakery (former)".to_string(), "Core", "Paid", "expired", 4, 0),
    ];
    for (name, sku, site_type, state, workstations, servers) in no_customer {
        let spec = SiteSpec {
            name,
            sku,
            site_type,
            state,
            external_id: None,
            is_default: false,
            tenant_id: None,
            workstations,
            servers,
        };
        add_site(&mut rng, &mut ids, &mut data, spec);
    }
    data
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::seed::Msp;

    #[test]
    fn the_console_knows_most_customers_under_other_names() {
        let msp = Msp::generate_with(7, 60, None);
        let data = &msp.billing_tools.sentinelone;
        let known: HashSet<&str> = data.sites.iter().filter_map(|s| s.tenant_id.as_deref()).collect();
        assert!((36..=58).contains(&known.len()), "{} of 60 customers", known.len());
        let renamed = data
            .sites
            .iter()
            .filter(|s| s.tenant_id.as_ref().is_some_and(|t| msp.customer(t).unwrap().company_name != s.name))
            .count();
        assert!(renamed > 10, "{renamed}");
        assert!(data.sites.iter().any(|s| s.external_id.as_deref().is_some_and(|e| e.parse::<i64>().is_ok())));
        assert!(data.sites.iter().any(|s| s.external_id.as_deref().is_some_and(|e| e.starts_with("AT-"))));
        let strangers: Vec<&SentinelOneSite> = data.sites.iter().filter(|s| s.tenant_id.is_none()).collect();
        assert_eq!(strangers.len(), 4, "default, internal, test and expired sites");
        assert_eq!(data.sites.iter().filter(|s| s.is_default).count(), 1);
        assert!(data.sites.iter().any(|s| s.state == "expired"));
        assert!(data.agents.iter().any(|a| a.is_decommissioned));
        assert!(data.agents.iter().any(|a| a.machine_type == "server"));

        // Ids are SentinelOne's long numbers, unique and ascending in the order made.
        let ids: Vec<u64> = data.sites.iter().map(|s| s.id.parse().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let every: HashSet<&str> =
            data.sites.iter().map(|s| s.id.as_str()).chain(data.agents.iter().map(|a| a.id.as_str())).collect();
        assert_eq!(every.len(), data.sites.len() + data.agents.len());

        let again = generate(7, &msp.customers, &HashMap::new(), "Northwind MSP");
        let twice = generate(7, &msp.customers, &HashMap::new(), "Northwind MSP");
        assert_eq!(
            again.sites.iter().map(|s| (&s.id, &s.name)).collect::<Vec<_>>(),
            twice.sites.iter().map(|s| (&s.id, &s.name)).collect::<Vec<_>>()
        );
        assert_eq!(again.agents.len(), twice.agents.len());
    }
}
