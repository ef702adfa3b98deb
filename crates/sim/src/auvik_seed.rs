//! The seeded MSP's Auvik: the MSP's own multi-client tenant (its domain prefix the one the
//! dashboard's address shows), a second multi-client the MSP made to group its western clients,
//! a client tenant for about four in five customers (a few with a second one for another office),
//! and every device each client's collector discovered.
//!
//! Whoever added the clients typed the names their own way: capitals, another legal suffix
//! (Inc., Corp.), a trade shortened, the office's city or "Network" added. The domain prefix is
//! the name squeezed to letters and digits, as Auvik makes it. Records that are no customer: the
//! MSP's own network as a client, and a lab client for testing.
//!
//! Devices are of every type Auvik knows: what it bills (routers, switches, firewalls, wireless
//! controllers), now and then set to unmanaged (then not billed), and the many it monitors free
//! (access points, workstations, servers, printers, phones…). Every device was discovered between
//! January 2024 and October 2025, so any later month bills each billable device every day.
//!
//! Drawn from its own generator, so adding Auvik left the rest of the MSP as it was.

use std::collections::{HashMap, HashSet};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::NaiveDate;
use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::seed::Customer;

#[derive(Debug, Clone)]
pub struct AuvikTenant {
    /// A number of 18 digits, as a string, as Auvik writes tenant ids.
    pub id: String,
    pub domain_prefix: String,
    pub display_name: String,
    /// `multiClient` or `client`.
    pub tenant_type: &'static str,
    /// The multi-client it sits under; `None` for the MSP's own.
    pub parent_id: Option<String>,
    /// The tier its devices are billed at: `essentials`, `performance` or `notier`.
    pub client_type: &'static str,
    pub city: &'static str,
    /// The customer tenant it truly is (never served: a client must work it out).
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuvikDevice {
    /// Auvik's opaque device id.
    pub id: String,
    /// Its place in Auvik's order, which the list's cursors count by.
    pub number: u64,
    /// The id of the tenant whose collector discovered it.
    pub owner: String,
    pub name: String,
    pub device_type: &'static str,
    pub vendor_name: &'static str,
    pub make_model: &'static str,
    pub online_status: &'static str,
    /// Managed by Auvik; an unmanaged device is not billed.
    pub managed: bool,
    /// The day Auvik discovered it, from which it is billed.
    pub first_seen: NaiveDate,
    /// The day it was last seen online.
    pub last_seen: NaiveDate,
    pub ip_address: String,
    pub serial_number: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuvikData {
    /// The MSP's domain prefix (its dashboard is at `{prefix}.my.auvik.com`).
    pub main_prefix: String,
    pub tenants: Vec<AuvikTenant>,
    /// In Auvik's order (ascending `number`).
    pub devices: Vec<AuvikDevice>,
}

/// What Auvik bills, by its article "What counts as a billable device": routers, switches
/// (layer-3 and VoIP ones, and each member of a stack), firewalls (UTMs too) and wireless
/// controllers, while managed.
pub const BILLABLE_TYPES: &[&str] = &["router", "switch", "l3Switch", "voipSwitch", "firewall", "utm", "controller"];

impl AuvikDevice {
    pub fn is_billed(&self) -> bool {
        self.managed && BILLABLE_TYPES.contains(&self.device_type)
    }
}

impl AuvikData {
    pub fn tenant(&self, id: &str) -> Option<&AuvikTenant> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// The tenant and every tenant under it, at any depth.
    pub fn under(&self, id: &str) -> Vec<&AuvikTenant> {
        let mut found: Vec<&AuvikTenant> = self.tenants.iter().filter(|t| t.id == id).collect();
        let mut next = 0;
        while next < found.len() {
            let parent = found[next].id.as_str();
            let children: Vec<&AuvikTenant> =
                self.tenants.iter().filter(|t| t.parent_id.as_deref() == Some(parent)).collect();
            found.extend(children);
            next += 1;
        }
        found
    }

    /// For each tenant, its own billable device-days from `from` through `thru`, and the days on
    /// which it had any billable device.
    pub fn usage_by_tenant(&self, from: NaiveDate, thru: NaiveDate) -> HashMap<&str, (i64, i64)> {
        let mut device_days: HashMap<&str, i64> = HashMap::new();
        let mut earliest: HashMap<&str, NaiveDate> = HashMap::new();
        for d in self.devices.iter().filter(|d| d.is_billed()) {
            let start = d.first_seen.max(from);
            if start > thru {
                continue;
            }
            *device_days.entry(d.owner.as_str()).or_default() += thru.signed_duration_since(start).num_days() + 1;
            let first = earliest.entry(d.owner.as_str()).or_insert(start);
            *first = (*first).min(start);
        }
        device_days
            .into_iter()
            .map(|(owner, days)| {
                let billed_from = earliest.get(owner).copied().unwrap_or(from);
                (owner, (days, thru.signed_duration_since(billed_from).num_days() + 1))
            })
            .collect()
    }

    /// A tenant's own billable devices on any day from November 2025, when every seeded device
    /// had been discovered: what its monthly average comes to.
    pub fn billable_devices(&self, tenant: &str) -> i64 {
        self.devices.iter().filter(|d| d.owner == tenant && d.is_billed()).count() as i64
    }
}

const LEGAL: &[&str] = &[" LLC", " Inc.", " LLP", " Ltd", " Co.", " Group", " Partners", " Inc"];
const SHORTENED: &[(&str, &str)] = &[
    ("Dental", "Dntl"),
    ("Accounting", "Acctg."),
    ("Medical Group", "Medical"),
    ("Engineering", "Engr"),
    ("Construction", "Const."),
    ("Manufacturing", "Mfg."),
    ("Veterinary", "Vet"),
    ("Insurance", "Ins"),
    ("Logistics", "Logistix"),
];
const CITIES: &[&str] = &["Dayton", "Austin", "Denver", "Portland", "Columbus", "Raleigh", "Boise", "Tampa", "Spokane"];
/// Where tenant ids start; each tenant's id is above the one made before it.
const TENANT_ID_BASE: u64 = 199_700_000_000_000_000;
/// Where the numbers inside device ids start.
const DEVICE_ID_BASE: u64 = 199_800_000_000_000_000;

/// The customer's name without its legal suffix.
fn base_name(company_name: &str) -> &str {
    LEGAL.iter().find_map(|s| company_name.strip_suffix(s)).unwrap_or(company_name).trim()
}

/// The name as the MSP's network engineer typed it when adding the client.
fn display_name(rng: &mut ChaCha8Rng, company_name: &str) -> String {
    let base = base_name(company_name);
    match rng.gen_range(0..10) {
        0 => base.to_uppercase(),
        1 => format!("{base} Inc."),
        2 => format!("{base} Corp."),
        3 => SHORTENED
            .iter()
            .find(|(long, _)| base.contains(long))
            .map(|(long, short)| base.replace(long, short))
            .unwrap_or_else(|| base.to_lowercase()),
        4 => format!("{base} - {}", CITIES.choose(rng).copied().unwrap_or("HQ")),
        5 => format!("{base} Network"),
        6 => base.to_string(),
        _ => company_name.to_string(),
    }
}

/// A domain prefix: the name's letters and digits, lower case, made unique with a number.
fn domain_prefix(name: &str, taken: &mut HashSet<String>) -> String {
    let squeezed: String =
        name.chars().filter(|c| c.is_ascii_alphanumeric()).take(24).collect::<String>().to_lowercase();
    let stem = if squeezed.is_empty() { "client".to_string() } else { squeezed };
    let mut prefix = stem.clone();
    let mut n = 2;
    while !taken.insert(prefix.clone()) {
        prefix = format!("{stem}{n}");
        n += 1;
    }
    prefix
}

/// The kinds of device a client's network holds: type, vendor, model, a short name for the
/// host name, and how many a client has at most (at least `min`).
struct Kind {
    device_type: &'static str,
    vendor: &'static str,
    model: &'static str,
    short: &'static str,
    min: usize,
    max: usize,
    /// The chance a client has any at all.
    chance: f64,
}

const KINDS: &[Kind] = &[
    Kind {
        device_type: "switch",
        vendor: "Cisco",
        model: "Cisco C9200L-24P",
        short: "SW",
        min: 1,
        max: 6,
        chance: 1.0,
    },
    Kind {
        device_type: "switch",
        vendor: "Ubiquiti",
        model: "UniFi USW-24-PoE",
        short: "USW",
        min: 1,
        max: 3,
        chance: 0.3,
    },
    Kind {
        device_type: "l3Switch",
        vendor: "Cisco",
        model: "Cisco C9300-48P",
        short: "CORE",
        min: 1,
        max: 2,
        chance: 0.3,
    },
    Kind {
        device_type: "voipSwitch",
        vendor: "Aruba",
        model: "Aruba 2930F-24G-PoE+",
        short: "VSW",
        min: 1,
        max: 1,
        chance: 0.05,
    },
    Kind {
        device_type: "router",
        vendor: "Cisco",
        model: "Cisco ISR 1111-8P",
        short: "RTR",
        min: 1,
        max: 2,
        chance: 0.5,
    },
    Kind {
        device_type: "firewall",
        vendor: "Fortinet",
        model: "FortiGate 60F",
        short: "FW",
        min: 1,
        max: 2,
        chance: 0.7,
    },
    Kind { device_type: "utm", vendor: "WatchGuard", model: "Firebox T40", short: "UTM", min: 1, max: 1, chance: 0.3 },
    Kind {
        device_type: "controller",
        vendor: "Cisco",
        model: "Cisco 9800-L",
        short: "WLC",
        min: 1,
        max: 1,
        chance: 0.15,
    },
    Kind {
        device_type: "accessPoint",
        vendor: "Ubiquiti",
        model: "UniFi U6-Pro",
        short: "AP",
        min: 1,
        max: 8,
        chance: 0.8,
    },
    Kind {
        device_type: "thinAccessPoint",
        vendor: "Cisco",
        model: "Cisco C9120AXI",
        short: "TAP",
        min: 1,
        max: 6,
        chance: 0.15,
    },
    Kind {
        device_type: "stack",
        vendor: "Cisco",
        model: "Cisco C9200L Stack",
        short: "STK",
        min: 1,
        max: 1,
        chance: 0.2,
    },
    Kind { device_type: "hub", vendor: "Netgear", model: "Netgear DS108", short: "HUB", min: 1, max: 1, chance: 0.05 },
    Kind {
        device_type: "bridge",
        vendor: "Ubiquiti",
        model: "airMAX NanoBeam 5AC",
        short: "BR",
        min: 1,
        max: 2,
        chance: 0.05,
    },
    Kind {
        device_type: "modem",
        vendor: "Arris",
        model: "SURFboard SB8200",
        short: "MDM",
        min: 1,
        max: 1,
        chance: 0.3,
    },
    Kind {
        device_type: "workstation",
        vendor: "Dell",
        model: "OptiPlex 7010",
        short: "WS",
        min: 1,
        max: 14,
        chance: 0.9,
    },
    Kind { device_type: "server", vendor: "Dell", model: "PowerEdge R650", short: "SRV", min: 1, max: 4, chance: 0.6 },
    Kind { device_type: "hypervisor", vendor: "VMware", model: "ESXi 8.0", short: "ESX", min: 1, max: 2, chance: 0.25 },
    Kind {
        device_type: "virtualMachine",
        vendor: "VMware",
        model: "Virtual Machine",
        short: "VM",
        min: 1,
        max: 6,
        chance: 0.3,
    },
    Kind { device_type: "storage", vendor: "Synology", model: "DS923+", short: "NAS", min: 1, max: 1, chance: 0.3 },
    Kind {
        device_type: "printer",
        vendor: "HP",
        model: "LaserJet Pro M404dn",
        short: "PRN",
        min: 1,
        max: 3,
        chance: 0.7,
    },
    Kind { device_type: "ipPhone", vendor: "Yealink", model: "SIP-T54W", short: "PH", min: 2, max: 12, chance: 0.4 },
    Kind { device_type: "camera", vendor: "Axis", model: "P3265-LVE", short: "CAM", min: 1, max: 4, chance: 0.2 },
    Kind { device_type: "ups", vendor: "APC", model: "Smart-UPS 1500", short: "UPS", min: 1, max: 2, chance: 0.5 },
    Kind { device_type: "unknown", vendor: "", model: "", short: "DEV", min: 1, max: 3, chance: 0.4 },
];

struct Ids {
    tenants: u64,
    devices: u64,
}

impl Ids {
    /// The next tenant id: ascending, with the spread of Auvik's low digits.
    fn tenant(&mut self, rng: &mut ChaCha8Rng) -> String {
        self.tenants += 1;
        (TENANT_ID_BASE + self.tenants * 1_048_576 + rng.gen_range(0..1_000_000u64)).to_string()
    }
}

/// A day from January 2024 to October 2025.
fn discovered(rng: &mut ChaCha8Rng) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    start + chrono::Duration::days(rng.gen_range(0..669))
}

/// The devices of one client's network.
fn add_devices(rng: &mut ChaCha8Rng, ids: &mut Ids, data: &mut AuvikData, owner: &str, name: &str, scale: usize) {
    let host: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect::<String>().to_uppercase();
    let subnet = rng.gen_range(1..250u8);
    for kind in KINDS {
        if !rng.gen_bool(kind.chance) {
            continue;
        }
        let count = rng.gen_range(kind.min..=kind.max) * scale;
        for n in 1..=count {
            ids.devices += 1;
            let number = ids.devices;
            let inner = DEVICE_ID_BASE + number * 4_096 + rng.gen_range(0..4_096u64);
            let first_seen = discovered(rng);
            let online_status = match rng.gen_range(0..100) {
                0..=84 => "online",
                85..=92 => "offline",
                93..=96 => "dormant",
                _ => "unreachable",
            };
            let last_seen = if online_status == "online" {
                NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or(first_seen)
            } else {
                first_seen + chrono::Duration::days(rng.gen_range(1..400))
            };
            // Auvik manages what it can reach; now and then an engineer sets a device unmanaged.
            let managed = rng.gen_bool(if BILLABLE_TYPES.contains(&kind.device_type) { 0.93 } else { 0.7 });
            data.devices.push(AuvikDevice {
                id: URL_SAFE_NO_PAD.encode(format!("{owner},{inner}")),
                number,
                owner: owner.to_string(),
                name: format!("{host}-{}{n:02}", kind.short),
                device_type: kind.device_type,
                vendor_name: kind.vendor,
                make_model: kind.model,
                online_status,
                managed,
                first_seen,
                last_seen,
                ip_address: format!("10.{}.{subnet}.{}", rng.gen_range(0..250u8), (number % 250) + 2),
                serial_number: format!("{}{:08}", kind.short, inner % 100_000_000),
            });
        }
    }
}

/// Generates the account for `customers`. Auvik keeps no link to the PSA, so the customers'
/// Autotask companies play no part.
pub fn generate(
    seed: u64,
    customers: &[Customer],
    _company_of_tenant: &HashMap<String, (i64, String)>,
    partner_name: &str,
) -> AuvikData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xA0B1_C000_0000_0009);
    let mut ids = Ids { tenants: 0, devices: 0 };
    let mut taken: HashSet<String> = HashSet::new();
    let main_prefix = domain_prefix(partner_name, &mut taken);
    let mut data = AuvikData { main_prefix: main_prefix.clone(), ..AuvikData::default() };

    let main_id = ids.tenant(&mut rng);
    data.tenants.push(AuvikTenant {
        id: main_id.clone(),
        domain_prefix: main_prefix.clone(),
        display_name: partner_name.to_string(),
        tenant_type: "multiClient",
        parent_id: None,
        client_type: "notier",
        city: "Dayton",
        tenant_id: None,
    });
    let west_id = ids.tenant(&mut rng);
    let west_name = format!("{partner_name} - West");
    data.tenants.push(AuvikTenant {
        id: west_id.clone(),
        domain_prefix: domain_prefix(&format!("{main_prefix}west"), &mut taken),
        display_name: west_name,
        tenant_type: "multiClient",
        parent_id: Some(main_id.clone()),
        client_type: "notier",
        city: "Boise",
        tenant_id: None,
    });

    let mut add_client = |rng: &mut ChaCha8Rng,
                          data: &mut AuvikData,
                          name: String,
                          parent: &str,
                          tenant_id: Option<String>,
                          scale: usize| {
        let id = ids.tenant(rng);
        let client_type = match rng.gen_range(0..20) {
            0..=11 => "performance",
            12..=18 => "essentials",
            _ => "notier",
        };
        add_devices(rng, &mut ids, data, &id, &name, scale);
        data.tenants.push(AuvikTenant {
            domain_prefix: domain_prefix(&name, &mut taken),
            display_name: name,
            id,
            tenant_type: "client",
            parent_id: Some(parent.to_string()),
            client_type,
            city: CITIES.choose(rng).copied().unwrap_or("Dayton"),
            tenant_id,
        });
    };

    // Clients were added in no particular order.
    let mut in_auvik: Vec<&Customer> = customers.iter().filter(|_| rng.gen_bool(0.8)).collect();
    in_auvik.shuffle(&mut rng);
    for customer in in_auvik {
        let parent = if rng.gen_bool(0.25) { west_id.clone() } else { main_id.clone() };
        let name = display_name(&mut rng, &customer.company_name);
        add_client(&mut rng, &mut data, name, &parent, Some(customer.tenant_id.clone()), 1);
        if rng.gen_bool(0.05) {
            let office = format!(
                "{} - {} Office",
                base_name(&customer.company_name),
                CITIES.choose(&mut rng).copied().unwrap_or("Branch")
            );
            add_client(&mut rng, &mut data, office, &parent, Some(customer.tenant_id.clone()), 1);
        }
    }
    add_client(&mut rng, &mut data, format!("{partner_name} (Internal)"), &main_id, None, 2);
    add_client(&mut rng, &mut data, "Lab - Test Client".to_string(), &main_id, None, 1);
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Msp;

    #[test]
    fn auvik_knows_most_customers_under_other_names() {
        let msp = Msp::generate_with(7, 60, None);
        let data = &msp.billing_tools.auvik;
        let clients: Vec<&AuvikTenant> = data.tenants.iter().filter(|t| t.tenant_type == "client").collect();
        let known: HashSet<&str> = clients.iter().filter_map(|t| t.tenant_id.as_deref()).collect();
        assert!((36..=58).contains(&known.len()), "{} of 60 customers", known.len());
        let renamed = clients
            .iter()
            .filter(|t| t.tenant_id.as_ref().is_some_and(|id| msp.customer(id).unwrap().company_name != t.display_name))
            .count();
        assert!(renamed > 10, "{renamed}");
        assert_eq!(clients.iter().filter(|t| t.tenant_id.is_none()).count(), 2, "the MSP's own and the lab");

        // One account at the top, one multi-client under it holding some clients.
        let tops: Vec<&AuvikTenant> = data.tenants.iter().filter(|t| t.parent_id.is_none()).collect();
        assert_eq!(tops.len(), 1);
        assert_eq!(tops[0].domain_prefix, data.main_prefix);
        assert_eq!(tops[0].tenant_type, "multiClient");
        let west = data.tenants.iter().find(|t| t.tenant_type == "multiClient" && t.parent_id.is_some()).unwrap();
        assert!(data.under(&west.id).len() > 2, "the western group holds clients");
        assert_eq!(data.under(&tops[0].id).len(), data.tenants.len());

        // Ids: 18 digits for tenants, unique everywhere; prefixes unique.
        assert!(data.tenants.iter().all(|t| t.id.len() == 18 && t.id.chars().all(|c| c.is_ascii_digit())));
        let prefixes: HashSet<&str> = data.tenants.iter().map(|t| t.domain_prefix.as_str()).collect();
        assert_eq!(prefixes.len(), data.tenants.len());
        let device_ids: HashSet<&str> = data.devices.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(device_ids.len(), data.devices.len());
        assert!(data.devices.windows(2).all(|w| w[0].number < w[1].number), "in Auvik's order");

        // Every device belongs to a client; billable, unmanaged and free devices all occur.
        let client_ids: HashSet<&str> = clients.iter().map(|t| t.id.as_str()).collect();
        assert!(data.devices.iter().all(|d| client_ids.contains(d.owner.as_str())));
        assert!(data.devices.iter().any(|d| d.is_billed()));
        assert!(data.devices.iter().any(|d| BILLABLE_TYPES.contains(&d.device_type) && !d.managed));
        assert!(data.devices.iter().any(|d| d.device_type == "accessPoint"));

        // A month after October 2025 bills every billable device every day.
        let (from, thru) =
            (NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        let usage = data.usage_by_tenant(from, thru);
        for t in &clients {
            let (days, _) = usage.get(t.id.as_str()).copied().unwrap_or_default();
            assert_eq!(days, data.billable_devices(&t.id) * 30, "{}", t.display_name);
        }

        let again = generate(7, &msp.customers, &HashMap::new(), "Northwind MSP");
        let twice = generate(7, &msp.customers, &HashMap::new(), "Northwind MSP");
        assert_eq!(
            again.tenants.iter().map(|t| (&t.id, &t.display_name)).collect::<Vec<_>>(),
            twice.tenants.iter().map(|t| (&t.id, &t.display_name)).collect::<Vec<_>>()
        );
        assert_eq!(again.devices.len(), twice.devices.len());
    }
}
