//! The seeded MSP's NinjaOne instance: its organizations and their devices.
//!
//! Whoever set NinjaOne up typed the organizations' names their own way: another legal suffix,
//! capitals, a trade abbreviated, the MSP's client code in front, "(HQ)" after. About four in five
//! customers are in NinjaOne, and two organizations are no customer: the MSP's own and a test
//! organization. NinjaOne has no PSA link of its own, so the MSP keeps the Autotask company's id
//! in an organization custom field for about half the customers that have one (one in twenty typed
//! as words rather than an id); another custom field sits beside it.
//!
//! Devices were enrolled over the years, so their ids interleave across organizations. Most are
//! Windows workstations; there are Macs, servers, switches and firewalls watched over the network,
//! phones and tablets, hypervisor hosts with their guests, the odd cloud monitor, and a few
//! devices still waiting for approval.
//!
//! Drawn from its own generator, so adding NinjaOne left the rest of the MSP as it was.

use std::collections::HashMap;

use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::seed::{uuid, Customer};

#[derive(Debug, Clone)]
pub struct NinjaOneOrganization {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// `AUTOMATIC` or `MANUAL`: whether new devices need approving.
    pub node_approval_mode: &'static str,
    /// The text of the MSP's PSA custom field (the Autotask company id, mostly), when set.
    pub psa_field: Option<String>,
    /// Another custom field, so a client must pick its field by name.
    pub contract_tier: Option<&'static str>,
    /// The customer tenant the organization is (never served: a client must work it out).
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NinjaOneDevice {
    pub id: i64,
    pub uid: String,
    pub organization_id: i64,
    pub location_id: i64,
    /// NinjaOne's `nodeClass`, such as `WINDOWS_WORKSTATION` or `NMS_SWITCH`.
    pub node_class: &'static str,
    /// `APPROVED` or `PENDING`.
    pub approval_status: &'static str,
    pub offline: bool,
    pub system_name: String,
    pub dns_name: String,
    /// Unix epoch seconds with a fraction, as NinjaOne writes its timestamps.
    pub created: f64,
    pub last_contact: f64,
}

#[derive(Debug, Clone, Default)]
pub struct NinjaOneData {
    /// By id, ascending.
    pub organizations: Vec<NinjaOneOrganization>,
    /// By id, ascending.
    pub devices: Vec<NinjaOneDevice>,
}

/// The test organization every instance seems to have.
pub const TEST_ORGANIZATION: &str = "Test Organization";

const LEGAL: &[&str] = &[" LLC", " Inc.", " Inc", " LLP", " Ltd", " Co.", " Group", " Partners"];
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("Dental", "Dntl"),
    ("Accounting", "Acct."),
    ("Medical Group", "Med Grp"),
    ("Engineering", "Eng"),
    ("Construction", "Const."),
    ("Consulting", "Cnslt"),
    ("Logistics", "Log."),
    ("Veterinary", "Vet"),
    ("Family Practice", "Fam. Pract."),
    ("Insurance", "Ins"),
];
const NETWORK: &[&str] = &["NMS_SWITCH", "NMS_ROUTER", "NMS_FIREWALL", "NMS_WAP", "NMS_PRINTER", "NMS_OTHER"];
const MOBILE: &[&str] = &["ANDROID", "APPLE_IOS", "APPLE_IPADOS"];
const TIERS: &[&str] = &["Gold", "Silver", "Bronze"];

/// Whose organization it is: what kind of devices it has.
#[derive(Clone, Copy)]
enum Owner {
    Msp,
    Test,
    Customer,
}

/// The customer's name without its legal suffix.
fn base_name(company_name: &str) -> &str {
    LEGAL.iter().find_map(|s| company_name.strip_suffix(s)).unwrap_or(company_name).trim()
}

/// The MSP's short code for a client: the first four letters or digits of its name.
fn client_code(name: &str) -> String {
    name.chars().filter(|c| c.is_ascii_alphanumeric()).take(4).collect::<String>().to_uppercase()
}

/// The name as NinjaOne's admin typed it.
fn organization_name(rng: &mut ChaCha8Rng, company_name: &str) -> String {
    let base = base_name(company_name);
    match rng.gen_range(0..9) {
        0 => base.to_uppercase(),
        1 => format!("{base} Ltd"),
        2 => format!("{base} Pty Ltd"),
        3 => format!("{base}, LLC"),
        4 => ABBREVIATIONS
            .iter()
            .find(|(long, _)| base.contains(long))
            .map(|(long, short)| base.replace(long, short))
            .unwrap_or_else(|| base.to_string()),
        5 => base.to_string(),
        6 => format!("{base} (HQ)"),
        7 => format!("{} - {base}", client_code(base)),
        _ => company_name.to_string(),
    }
}

/// The node classes of one organization's devices.
fn device_classes(rng: &mut ChaCha8Rng, owner: Owner) -> Vec<&'static str> {
    let (workstations, servers) = match owner {
        Owner::Msp => (rng.gen_range(5..15), rng.gen_range(1..3)),
        Owner::Test => (rng.gen_range(1..3), 0),
        Owner::Customer => (rng.gen_range(2..40), rng.gen_range(0..4)),
    };
    let mut classes = Vec::new();
    for _ in 0..workstations {
        classes.push(match rng.gen_range(0..20) {
            0..=15 => "WINDOWS_WORKSTATION",
            16..=18 => "MAC",
            _ => "LINUX_WORKSTATION",
        });
    }
    for _ in 0..servers {
        classes.push(match rng.gen_range(0..10) {
            0..=7 => "WINDOWS_SERVER",
            8 => "LINUX_SERVER",
            _ => "MAC_SERVER",
        });
    }
    if matches!(owner, Owner::Customer) {
        if rng.gen_bool(0.4) {
            for _ in 0..rng.gen_range(1..6) {
                classes.push(*NETWORK.choose(&mut *rng).unwrap_or(&"NMS_OTHER"));
            }
        }
        if rng.gen_bool(0.3) {
            for _ in 0..rng.gen_range(1..8) {
                classes.push(*MOBILE.choose(&mut *rng).unwrap_or(&"ANDROID"));
            }
        }
        if rng.gen_bool(0.12) {
            let (host, guest) = if rng.gen_bool(0.5) {
                ("VMWARE_VM_HOST", "VMWARE_VM_GUEST")
            } else {
                ("HYPERV_VMM_HOST", "HYPERV_VMM_GUEST")
            };
            for _ in 0..rng.gen_range(1..3) {
                classes.push(host);
            }
            for _ in 0..rng.gen_range(1..6) {
                classes.push(guest);
            }
        }
        if rng.gen_bool(0.05) {
            classes.push("CLOUD_MONITOR_TARGET");
        }
    }
    classes
}

/// The start of a device's host name by what it is.
fn host_prefix(node_class: &str) -> &'static str {
    match node_class {
        "WINDOWS_WORKSTATION" | "LINUX_WORKSTATION" => "WS",
        "MAC" => "MAC",
        "WINDOWS_SERVER" | "LINUX_SERVER" | "MAC_SERVER" => "SRV",
        "VMWARE_VM_HOST" | "HYPERV_VMM_HOST" => "HV",
        "VMWARE_VM_GUEST" | "HYPERV_VMM_GUEST" => "VM",
        "ANDROID" | "APPLE_IOS" | "APPLE_IPADOS" => "MOB",
        c if c.starts_with("NMS_") => "NET",
        _ => "MON",
    }
}

/// Three decimals, as NinjaOne's epoch timestamps have.
fn millis(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// Generates the instance for `customers`; `company_of_tenant` is the seeded Autotask company of
/// each tenant that has one, with its name.
pub fn generate(
    seed: u64,
    customers: &[Customer],
    company_of_tenant: &HashMap<String, (i64, String)>,
    partner_name: &str,
) -> NinjaOneData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4E1A_0001_5EED_0003);
    // In the order they were added: the MSP first, then its customers as they were onboarded,
    // the test organization somewhere among them.
    let mut present: Vec<&Customer> = customers.iter().filter(|_| rng.gen_bool(0.8)).collect();
    present.shuffle(&mut rng);
    let mut owners: Vec<(String, Owner, Option<&Customer>)> = vec![(partner_name.to_string(), Owner::Msp, None)];
    for customer in present {
        let name = organization_name(&mut rng, &customer.company_name);
        owners.push((name, Owner::Customer, Some(customer)));
    }
    let test_at = rng.gen_range(1..=owners.len());
    owners.insert(test_at, (TEST_ORGANIZATION.to_string(), Owner::Test, None));

    let mut data = NinjaOneData::default();
    // Ids leave gaps where organizations were deleted.
    let mut next_org_id = 0i64;
    let mut planned: Vec<(usize, &'static str)> = Vec::new();
    let mut linked_so_far = 0usize;
    for (index, (name, owner, customer)) in owners.iter().enumerate() {
        next_org_id += rng.gen_range(1..=3);
        let linked = customer.and_then(|c| company_of_tenant.get(&c.tenant_id)).filter(|_| rng.gen_bool(0.5));
        let psa_field = linked.map(|(id, _)| {
            linked_so_far += 1;
            // Once in twenty someone typed words where the id goes.
            if linked_so_far % 20 == 3 {
                "see Autotask".to_string()
            } else {
                id.to_string()
            }
        });
        data.organizations.push(NinjaOneOrganization {
            id: next_org_id,
            name: name.clone(),
            description: match owner {
                Owner::Msp => "Our own machines".to_string(),
                Owner::Test => "Lab devices for testing policies".to_string(),
                Owner::Customer => String::new(),
            },
            node_approval_mode: if rng.gen_bool(0.85) { "AUTOMATIC" } else { "MANUAL" },
            psa_field,
            contract_tier: TIERS.choose(&mut rng).copied().filter(|_| matches!(owner, Owner::Customer)),
            tenant_id: customer.map(|c| c.tenant_id.clone()),
        });
        for class in device_classes(&mut rng, *owner) {
            planned.push((index, class));
        }
    }

    // Enrolled over the years, so one organization's devices sit between the others'.
    planned.shuffle(&mut rng);
    let mut numbered = vec![0usize; data.organizations.len()];
    let mut next_device_id = 1_000i64;
    for (index, node_class) in planned {
        next_device_id += rng.gen_range(1..=4);
        numbered[index] += 1;
        let organization = &data.organizations[index];
        let code = client_code(&organization.name);
        let system_name = format!("{code}-{}{:02}", host_prefix(node_class), numbered[index]);
        let created = millis(1_600_000_000.0 + next_device_id as f64 * 3_600.0 + rng.gen_range(0.0..1.0));
        data.devices.push(NinjaOneDevice {
            id: next_device_id,
            uid: uuid(&mut rng),
            organization_id: organization.id,
            location_id: organization.id * 10 + rng.gen_range(1..=2),
            node_class,
            approval_status: if rng.gen_bool(0.04) { "PENDING" } else { "APPROVED" },
            offline: rng.gen_bool(0.15),
            dns_name: format!("{}.{}.local", system_name.to_lowercase(), code.to_lowercase()),
            system_name,
            created,
            last_contact: millis(1_780_000_000.0 - rng.gen_range(0.0..864_000.0)),
        });
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Msp;

    #[test]
    fn ninjaone_knows_most_customers_under_other_names() {
        let (msp, companies) = Msp::for_tool_seeds();
        let data = generate(7, &msp.customers, &companies, "Northwind MSP");
        let again = generate(7, &msp.customers, &companies, "Northwind MSP");
        assert_eq!(format!("{data:?}"), format!("{again:?}"), "the same seed gives the same instance");

        let customers = data.organizations.iter().filter(|o| o.tenant_id.is_some()).count();
        assert!((36..=60).contains(&customers), "{customers} organizations of 60 customers");
        let renamed = data
            .organizations
            .iter()
            .filter(|o| o.tenant_id.as_ref().is_some_and(|t| msp.customer(t).unwrap().company_name != o.name))
            .count();
        assert!(renamed > 10, "{renamed}");
        let others: Vec<&str> =
            data.organizations.iter().filter(|o| o.tenant_id.is_none()).map(|o| o.name.as_str()).collect();
        assert_eq!(others, vec!["Northwind MSP", TEST_ORGANIZATION]);
        assert!(data.organizations.iter().any(|o| o.psa_field.as_deref().is_some_and(|f| f.parse::<i64>().is_ok())));
        assert!(data.organizations.iter().any(|o| o.psa_field.as_deref() == Some("see Autotask")));
        assert!(data.organizations.windows(2).all(|w| w[0].id < w[1].id));
        assert!(data.organizations.windows(2).any(|w| w[1].id - w[0].id > 1), "deleted organizations leave gaps");

        assert!(data.devices.windows(2).all(|w| w[0].id < w[1].id));
        let ids: std::collections::HashSet<i64> = data.organizations.iter().map(|o| o.id).collect();
        assert!(data.devices.iter().all(|d| ids.contains(&d.organization_id)));
        assert!(data.devices.iter().any(|d| d.approval_status == "PENDING"));
        assert!(data.devices.iter().any(|d| d.node_class.starts_with("NMS_")));
        assert!(data.devices.iter().any(|d| d.node_class == "MAC"));
        let first = data.devices[0].organization_id;
        let interleaved =
            data.devices.windows(2).any(|w| w[0].organization_id == first && w[1].organization_id != first);
        assert!(interleaved, "devices of one organization are spread among the others'");
    }
}
