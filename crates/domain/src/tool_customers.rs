//! Which PSA company each of a billing tool's customers is, and what the tool's counts come to
//! per company.
//!
//! A tool (Datto RMM, Huntress) knows its own customers: sites, organisations, named by
//! whoever set the tool up ("ACME LTD - Main Office" where the PSA says "Acme Limited"). Each is
//! placed in one PSA company, in this order:
//!
//! 1. a person's decision on the tool's customers page (a company, or "ignore": the MSP's own
//!    site, a test organisation), which always stands while its company exists;
//! 2. the tool's own link to the PSA (Datto RMM's `autotaskCompanyId`), when that company exists;
//! 3. the customer's Microsoft tenant (Huntress's `identity_provider_tenant_id`), when SeatSync
//!    maps that tenant to a company;
//!
//! and otherwise it is unplaced: its counts are left out of the table and it is named in the
//! report, never dropped silently. A company may be several of a tool's customers (two sites);
//! their counts add up.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ids::TenantId;

/// One of a tool's customers, as the tool describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCustomer {
    /// The tool's own id for it (Datto's site uid, Huntress's organisation id), as text.
    pub key: String,
    pub name: String,
    /// Domains or web addresses the tool keeps for it, for suggestions.
    pub domains: Vec<String>,
    /// The PSA company the tool itself links it to, if any.
    pub psa_company: Option<i64>,
    /// The Microsoft tenant the tool links it to, if any.
    pub tenant: Option<TenantId>,
}

/// One count of a tool for one of its customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerCount {
    pub customer: String,
    pub product: String,
    pub count: i64,
}

/// What a person decided for one tool customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Company(i64),
    /// Not a customer to bill (the MSP's own site, a test organisation).
    Ignored,
}

/// How a tool customer was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlacedBy {
    Person,
    /// The tool's own link to the PSA.
    ToolLink,
    /// Its Microsoft tenant's mapping.
    Tenant,
}

impl PlacedBy {
    /// In words, for the page.
    pub fn words(self, tool: &str) -> String {
        match self {
            PlacedBy::Person => "chosen by a person".into(),
            PlacedBy::ToolLink => format!("linked in {tool}"),
            PlacedBy::Tenant => "by its Microsoft tenant".into(),
        }
    }
}

/// Where a tool customer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Placement {
    Company { id: i64, by: PlacedBy },
    Ignored,
    Unplaced,
}

/// Places one customer by the rules above. `companies` are the PSA's active companies (a
/// decision or link to one that is gone or inactive counts for nothing); `tenant_company` is
/// SeatSync's tenant mapping.
pub fn place(
    customer: &ToolCustomer,
    decision: Option<Decision>,
    companies: &HashSet<i64>,
    tenant_company: &HashMap<TenantId, i64>,
) -> Placement {
    match decision {
        Some(Decision::Ignored) => return Placement::Ignored,
        Some(Decision::Company(id)) if companies.contains(&id) => {
            return Placement::Company { id, by: PlacedBy::Person }
        }
        _ => {}
    }
    if let Some(id) = customer.psa_company.filter(|id| companies.contains(id)) {
        return Placement::Company { id, by: PlacedBy::ToolLink };
    }
    if let Some(id) = customer.tenant.as_ref().and_then(|t| tenant_company.get(t)).filter(|id| companies.contains(id)) {
        return Placement::Company { id: *id, by: PlacedBy::Tenant };
    }
    Placement::Unplaced
}

/// A tool's counts carried to PSA companies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placed {
    /// The companies the tool knows (at least one placed customer each).
    pub companies: BTreeSet<i64>,
    /// Company, product, count (one entry per customer count; the report adds them up).
    pub counts: Vec<(i64, String, i64)>,
    /// Customers with no company, by name (sorted), for the report's log.
    pub unplaced: Vec<String>,
    /// How many customers a person chose to leave out.
    pub ignored: usize,
}

/// Places every customer and carries their counts to their companies. A count of a customer the
/// tool did not list is treated as an unplaced customer named by its key.
pub fn place_all(
    customers: &[ToolCustomer],
    counts: &[CustomerCount],
    decisions: &HashMap<String, Decision>,
    companies: &HashSet<i64>,
    tenant_company: &HashMap<TenantId, i64>,
) -> Placed {
    let mut placed = Placed::default();
    let mut where_is: HashMap<&str, Placement> = HashMap::with_capacity(customers.len());
    let mut unplaced = BTreeSet::new();
    for customer in customers {
        let placement = place(customer, decisions.get(&customer.key).copied(), companies, tenant_company);
        match placement {
            Placement::Company { id, .. } => {
                placed.companies.insert(id);
            }
            Placement::Ignored => placed.ignored += 1,
            Placement::Unplaced => {
                unplaced.insert(customer.name.clone());
            }
        }
        where_is.insert(customer.key.as_str(), placement);
    }
    for count in counts {
        match where_is.get(count.customer.as_str()) {
            Some(Placement::Company { id, .. }) => placed.counts.push((*id, count.product.clone(), count.count)),
            Some(Placement::Ignored) | Some(Placement::Unplaced) => {}
            None => {
                unplaced.insert(count.customer.clone());
            }
        }
    }
    placed.unplaced = unplaced.into_iter().collect();
    placed
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn customer(key: &str, psa: Option<i64>, tenant: Option<&str>) -> ToolCustomer {
        ToolCustomer {
            key: key.into(),
            name: format!("Customer {key}"),
            domains: vec![],
            psa_company: psa,
            tenant: tenant.map(TenantId::new),
        }
    }

    fn count(customer: &str, product: &str, n: i64) -> CustomerCount {
        CustomerCount { customer: customer.into(), product: product.into(), count: n }
    }

    #[test]
    fn a_persons_decision_wins_then_the_tools_link_then_the_tenant() {
        let companies: HashSet<i64> = [1, 2, 3].into();
        let tenants: HashMap<TenantId, i64> = [(TenantId::new("t"), 3)].into();
        let c = customer("a", Some(2), Some("t"));
        assert_eq!(
            place(&c, Some(Decision::Company(1)), &companies, &tenants),
            Placement::Company { id: 1, by: PlacedBy::Person }
        );
        assert_eq!(place(&c, Some(Decision::Ignored), &companies, &tenants), Placement::Ignored);
        assert_eq!(place(&c, None, &companies, &tenants), Placement::Company { id: 2, by: PlacedBy::ToolLink });
        let by_tenant = customer("b", None, Some("t"));
        assert_eq!(place(&by_tenant, None, &companies, &tenants), Placement::Company { id: 3, by: PlacedBy::Tenant });
        assert_eq!(place(&customer("c", None, None), None, &companies, &tenants), Placement::Unplaced);
    }

    #[test]
    fn a_company_that_is_gone_places_nothing() {
        let companies: HashSet<i64> = [1].into();
        let tenants: HashMap<TenantId, i64> = [(TenantId::new("t"), 9)].into();
        let c = customer("a", Some(8), Some("t"));
        assert_eq!(place(&c, Some(Decision::Company(7)), &companies, &tenants), Placement::Unplaced);
    }

    #[test]
    fn counts_go_to_their_company_and_the_rest_is_named() {
        let customers = vec![customer("a", Some(1), None), customer("b", Some(1), None), customer("c", None, None)];
        let counts = vec![
            count("a", "Servers", 2),
            count("b", "Servers", 3),
            count("c", "Servers", 5),
            count("x", "Servers", 1),
        ];
        let placed = place_all(&customers, &counts, &HashMap::new(), &[1].into(), &HashMap::new());
        assert_eq!(placed.companies, [1].into());
        assert_eq!(placed.counts, vec![(1, "Servers".into(), 2), (1, "Servers".into(), 3)]);
        assert_eq!(placed.unplaced, vec!["Customer c".to_string(), "x".to_string()]);
        assert_eq!(placed.ignored, 0);
    }

    #[test]
    fn an_ignored_customer_is_neither_counted_nor_named() {
        let customers = vec![customer("own", Some(1), None)];
        let decisions: HashMap<String, Decision> = [("own".to_string(), Decision::Ignored)].into();
        let placed = place_all(&customers, &[count("own", "Agents", 4)], &decisions, &[1].into(), &HashMap::new());
        assert_eq!(placed, Placed { ignored: 1, ..Placed::default() });
    }

    proptest! {
        /// Every count of a placed customer reaches its company once; nothing else is counted.
        #[test]
        fn every_placed_count_is_carried_once(
            links in proptest::collection::vec(proptest::option::of(0i64..4), 1..12),
            ignored in proptest::collection::vec(any::<bool>(), 12),
            numbers in proptest::collection::vec((0usize..12, 0i64..50), 0..40),
        ) {
            let companies: HashSet<i64> = [0, 1, 2].into();
            let customers: Vec<ToolCustomer> =
                links.iter().enumerate().map(|(i, link)| customer(&i.to_string(), *link, None)).collect();
            let decisions: HashMap<String, Decision> = (0..customers.len())
                .filter(|i| ignored[*i])
                .map(|i| (i.to_string(), Decision::Ignored))
                .collect();
            let counts: Vec<CustomerCount> =
                numbers.iter().map(|(c, n)| count(&(c % customers.len()).to_string(), "P", *n)).collect();
            let placed = place_all(&customers, &counts, &decisions, &companies, &HashMap::new());
            let expected: i64 = counts
                .iter()
                .filter(|c| {
                    let i: usize = c.customer.parse().unwrap();
                    !ignored[i] && links[i].is_some_and(|l| companies.contains(&l))
                })
                .map(|c| c.count)
                .sum();
            prop_assert_eq!(placed.counts.iter().map(|c| c.2).sum::<i64>(), expected);
            for (company, _, _) in &placed.counts {
                prop_assert!(placed.companies.contains(company));
            }
            let unplaced = customers
                .iter()
                .enumerate()
                .filter(|(i, c)| !ignored[*i] && !c.psa_company.is_some_and(|l| companies.contains(&l)))
                .count();
            prop_assert_eq!(placed.unplaced.len(), unplaced);
        }
    }
}
