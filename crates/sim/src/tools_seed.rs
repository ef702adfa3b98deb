//! The seeded MSP's billing tools: Datto RMM's sites and devices, Huntress's organizations.
//!
//! Each tool was set up by someone other than whoever typed the PSA's companies, so names differ
//! in the ways they do in practice: another legal suffix (Ltd, GmbH, Inc), capitals, a trade
//! abbreviated, a site named after its office. Not every customer is in every tool, some have two
//! sites, and each tool has records that are no customer (Datto's system sites, the MSP's own
//! site and organization, a test organization). About half of the Datto sites carry Datto's own
//! link to the Autotask company; some Huntress organizations carry the customer's Microsoft
//! tenant.
//!
//! Drawn from its own generator, so adding the tools left the rest of the MSP as it was.

use std::collections::HashMap;

use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::seed::{uuid, Customer};

#[derive(Debug, Clone)]
pub struct DattoSite {
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub on_demand: bool,
    /// Datto's link to the Autotask company, when its Autotask integration maps the site.
    pub autotask_company: Option<(i64, String)>,
    /// The customer tenant the site is (never served: a client must work it out).
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DattoDevice {
    pub id: i64,
    pub uid: String,
    pub site_uid: String,
    pub hostname: String,
    /// `deviceType.category`: Desktop, Laptop, Server, ESXi Host, Network Device, Printer.
    pub category: &'static str,
    /// `deviceClass`: device, printer, esxihost, rmmnetworkdevice.
    pub class: &'static str,
    pub deleted: bool,
    pub suspended: bool,
}

#[derive(Debug, Clone)]
pub struct HuntressOrganization {
    pub id: i64,
    pub name: String,
    pub key: String,
    /// Every agent installed.
    pub agents_count: i64,
    /// Agents Huntress does not bill (the list's count includes them; `actual_usages` not).
    pub unbilled_agents: i64,
    pub billable_identity_count: i64,
    pub sat_learner_count: i64,
    pub logs_sources_count: i64,
    pub identity_provider_tenant_id: Option<String>,
    pub report_recipients: Vec<String>,
    /// The customer tenant the organization is (never served).
    pub tenant_id: Option<String>,
}

impl HuntressOrganization {
    pub fn billable_agents(&self) -> i64 {
        (self.agents_count - self.unbilled_agents).max(0)
    }
}

#[derive(Debug, Clone, Default)]
pub struct BillingTools {
    pub datto_sites: Vec<DattoSite>,
    pub datto_devices: Vec<DattoDevice>,
    pub huntress: Vec<HuntressOrganization>,
    pub ninjaone: crate::ninjaone_seed::NinjaOneData,
    pub sentinelone: crate::sentinelone_seed::SentinelOneData,
    pub automate: crate::automate_seed::AutomateData,
    pub duo: crate::duo_seed::DuoData,
    pub auvik: crate::auvik_seed::AuvikData,
}

const LEGAL: &[&str] = &[" LLC", " Inc.", " LLP", " Ltd", " Co.", " Group", " Partners", " Inc"];
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("Dental", "Dent."),
    ("Accounting", "Acctg"),
    ("Medical Group", "Med. Grp"),
    ("Engineering", "Eng."),
    ("Construction", "Constr."),
    ("Consulting", "Consult."),
    ("Logistics", "Logist."),
    ("Architects", "Arch."),
    ("Insurance", "Ins."),
];

/// The customer's name without its legal suffix.
fn base_name(company_name: &str) -> &str {
    LEGAL.iter().find_map(|s| company_name.strip_suffix(s)).unwrap_or(company_name).trim()
}

/// The name as a tool's admin typed it.
fn tool_name(rng: &mut ChaCha8Rng, company_name: &str) -> String {
    let base = base_name(company_name);
    match rng.gen_range(0..8) {
        0 => base.to_uppercase(),
        1 => format!("{base} Ltd"),
        2 => format!("{base} GmbH"),
        3 => format!("{base}, Inc"),
        4 => ABBREVIATIONS
            .iter()
            .find(|(long, _)| base.contains(long))
            .map(|(long, short)| base.replace(long, short))
            .unwrap_or_else(|| base.to_string()),
        5 => format!("{base} - Main Office"),
        _ => company_name.to_string(),
    }
}

/// Generates both tools for `customers`; `company_of_tenant` is the seeded Autotask company of
/// each tenant that has one, with its name.
pub fn generate(
    seed: u64,
    customers: &[Customer],
    company_of_tenant: &HashMap<String, (i64, String)>,
    partner_name: &str,
) -> BillingTools {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xB111_0000_7001_0005);
    let mut tools = BillingTools::default();
    let mut next_site_id = 110_000i64;
    let mut next_device_id = 5_000_000i64;
    let mut add_site = |rng: &mut ChaCha8Rng, tools: &mut BillingTools, name: String, tenant: Option<&Customer>| {
        next_site_id += 1;
        let linked = tenant.and_then(|c| company_of_tenant.get(&c.tenant_id)).filter(|_| rng.gen_bool(0.5)).cloned();
        let site = DattoSite {
            id: next_site_id,
            uid: uuid(rng),
            name,
            on_demand: false,
            autotask_company: linked,
            tenant_id: tenant.map(|c| c.tenant_id.clone()),
        };
        let slug: String =
            site.name.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect::<String>().to_uppercase();
        let mut device = |rng: &mut ChaCha8Rng, category: &'static str, class: &'static str| {
            next_device_id += 1;
            DattoDevice {
                id: next_device_id,
                uid: uuid(rng),
                site_uid: site.uid.clone(),
                hostname: format!("{slug}-{:04}", next_device_id % 10_000),
                category,
                class,
                deleted: rng.gen_bool(0.03),
                suspended: rng.gen_bool(0.02),
            }
        };
        let workstations = rng.gen_range(2..40);
        for _ in 0..workstations {
            let category = if rng.gen_bool(0.55) { "Laptop" } else { "Desktop" };
            let d = device(rng, category, "device");
            tools.datto_devices.push(d);
        }
        for _ in 0..rng.gen_range(0..4) {
            let d = device(rng, "Server", "device");
            tools.datto_devices.push(d);
        }
        for _ in 0..rng.gen_range(0..5) {
            let d = device(rng, "Network Device", "rmmnetworkdevice");
            tools.datto_devices.push(d);
        }
        if rng.gen_bool(0.3) {
            let d = device(rng, "Printer", "printer");
            tools.datto_devices.push(d);
        }
        if rng.gen_bool(0.1) {
            let d = device(rng, "ESXi Host", "esxihost");
            tools.datto_devices.push(d);
        }
        tools.datto_sites.push(site);
    };
    for customer in customers {
        if rng.gen_bool(0.9) {
            let name = tool_name(&mut rng, &customer.company_name);
            add_site(&mut rng, &mut tools, name, Some(customer));
            if rng.gen_bool(0.08) {
                let name = format!("{} - Branch Office", base_name(&customer.company_name));
                add_site(&mut rng, &mut tools, name, Some(customer));
            }
        }
    }
    add_site(&mut rng, &mut tools, format!("{partner_name} (internal)"), None);
    for (name, on_demand) in [("Managed", false), ("OnDemand", true), ("Deleted Devices", false)] {
        add_site(&mut rng, &mut tools, name.to_string(), None);
        if let Some(site) = tools.datto_sites.last_mut() {
            site.on_demand = on_demand;
        }
    }

    let mut next_org_id = 40_000i64;
    let mut add_org = |rng: &mut ChaCha8Rng, tools: &mut BillingTools, name: String, tenant: Option<&Customer>| {
        next_org_id += 1;
        let key: String = name.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).take(20).collect();
        let identities = rng.gen_bool(0.4);
        tools.huntress.push(HuntressOrganization {
            id: next_org_id,
            key: format!("{key}{}", next_org_id % 100),
            name,
            agents_count: rng.gen_range(1..60),
            // From the id rather than the generator, so every other seeded value stays as it was.
            unbilled_agents: next_org_id % 3,
            billable_identity_count: if identities { rng.gen_range(5..120) } else { 0 },
            sat_learner_count: if rng.gen_bool(0.3) { rng.gen_range(5..100) } else { 0 },
            logs_sources_count: if rng.gen_bool(0.2) { rng.gen_range(1..8) } else { 0 },
            identity_provider_tenant_id: tenant.filter(|_| identities).map(|c| c.tenant_id.clone()),
            report_recipients: tenant.map(|c| vec![format!("it@{}", c.custom_domain)]).unwrap_or_default(),
            tenant_id: tenant.map(|c| c.tenant_id.clone()),
        });
    };
    let mut in_huntress: Vec<&Customer> = customers.iter().filter(|_| rng.gen_bool(0.75)).collect();
    // Huntress lists organizations by id, and they were added in no particular order.
    in_huntress.shuffle(&mut rng);
    for customer in in_huntress {
        let name = tool_name(&mut rng, &customer.company_name);
        add_org(&mut rng, &mut tools, name, Some(customer));
    }
    add_org(&mut rng, &mut tools, partner_name.to_string(), None);
    add_org(&mut rng, &mut tools, "Huntress Test Org".to_string(), None);
    // Each from its own generator, so adding one left the others as they were.
    tools.ninjaone = crate::ninjaone_seed::generate(seed, customers, company_of_tenant, partner_name);
    tools.sentinelone = crate::sentinelone_seed::generate(seed, customers, company_of_tenant, partner_name);
    tools.automate = crate::automate_seed::generate(seed, customers, company_of_tenant, partner_name);
    tools.duo = crate::duo_seed::generate(seed, customers, company_of_tenant, partner_name);
    tools.auvik = crate::auvik_seed::generate(seed, customers, company_of_tenant, partner_name);
    tools
}

#[cfg(test)]
mod tests {
    use crate::seed::Msp;

    #[test]
    fn the_tools_know_most_customers_under_other_names() {
        let msp = Msp::generate_with(7, 60, None);
        let tools = &msp.billing_tools;
        let sites = tools.datto_sites.iter().filter(|s| s.tenant_id.is_some()).count();
        assert!(sites >= 45, "{sites} sites of 60 customers");
        let renamed = tools
            .datto_sites
            .iter()
            .filter(|s| s.tenant_id.as_ref().is_some_and(|t| msp.customer(t).unwrap().company_name != s.name))
            .count();
        assert!(renamed > 10, "{renamed}");
        assert!(tools.datto_sites.iter().any(|s| s.autotask_company.is_some()));
        assert!(tools.datto_sites.iter().any(|s| s.on_demand));
        let orgs = tools.huntress.iter().filter(|o| o.tenant_id.is_some()).count();
        assert!((30..60).contains(&orgs), "{orgs}");
        assert!(tools.huntress.iter().any(|o| o.identity_provider_tenant_id.is_some()));
        assert!(tools.datto_devices.iter().any(|d| d.deleted));
    }
}
