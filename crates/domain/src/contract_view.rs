//! A tenant's suggested contracts, as a pure function of what is stored: its subscriptions, its
//! mapping, the services its offers are mapped to, the links made earlier and the Autotask
//! contracts of its company. Grouping, matching, the plan, whether "Create contract" is offered
//! and the monthly-group rule live here; loading them is the contracts crate's job.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use crate::{
    contract_plan::{plan_contract, row_state, Change, ContractServiceState, PlannedSubscription, RowState},
    grouping::{
        contracts_for_group, group_subscriptions, match_contract, ContractGroup, ContractGrouping, ContractMatch,
        ContractSpan, GroupInput, GroupKey, TermSpan,
    },
    ids::{ContractId, ServiceId},
    mapping::{ServiceMapping, TenantMapping},
    naming::{fit_name, Template, AUTOTASK_CONTRACT_NAME_MAX},
    OfferKey, SubscriptionId, Term,
};

/// A subscription as the view needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewSubscription {
    pub id: SubscriptionId,
    pub offer_key: OfferKey,
    pub term: Option<String>,
    pub status: Option<String>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub quantity: i64,
}

/// An Autotask service an offer may be mapped to.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInfo {
    pub name: String,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
}

/// An Autotask contract of the tenant's company, as last read.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractInfo {
    pub id: ContractId,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub active: bool,
}

/// A service on one of those contracts, with its units today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractServiceInfo {
    pub id: i64,
    pub contract_id: ContractId,
    pub service_id: ServiceId,
    pub units: i64,
}

/// Everything the view is computed from.
#[derive(Debug, Clone, Copy)]
pub struct ViewInputs<'a> {
    pub tenant_name: &'a str,
    /// The mapped company's name, when the company is known.
    pub company_name: Option<&'a str>,
    pub mapping: TenantMapping,
    pub subscriptions: &'a [ViewSubscription],
    /// Each offer's mapping (by `OfferKey::to_key_string`); an offer not listed is not mapped.
    pub offers: &'a HashMap<String, ServiceMapping>,
    pub services: &'a HashMap<ServiceId, ServiceInfo>,
    pub contracts: &'a [ContractInfo],
    pub contract_services: &'a [ContractServiceInfo],
    /// Contracts linked to groups earlier (group key string to contract id).
    pub links: &'a HashMap<String, ContractId>,
    /// How the MSP splits a customer's subscriptions into contracts.
    pub grouping: ContractGrouping,
    pub contract_template: &'a Template,
    pub today: NaiveDate,
}

impl ViewInputs<'_> {
    fn service_of(&self, key: &OfferKey) -> ServiceMapping {
        self.offers.get(&key.to_key_string()).copied().unwrap_or(ServiceMapping::Unmapped)
    }

    fn service_name(&self, service_id: ServiceId) -> String {
        self.services.get(&service_id).map(|v| v.name.clone()).unwrap_or_else(|| format!("Service {service_id}"))
    }
}

/// One subscription row: the subscription by its position in `ViewInputs::subscriptions`.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewRow {
    pub subscription: usize,
    pub service: ServiceMapping,
    pub service_name: Option<String>,
    pub state: RowState,
    /// Partner Center's seats of the group's subscriptions billed through the same service
    /// (what the contract should hold for it).
    pub group_quantity: i64,
}

/// A change the group's contract needs, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub change: Change,
    pub description: String,
}

/// Why "Create contract" is not offered for a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateBlocked {
    TenantIgnored,
    TenantNotMapped,
    OnContract,
    NoServiceMapped,
}

impl CreateBlocked {
    pub fn reason(self) -> &'static str {
        match self {
            CreateBlocked::TenantIgnored => "The tenant is ignored: nothing is pushed to Autotask.",
            CreateBlocked::TenantNotMapped => "Map the tenant to an Autotask company first.",
            CreateBlocked::OnContract => "This group is on a contract already.",
            CreateBlocked::NoServiceMapped => "None of these offers is mapped to an Autotask service yet.",
        }
    }
}

/// A suggested contract.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewGroup {
    pub key: GroupKey,
    /// The current terms of its subscriptions.
    pub span: TermSpan,
    pub proposed_name: String,
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
    pub contract: ContractMatch,
    /// Name and dates of the matched contract.
    pub contract_name: Option<String>,
    pub contract_dates: Option<(NaiveDate, NaiveDate)>,
    pub rows: Vec<ViewRow>,
    pub plan: Vec<Planned>,
    pub create_blocked: Option<CreateBlocked>,
}

impl ViewGroup {
    /// Adjustments and additions to push ("Update contract"); flags need a person.
    pub fn pushable(&self) -> usize {
        self.plan.iter().filter(|p| !matches!(p.change, Change::FlagEnded { .. })).count()
    }

    /// Every mapped service of the group with its seats: what a new contract gets.
    pub fn services_to_add(&self) -> BTreeMap<ServiceId, i64> {
        self.rows
            .iter()
            .filter_map(|r| {
                if let ServiceMapping::Mapped { id: service_id } = r.service {
                    Some((service_id, r.group_quantity))
                } else {
                    None
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContractView {
    pub groups: Vec<ViewGroup>,
    /// Subscriptions that belong on no contract (ended, no term), with the reason.
    pub not_grouped: Vec<ViewRow>,
    /// Contracts SeatSync created under another grouping rule that are still active in the PSA:
    /// no group uses them now, so SeatSync no longer keeps them in line, and they bill what the
    /// new contracts bill too until someone ends them.
    pub superseded: Vec<ContractInfo>,
}

/// The suggested contracts of one tenant.
pub fn contract_view(v: &ViewInputs<'_>) -> ContractView {
    let inputs: Vec<GroupInput> = v
        .subscriptions
        .iter()
        .map(|s| GroupInput {
            subscription_id: s.id.clone(),
            term: s.term.clone(),
            status: s.status.clone(),
            start: s.start,
            end: s.end,
        })
        .collect();
    let grouping = group_subscriptions(&inputs, v.grouping);
    let position: HashMap<&str, usize> = v.subscriptions.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let spans: Vec<ContractSpan> =
        v.contracts.iter().map(|c| ContractSpan { id: c.id, start: c.start, end: c.end, active: c.active }).collect();
    let linked: HashSet<ContractId> = v.links.values().copied().collect();
    let company_name = v.company_name.unwrap_or(v.tenant_name);
    let mapped_service_ids: HashSet<ServiceId> = v
        .offers
        .values()
        .filter_map(|m| if let ServiceMapping::Mapped { id: service_id } = m { Some(*service_id) } else { None })
        .collect();
    let mut groups: Vec<ViewGroup> = grouping
        .groups
        .iter()
        .map(|g| {
            let matched = match v.mapping {
                TenantMapping::Mapped { .. } => {
                    let here = v.links.get(&g.key.to_key_string()).copied();
                    let elsewhere: HashSet<ContractId> =
                        linked.iter().copied().filter(|id| Some(*id) != here).collect();
                    let candidates = contracts_for_group(&g.key, g.span, &spans, here, &elsewhere);
                    match_contract(&g.key, g.span, &candidates, here, v.today)
                }
                _ => ContractMatch::None,
            };
            let members: Vec<usize> =
                g.subscription_ids.iter().filter_map(|id| position.get(id.as_str()).copied()).collect();
            group_view(v, g, matched, &members, company_name, &mapped_service_ids)
        })
        .collect();
    forget_annual_contracts_of_monthly_groups(&mut groups, v.links);
    let superseded = superseded_contracts(v, &groups);
    let not_grouped = grouping
        .excluded
        .iter()
        .filter_map(|(id, why)| {
            let i = *position.get(id.as_str())?;
            let s = &v.subscriptions[i];
            let service = v.service_of(&s.offer_key);
            let service_name = if let ServiceMapping::Mapped { id: service_id } = service {
                v.services.get(&service_id).map(|x| x.name.clone())
            } else {
                None
            };
            Some(ViewRow {
                subscription: i,
                service,
                service_name,
                state: RowState::from(why),
                group_quantity: s.quantity,
            })
        })
        .collect();
    ContractView { groups, not_grouped, superseded }
}

/// Active contracts linked to groups of another grouping rule that no group of this one uses.
fn superseded_contracts(v: &ViewInputs<'_>, groups: &[ViewGroup]) -> Vec<ContractInfo> {
    let in_use: HashSet<ContractId> = groups
        .iter()
        .filter_map(|g| match g.contract {
            ContractMatch::Active { id } | ContractMatch::Expired { id, .. } => Some(id),
            ContractMatch::None => None,
        })
        .collect();
    let other_rule: HashSet<ContractId> = v
        .links
        .iter()
        .filter(|(key, _)| GroupKey::parse_key_string(key).is_ok_and(|k| !v.grouping.makes(&k)))
        .map(|(_, id)| *id)
        .collect();
    let mut out: Vec<ContractInfo> = v
        .contracts
        .iter()
        .filter(|c| other_rule.contains(&c.id) && !in_use.contains(&c.id) && c.active && c.end >= v.today)
        .cloned()
        .collect();
    out.sort_by_key(|c| (c.start, c.id));
    out
}

fn group_view(
    v: &ViewInputs<'_>,
    group: &ContractGroup,
    matched: ContractMatch,
    members: &[usize],
    company_name: &str,
    mapped_service_ids: &HashSet<ServiceId>,
) -> ViewGroup {
    let (key, contract_start, contract_end) = (&group.key, group.contract_start, group.contract_end);
    let contract = match matched {
        ContractMatch::Active { id } | ContractMatch::Expired { id, .. } => v.contracts.iter().find(|c| c.id == id),
        ContractMatch::None => None,
    };
    let on_contract: Vec<ContractServiceState> = match matched {
        ContractMatch::Active { id } => v
            .contract_services
            .iter()
            .filter(|s| s.contract_id == id)
            .map(|s| ContractServiceState { contract_service_id: s.id, service_id: s.service_id, units: s.units })
            .collect(),
        _ => Vec::new(),
    };
    let mut units: HashMap<ServiceId, i64> = HashMap::new();
    for s in &on_contract {
        *units.entry(s.service_id).or_default() += s.units;
    }
    let planned: Vec<PlannedSubscription> = members
        .iter()
        .map(|&i| {
            let s = &v.subscriptions[i];
            let service = v.service_of(&s.offer_key);
            let info = if let ServiceMapping::Mapped { id: service_id } = service {
                v.services.get(&service_id)
            } else {
                None
            };
            PlannedSubscription {
                subscription_id: s.id.clone(),
                service,
                quantity: s.quantity,
                unit_price: info.and_then(|x| x.unit_price),
                unit_cost: info.and_then(|x| x.unit_cost),
            }
        })
        .collect();
    let mut group_quantity: BTreeMap<ServiceId, i64> = BTreeMap::new();
    for p in &planned {
        if let ServiceMapping::Mapped { id: service_id } = p.service {
            *group_quantity.entry(service_id).or_default() += p.quantity;
        }
    }
    let rows: Vec<ViewRow> = members
        .iter()
        .zip(&planned)
        .map(|(&i, p)| {
            let (service_name, quantity, units_on) = match p.service {
                ServiceMapping::Mapped { id: service_id } => (
                    Some(v.service_name(service_id)),
                    group_quantity.get(&service_id).copied().unwrap_or(0),
                    units.get(&service_id).copied(),
                ),
                _ => (None, v.subscriptions[i].quantity, None),
            };
            ViewRow {
                subscription: i,
                service: p.service,
                service_name,
                state: row_state(&v.mapping, &p.service, &matched, units_on, quantity),
                group_quantity: quantity,
            }
        })
        .collect();
    let plan = match matched {
        ContractMatch::Active { .. } => {
            // Only services Microsoft offers are mapped to: labour or backup on the same
            // contract is none of SeatSync's business.
            let relevant: Vec<ContractServiceState> =
                on_contract.iter().copied().filter(|s| mapped_service_ids.contains(&s.service_id)).collect();
            plan_contract(&planned, &relevant)
                .into_iter()
                .map(|change| Planned { description: change.describe(&v.service_name(change.service_id())), change })
                .collect()
        }
        _ => Vec::new(),
    };
    let proposed_name = fit_name(
        &v.contract_template.render(&[
            ("company", company_name),
            ("tenant", v.tenant_name),
            ("term", key.term_code()),
            ("term_label", key.term_label()),
            ("start", &contract_start.to_string()),
            ("end", &contract_end.to_string()),
        ]),
        AUTOTASK_CONTRACT_NAME_MAX,
    );
    ViewGroup {
        key: *key,
        span: group.span,
        proposed_name,
        contract_start,
        contract_end,
        contract: matched,
        contract_name: contract.map(|c| c.name.clone()),
        contract_dates: contract.map(|c| (c.start, c.end)),
        rows,
        plan,
        create_blocked: create_blocked(v.mapping, matched, !group_quantity.is_empty()),
    }
}

/// Whether "Create contract" is offered: for a mapped tenant's group with no active contract and
/// at least one offer mapped to a service.
pub fn create_blocked(
    mapping: TenantMapping,
    matched: ContractMatch,
    any_service_mapped: bool,
) -> Option<CreateBlocked> {
    match (mapping, matched) {
        (TenantMapping::Ignored, _) => Some(CreateBlocked::TenantIgnored),
        (TenantMapping::Unmapped, _) => Some(CreateBlocked::TenantNotMapped),
        (_, ContractMatch::Active { .. }) => Some(CreateBlocked::OnContract),
        _ if !any_service_mapped => Some(CreateBlocked::NoServiceMapped),
        _ => None,
    }
}

/// Dates cannot tell a monthly group's twelve-month contract from an annual group's, so an ended
/// contract neither is linked to may look like the previous contract of both. It is shown for the
/// annual (or 3-year) group only, where it starts on the same day of the year.
fn forget_annual_contracts_of_monthly_groups(groups: &mut [ViewGroup], links: &HashMap<String, ContractId>) {
    let expired_elsewhere: HashSet<ContractId> = groups
        .iter()
        .filter(|g| g.key.term() != Some(Term::P1M))
        .filter_map(|g| if let ContractMatch::Expired { id, .. } = g.contract { Some(id) } else { None })
        .collect();
    for g in groups.iter_mut().filter(|g| g.key.term() == Some(Term::P1M)) {
        let ContractMatch::Expired { id, .. } = g.contract else { continue };
        if expired_elsewhere.contains(&id) && !links.values().any(|l| *l == id) {
            g.contract = ContractMatch::None;
            g.contract_name = None;
            g.contract_dates = None;
            for r in &mut g.rows {
                if matches!(r.state, RowState::ContractExpired { .. }) {
                    r.state = RowState::NoContract;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ids::CompanyId,
        naming::{CONTRACT_PLACEHOLDERS, DEFAULT_CONTRACT_TEMPLATE},
    };

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sub(id: &str, offer: &str, term: &str, start: &str, end: &str, quantity: i64) -> ViewSubscription {
        let billing = if term == "P1M" { "monthly" } else { "annual" };
        ViewSubscription {
            id: id.into(),
            offer_key: OfferKey::from_subscription(offer, Some(term), Some(billing)),
            term: Some(term.into()),
            status: Some("active".into()),
            start: Some(d(start)),
            end: Some(d(end)),
            quantity,
        }
    }

    /// A world with everything a test may leave out.
    struct World {
        subs: Vec<ViewSubscription>,
        offers: HashMap<String, ServiceMapping>,
        services: HashMap<ServiceId, ServiceInfo>,
        contracts: Vec<ContractInfo>,
        contract_services: Vec<ContractServiceInfo>,
        links: HashMap<String, ContractId>,
        mapping: TenantMapping,
        grouping: ContractGrouping,
        template: Template,
    }

    impl World {
        fn new(subs: Vec<ViewSubscription>) -> Self {
            let services = (1..=3)
                .map(|i| {
                    (
                        ServiceId(i),
                        ServiceInfo { name: format!("Service {i}"), unit_price: Some(10.0), unit_cost: Some(8.0) },
                    )
                })
                .collect();
            World {
                subs,
                offers: HashMap::new(),
                services,
                contracts: Vec::new(),
                contract_services: Vec::new(),
                links: HashMap::new(),
                mapping: TenantMapping::Mapped { id: CompanyId(7) },
                grouping: ContractGrouping::AlignedTerms,
                template: Template::parse(DEFAULT_CONTRACT_TEMPLATE, CONTRACT_PLACEHOLDERS).unwrap(),
            }
        }

        fn map(mut self, sub: usize, service_id: i64) -> Self {
            self.offers
                .insert(self.subs[sub].offer_key.to_key_string(), ServiceMapping::Mapped { id: ServiceId(service_id) });
            self
        }

        fn view(&self) -> ContractView {
            contract_view(&ViewInputs {
                tenant_name: "Blue Harbor Dental",
                company_name: Some("Blue Harbor Dental LLC"),
                mapping: self.mapping,
                subscriptions: &self.subs,
                offers: &self.offers,
                services: &self.services,
                contracts: &self.contracts,
                contract_services: &self.contract_services,
                links: &self.links,
                grouping: self.grouping,
                contract_template: &self.template,
                today: d("2026-12-01"),
            })
        }
    }

    #[test]
    fn aligned_subscriptions_form_one_group_offered_for_creation() {
        let w = World::new(vec![
            sub("a", "CFQ7TTC0LCHC:0002:AAA", "P1Y", "2026-03-01", "2027-02-28", 10),
            sub("b", "CFQ7TTC0LH18:0001:BBB", "P1Y", "2026-03-01", "2027-02-28", 4),
            sub("c", "CFQ7TTC0LH18:0001:CCC", "P1M", "2026-11-15", "2026-12-14", 2),
        ])
        .map(0, 1)
        .map(1, 2);
        let view = w.view();
        assert_eq!(view.groups.len(), 2, "annual and monthly apart");
        let annual = view.groups.iter().find(|g| g.key.term() == Some(Term::P1Y)).unwrap();
        assert_eq!(annual.rows.iter().map(|r| w.subs[r.subscription].id.as_str()).collect::<Vec<_>>(), vec!["a", "b"]);
        assert_eq!(annual.create_blocked, None);
        assert!(annual.proposed_name.starts_with("Blue Harbor Dental LLC"), "{}", annual.proposed_name);
        assert_eq!(annual.services_to_add(), BTreeMap::from([(ServiceId(1), 10), (ServiceId(2), 4)]));
        let monthly = view.groups.iter().find(|g| g.key.term() == Some(Term::P1M)).unwrap();
        assert_eq!(monthly.create_blocked, Some(CreateBlocked::NoServiceMapped));
        assert_eq!(monthly.rows[0].state, RowState::ServiceNotMapped);
    }

    #[test]
    fn create_is_offered_only_for_a_mapped_tenant_without_an_active_contract() {
        let none = ContractMatch::None;
        let mapped = TenantMapping::Mapped { id: CompanyId(1) };
        assert_eq!(create_blocked(mapped, none, true), None);
        assert_eq!(
            create_blocked(mapped, ContractMatch::Expired { id: ContractId(3), ended: d("2026-01-01") }, true),
            None,
            "an ended contract needs a new one"
        );
        assert_eq!(
            create_blocked(mapped, ContractMatch::Active { id: ContractId(3) }, true),
            Some(CreateBlocked::OnContract)
        );
        assert_eq!(create_blocked(mapped, none, false), Some(CreateBlocked::NoServiceMapped));
        assert_eq!(create_blocked(TenantMapping::Ignored, none, true), Some(CreateBlocked::TenantIgnored));
        assert_eq!(create_blocked(TenantMapping::Unmapped, none, true), Some(CreateBlocked::TenantNotMapped));
    }

    #[test]
    fn an_active_contract_is_planned_against_its_units_and_foreign_services_are_left_alone() {
        let mut w = World::new(vec![
            sub("a", "CFQ7TTC0LCHC:0002:AAA", "P1Y", "2026-03-01", "2027-02-28", 12),
            sub("b", "CFQ7TTC0LH18:0001:BBB", "P1Y", "2026-03-01", "2027-02-28", 5),
        ])
        .map(0, 1)
        .map(1, 2);
        w.contracts.push(ContractInfo {
            id: ContractId(40),
            name: "Blue Harbor annual".into(),
            start: d("2026-03-01"),
            end: d("2027-02-28"),
            active: true,
        });
        w.contract_services = vec![
            ContractServiceInfo { id: 400, contract_id: ContractId(40), service_id: ServiceId(1), units: 10 },
            // Backup on the same contract: no offer is mapped to service 3.
            ContractServiceInfo { id: 401, contract_id: ContractId(40), service_id: ServiceId(3), units: 50 },
        ];
        let view = w.view();
        let g = &view.groups[0];
        assert_eq!(g.contract, ContractMatch::Active { id: ContractId(40) });
        assert_eq!(g.contract_name.as_deref(), Some("Blue Harbor annual"));
        assert_eq!(g.create_blocked, Some(CreateBlocked::OnContract));
        assert_eq!(
            g.rows[0].state,
            RowState::OnContract { contract_id: ContractId(40), autotask_units: 10, partner_center_quantity: 12 }
        );
        assert_eq!(g.rows[1].state, RowState::MissingFromContract { contract_id: ContractId(40) });
        let changes: Vec<&Change> = g.plan.iter().map(|p| &p.change).collect();
        assert!(
            changes.iter().any(|c| matches!(c, Change::AdjustUnits { service_id: ServiceId(1), from: 10, to: 12, .. })),
            "{changes:?}"
        );
        assert!(
            changes.iter().any(|c| matches!(c, Change::AddService { service_id: ServiceId(2), units: 5, .. })),
            "{changes:?}"
        );
        assert!(changes.iter().all(|c| c.service_id() != ServiceId(3)), "service 3 is none of SeatSync's business");
        assert_eq!(g.pushable(), 2);
    }

    #[test]
    fn a_monthly_group_does_not_inherit_an_annual_groups_ended_contract() {
        let mut w = World::new(vec![
            sub("a", "CFQ7TTC0LCHC:0002:AAA", "P1Y", "2026-03-01", "2027-02-28", 3),
            sub("m", "CFQ7TTC0LH18:0001:BBB", "P1M", "2026-11-01", "2026-11-30", 2),
        ])
        .map(0, 1)
        .map(1, 2);
        // Last year's contract: twelve months starting on the first of March.
        w.contracts.push(ContractInfo {
            id: ContractId(41),
            name: "Last year".into(),
            start: d("2025-03-01"),
            end: d("2026-02-28"),
            active: true,
        });
        let view = w.view();
        let annual = view.groups.iter().find(|g| g.key.term() == Some(Term::P1Y)).unwrap();
        let monthly = view.groups.iter().find(|g| g.key.term() == Some(Term::P1M)).unwrap();
        assert!(matches!(annual.contract, ContractMatch::Expired { id: ContractId(41), .. }), "{:?}", annual.contract);
        assert_eq!(monthly.contract, ContractMatch::None, "{:?}", monthly.contract);
        assert!(monthly.rows.iter().all(|r| r.state == RowState::NoContract));
        // Linked to the monthly group, the contract is that group's after all.
        w.links.insert(monthly.key.to_key_string(), ContractId(41));
        let view = w.view();
        let monthly = view.groups.iter().find(|g| g.key.term() == Some(Term::P1M)).unwrap();
        assert_ne!(monthly.contract, ContractMatch::None);
    }

    #[test]
    fn an_ignored_or_unmapped_tenant_matches_no_contract() {
        let mut w = World::new(vec![sub("a", "CFQ7TTC0LCHC:0002:AAA", "P1Y", "2026-03-01", "2027-02-28", 3)]).map(0, 1);
        w.contracts.push(ContractInfo {
            id: ContractId(40),
            name: "x".into(),
            start: d("2026-03-01"),
            end: d("2027-02-28"),
            active: true,
        });
        for (mapping, state) in
            [(TenantMapping::Ignored, RowState::TenantIgnored), (TenantMapping::Unmapped, RowState::TenantNotMapped)]
        {
            w.mapping = mapping;
            let view = w.view();
            assert_eq!(view.groups[0].contract, ContractMatch::None);
            assert_eq!(view.groups[0].rows[0].state, state);
        }
    }

    #[test]
    fn ended_subscriptions_are_listed_apart_with_the_reason() {
        let mut ended = sub("x", "CFQ7TTC0LCHC:0002:AAA", "P1Y", "2025-03-01", "2026-02-28", 3);
        ended.status = Some("expired".into());
        let w = World::new(vec![ended, sub("a", "CFQ7TTC0LH18:0001:BBB", "P1Y", "2026-03-01", "2027-02-28", 3)]);
        let view = w.view();
        assert_eq!(view.not_grouped.len(), 1);
        assert_eq!(w.subs[view.not_grouped[0].subscription].id, "x");
        assert!(matches!(view.not_grouped[0].state, RowState::NotGrouped { .. }));
    }

    #[test]
    fn one_contract_per_customer_and_what_the_old_rule_left_behind() {
        let mut w = World::new(vec![
            sub("a", "CFQ7TTC0LCHC:0002:AAA", "P1Y", "2026-03-01", "2027-02-28", 10),
            sub("b", "CFQ7TTC0LH18:0001:BBB", "P1Y", "2026-05-01", "2027-04-30", 4),
            sub("c", "CFQ7TTC0LH18:0001:CCC", "P1M", "2026-11-15", "2026-12-14", 2),
        ])
        .map(0, 1)
        .map(1, 2)
        .map(2, 3);
        // The annual group of March has its contract, made under the aligned rule.
        let march = ContractInfo {
            id: ContractId(50),
            name: "Blue Harbor annual".into(),
            start: d("2026-03-01"),
            end: d("2027-02-28"),
            active: true,
        };
        w.contracts.push(march.clone());
        w.links.insert("P1Y:2026-03-01:2027-02-28".into(), ContractId(50));
        assert!(w.view().superseded.is_empty(), "in use under the rule it was made by");

        w.grouping = ContractGrouping::PerCustomer;
        let view = w.view();
        assert_eq!(view.groups.len(), 1);
        let all = &view.groups[0];
        assert_eq!(all.key, GroupKey::Customer);
        assert_eq!(all.rows.len(), 3);
        assert_eq!((all.contract_start, all.contract_end), (d("2026-03-01"), d("2027-04-30")));
        assert_eq!(all.proposed_name, "Blue Harbor Dental LLC - Microsoft licence term from 2026-03-01");
        assert_eq!(all.contract, ContractMatch::None, "the March contract is not the customer's");
        assert_eq!(all.create_blocked, None);
        assert_eq!(view.superseded, vec![march.clone()], "still active, and no group keeps it in line");

        w.grouping = ContractGrouping::PerTerm;
        let view = w.view();
        let keys: Vec<String> = view.groups.iter().map(|g| g.key.to_key_string()).collect();
        assert_eq!(keys, ["P1M", "P1Y"]);
        // Once the customer's contract is made and linked, it is planned against like any other.
        w.grouping = ContractGrouping::PerCustomer;
        w.contracts.push(ContractInfo {
            id: ContractId(60),
            name: "Blue Harbor Microsoft".into(),
            start: d("2026-03-01"),
            end: d("2027-04-30"),
            active: true,
        });
        w.links.insert("ALL".into(), ContractId(60));
        w.contract_services =
            vec![ContractServiceInfo { id: 600, contract_id: ContractId(60), service_id: ServiceId(1), units: 10 }];
        let view = w.view();
        let all = &view.groups[0];
        assert_eq!(all.contract, ContractMatch::Active { id: ContractId(60) });
        assert_eq!(all.pushable(), 2, "services 2 and 3 to add: {:?}", all.plan);
        // The old contract ended in Autotask: nothing is left to end.
        w.contracts[0].active = false;
        assert!(w.view().superseded.is_empty());
    }
}
