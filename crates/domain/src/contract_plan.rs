//! Bringing a PSA contract in line with Partner Center, and each subscription row's state.
//!
//! For one contract group, the contract should hold every mapped service with as many units as
//! the group's active subscriptions have seats. SeatSync proposes the changes; it adds and
//! adjusts, but never removes a service from a contract: a service without an active
//! subscription is flagged for a person to end, because ending it has billing consequences
//! SeatSync cannot see.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{
    grouping::{ContractMatch, Excluded},
    ids::{ContractId, ServiceId},
    mapping::{ServiceMapping, TenantMapping},
    SubscriptionId,
};

/// One active subscription of the group, as the plan needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedSubscription {
    pub subscription_id: SubscriptionId,
    pub service: ServiceMapping,
    pub quantity: i64,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
}

/// A service the contract holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContractServiceState {
    pub contract_service_id: i64,
    pub service_id: ServiceId,
    pub units: i64,
}

/// One step towards a contract that matches Partner Center.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// Set a contract service's units.
    AdjustUnits { contract_service_id: i64, service_id: ServiceId, from: i64, to: i64 },
    /// Add a service the contract lacks.
    AddService {
        service_id: ServiceId,
        units: i64,
        unit_price: Option<f64>,
        unit_cost: Option<f64>,
        /// The subscriptions it bills, sorted.
        subscription_ids: Vec<SubscriptionId>,
    },
    /// The contract bills a service no active subscription uses: a person should end it.
    FlagEnded { contract_service_id: i64, service_id: ServiceId, units: i64 },
}

impl Change {
    /// The change in units this makes to the contract: flagged services stay as they are.
    pub fn delta(&self) -> i64 {
        match self {
            Change::AdjustUnits { from, to, .. } => to.saturating_sub(*from),
            Change::AddService { units, .. } => *units,
            Change::FlagEnded { .. } => 0,
        }
    }

    /// The PSA service this change is about.
    pub fn service_id(&self) -> ServiceId {
        match self {
            Change::AdjustUnits { service_id, .. }
            | Change::AddService { service_id, .. }
            | Change::FlagEnded { service_id, .. } => *service_id,
        }
    }

    /// The change in words, for the confirmation screen.
    pub fn describe(&self, service_name: &str) -> String {
        match self {
            Change::AdjustUnits { from, to, .. } => {
                format!("{service_name}: {from} → {to} {} ({:+})", units_word(*to), self.delta())
            }
            Change::AddService { units, .. } => {
                format!("add {service_name} with {units} {}", units_word(*units))
            }
            Change::FlagEnded { units, .. } => format!(
                "{service_name} has {units} {} on the contract but no active subscription: check and end it in Autotask",
                units_word(*units)
            ),
        }
    }
}

fn units_word(count: i64) -> &'static str {
    if count == 1 {
        "unit"
    } else {
        "units"
    }
}

/// What a mapped service should hold, from the subscriptions mapped to it.
struct Wanted<'a> {
    quantity: i64,
    unit_price: Option<f64>,
    unit_cost: Option<f64>,
    subscription_ids: Vec<&'a SubscriptionId>,
}

/// The changes that make `contract` bill what `subs` (the group's active subscriptions) hold.
///
/// `contract` should list only the contract's services that offers are mapped to; anything else
/// on the contract (labour, backup) is not SeatSync's business and would be flagged.
///
/// Subscriptions mapped to one service are summed; ignored and unmapped ones change nothing. A
/// service the contract holds twice is compared by its total, and the difference goes to the
/// row with the lowest id (a reduction larger than that row moves on to the next). A new
/// service takes its price and cost from the first subscription (in the order given) that has
/// one. Changes come ordered by service id, then contract service id.
pub fn plan_contract(subs: &[PlannedSubscription], contract: &[ContractServiceState]) -> Vec<Change> {
    let mut wanted: BTreeMap<ServiceId, Wanted> = BTreeMap::new();
    for sub in subs {
        let ServiceMapping::Mapped { id: service_id } = sub.service else {
            continue;
        };
        let entry = wanted.entry(service_id).or_insert(Wanted {
            quantity: 0,
            unit_price: None,
            unit_cost: None,
            subscription_ids: Vec::new(),
        });
        entry.quantity = entry.quantity.saturating_add(sub.quantity);
        entry.unit_price = entry.unit_price.or(sub.unit_price);
        entry.unit_cost = entry.unit_cost.or(sub.unit_cost);
        entry.subscription_ids.push(&sub.subscription_id);
    }
    let mut held: BTreeMap<ServiceId, Vec<&ContractServiceState>> = BTreeMap::new();
    for row in contract {
        held.entry(row.service_id).or_default().push(row);
    }
    for rows in held.values_mut() {
        rows.sort_by_key(|row| row.contract_service_id);
    }

    let services: BTreeSet<ServiceId> = wanted.keys().chain(held.keys()).copied().collect();
    let mut changes = Vec::new();
    for service_id in services {
        match (wanted.get(&service_id), held.get(&service_id)) {
            (Some(want), Some(rows)) => adjust(service_id, want.quantity, rows, &mut changes),
            (Some(want), None) if want.quantity != 0 => {
                let mut subscription_ids: Vec<SubscriptionId> =
                    want.subscription_ids.iter().map(|&id| id.clone()).collect();
                subscription_ids.sort();
                changes.push(Change::AddService {
                    service_id,
                    units: want.quantity,
                    unit_price: want.unit_price,
                    unit_cost: want.unit_cost,
                    subscription_ids,
                });
            }
            (Some(_), None) => {}
            (None, rows) => {
                for row in rows.into_iter().flatten().filter(|row| row.units > 0) {
                    changes.push(Change::FlagEnded {
                        contract_service_id: row.contract_service_id,
                        service_id,
                        units: row.units,
                    });
                }
            }
        }
    }
    changes
}

/// Moves the total units of `rows` (sorted by id, not empty) to `quantity`.
fn adjust(service_id: ServiceId, quantity: i64, rows: &[&ContractServiceState], changes: &mut Vec<Change>) {
    let total = rows.iter().fold(0i64, |sum, row| sum.saturating_add(row.units));
    let mut remaining = quantity.saturating_sub(total);
    let mut new_units: Vec<i64> = rows.iter().map(|row| row.units).collect();
    if remaining < 0 {
        // Take the reduction from the first rows, never below zero.
        for units in new_units.iter_mut() {
            let cut = (*units).max(0).min(-remaining);
            *units -= cut;
            remaining += cut;
        }
    }
    // An increase, or what a reduction could not take (only with negative units on the
    // contract), goes to the first row.
    if remaining != 0 {
        if let Some(first) = new_units.first_mut() {
            *first = first.saturating_add(remaining);
        }
    }
    for (row, units) in rows.iter().zip(new_units) {
        if units != row.units {
            changes.push(Change::AdjustUnits {
                contract_service_id: row.contract_service_id,
                service_id,
                from: row.units,
                to: units,
            });
        }
    }
}

/// Where one subscription stands between Partner Center and the PSA.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RowState {
    OnContract { contract_id: ContractId, autotask_units: i64, partner_center_quantity: i64 },
    MissingFromContract { contract_id: ContractId },
    NoContract,
    ContractExpired { contract_id: ContractId, ended: NaiveDate },
    ServiceNotMapped,
    ServiceIgnored,
    TenantNotMapped,
    TenantIgnored,
    NotGrouped { reason: String },
}

impl RowState {
    pub fn is_on_contract(&self) -> bool {
        matches!(self, RowState::OnContract { .. })
    }

    /// On a contract, but with another number of units than Partner Center's seats.
    pub fn quantity_mismatch(&self) -> bool {
        matches!(
            self,
            RowState::OnContract { autotask_units, partner_center_quantity, .. }
                if autotask_units != partner_center_quantity
        )
    }

    /// The state in words, naming the action that resolves it.
    pub fn reason(&self) -> String {
        match self {
            RowState::OnContract { autotask_units, partner_center_quantity, .. }
                if autotask_units != partner_center_quantity =>
            {
                format!(
                    "On contract with {autotask_units} {}, but Partner Center has {partner_center_quantity}: Update contract corrects it",
                    units_word(*autotask_units)
                )
            }
            RowState::OnContract { .. } => "On contract".to_string(),
            RowState::MissingFromContract { .. } => "Missing from the contract: Update contract adds it".to_string(),
            RowState::NoContract => "Not on a contract yet: Create contract".to_string(),
            RowState::ContractExpired { ended, .. } => {
                format!("Contract ended {ended}: create a new one")
            }
            RowState::ServiceNotMapped => "The offer is not mapped to an Autotask service".to_string(),
            RowState::ServiceIgnored => "The offer is ignored: never pushed".to_string(),
            RowState::TenantNotMapped => "The tenant is not mapped to an Autotask company".to_string(),
            RowState::TenantIgnored => "The tenant is ignored".to_string(),
            RowState::NotGrouped { reason } => reason.clone(),
        }
    }
}

impl From<&Excluded> for RowState {
    fn from(excluded: &Excluded) -> Self {
        RowState::NotGrouped { reason: excluded.reason() }
    }
}

/// The state of one grouped subscription row. The tenant mapping decides first, then the offer
/// mapping, then the contract: there is no point proposing a contract for a tenant that has no
/// company to put it on.
///
/// `units_on_contract` is what the matched contract holds for the row's service (`None` when it
/// lacks the service); `group_quantity_for_service` is the seats of all the group's
/// subscriptions mapped to that service, which is what the contract should hold.
pub fn row_state(
    tenant: &TenantMapping,
    service: &ServiceMapping,
    contract: &ContractMatch,
    units_on_contract: Option<i64>,
    group_quantity_for_service: i64,
) -> RowState {
    match tenant {
        TenantMapping::Ignored => return RowState::TenantIgnored,
        TenantMapping::Unmapped => return RowState::TenantNotMapped,
        TenantMapping::Mapped { .. } => {}
    }
    match service {
        ServiceMapping::Ignored => return RowState::ServiceIgnored,
        ServiceMapping::Unmapped => return RowState::ServiceNotMapped,
        ServiceMapping::Mapped { .. } => {}
    }
    match *contract {
        ContractMatch::None => RowState::NoContract,
        ContractMatch::Expired { id, ended } => RowState::ContractExpired { contract_id: id, ended },
        ContractMatch::Active { id } => match units_on_contract {
            Some(units) => RowState::OnContract {
                contract_id: id,
                autotask_units: units,
                partner_center_quantity: group_quantity_for_service,
            },
            None => RowState::MissingFromContract { contract_id: id },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CompanyId;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn sub(id: &str, service: ServiceMapping, quantity: i64, price: Option<f64>) -> PlannedSubscription {
        PlannedSubscription {
            subscription_id: id.into(),
            service,
            quantity,
            unit_price: price,
            unit_cost: price.map(|p| p * 0.8),
        }
    }

    fn mapped(service_id: i64) -> ServiceMapping {
        ServiceMapping::Mapped { id: ServiceId(service_id) }
    }

    fn row(contract_service_id: i64, service_id: i64, units: i64) -> ContractServiceState {
        ContractServiceState { contract_service_id, service_id: ServiceId(service_id), units }
    }

    #[test]
    fn sums_adjusts_adds_and_flags() {
        let subs = [
            sub("b", mapped(1), 7, None),
            sub("a", mapped(1), 5, Some(6.0)),
            sub("c", mapped(2), 3, Some(12.5)),
            sub("d", ServiceMapping::Ignored, 99, Some(1.0)),
            sub("e", ServiceMapping::Unmapped, 4, None),
            sub("f", mapped(4), 2, None),
        ];
        let contract = [row(100, 1, 10), row(101, 3, 4), row(102, 4, 2), row(103, 5, 0)];
        assert_eq!(
            plan_contract(&subs, &contract),
            [
                Change::AdjustUnits { contract_service_id: 100, service_id: ServiceId(1), from: 10, to: 12 },
                Change::AddService {
                    service_id: ServiceId(2),
                    units: 3,
                    unit_price: Some(12.5),
                    unit_cost: Some(10.0),
                    subscription_ids: vec!["c".into()],
                },
                Change::FlagEnded { contract_service_id: 101, service_id: ServiceId(3), units: 4 },
            ]
        );
    }

    #[test]
    fn new_service_takes_the_first_price_and_sorted_ids() {
        let subs = [sub("z", mapped(1), 1, None), sub("y", mapped(1), 2, Some(5.0)), sub("x", mapped(1), 3, Some(9.0))];
        let plan = plan_contract(&subs, &[]);
        assert_eq!(
            plan,
            [Change::AddService {
                service_id: ServiceId(1),
                units: 6,
                unit_price: Some(5.0),
                unit_cost: Some(4.0),
                subscription_ids: vec!["x".into(), "y".into(), "z".into()],
            }]
        );
    }

    #[test]
    fn service_held_twice_is_compared_by_total() {
        let subs = [sub("a", mapped(1), 10, None)];
        // 4 + 3 = 7: the increase goes to the first (lowest id) row.
        assert_eq!(
            plan_contract(&subs, &[row(9, 1, 3), row(5, 1, 4)]),
            [Change::AdjustUnits { contract_service_id: 5, service_id: ServiceId(1), from: 4, to: 7 }]
        );
        // 4 + 6 = 10: nothing to do.
        assert!(plan_contract(&subs, &[row(5, 1, 4), row(9, 1, 6)]).is_empty());
        // Down to 1 from 4 + 6: the first row cannot give 9, so the second gives the rest.
        let subs = [sub("a", mapped(1), 1, None)];
        assert_eq!(
            plan_contract(&subs, &[row(5, 1, 4), row(9, 1, 6)]),
            [
                Change::AdjustUnits { contract_service_id: 5, service_id: ServiceId(1), from: 4, to: 0 },
                Change::AdjustUnits { contract_service_id: 9, service_id: ServiceId(1), from: 6, to: 1 },
            ]
        );
    }

    #[test]
    fn zero_seats_add_nothing_and_matching_contract_needs_nothing() {
        assert!(plan_contract(&[sub("a", mapped(1), 0, None)], &[]).is_empty());
        assert!(plan_contract(&[sub("a", mapped(1), 5, None)], &[row(1, 1, 5)]).is_empty());
        assert!(plan_contract(&[], &[row(1, 1, 0)]).is_empty());
    }

    #[test]
    fn changes_in_words() {
        let adjust = Change::AdjustUnits { contract_service_id: 1, service_id: ServiceId(1), from: 10, to: 12 };
        assert_eq!(adjust.describe("Business Basic"), "Business Basic: 10 → 12 units (+2)");
        assert_eq!(adjust.delta(), 2);
        let down = Change::AdjustUnits { contract_service_id: 1, service_id: ServiceId(1), from: 3, to: 1 };
        assert_eq!(down.describe("E3"), "E3: 3 → 1 unit (-2)");
        let add = Change::AddService {
            service_id: ServiceId(1),
            units: 5,
            unit_price: None,
            unit_cost: None,
            subscription_ids: vec![],
        };
        assert_eq!(add.describe("Business Basic"), "add Business Basic with 5 units");
        assert_eq!(add.delta(), 5);
        let flag = Change::FlagEnded { contract_service_id: 1, service_id: ServiceId(1), units: 4 };
        assert_eq!(
            flag.describe("Business Basic"),
            "Business Basic has 4 units on the contract but no active subscription: check and end it in Autotask"
        );
        assert_eq!(flag.delta(), 0);
        assert_eq!(flag.service_id(), ServiceId(1));
    }

    // ---- row state ----

    const MAPPED_TENANT: TenantMapping = TenantMapping::Mapped { id: CompanyId(7) };
    const MAPPED_SERVICE: ServiceMapping = ServiceMapping::Mapped { id: ServiceId(3) };
    const ACTIVE: ContractMatch = ContractMatch::Active { id: ContractId(42) };

    #[test]
    fn tenant_decides_first() {
        assert_eq!(
            row_state(&TenantMapping::Ignored, &ServiceMapping::Unmapped, &ACTIVE, Some(1), 1),
            RowState::TenantIgnored
        );
        assert_eq!(
            row_state(&TenantMapping::Unmapped, &ServiceMapping::Ignored, &ACTIVE, Some(1), 1),
            RowState::TenantNotMapped
        );
        assert_eq!(RowState::TenantIgnored.reason(), "The tenant is ignored");
        assert_eq!(RowState::TenantNotMapped.reason(), "The tenant is not mapped to an Autotask company");
    }

    #[test]
    fn then_the_service() {
        assert_eq!(
            row_state(&MAPPED_TENANT, &ServiceMapping::Ignored, &ContractMatch::None, None, 1),
            RowState::ServiceIgnored
        );
        assert_eq!(row_state(&MAPPED_TENANT, &ServiceMapping::Unmapped, &ACTIVE, None, 1), RowState::ServiceNotMapped);
        assert_eq!(RowState::ServiceIgnored.reason(), "The offer is ignored: never pushed");
        assert_eq!(RowState::ServiceNotMapped.reason(), "The offer is not mapped to an Autotask service");
    }

    #[test]
    fn then_the_contract() {
        let no_contract = row_state(&MAPPED_TENANT, &MAPPED_SERVICE, &ContractMatch::None, None, 5);
        assert_eq!(no_contract, RowState::NoContract);
        assert_eq!(no_contract.reason(), "Not on a contract yet: Create contract");

        let ended = NaiveDate::from_ymd_opt(2026, 2, 28).expect("valid");
        let expired = row_state(
            &MAPPED_TENANT,
            &MAPPED_SERVICE,
            &ContractMatch::Expired { id: ContractId(9), ended },
            Some(5),
            5,
        );
        assert_eq!(expired, RowState::ContractExpired { contract_id: ContractId(9), ended });
        assert_eq!(expired.reason(), "Contract ended 2026-02-28: create a new one");

        let missing = row_state(&MAPPED_TENANT, &MAPPED_SERVICE, &ACTIVE, None, 5);
        assert_eq!(missing, RowState::MissingFromContract { contract_id: ContractId(42) });
        assert_eq!(missing.reason(), "Missing from the contract: Update contract adds it");
        assert!(!missing.is_on_contract());

        let on = row_state(&MAPPED_TENANT, &MAPPED_SERVICE, &ACTIVE, Some(5), 5);
        assert_eq!(
            on,
            RowState::OnContract { contract_id: ContractId(42), autotask_units: 5, partner_center_quantity: 5 }
        );
        assert!(on.is_on_contract() && !on.quantity_mismatch());
        assert_eq!(on.reason(), "On contract");

        let off = row_state(&MAPPED_TENANT, &MAPPED_SERVICE, &ACTIVE, Some(4), 6);
        assert!(off.is_on_contract() && off.quantity_mismatch());
        assert_eq!(off.reason(), "On contract with 4 units, but Partner Center has 6: Update contract corrects it");
    }

    #[test]
    fn not_grouped_carries_the_grouping_reason() {
        let state = RowState::from(&Excluded::Ended { status: "suspended".into() });
        assert_eq!(state.reason(), "suspended: not billed, so not on a contract");
        assert!(!state.is_on_contract() && !state.quantity_mismatch());
    }

    // ---- properties ----

    fn subs() -> impl Strategy<Value = Vec<PlannedSubscription>> {
        let service = prop_oneof![
            4 => (1i64..6).prop_map(|service_id| ServiceMapping::Mapped { id: ServiceId(service_id) }),
            1 => Just(ServiceMapping::Ignored),
            1 => Just(ServiceMapping::Unmapped),
        ];
        proptest::collection::vec((service, 0i64..50, proptest::option::of(0.0f64..100.0)), 0..10).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (service, quantity, price))| sub(&format!("s{i}"), service, quantity, price))
                .collect()
        })
    }

    fn contract() -> impl Strategy<Value = Vec<ContractServiceState>> {
        proptest::collection::vec((1i64..8, 0i64..50), 0..8).prop_map(|rows| {
            rows.into_iter().enumerate().map(|(i, (service_id, units))| row(i as i64 * 10, service_id, units)).collect()
        })
    }

    fn apply(contract: &[ContractServiceState], changes: &[Change]) -> Vec<ContractServiceState> {
        let mut result = contract.to_vec();
        for (n, change) in changes.iter().enumerate() {
            match change {
                Change::AdjustUnits { contract_service_id, from, to, .. } => {
                    let target = result
                        .iter_mut()
                        .find(|r| r.contract_service_id == *contract_service_id)
                        .expect("adjusts a row that exists");
                    assert_eq!(target.units, *from);
                    target.units = *to;
                }
                Change::AddService { service_id, units, .. } => result.push(row(1000 + n as i64, service_id.0, *units)),
                Change::FlagEnded { .. } => {}
            }
        }
        result
    }

    fn wanted_units(subs: &[PlannedSubscription]) -> HashMap<ServiceId, i64> {
        let mut wanted = HashMap::new();
        for s in subs {
            if let ServiceMapping::Mapped { id: service_id } = s.service {
                *wanted.entry(service_id).or_insert(0) += s.quantity;
            }
        }
        wanted
    }

    proptest! {
        #[test]
        fn applying_the_plan_matches_partner_center(subs in subs(), contract in contract()) {
            let applied = apply(&contract, &plan_contract(&subs, &contract));
            for (service_id, quantity) in wanted_units(&subs) {
                let units: i64 = applied.iter().filter(|r| r.service_id == service_id).map(|r| r.units).sum();
                prop_assert_eq!(units, quantity, "service {}", service_id);
            }
            prop_assert!(applied.iter().all(|r| r.units >= 0));
        }

        #[test]
        fn planning_again_after_applying_changes_nothing(subs in subs(), contract in contract()) {
            let applied = apply(&contract, &plan_contract(&subs, &contract));
            let again = plan_contract(&subs, &applied);
            prop_assert!(again.iter().all(|c| matches!(c, Change::FlagEnded { .. })), "{:?}", again);
        }

        #[test]
        fn changes_name_only_mapped_subscriptions_and_flag_only_orphans(subs in subs(), contract in contract()) {
            let wanted = wanted_units(&subs);
            let plan = plan_contract(&subs, &contract);
            for change in &plan {
                match change {
                    Change::AddService { service_id, subscription_ids, .. } => {
                        for id in subscription_ids {
                            let s = subs.iter().find(|s| &s.subscription_id == id).expect("a given subscription");
                            prop_assert_eq!(s.service, ServiceMapping::Mapped { id: *service_id });
                        }
                    }
                    Change::AdjustUnits { service_id, .. } => prop_assert!(wanted.contains_key(service_id)),
                    Change::FlagEnded { service_id, units, .. } => {
                        prop_assert!(!wanted.contains_key(service_id));
                        prop_assert!(*units > 0);
                    }
                }
            }
            let ids: Vec<ServiceId> = plan.iter().map(Change::service_id).collect();
            let mut sorted = ids.clone();
            sorted.sort();
            prop_assert_eq!(ids, sorted);
        }
    }
}
