//! The seeded MSP's ConnectWise Automate server: its clients with their locations, agents
//! (computers) and the network devices its probes found.
//!
//! The server was set up by a technician, not by whoever typed the PSA's companies, so names
//! differ as they do in practice: capitals, another legal suffix, a trade abbreviated, an office
//! in brackets. Clients that Automate's PSA integration links carry the PSA company's id in
//! `ExternalId` and its name (the integration keeps them in step); the rest have 0 there. About
//! four customers in five are on the server, a few have a second client for a branch, and two
//! clients are no customer: the MSP's own (the first one made, as on most servers) and a test
//! client. Agents are workstations and servers, some offline for days; each customer's
//! computers are joined to a Windows domain that may or may not be its public one.
//!
//! Drawn from its own generator, so adding Automate left the rest of the MSP as it was.

use std::collections::HashMap;

use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::seed::Customer;

#[derive(Debug, Clone)]
pub struct AutomateClient {
    pub id: i64,
    pub name: String,
    /// The PSA company Automate's PSA integration links the client to; 0 when it links none.
    pub external_id: i64,
    pub city: String,
    pub zip_code: String,
    pub phone_number: String,
    /// The customer tenant the client is (never served: a client of the API must work it out).
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AutomateLocation {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct AutomateComputer {
    pub id: i64,
    pub client_id: i64,
    pub location_id: i64,
    pub computer_name: String,
    /// `Type`: `Workstation` or `Server`.
    pub computer_type: &'static str,
    pub operating_system: &'static str,
    pub online: bool,
    /// How long ago the agent last checked in, in minutes (days for the offline ones).
    pub minutes_since_contact: i64,
    /// The Windows domain it is joined to: the customer's public domain, a private one or none.
    pub domain_name: String,
    pub is_virtual_machine: bool,
    /// The computer that runs the location's network probe.
    pub is_network_probe: bool,
    pub serial_number: String,
}

#[derive(Debug, Clone)]
pub struct AutomateNetworkDevice {
    pub id: i64,
    pub client_id: i64,
    pub location_id: i64,
    pub name: String,
    /// Switch, Firewall, Router, Wireless Access Point or Printer.
    pub device_type: &'static str,
    pub manufacturer: &'static str,
    pub ip_address: String,
    pub mac_address: String,
}

#[derive(Debug, Clone, Default)]
pub struct AutomateData {
    pub clients: Vec<AutomateClient>,
    pub locations: Vec<AutomateLocation>,
    pub computers: Vec<AutomateComputer>,
    pub network_devices: Vec<AutomateNetworkDevice>,
}

const LEGAL: &[&str] = &[" LLC", " Inc.", " LLP", " Ltd", " Co.", " Group", " Partners", " Inc"];
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("Dental", "Dntl"),
    ("Accounting", "Acct."),
    ("Medical Group", "Med Grp"),
    ("Engineering", "Engr"),
    ("Construction", "Const."),
    ("Consulting", "Consult"),
    ("Family Practice", "Fam. Practice"),
    ("Veterinary", "Vet"),
    ("Manufacturing", "Mfg"),
];
const CITIES: &[(&str, &str)] = &[
    ("Dayton", "45402"),
    ("Austin", "78701"),
    ("Denver", "80202"),
    ("Portland", "97204"),
    ("Columbus", "43215"),
    ("Raleigh", "27601"),
];
const WORKSTATION_SYSTEMS: &[&str] = &[
    "Microsoft Windows 11 Pro x64",
    "Microsoft Windows 11 Pro x64",
    "Microsoft Windows 10 Pro x64",
    "Microsoft Windows 11 Enterprise x64",
    "macOS 14.5 Sonoma",
];
const SERVER_SYSTEMS: &[&str] = &[
    "Microsoft Windows Server 2022 Standard x64",
    "Microsoft Windows Server 2019 Standard x64",
    "Microsoft Windows Server 2016 Datacenter x64",
    "Ubuntu 22.04.4 LTS",
];
const NETWORK_DEVICES: &[(&str, &str)] = &[
    ("Switch", "Cisco"),
    ("Switch", "Ubiquiti"),
    ("Firewall", "Fortinet"),
    ("Firewall", "SonicWall"),
    ("Router", "Cisco"),
    ("Wireless Access Point", "Ubiquiti"),
    ("Printer", "HP"),
];

/// The customer's name without its legal suffix.
fn base_name(company_name: &str) -> &str {
    LEGAL.iter().find_map(|s| company_name.strip_suffix(s)).unwrap_or(company_name).trim()
}

/// The name as the technician typed it on the Automate server.
fn automate_name(rng: &mut ChaCha8Rng, company_name: &str, city: &str) -> String {
    let base = base_name(company_name);
    match rng.gen_range(0..8) {
        0 => base.to_uppercase(),
        1 => format!("{base}, LLC"),
        2 => format!("{base} Ltd."),
        3 => ABBREVIATIONS
            .iter()
            .find(|(long, _)| base.contains(long))
            .map(|(long, short)| base.replace(long, short))
            .unwrap_or_else(|| base.to_lowercase()),
        4 => format!("{base} ({city})"),
        _ => company_name.to_string(),
    }
}

/// Letters of a name for host names: `BLUEHA` for Blue Harbor Dental.
fn host_prefix(name: &str) -> String {
    name.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect::<String>().to_uppercase()
}

/// Numbers each record kind from its own counter, as Automate's tables do.
struct Builder<'a> {
    data: AutomateData,
    next_computer: i64,
    next_device: i64,
    company_of_tenant: &'a HashMap<String, (i64, String)>,
}

impl Builder<'_> {
    /// Adds a client with its locations, computers and network devices; `domain` is the Windows
    /// domain its computers join.
    fn add_client(
        &mut self,
        rng: &mut ChaCha8Rng,
        name: String,
        external_id: i64,
        domain: String,
        tenant: Option<&Customer>,
    ) {
        let id = self.data.clients.len() as i64 + 1;
        let (city, zip) = CITIES.choose(rng).copied().unwrap_or(("Dayton", "45402"));
        self.data.clients.push(AutomateClient {
            id,
            name: name.clone(),
            external_id,
            city: city.to_string(),
            zip_code: zip.to_string(),
            phone_number: format!("(555) {:03}-{:04}", rng.gen_range(200..999), rng.gen_range(0..10_000)),
            tenant_id: tenant.map(|c| c.tenant_id.clone()),
        });
        let offices = if rng.gen_bool(0.15) { vec!["Main Office", "Warehouse"] } else { vec!["Main Office"] };
        let prefix = host_prefix(&name);
        for office in offices {
            let location_id = self.data.locations.len() as i64 + 1;
            self.data.locations.push(AutomateLocation { id: location_id, client_id: id, name: office.to_string() });
            let first_computer = self.data.computers.len();
            let workstations = rng.gen_range(2..36);
            let servers = rng.gen_range(0..4);
            for n in 0..workstations + servers {
                self.next_computer += 1;
                let is_server = n >= workstations;
                let online = rng.gen_bool(0.88);
                let (computer_type, systems, label) = if is_server {
                    ("Server", SERVER_SYSTEMS, "SRV")
                } else {
                    ("Workstation", WORKSTATION_SYSTEMS, "WS")
                };
                self.data.computers.push(AutomateComputer {
                    id: self.next_computer,
                    client_id: id,
                    location_id,
                    computer_name: format!("{prefix}-{label}{:03}", n + 1),
                    computer_type,
                    operating_system: systems.choose(rng).copied().unwrap_or(systems[0]),
                    online,
                    minutes_since_contact: if online { rng.gen_range(0..5) } else { rng.gen_range(2..90) * 24 * 60 },
                    domain_name: domain.clone(),
                    is_virtual_machine: is_server && rng.gen_bool(0.6),
                    is_network_probe: false,
                    serial_number: format!("{:X}", rng.gen_range(0x1000_0000u64..0xFFFF_FFFF)),
                });
            }
            // Half the offices have a probe on their first computer, which found the network.
            if rng.gen_bool(0.5) {
                if let Some(probe) = self.data.computers.get_mut(first_computer) {
                    probe.is_network_probe = true;
                }
                for n in 0..rng.gen_range(1..7) {
                    self.next_device += 1;
                    let (device_type, manufacturer) =
                        NETWORK_DEVICES.choose(rng).copied().unwrap_or(NETWORK_DEVICES[0]);
                    self.data.network_devices.push(AutomateNetworkDevice {
                        id: self.next_device,
                        client_id: id,
                        location_id,
                        name: format!(
                            "{prefix}-{}{:02}",
                            device_type.split(' ').next().unwrap_or("DEV").to_uppercase(),
                            n + 1
                        ),
                        device_type,
                        manufacturer,
                        ip_address: format!("10.{}.{}.{}", id % 250, location_id % 250, n + 1),
                        mac_address: (0..6).map(|_| format!("{:02X}", rng.gen::<u8>())).collect::<Vec<_>>().join("-"),
                    });
                }
            }
        }
    }

    /// The PSA company of a customer's tenant, when there is one to link.
    fn psa_company(&self, customer: &Customer) -> Option<(i64, String)> {
        self.company_of_tenant.get(&customer.tenant_id).cloned().filter(|(_, name)| !name.trim().is_empty())
    }
}

/// Generates the Automate server for `customers`; `company_of_tenant` is the seeded Autotask
/// company of each tenant that has one, with its name.
pub fn generate(
    seed: u64,
    customers: &[Customer],
    company_of_tenant: &HashMap<String, (i64, String)>,
    partner_name: &str,
) -> AutomateData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xA070_3A7E_C3A0_0002);
    let mut builder = Builder { data: AutomateData::default(), next_computer: 0, next_device: 0, company_of_tenant };
    let own_domain = format!("{}.local", host_prefix(partner_name).to_lowercase());
    builder.add_client(&mut rng, partner_name.to_string(), 0, own_domain, None);

    let mut present: Vec<&Customer> = customers.iter().filter(|_| rng.gen_bool(0.8)).collect();
    // Clients were added over the years, in no particular order.
    present.shuffle(&mut rng);
    for customer in present {
        let base = base_name(&customer.company_name).to_string();
        let city = CITIES.choose(&mut rng).map(|(c, _)| *c).unwrap_or("Dayton");
        let linked = builder.psa_company(customer).filter(|_| rng.gen_bool(0.4));
        let (name, external_id) = match linked {
            Some((id, psa_name)) => (psa_name, id),
            None => (automate_name(&mut rng, &customer.company_name, city), 0),
        };
        let domain = match rng.gen_range(0..4) {
            0 => customer.custom_domain.clone(),
            1 => format!("corp.{}", customer.custom_domain),
            2 => format!("{}.local", host_prefix(&base).to_lowercase()),
            _ => "WORKGROUP".to_string(),
        };
        builder.add_client(&mut rng, name, external_id, domain.clone(), Some(customer));
        if rng.gen_bool(0.05) {
            builder.add_client(&mut rng, format!("{base} - Branch Office"), 0, domain, Some(customer));
        }
    }
    builder.add_client(&mut rng, "zz Test Client".to_string(), 0, "WORKGROUP".to_string(), None);
    builder.data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Msp;

    #[test]
    fn the_server_knows_most_customers_under_other_names() {
        let (msp, company_of_tenant) = Msp::for_tool_seeds();
        let data = generate(7, &msp.customers, &company_of_tenant, &msp.partner_name);
        let again = generate(7, &msp.customers, &company_of_tenant, &msp.partner_name);
        assert_eq!(format!("{data:?}"), format!("{again:?}"), "the same seed gives the same server");

        let customers = data.clients.iter().filter(|c| c.tenant_id.is_some()).count();
        assert!((40..=66).contains(&customers), "{customers} clients of 60 customers");
        let renamed = data
            .clients
            .iter()
            .filter(|c| c.tenant_id.as_ref().is_some_and(|t| msp.customer(t).unwrap().company_name != c.name))
            .count();
        assert!(renamed > 10, "{renamed}");
        assert!(data.clients.iter().any(|c| c.external_id > 0), "some clients are linked to the PSA");
        assert_eq!(data.clients.first().map(|c| c.name.as_str()), Some(msp.partner_name.as_str()));
        assert_eq!(data.clients.iter().filter(|c| c.tenant_id.is_none()).count(), 2, "the MSP's own and a test one");
        assert!(data.computers.iter().any(|c| c.computer_type == "Server"));
        assert!(data.computers.iter().any(|c| !c.online));
        assert!(!data.network_devices.is_empty());
        let ids: std::collections::HashSet<i64> = data.clients.iter().map(|c| c.id).collect();
        assert!(data.computers.iter().all(|c| ids.contains(&c.client_id)));
        assert!(data.computers.iter().any(|c| c.domain_name.ends_with(".example")), "public domains for suggestions");
    }
}
