//! The seeded MSP's Cisco Duo: the MSP's parent account (which holds the Accounts API
//! application) with a child account for about four in five customers, one for the MSP's own
//! staff and a test account.
//!
//! Whoever made the child accounts typed the names their own way: capitals or lower case, another
//! legal suffix, a trade abbreviated, "- MFA" or "(Duo)" after. Duo keeps no link to the PSA and
//! no domain, so every account is placed by name (or by a person) in SeatSync.
//!
//! Each child has its users (most accounts a few dozen, a few several hundred, the newest customer
//! none yet, enrolment still to come), a few users pending deletion, its edition (Essentials,
//! Advantage, Premier or Free, as Duo's codes `ENTERPRISE`, `PLATFORM`, `BEYOND`, `PERSONAL`), and
//! whether Duo's support has opened billing reads to it (`billing/edition` answers 403 where not).
//! A child's user list is not stored: it is made from the account's own seed whenever it is
//! served, always the same, as long as its user count.
//!
//! Drawn from its own generator, so adding Duo left the rest of the MSP as it was.

use std::collections::{HashMap, HashSet};

use rand::{seq::SliceRandom, Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::seed::Customer;

/// A child account of the MSP's parent account.
#[derive(Debug, Clone)]
pub struct DuoAccount {
    /// Twenty characters starting `DA`.
    pub account_id: String,
    pub name: String,
    /// Duo's edition code: `ENTERPRISE` (Essentials), `PLATFORM` (Advantage), `BEYOND` (Premier)
    /// or `PERSONAL` (Free).
    pub edition: &'static str,
    /// Whether Duo's support has opened billing reads (the edition) to this child.
    pub billing_access: bool,
    /// Users, as `info/summary` counts them and the user list holds them.
    pub user_count: i64,
    /// Users deleted and waiting out Duo's grace period, counted apart and not listed.
    pub user_pending_deletion_count: i64,
    pub admin_count: i64,
    pub integration_count: i64,
    pub telephony_credits_remaining: i64,
    /// The domain of its users' e-mail addresses.
    pub email_domain: String,
    /// Seeds its user list, made when served.
    pub users_seed: u64,
    /// The customer tenant the account is (never served: a client must work it out).
    pub tenant_id: Option<String>,
}

/// A user of a child account.
#[derive(Debug, Clone, PartialEq)]
pub struct DuoUser {
    /// Twenty characters starting `DU`.
    pub user_id: String,
    pub username: String,
    pub realname: String,
    pub email: String,
    /// `active`, `bypass`, `disabled` or `locked out`.
    pub status: &'static str,
    /// Unix seconds.
    pub created: i64,
    pub last_login: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct DuoData {
    /// The MSP's parent account, which lists the children.
    pub parent_account_id: String,
    pub parent_name: String,
    /// The children, in the order Duo lists them (as they were made).
    pub accounts: Vec<DuoAccount>,
}

/// The test account an MSP keeps for trying policies.
pub const TEST_ACCOUNT: &str = "Duo Test Account";
/// The edition codes, as `billing/edition` answers them.
pub const EDITIONS: &[&str] = &["ENTERPRISE", "PLATFORM", "BEYOND", "PERSONAL"];

const LEGAL: &[&str] = &[" LLC", " Inc.", " Inc", " LLP", " Ltd", " Co.", " Group", " Partners"];
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("Dental", "Dent"),
    ("Accounting", "Acctg"),
    ("Medical Group", "MG"),
    ("Engineering", "Engr"),
    ("Construction", "Constr"),
    ("Consulting", "Consult"),
    ("Logistics", "Logistic"),
    ("Veterinary", "Vet"),
    ("Insurance", "Ins."),
    ("Architects", "Arch"),
];
const FIRST_NAMES: &[&str] = &[
    "Alex", "Blake", "Casey", "Dana", "Eli", "Frances", "Gabriel", "Harper", "Imani", "Jordan", "Kai", "Logan",
    "Morgan", "Noah", "Olivia", "Priya", "Quinn", "Riley", "Sam", "Taylor", "Uma", "Victor", "Wen", "Yusuf", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Anderson", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Khan", "Lopez",
    "Murphy", "Nguyen", "Okafor", "Patel", "Reyes", "Schmidt", "Tanaka", "Walker", "Young",
];
const ID_CHARACTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Whose child account it is.
#[derive(Clone, Copy, PartialEq)]
enum Owner {
    Msp,
    Test,
    Customer,
}

/// One of Duo's ids: a two-letter kind (`DA` an account, `DU` a user) and eighteen characters.
fn duo_id(rng: &mut ChaCha8Rng, kind: &str) -> String {
    let tail: String = (0..18).map(|_| char::from(*ID_CHARACTERS.choose(&mut *rng).unwrap_or(&b'X'))).collect();
    format!("{kind}{tail}")
}

/// The customer's name without its legal suffix.
fn base_name(company_name: &str) -> &str {
    LEGAL.iter().find_map(|s| company_name.strip_suffix(s)).unwrap_or(company_name).trim()
}

/// The name as Duo's admin typed it when making the child account.
fn account_name(rng: &mut ChaCha8Rng, company_name: &str) -> String {
    let base = base_name(company_name);
    match rng.gen_range(0..8) {
        0 => base.to_uppercase(),
        1 => format!("{base} Ltd"),
        2 => format!("{base}, Inc."),
        3 => ABBREVIATIONS
            .iter()
            .find(|(long, _)| base.contains(long))
            .map(|(long, short)| base.replace(long, short))
            .unwrap_or_else(|| base.to_string()),
        4 => format!("{base} - MFA"),
        5 => format!("{base} (Duo)"),
        6 => base.to_lowercase(),
        _ => company_name.to_string(),
    }
}

/// Lower case, with anything but letters and digits a hyphen: `northwind-msp`.
fn slug(name: &str) -> String {
    let lowered: String =
        name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    lowered.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

/// A customer's users: a few dozen mostly, now and then several hundred.
fn customer_users(rng: &mut ChaCha8Rng) -> i64 {
    if rng.gen_bool(0.06) {
        rng.gen_range(150..450)
    } else {
        rng.gen_range(3..120)
    }
}

fn customer_edition(rng: &mut ChaCha8Rng) -> &'static str {
    match rng.gen_range(0..20) {
        0..=6 => "ENTERPRISE",
        7..=15 => "PLATFORM",
        16..=18 => "BEYOND",
        _ => "PERSONAL",
    }
}

impl DuoAccount {
    /// Its users, the same on every call: `user_count` of them, in the order they were enrolled.
    pub fn users(&self) -> Vec<DuoUser> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.users_seed);
        let count = self.user_count.max(0);
        let mut users = Vec::with_capacity(count as usize);
        let mut usernames: HashSet<String> = HashSet::new();
        for n in 0..count {
            let first = *FIRST_NAMES.choose(&mut rng).unwrap_or(&"Alex");
            let last = *LAST_NAMES.choose(&mut rng).unwrap_or(&"Smith");
            let mut username = format!("{}{}", first[..1].to_lowercase(), last.to_lowercase());
            // Two people of one name: the second gets a number, as admins do.
            if !usernames.insert(username.clone()) {
                username = format!("{username}{}", n + 1);
                usernames.insert(username.clone());
            }
            let status = match rng.gen_range(0..40) {
                0 => "disabled",
                1 => "bypass",
                2 => "locked out",
                _ => "active",
            };
            let created = 1_600_000_000 + n * 86_400 + rng.gen_range(0..86_400);
            let logged_in = status != "disabled" && rng.gen_bool(0.9);
            let last_login = logged_in.then(|| 1_780_000_000 - rng.gen_range(0..2_592_000));
            users.push(DuoUser {
                user_id: duo_id(&mut rng, "DU"),
                email: format!("{username}@{}", self.email_domain),
                realname: format!("{first} {last}"),
                username,
                status,
                created,
                last_login,
            });
        }
        users
    }
}

/// Generates the parent account for `customers`. Duo keeps no link to the PSA, so the customers'
/// companies are not used; the parameter keeps every tool's generator called alike.
pub fn generate(
    seed: u64,
    customers: &[Customer],
    _company_of_tenant: &HashMap<String, (i64, String)>,
    partner_name: &str,
) -> DuoData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xD0C0_0000_5EED_0009);
    let mut data = DuoData {
        parent_account_id: duo_id(&mut rng, "DA"),
        parent_name: partner_name.to_string(),
        accounts: Vec::new(),
    };
    // In the order they were made: the MSP's own first, then its customers as they were
    // onboarded, the test account somewhere among them.
    let mut present: Vec<&Customer> = customers.iter().filter(|_| rng.gen_bool(0.8)).collect();
    present.shuffle(&mut rng);
    let mut planned: Vec<(String, Owner, Option<&Customer>)> =
        vec![(format!("{partner_name} - Internal"), Owner::Msp, None)];
    for customer in present {
        let name = account_name(&mut rng, &customer.company_name);
        planned.push((name, Owner::Customer, Some(customer)));
    }
    let test_at = rng.gen_range(1..=planned.len());
    planned.insert(test_at, (TEST_ACCOUNT.to_string(), Owner::Test, None));
    let newest_customer = planned.iter().rposition(|(_, owner, _)| *owner == Owner::Customer);

    for (index, (name, owner, customer)) in planned.into_iter().enumerate() {
        let (user_count, edition, billing_access) = match owner {
            Owner::Msp => (rng.gen_range(8..25), "PLATFORM", true),
            // Duo Free, and never opened to billing reads.
            Owner::Test => (rng.gen_range(1..4), "PERSONAL", false),
            // Onboarded days ago: nobody enrolled yet.
            Owner::Customer if Some(index) == newest_customer => (0, customer_edition(&mut rng), rng.gen_bool(0.7)),
            Owner::Customer => (customer_users(&mut rng), customer_edition(&mut rng), rng.gen_bool(0.7)),
        };
        let pending = if owner == Owner::Customer && rng.gen_bool(0.15) { rng.gen_range(1..4) } else { 0 };
        let email_domain = match (owner, customer) {
            (_, Some(c)) => c.custom_domain.clone(),
            (Owner::Msp, None) => format!("{}.example", slug(partner_name)),
            _ => "example.com".to_string(),
        };
        data.accounts.push(DuoAccount {
            account_id: duo_id(&mut rng, "DA"),
            name,
            edition,
            billing_access,
            user_count,
            user_pending_deletion_count: pending,
            admin_count: rng.gen_range(1..5),
            integration_count: rng.gen_range(1..12),
            telephony_credits_remaining: rng.gen_range(0..100) * 10,
            email_domain,
            users_seed: rng.gen(),
            tenant_id: customer.map(|c| c.tenant_id.clone()),
        });
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Msp;

    #[test]
    fn duo_knows_most_customers_under_other_names() {
        let (msp, companies) = Msp::for_tool_seeds();
        let data = generate(7, &msp.customers, &companies, "Northwind MSP");
        let again = generate(7, &msp.customers, &companies, "Northwind MSP");
        assert_eq!(format!("{data:?}"), format!("{again:?}"), "the same seed gives the same accounts");

        let customers = data.accounts.iter().filter(|a| a.tenant_id.is_some()).count();
        assert!((36..=60).contains(&customers), "{customers} accounts of 60 customers");
        let renamed = data
            .accounts
            .iter()
            .filter(|a| a.tenant_id.as_ref().is_some_and(|t| msp.customer(t).unwrap().company_name != a.name))
            .count();
        assert!(renamed > 10, "{renamed}");
        let others: Vec<&str> =
            data.accounts.iter().filter(|a| a.tenant_id.is_none()).map(|a| a.name.as_str()).collect();
        assert_eq!(others, vec!["Northwind MSP - Internal", TEST_ACCOUNT]);

        let mut ids: HashSet<&str> = HashSet::new();
        for id in std::iter::once(&data.parent_account_id).chain(data.accounts.iter().map(|a| &a.account_id)) {
            assert!(id.len() == 20 && id.starts_with("DA"), "{id}");
            assert!(ids.insert(id.as_str()), "{id} twice");
        }
        assert!(data.accounts.iter().all(|a| EDITIONS.contains(&a.edition)));
        assert!(data.accounts.iter().any(|a| a.billing_access) && data.accounts.iter().any(|a| !a.billing_access));
        assert!(
            data.accounts.iter().any(|a| a.tenant_id.is_some() && a.user_count == 0),
            "a customer with no users yet"
        );
        let msp_account = &data.accounts[0];
        assert_eq!(msp_account.email_domain, "northwind-msp.example");
    }

    #[test]
    fn each_account_lists_as_many_users_as_it_counts_and_always_the_same() {
        let msp = Msp::generate_with(11, 20, None);
        let data = generate(11, &msp.customers, &HashMap::new(), "Northwind MSP");
        for account in &data.accounts {
            let users = account.users();
            assert_eq!(users.len() as i64, account.user_count, "{}", account.name);
            assert_eq!(users, account.users(), "{}: the same users on every call", account.name);
            let ids: HashSet<&str> = users.iter().map(|u| u.user_id.as_str()).collect();
            assert_eq!(ids.len(), users.len(), "{}: user ids are unique", account.name);
            let usernames: HashSet<&str> = users.iter().map(|u| u.username.as_str()).collect();
            assert_eq!(usernames.len(), users.len(), "{}: usernames are unique", account.name);
            assert!(users.iter().all(|u| u.user_id.starts_with("DU") && u.email.ends_with(&account.email_domain)));
        }
    }
}
