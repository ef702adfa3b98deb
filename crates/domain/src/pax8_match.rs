//! Which tenant a Pax8 company is, and which Pax8 subscription a Partner Center subscription is:
//! the answer decides where a quantity can be changed ([`Channel`]).
//!
//! Pax8 says it outright where it fills in `vendorSubscriptionId` (the Partner Center
//! subscription). Where it does not (records moved over from older systems), a company is
//! suggested by domain and name for a person to confirm, and a subscription is matched by its
//! product, through a table of Pax8 product names to Microsoft SKU part numbers that SeatSync
//! ships and an Admin can extend.

use std::collections::{BTreeMap, HashMap};

use crate::{reducible::Channel, Pax8CompanyId, Pax8SubscriptionId, SubscriptionId, TenantId};

/// Pax8 product names of Microsoft's common per-user licences and their SKU part numbers.
pub const DEFAULT_PRODUCT_SKUS: &[(&str, &str)] = &[
    ("Microsoft 365 Business Basic", "O365_BUSINESS_ESSENTIALS"),
    ("Microsoft 365 Business Standard", "O365_BUSINESS_PREMIUM"),
    ("Microsoft 365 Business Premium", "SPB"),
    ("Microsoft 365 Apps for business", "O365_BUSINESS"),
    ("Microsoft 365 Apps for enterprise", "OFFICESUBSCRIPTION"),
    ("Office 365 E1", "STANDARDPACK"),
    ("Office 365 E3", "ENTERPRISEPACK"),
    ("Office 365 E5", "ENTERPRISEPREMIUM"),
    ("Microsoft 365 E3", "SPE_E3"),
    ("Microsoft 365 E5", "SPE_E5"),
    ("Microsoft 365 F3", "SPE_F1"),
    ("Exchange Online (Plan 1)", "EXCHANGESTANDARD"),
    ("Exchange Online (Plan 2)", "EXCHANGEENTERPRISE"),
    ("Exchange Online Kiosk", "EXCHANGEDESKLESS"),
    ("Power BI Pro", "POWER_BI_PRO"),
    ("Power BI Premium Per User", "PBI_PREMIUM_PER_USER"),
    ("Microsoft Teams Phone Standard", "MCOEV"),
    ("Microsoft Teams Essentials", "TEAMS_ESSENTIALS_AAD"),
    ("Visio Plan 1", "VISIO_PLAN1_DEPT"),
    ("Visio Plan 2", "VISIOCLIENT"),
    ("Project Plan 1", "PROJECT_PLAN1_DEPT"),
    ("Project Plan 3", "PROJECTPROFESSIONAL"),
    ("Project Plan 5", "PROJECTPREMIUM"),
    ("Microsoft Entra ID P1", "AAD_PREMIUM"),
    ("Microsoft Entra ID P2", "AAD_PREMIUM_P2"),
    ("Microsoft Intune Plan 1", "INTUNE_A"),
    ("Microsoft Defender for Business", "MDE_SMB"),
    ("Microsoft Defender for Endpoint P1", "DEFENDER_ENDPOINT_P1"),
    ("Microsoft Defender for Office 365 (Plan 1)", "ATP_ENTERPRISE"),
];

/// Words a distributor adds to a product's name that do not change which licence it is.
const NAME_NOISE: &[&str] = &["nce", "com", "mth", "ann", "annual", "monthly", "commitment", "subscription", "new"];

/// A product name reduced to the words that identify the licence: lower-case, punctuation gone,
/// the distributor's term and programme words dropped.
pub fn product_name_key(name: &str) -> String {
    let spaced: String = name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect();
    spaced.split_whitespace().filter(|w| !NAME_NOISE.contains(w)).collect::<Vec<_>>().join(" ")
}

/// The product table an Admin's additions extend: product name key to SKU part number. An
/// addition for a name the shipped table has wins.
pub fn product_table<'a>(admin: impl IntoIterator<Item = (&'a str, &'a str)>) -> HashMap<String, String> {
    let mut table: HashMap<String, String> =
        DEFAULT_PRODUCT_SKUS.iter().map(|(name, part)| (product_name_key(name), part.to_string())).collect();
    for (name, part) in admin {
        table.insert(product_name_key(name), part.trim().to_string());
    }
    table
}

/// A Pax8 subscription as matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pax8Holding {
    pub id: Pax8SubscriptionId,
    pub company_id: Pax8CompanyId,
    pub vendor_subscription_id: Option<SubscriptionId>,
    /// The SKU part number its product maps to, if the table knows the product.
    pub part_number: Option<String>,
    pub quantity: i64,
}

/// The tenant each Pax8 company is, read from the Partner Center subscriptions its
/// subscriptions point at: the tenant most of them belong to. A company whose pointers are split
/// evenly between tenants is left for a person.
pub fn companies_by_subscriptions(
    pax8: &[Pax8Holding],
    tenant_of: &HashMap<SubscriptionId, TenantId>,
) -> BTreeMap<Pax8CompanyId, TenantId> {
    let mut votes: BTreeMap<&Pax8CompanyId, BTreeMap<&TenantId, usize>> = BTreeMap::new();
    for p in pax8 {
        if let Some(tenant) = p.vendor_subscription_id.as_ref().and_then(|id| tenant_of.get(id)) {
            *votes.entry(&p.company_id).or_default().entry(tenant).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .filter_map(|(company, tenants)| {
            let best = *tenants.values().max()?;
            let mut winners = tenants.into_iter().filter(|(_, n)| *n == best);
            let (tenant, _) = winners.next()?;
            winners.next().is_none().then(|| (company.clone(), tenant.clone()))
        })
        .collect()
}

/// What SeatSync knows of a tenant's Pax8 company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyLink {
    /// Its Pax8 companies (matched by subscriptions, or confirmed by a person).
    Known(Vec<Pax8CompanyId>),
    /// A company is suggested and waits for a person: until then, what is not matched by
    /// `vendorSubscriptionId` has no known place to change.
    Pending,
    /// No Pax8 company: everything was bought directly in Partner Center.
    None,
}

/// A Partner Center subscription of the tenant as matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MicrosoftHolding {
    pub id: SubscriptionId,
    pub part_number: Option<String>,
    pub quantity: i64,
}

/// Where each of a tenant's subscriptions is changed. In order: the Pax8 subscription pointing at
/// it; else, among the tenant's Pax8 companies' subscriptions that point nowhere, the one of the
/// same SKU (of equal quantity when there are several; none when that still leaves a choice);
/// else Partner Center when the tenant has no Pax8 company waiting for a person, or when its
/// companies hold nothing of that SKU (bought directly). `pax8` may hold every company's
/// subscriptions; each is given to one Microsoft subscription at most.
pub fn channels(
    microsoft: &[MicrosoftHolding],
    link: &CompanyLink,
    pax8: &[Pax8Holding],
) -> BTreeMap<SubscriptionId, Channel> {
    let mut out = BTreeMap::new();
    let by_pointer: HashMap<&SubscriptionId, &Pax8Holding> =
        pax8.iter().filter_map(|p| p.vendor_subscription_id.as_ref().map(|v| (v, p))).collect();
    let mut unpointed: Vec<&Pax8Holding> = match link {
        CompanyLink::Known(companies) => {
            pax8.iter().filter(|p| p.vendor_subscription_id.is_none() && companies.contains(&p.company_id)).collect()
        }
        _ => Vec::new(),
    };
    let mut ordered: Vec<&MicrosoftHolding> = microsoft.iter().collect();
    ordered.sort_by(|a, b| a.id.cmp(&b.id));
    for m in ordered {
        if let Some(p) = by_pointer.get(&m.id) {
            out.insert(m.id.clone(), Channel::Pax8(p.id.clone()));
            continue;
        }
        let channel = match link {
            CompanyLink::Pending => Channel::Nowhere,
            CompanyLink::None => Channel::PartnerCenter,
            CompanyLink::Known(_) => {
                let same_sku: Vec<usize> = unpointed
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        p.part_number.is_some()
                            && p.part_number.as_deref().map(str::to_ascii_lowercase)
                                == m.part_number.as_deref().map(str::to_ascii_lowercase)
                    })
                    .map(|(i, _)| i)
                    .collect();
                let pick = match same_sku.as_slice() {
                    [] => None,
                    [only] => Some(Some(*only)),
                    several => {
                        let equal: Vec<usize> =
                            several.iter().copied().filter(|i| unpointed[*i].quantity == m.quantity).collect();
                        Some((equal.len() == 1).then(|| equal[0]))
                    }
                };
                match pick {
                    None => Channel::PartnerCenter,
                    Some(None) => Channel::Nowhere,
                    Some(Some(i)) => Channel::Pax8(unpointed.remove(i).id.clone()),
                }
            }
        };
        out.insert(m.id.clone(), channel);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(id: &str, company: &str, pointer: Option<&str>, part: Option<&str>, quantity: i64) -> Pax8Holding {
        Pax8Holding {
            id: Pax8SubscriptionId::new(id),
            company_id: Pax8CompanyId::new(company),
            vendor_subscription_id: pointer.map(SubscriptionId::new),
            part_number: part.map(str::to_string),
            quantity,
        }
    }

    fn m(id: &str, part: &str, quantity: i64) -> MicrosoftHolding {
        MicrosoftHolding { id: SubscriptionId::new(id), part_number: Some(part.into()), quantity }
    }

    #[test]
    fn product_names_match_without_the_distributors_words() {
        let table = product_table([("Contoso Phone Plan", "CONTOSO_PHONE")]);
        assert_eq!(table[&product_name_key("Microsoft 365 Business Premium (NCE COM MTH)")], "SPB");
        assert_eq!(table[&product_name_key("Exchange Online (Plan 1) - Annual")], "EXCHANGESTANDARD");
        assert_eq!(table[&product_name_key("contoso phone plan")], "CONTOSO_PHONE");
    }

    #[test]
    fn a_company_is_the_tenant_most_of_its_pointers_name() {
        let tenant_of: HashMap<SubscriptionId, TenantId> = [
            (SubscriptionId::new("a1"), TenantId::new("A")),
            (SubscriptionId::new("a2"), TenantId::new("A")),
            (SubscriptionId::new("b1"), TenantId::new("B")),
        ]
        .into();
        let pax8 = [
            p("1", "c1", Some("a1"), None, 1),
            p("2", "c1", Some("a2"), None, 1),
            p("3", "c1", Some("b1"), None, 1),
            p("4", "c2", Some("a1"), None, 1),
            p("5", "c2", Some("b1"), None, 1),
            p("6", "c3", None, None, 1),
        ];
        let got = companies_by_subscriptions(&pax8, &tenant_of);
        assert_eq!(got.get(&Pax8CompanyId::new("c1")), Some(&TenantId::new("A")));
        assert!(!got.contains_key(&Pax8CompanyId::new("c2")), "an even split is left for a person");
        assert!(!got.contains_key(&Pax8CompanyId::new("c3")));
    }

    #[test]
    fn pointer_first_then_product_then_partner_center() {
        let link = CompanyLink::Known(vec![Pax8CompanyId::new("c")]);
        let pax8 = [p("x", "c", Some("pointed"), Some("SPB"), 5), p("y", "c", None, Some("SPB"), 7)];
        let got = channels(
            &[m("pointed", "SPB", 5), m("unpointed", "SPB", 7), m("direct", "EXCHANGESTANDARD", 2)],
            &link,
            &pax8,
        );
        assert_eq!(got[&SubscriptionId::new("pointed")], Channel::Pax8(Pax8SubscriptionId::new("x")));
        assert_eq!(got[&SubscriptionId::new("unpointed")], Channel::Pax8(Pax8SubscriptionId::new("y")));
        assert_eq!(got[&SubscriptionId::new("direct")], Channel::PartnerCenter);
    }

    #[test]
    fn a_choice_left_open_is_nowhere_and_a_pending_company_blocks() {
        let link = CompanyLink::Known(vec![Pax8CompanyId::new("c")]);
        let pax8 = [p("x", "c", None, Some("SPB"), 5), p("y", "c", None, Some("SPB"), 5)];
        let got = channels(&[m("s", "SPB", 5)], &link, &pax8);
        assert_eq!(got[&SubscriptionId::new("s")], Channel::Nowhere);
        let got = channels(
            &[m("s", "SPB", 7)],
            &link,
            &[p("x", "c", None, Some("SPB"), 5), p("y", "c", None, Some("SPB"), 7)],
        );
        assert_eq!(
            got[&SubscriptionId::new("s")],
            Channel::Pax8(Pax8SubscriptionId::new("y")),
            "equal quantity decides"
        );
        let got = channels(&[m("s", "SPB", 5)], &CompanyLink::Pending, &[]);
        assert_eq!(got[&SubscriptionId::new("s")], Channel::Nowhere);
        let got = channels(&[m("s", "SPB", 5)], &CompanyLink::None, &[]);
        assert_eq!(got[&SubscriptionId::new("s")], Channel::PartnerCenter);
    }

    proptest! {
        #[test]
        fn a_pax8_subscription_is_given_once_and_only_for_its_tenant(
            ms in prop::collection::vec((0usize..4, 1i64..5), 0..8),
            ps in prop::collection::vec((0usize..3, prop::option::of(0usize..8), 0usize..4, 1i64..5), 0..8),
        ) {
            let microsoft: Vec<MicrosoftHolding> = ms.iter().enumerate()
                .map(|(i, (part, q))| m(&format!("m{i}"), &format!("P{part}"), *q)).collect();
            let pax8: Vec<Pax8Holding> = ps.iter().enumerate()
                .map(|(i, (company, pointer, part, q))| p(&format!("p{i}"), &format!("c{company}"),
                    pointer.map(|j| format!("m{j}")).as_deref(), Some(&format!("P{part}")), *q))
                .collect();
            let link = CompanyLink::Known(vec![Pax8CompanyId::new("c0")]);
            let got = channels(&microsoft, &link, &pax8);
            prop_assert_eq!(got.len(), microsoft.len());
            let mut given = std::collections::HashSet::new();
            for (sub, channel) in &got {
                if let Channel::Pax8(id) = channel {
                    let holding = pax8.iter().find(|p| &p.id == id).unwrap();
                    let pointed = holding.vendor_subscription_id.as_ref() == Some(sub);
                    prop_assert!(pointed || holding.company_id == Pax8CompanyId::new("c0"));
                    if !pointed {
                        prop_assert!(given.insert(id.clone()), "one Pax8 subscription for two");
                    }
                }
            }
        }
    }
}
