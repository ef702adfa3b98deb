//! Contracts against the simulator over HTTP and a fresh PostgreSQL database: what SeatSync
//! creates and changes is read back from the simulated Autotask.

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::Utc;
use seatsync_contracts::{
    job::{Scope, Trigger},
    view::{mapped_tenant_contracts, tenant_contracts, Group, Shared},
    Contracts,
};
use seatsync_db::PgPool;
use seatsync_delivery::Delivery;
use seatsync_domain::{contract_plan::RowState, grouping::ContractMatch, CompanyId, ContractId, ServiceId, TenantId};
use seatsync_integrations::ClientSlots;
use seatsync_mapping::{Mapping, OfferAction, TenantAction};
use seatsync_sim::SimHandle;
use seatsync_testkit as kit;
use seatsync_vendors::Slot;
use serde_json::json;
use uuid::Uuid;

struct World {
    pool: PgPool,
    sim: SimHandle,
    mapping: Arc<Mapping>,
    contracts: Arc<Contracts>,
    user: Uuid,
}

async fn editor(pool: &PgPool) -> Uuid {
    seatsync_db::users::record_sign_in(
        pool,
        seatsync_db::users::SignIn {
            subject: "editor-oid",
            email: "editor@northwind-msp.example",
            display_name: "Eddie Editor",
            claimed_role: None,
            is_bootstrap_admin: false,
        },
    )
    .await
    .unwrap()
    .id
}

/// Licences synced, Autotask read, every tenant with a seeded company mapped to it, and every
/// offer mapped to its service (the MSP's own service SeatSync suggests, else the one the template
/// names, found or created).
async fn world(tenants: usize) -> World {
    let (pool, sim) = (kit::fresh_pool(10).await, kit::sim_with_tenants(tenants).await);
    kit::licence_sync(&pool, &sim, 8)
        .run(seatsync_licence_sync::Trigger::Schedule, seatsync_licence_sync::Scope::All)
        .await
        .unwrap();
    let autotask: Arc<dyn seatsync_vendors::autotask::Autotask> = kit::autotask(&sim, kit::quick_policy());
    let mapping = Mapping::new(pool.clone(), Slot::new(Some(autotask.clone())));
    let contracts = Contracts::with_stale_after(pool.clone(), Slot::new(Some(autotask)), 1);
    let user = editor(&pool).await;
    // New services need the allocation code an Admin chooses (Autotask requires one).
    let settings = seatsync_mapping::AppSettings {
        service_billing_code_id: Some(kit::licensing_allocation_code(&sim).await),
        ..Default::default()
    };
    settings.save(&pool, user).await.unwrap();
    mapping.refresh_cache("manual", Some(user)).await.unwrap();
    for t in seatsync_db::tenants::list(&pool).await.unwrap() {
        if let Some(company) = kit::company_of(&sim, t.tenant_id.as_str()).await {
            mapping
                .apply_tenant(&t.tenant_id, TenantAction::Map { company_id: CompanyId(company) }, 0, Some(user))
                .await
                .unwrap();
        }
    }
    let suggested: std::collections::HashMap<_, _> = mapping
        .service_suggestions()
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.strength == seatsync_domain::MatchStrength::Exact)
        .map(|s| (s.offer_key, s.service_id))
        .collect();
    for offer in seatsync_db::mappings::offer_rows(&pool).await.unwrap() {
        let draft = mapping.service_draft(&offer.offer_key).await.unwrap();
        match suggested.get(&offer.offer_key).copied().or(draft.existing_service_id) {
            Some(id) => {
                mapping.apply_offer(&offer.offer_key, OfferAction::Map { service_id: id }, 0, Some(user)).await.unwrap()
            }
            None => {
                mapping.create_service_and_map(&offer.offer_key, &draft.name, 12.5, Some(10.0), 0, user).await.unwrap()
            }
        };
    }
    World { pool, sim, mapping, contracts, user }
}

impl World {
    async fn group(&self, tenant_id: &TenantId, key: &str) -> Group {
        let shared = Shared::load(&self.pool).await.unwrap();
        let view = tenant_contracts(&self.pool, &shared, tenant_id, Utc::now().date_naive()).await.unwrap();
        view.groups.into_iter().find(|g| g.key.to_key_string() == key).unwrap()
    }

    /// A mapped tenant's group that has no contract yet and holds at least `members` active
    /// subscriptions with distinct services.
    async fn creatable_group(&self, members: usize) -> (TenantId, String) {
        let shared = Shared::load(&self.pool).await.unwrap();
        let today = Utc::now().date_naive();
        for seatsync_db::contracts::MappedTenant { tenant_id, .. } in
            seatsync_db::contracts::mapped_tenants(&self.pool).await.unwrap()
        {
            self.contracts.reread_tenant_contracts(&tenant_id, today).await.unwrap();
            let view = tenant_contracts(&self.pool, &shared, &tenant_id, today).await.unwrap();
            for g in view.groups {
                let services: std::collections::HashSet<_> =
                    g.rows.iter().filter_map(|r| r.service_name.clone()).collect();
                if g.contract == ContractMatch::None && g.can_create() && services.len() >= members {
                    return (tenant_id, g.key.to_key_string());
                }
            }
        }
        panic!("the seeded MSP has no group with {members} services and no contract");
    }

    async fn contracts_named(&self, name: &str) -> Vec<serde_json::Value> {
        kit::autotask_records(&self.sim, "contracts").await.into_iter().filter(|c| c["contractName"] == name).collect()
    }

    /// Units per service id on a contract, as the simulated Autotask holds them.
    async fn units(&self, contract_id: ContractId) -> HashMap<ServiceId, i64> {
        let mut out = HashMap::new();
        for u in kit::autotask_records(&self.sim, "contractserviceunits").await {
            if u["contractID"].as_i64() == Some(contract_id.0) {
                *out.entry(ServiceId(u["serviceID"].as_i64().unwrap())).or_default() += u["units"].as_i64().unwrap();
            }
        }
        out
    }
}

/// What the group's active subscriptions say each service should hold.
fn expected_units(g: &Group) -> HashMap<ServiceId, i64> {
    let mut out = HashMap::new();
    for r in &g.rows {
        if let seatsync_domain::ServiceMapping::Mapped { id: service_id } = r.service {
            *out.entry(service_id).or_default() += r.subscription.quantity;
        }
    }
    out
}

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

#[tokio::test]
async fn one_click_creates_one_contract_with_a_service_per_offer() {
    let w = world(8).await;
    let (tenant, key) = w.creatable_group(2).await;
    let before = w.group(&tenant, &key).await;
    let created = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    assert!(!created.existed);
    assert!(created.services.failed.is_empty(), "{:?}", created.services.failed);
    let stored = w.contracts_named(&before.proposed_name).await;
    assert_eq!(stored.len(), 1, "exactly one contract");
    assert_eq!(stored[0]["id"].as_i64(), Some(created.contract_id.0));
    assert_eq!(
        w.units(created.contract_id).await,
        expected_units(&before),
        "a contract service per mapped offer with Partner Center's seats"
    );

    let after = w.group(&tenant, &key).await;
    assert!(matches!(after.contract, ContractMatch::Active { id } if id == created.contract_id));
    for r in &after.rows {
        assert!(matches!(r.state, RowState::OnContract { .. }), "{:?}", r.state);
        assert!(!r.state.quantity_mismatch());
    }
    // Clicking again later gives the same contract back.
    let again = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    assert!(again.existed && again.contract_id == created.contract_id);
    assert_eq!(w.contracts_named(&before.proposed_name).await.len(), 1);
    let log = seatsync_db::contracts::tenant_changes(&w.pool, &tenant, 50).await.unwrap();
    assert!(log.iter().any(|c| c.kind.as_str() == "create_contract"), "the creation is logged");
    assert!(log.iter().filter(|c| c.kind.as_str() == "add_service").count() >= 2, "each service added is logged");
}

#[tokio::test]
async fn a_double_click_and_a_second_tab_create_one_contract() {
    let w = world(8).await;
    let (tenant, key) = w.creatable_group(1).await;
    let name = w.group(&tenant, &key).await.proposed_name;
    // Slow creates so the clicks overlap.
    kit::faults(
        &w.sim,
        json!([{"path": "/ATServicesRest/V1.0/Contracts", "method": "POST", "kind": "latency", "ms": 400}]),
    )
    .await;
    let c = &w.contracts;
    let (a, b, t) = tokio::join!(
        c.create_group_contract(&tenant, &key, Some(w.user), today()),
        c.create_group_contract(&tenant, &key, Some(w.user), today()),
        c.create_group_contract(&tenant, &key, Some(w.user), today()),
    );
    let ids: Vec<ContractId> = [a, b, t].into_iter().map(|r| r.unwrap().contract_id).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "every click gets the same contract: {ids:?}");
    assert_eq!(w.contracts_named(&name).await.len(), 1, "exactly one contract in Autotask");
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_found_not_repeated() {
    let w = world(8).await;
    let (tenant, key) = w.creatable_group(1).await;
    let group = w.group(&tenant, &key).await;
    // Autotask stores the contract but the answer never arrives: the client times out.
    kit::faults(
        &w.sim,
        json!([{"path": "/ATServicesRest/V1.0/Contracts", "method": "POST", "kind": "lost_response", "times": 1}]),
    )
    .await;
    let created = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    assert_eq!(
        w.contracts_named(&group.proposed_name).await.len(),
        1,
        "the contract Autotask made is adopted, not made twice"
    );
    assert_eq!(w.units(created.contract_id).await, expected_units(&group));
}

#[tokio::test]
async fn a_crash_mid_create_resumes_without_duplicates() {
    let w = world(8).await;
    let (tenant, key) = w.creatable_group(2).await;
    let group = w.group(&tenant, &key).await;
    // The process "dies" after the contract exists, while its services are being added.
    kit::faults(&w.sim, json!([{"path": "/ATServicesRest/V1.0/ContractServiceAdjustments", "method": "POST", "kind": "latency", "ms": 1500}])).await;
    let task = tokio::spawn({
        let (c, tenant, key, user) = (w.contracts.clone(), tenant.clone(), key.clone(), w.user);
        async move { c.create_group_contract(&tenant, &key, Some(user), today()).await }
    });
    for _ in 0..100 {
        if !w.contracts_named(&group.proposed_name).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    task.abort();
    let _ = task.await;
    let open = seatsync_db::contracts::open_creation(&w.pool, &tenant, &key).await.unwrap();
    assert!(open.is_some(), "the interrupted intent is still open");
    kit::faults(&w.sim, json!([])).await;
    // A restarted server resumes it (the intent is stale after a second here).
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(w.contracts.resume_interrupted(today()).await.unwrap(), 1);
    let stored = w.contracts_named(&group.proposed_name).await;
    assert_eq!(stored.len(), 1, "resumed, never duplicated");
    let id = ContractId(stored[0]["id"].as_i64().unwrap());
    assert_eq!(w.units(id).await, expected_units(&group), "every service added exactly once");
    assert!(seatsync_db::contracts::open_creation(&w.pool, &tenant, &key).await.unwrap().is_none());
    // And a click after that finds it.
    assert_eq!(w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap().contract_id, id);
}

#[tokio::test]
async fn update_pushes_quantity_changes_and_flags_ended_subscriptions() {
    let w = world(8).await;
    let (tenant, key) = w.creatable_group(2).await;
    let created = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    let group = w.group(&tenant, &key).await;
    let (grown, ended) = (&group.rows[0], &group.rows[group.rows.len() - 1]);
    assert_ne!(grown.service, ended.service);
    kit::set_subscription(&w.sim, grown.subscription.id.as_str(), json!({"quantity": grown.subscription.quantity + 3}))
        .await;
    kit::set_subscription(&w.sim, ended.subscription.id.as_str(), json!({"status": "suspended"})).await;
    kit::licence_sync(&w.pool, &w.sim, 4)
        .run(seatsync_licence_sync::Trigger::Schedule, seatsync_licence_sync::Scope::Tenant(tenant.clone()))
        .await
        .unwrap();

    let changed = w.group(&tenant, &key).await;
    let row = changed.rows.iter().find(|r| r.subscription.id == grown.subscription.id).unwrap();
    assert!(row.state.quantity_mismatch(), "Autotask's units differ from Partner Center's: {:?}", row.state);
    let pushed = w.contracts.update_group(&tenant, &key, Some(w.user), today()).await.unwrap();
    assert_eq!(pushed.applied.len(), 1, "{pushed:?}");
    assert_eq!(pushed.flagged.len(), 1, "the ended subscription's service is flagged: {pushed:?}");
    let adjustments = kit::autotask_records(&w.sim, "contractserviceadjustments").await;
    assert!(
        adjustments
            .iter()
            .any(|a| a["contractID"].as_i64() == Some(created.contract_id.0) && a["unitChange"].as_i64() == Some(3)),
        "the delta is pushed"
    );
    let units = w.units(created.contract_id).await;
    let seatsync_domain::ServiceMapping::Mapped { id: ended_service } = ended.service else { panic!() };
    assert_eq!(
        units[&ended_service], ended.subscription.quantity,
        "an ended subscription's service is never removed silently"
    );
    let after = w.group(&tenant, &key).await;
    assert!(after.rows.iter().all(|r| !r.state.quantity_mismatch()), "the red mark clears");
    let log = seatsync_db::contracts::tenant_changes(&w.pool, &tenant, 50).await.unwrap();
    assert!(log.iter().any(|c| c.kind.as_str() == "flag_ended" && c.outcome.as_str() == "flagged"));
    assert!(log.iter().any(|c| c.kind.as_str() == "adjust_units"
        && c.units_before == Some(grown.subscription.quantity)
        && c.units_after == Some(grown.subscription.quantity + 3)));
}

/// The dashboard's view across all tenants, loaded in a few queries, is exactly the one-tenant
/// view of each mapped tenant.
async fn assert_all_tenants_view_is_each_tenants_view(w: &World) -> Vec<seatsync_contracts::view::TenantContracts> {
    let shared = Shared::load(&w.pool).await.unwrap();
    let all = mapped_tenant_contracts(&w.pool, &shared, today()).await.unwrap();
    let mapped = seatsync_db::contracts::mapped_tenants(&w.pool).await.unwrap();
    assert_eq!(all.len(), mapped.len(), "one view per mapped tenant");
    for view in &all {
        let one = tenant_contracts(&w.pool, &shared, &view.tenant.tenant_id, today()).await.unwrap();
        assert_eq!(*view, one, "{}", view.tenant.name);
    }
    all
}

#[tokio::test]
async fn a_contract_differs_from_partner_center_once_a_subscription_grows() {
    let w = world(6).await;
    let (tenant, key) = w.creatable_group(2).await;
    w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    let group = w.group(&tenant, &key).await;
    assert!(!group.differs(), "a contract just created holds what Partner Center bills: {:?}", group.plan);
    let before = assert_all_tenants_view_is_each_tenants_view(&w).await;
    assert!(before.iter().filter(|v| v.tenant.tenant_id == tenant).all(|v| v.groups.iter().all(|g| !g.differs())));

    let grown = &group.rows[0];
    kit::set_subscription(&w.sim, grown.subscription.id.as_str(), json!({"quantity": grown.subscription.quantity + 3}))
        .await;
    kit::licence_sync(&w.pool, &w.sim, 4)
        .run(seatsync_licence_sync::Trigger::Schedule, seatsync_licence_sync::Scope::Tenant(tenant.clone()))
        .await
        .unwrap();
    let after = assert_all_tenants_view_is_each_tenants_view(&w).await;
    let differing: Vec<_> =
        after.iter().find(|v| v.tenant.tenant_id == tenant).unwrap().groups.iter().filter(|g| g.differs()).collect();
    assert_eq!(differing.len(), 1, "only the grown subscription's contract differs");
    assert_eq!(differing[0].key.to_key_string(), key);
    assert_eq!(differing[0].pushable(), 1, "one adjustment: {:?}", differing[0].plan);
}

/// A tenant whose subscriptions fall into several groups under the aligned rule.
async fn tenant_with_groups(w: &World, at_least: usize) -> TenantId {
    let shared = Shared::load(&w.pool).await.unwrap();
    for t in seatsync_db::contracts::mapped_tenants(&w.pool).await.unwrap() {
        let view = tenant_contracts(&w.pool, &shared, &t.tenant_id, today()).await.unwrap();
        if view.groups.len() >= at_least && view.groups.iter().all(|g| g.contract == ContractMatch::None) {
            return t.tenant_id;
        }
    }
    panic!("no mapped tenant has {at_least} groups and no contract");
}

async fn choose_grouping(w: &World, rule: seatsync_domain::grouping::ContractGrouping) {
    let settings = seatsync_mapping::AppSettings {
        contract_grouping: rule,
        ..seatsync_mapping::AppSettings::load(&w.pool).await.unwrap()
    };
    settings.save(&w.pool, w.user).await.unwrap();
}

#[tokio::test]
async fn one_contract_per_customer_when_the_billing_team_chooses_it() {
    use seatsync_domain::grouping::ContractGrouping;
    let w = world(6).await;
    let tenant = tenant_with_groups(&w, 3).await;
    let shared = Shared::load(&w.pool).await.unwrap();
    let aligned = tenant_contracts(&w.pool, &shared, &tenant, today()).await.unwrap();
    let grouped: usize = aligned.groups.iter().map(|g| g.rows.len()).sum();

    choose_grouping(&w, ContractGrouping::PerTerm).await;
    let shared = Shared::load(&w.pool).await.unwrap();
    let per_term = tenant_contracts(&w.pool, &shared, &tenant, today()).await.unwrap();
    let terms: std::collections::HashSet<_> = aligned.groups.iter().map(|g| g.key.term()).collect();
    assert_eq!(per_term.groups.len(), terms.len(), "one group per term");
    assert_eq!(per_term.groups.iter().map(|g| g.rows.len()).sum::<usize>(), grouped);

    choose_grouping(&w, ContractGrouping::PerCustomer).await;
    let all = w.group(&tenant, "ALL").await;
    assert_eq!(all.rows.len(), grouped, "every grouped subscription on one contract");
    assert!(all.rows.iter().all(|r| r.subscription.effective_start.unwrap().date_naive() >= all.contract_start));
    let created = w.contracts.create_group_contract(&tenant, "ALL", Some(w.user), today()).await.unwrap();
    assert!(created.services.failed.is_empty(), "{:?}", created.services.failed);
    assert_eq!(w.units(created.contract_id).await, expected_units(&all), "a contract service per service, summed");
    let stored = w.contracts_named(&all.proposed_name).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["startDate"].as_str().map(|d| &d[..10]), Some(all.contract_start.to_string().as_str()));
    let after = w.group(&tenant, "ALL").await;
    assert!(matches!(after.contract, ContractMatch::Active { id } if id == created.contract_id));
    assert!(after.plan.is_empty(), "{:?}", after.plan);

    // The contract sync keeps the customer's contract in line.
    let grown = &after.rows[0];
    kit::set_subscription(&w.sim, grown.subscription.id.as_str(), json!({"quantity": grown.subscription.quantity + 2}))
        .await;
    kit::licence_sync(&w.pool, &w.sim, 4)
        .run(seatsync_licence_sync::Trigger::Schedule, seatsync_licence_sync::Scope::Tenant(tenant.clone()))
        .await
        .unwrap();
    w.contracts.run_sync(Trigger::Schedule, Scope::Tenant(tenant.clone()), false).await.unwrap();
    let synced = w.group(&tenant, "ALL").await;
    assert_eq!(w.units(created.contract_id).await, expected_units(&synced));
    assert!(synced.plan.is_empty(), "{:?}", synced.plan);

    // A page drawn under the old rule cannot create under it any more.
    let stale = aligned.groups[0].key.to_key_string();
    let refused = w.contracts.create_group_contract(&tenant, &stale, Some(w.user), today()).await.unwrap_err();
    assert!(refused.to_string().contains("grouping rule was changed"), "{refused}");
}

#[tokio::test]
async fn contracts_of_the_old_rule_are_listed_until_ended() {
    use seatsync_domain::grouping::ContractGrouping;
    let w = world(6).await;
    let (tenant, key) = w.creatable_group(1).await;
    let old = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    choose_grouping(&w, ContractGrouping::PerCustomer).await;
    let shared = Shared::load(&w.pool).await.unwrap();
    let view = tenant_contracts(&w.pool, &shared, &tenant, today()).await.unwrap();
    assert_eq!(view.superseded.iter().map(|c| c.id).collect::<Vec<_>>(), vec![old.contract_id]);
    // Back to the old rule, the contract is its group's again.
    choose_grouping(&w, ContractGrouping::AlignedTerms).await;
    let shared = Shared::load(&w.pool).await.unwrap();
    let view = tenant_contracts(&w.pool, &shared, &tenant, today()).await.unwrap();
    assert!(view.superseded.is_empty());
    assert!(matches!(w.group(&tenant, &key).await.contract, ContractMatch::Active { id } if id == old.contract_id));
}

#[tokio::test]
async fn a_dry_run_says_what_would_change_and_writes_nothing() {
    let w = world(8).await;
    let (tenant, key) = w.creatable_group(1).await;
    let created = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    let group = w.group(&tenant, &key).await;
    let sub = &group.rows[0].subscription;
    kit::set_subscription(&w.sim, sub.id.as_str(), json!({"quantity": sub.quantity + 2})).await;
    kit::licence_sync(&w.pool, &w.sim, 4)
        .run(seatsync_licence_sync::Trigger::Schedule, seatsync_licence_sync::Scope::All)
        .await
        .unwrap();
    let adjustments_before = kit::autotask_records(&w.sim, "contractserviceadjustments").await.len();

    let dry = w.contracts.run_sync(Trigger::Schedule, Scope::All, true).await.unwrap();
    let planned = seatsync_db::contracts::run_changes(&w.pool, dry).await.unwrap();
    assert!(
        planned
            .iter()
            .any(|c| c.tenant_id == tenant && c.kind.as_str() == "adjust_units" && c.outcome.as_str() == "planned"),
        "{planned:?}"
    );
    assert_eq!(
        kit::autotask_records(&w.sim, "contractserviceadjustments").await.len(),
        adjustments_before,
        "a dry run writes nothing"
    );
    let run = seatsync_db::contracts::run(&w.pool, dry).await.unwrap();
    assert_eq!(run.status.as_str(), "succeeded", "{:?}", run.error);

    let real = w.contracts.run_sync(Trigger::Schedule, Scope::All, false).await.unwrap();
    let applied = seatsync_db::contracts::run_changes(&w.pool, real).await.unwrap();
    assert!(
        applied
            .iter()
            .any(|c| c.tenant_id == tenant && c.kind.as_str() == "adjust_units" && c.outcome.as_str() == "applied"),
        "{applied:?}"
    );
    w.contracts.reread_tenant_contracts(&tenant, today()).await.unwrap();
    assert_eq!(w.units(created.contract_id).await, expected_units(&w.group(&tenant, &key).await));
    // A second real run finds nothing more to do for that contract.
    let again = w.contracts.run_sync(Trigger::Schedule, Scope::All, false).await.unwrap();
    assert!(!seatsync_db::contracts::run_changes(&w.pool, again)
        .await
        .unwrap()
        .iter()
        .any(|c| c.tenant_id == tenant && c.kind.as_str() == "adjust_units"));
}

#[tokio::test]
async fn nothing_is_pushed_for_an_ignored_tenant_or_service() {
    let w = world(8).await;
    let (tenant, key) = w.creatable_group(2).await;
    let created = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    let group = w.group(&tenant, &key).await;
    let sub = &group.rows[0];
    let offer = seatsync_db::mappings::offer_row(&w.pool, &sub.offer_key.to_key_string()).await.unwrap();
    w.mapping.apply_offer(&offer.offer_key, OfferAction::Ignore, offer.version, Some(w.user)).await.unwrap();
    kit::set_subscription(&w.sim, sub.subscription.id.as_str(), json!({"quantity": sub.subscription.quantity + 5}))
        .await;
    kit::licence_sync(&w.pool, &w.sim, 4)
        .run(seatsync_licence_sync::Trigger::Schedule, seatsync_licence_sync::Scope::Tenant(tenant.clone()))
        .await
        .unwrap();
    let before = kit::autotask_records(&w.sim, "contractserviceadjustments").await.len();
    let pushed = w.contracts.update_group(&tenant, &key, Some(w.user), today()).await.unwrap();
    assert!(pushed.applied.is_empty(), "an ignored offer's change is never pushed: {pushed:?}");
    assert_eq!(kit::autotask_records(&w.sim, "contractserviceadjustments").await.len(), before);
    let row = w.group(&tenant, &key).await.rows.into_iter().find(|r| r.subscription.id == sub.subscription.id).unwrap();
    assert_eq!(row.state, RowState::ServiceIgnored);

    let t = seatsync_db::mappings::tenant_row(&w.pool, &tenant).await.unwrap();
    w.mapping.apply_tenant(&tenant, TenantAction::Ignore, t.version, Some(w.user)).await.unwrap();
    let err = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap_err();
    assert!(err.to_string().contains("ignored"), "{err}");
    let run = w.contracts.run_sync(Trigger::Schedule, Scope::All, false).await.unwrap();
    assert!(
        seatsync_db::contracts::run_changes(&w.pool, run).await.unwrap().iter().all(|c| c.tenant_id != tenant),
        "an ignored tenant is skipped"
    );
    let _ = created;
}

/// Requests the simulated Autotask served per route, e.g. `POST /atservicesrest/v1.0/contracts/query`.
async fn autotask_calls(w: &World) -> HashMap<String, u64> {
    let calls: serde_json::Value =
        reqwest::get(format!("{}/_sim/calls", w.sim.base_url)).await.unwrap().json().await.unwrap();
    calls["byRoute"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(route, _)| route.contains("/atservicesrest/"))
        .map(|(route, n)| (route.clone(), n.as_u64().unwrap()))
        .collect()
}

/// Reads and writes between two counts: a read is a GET or a query, a write anything else.
fn reads_and_writes(before: &HashMap<String, u64>, after: &HashMap<String, u64>) -> (u64, u64, Vec<String>) {
    let (mut reads, mut writes, mut routes) = (0, 0, Vec::new());
    for (route, n) in after {
        let n = n - before.get(route).copied().unwrap_or(0);
        if n == 0 {
            continue;
        }
        routes.push(format!("{n} x {route}"));
        if route.starts_with("GET ") || route.contains("/query") {
            reads += n;
        } else {
            writes += n;
        }
    }
    routes.sort();
    (reads, writes, routes)
}

#[tokio::test]
async fn a_create_click_costs_at_most_four_autotask_reads_and_a_write_per_record() {
    let w = world(8).await;
    let (tenant, key) = w.creatable_group(2).await;
    let services = w
        .group(&tenant, &key)
        .await
        .rows
        .iter()
        .filter_map(|r| r.service_name.clone())
        .collect::<std::collections::HashSet<_>>()
        .len() as u64;
    // The field lists and picklists are read once per process; a first create elsewhere reads them.
    let other = {
        let shared = Shared::load(&w.pool).await.unwrap();
        let mut found = None;
        for seatsync_db::contracts::MappedTenant { tenant_id: t, .. } in
            seatsync_db::contracts::mapped_tenants(&w.pool).await.unwrap()
        {
            let view = tenant_contracts(&w.pool, &shared, &t, today()).await.unwrap();
            if let Some(g) =
                view.groups.iter().find(|g| g.can_create() && !(t == tenant && g.key.to_key_string() == key))
            {
                found = Some((t.clone(), g.key.to_key_string()));
                break;
            }
        }
        found.expect("a second creatable group")
    };
    w.contracts.create_group_contract(&other.0, &other.1, Some(w.user), today()).await.unwrap();

    let before = autotask_calls(&w).await;
    let created = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    let (reads, writes, routes) = reads_and_writes(&before, &autotask_calls(&w).await);
    assert!(!created.existed && created.services.failed.is_empty());
    println!("one create click: {reads} reads, {writes} writes: {routes:?}");
    assert!(reads <= 4, "{reads} reads: {routes:?}");
    assert_eq!(writes, 1 + services, "the contract, and one adjustment per service: {routes:?}");

    // "Update contract" after a customer bought seats: the same four reads, one write.
    let group = w.group(&tenant, &key).await;
    let sub = &group.rows[0].subscription;
    kit::set_subscription(&w.sim, sub.id.as_str(), serde_json::json!({"quantity": sub.quantity + 3})).await;
    kit::licence_sync(&w.pool, &w.sim, 4)
        .run(seatsync_licence_sync::Trigger::Schedule, seatsync_licence_sync::Scope::Tenant(tenant.clone()))
        .await
        .unwrap();
    let before = autotask_calls(&w).await;
    let pushed = w.contracts.update_group(&tenant, &key, Some(w.user), today()).await.unwrap();
    let (reads, writes, routes) = reads_and_writes(&before, &autotask_calls(&w).await);
    println!("one update click: {reads} reads, {writes} writes: {routes:?}");
    assert_eq!((pushed.applied.len(), pushed.failed.len()), (1, 0), "{pushed:?}");
    assert!(reads <= 4 && writes == 1, "{reads} reads, {writes} writes: {routes:?}");
    let after = w.group(&tenant, &key).await;
    assert!(
        after.rows.iter().all(|r| r.state.is_on_contract() && !r.state.quantity_mismatch()),
        "the snapshot holds the new units"
    );
}

/// Its database's URL, for a second SeatSync instance on it.
async fn database_url(pool: &PgPool) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let mut url = url::Url::parse(&kit::admin_database_url()).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

fn job_settings(instance: &str) -> seatsync_jobs::JobSettings {
    seatsync_jobs::JobSettings {
        schedules: vec![],
        lease: Duration::from_millis(1_000),
        poll: Duration::from_millis(200),
        instance: instance.into(),
    }
}

#[tokio::test]
async fn a_contract_sync_whose_server_dies_mid_write_is_finished_by_another_without_writing_twice() {
    use seatsync_domain::kinds::{JobKind, JobStatus};
    let w = world(8).await;
    let (tenant, key) = w.creatable_group(1).await;
    let created = w.contracts.create_group_contract(&tenant, &key, Some(w.user), today()).await.unwrap();
    let group = w.group(&tenant, &key).await;
    let sub = &group.rows[0].subscription;
    kit::set_subscription(&w.sim, sub.id.as_str(), json!({"quantity": sub.quantity + 2})).await;
    kit::licence_sync(&w.pool, &w.sim, 4)
        .run(seatsync_licence_sync::Trigger::Schedule, seatsync_licence_sync::Scope::All)
        .await
        .unwrap();
    let adjustments_before = kit::autotask_records(&w.sim, "contractserviceadjustments").await.len();
    // Autotask applies the adjustment, but its answer never comes: the server dies waiting.
    kit::faults(
        &w.sim,
        json!([{"path": "/ATServicesRest/V1.0/ContractServiceAdjustments", "method": "POST", "kind": "lost_response", "times": 1}]),
    )
    .await;

    // Instance A on a runtime of its own, so it can be killed with its connections.
    let (url, base_url, user) = (database_url(&w.pool).await, w.sim.base_url.clone(), w.user);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<i64>();
    let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
    let dying = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let pool = seatsync_db::connect(&url, 10).await.unwrap();
            let autotask: Arc<dyn seatsync_vendors::autotask::Autotask> =
                kit::autotask_at(&base_url, kit::quick_policy());
            let (licence_alerts, alert_tickets) = seatsync_testkit::idle_alerts(&pool);
            let parts = seatsync_jobs::JobParts {
                licence_sync: Slot::empty(),
                mapping: Mapping::new(pool.clone(), Slot::new(Some(autotask.clone()))),
                contracts: Contracts::new(pool.clone(), Slot::new(Some(autotask))),
                delivery: Delivery::new(pool.clone(), ClientSlots::default()),
                licence_alerts,
                alert_tickets,
                billing: seatsync_testkit::idle_billing(&pool),
            };
            let a = seatsync_jobs::Jobs::new(pool, parts, job_settings("instance-a")).await.unwrap();
            a.start();
            let run = a.request(JobKind::ContractSync, user, Default::default()).await.unwrap();
            ready_tx.send(run).unwrap();
            let _ = kill_rx.await;
        });
        rt.shutdown_background();
    });
    let run = ready_rx.recv().unwrap();
    for _ in 0..200 {
        if kit::autotask_records(&w.sim, "contractserviceadjustments").await.len() > adjustments_before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        kit::autotask_records(&w.sim, "contractserviceadjustments").await.len(),
        adjustments_before + 1,
        "Autotask applied the adjustment before the server died"
    );
    // The write whose answer was lost (whichever tenant's contract the sync reached first).
    let lost = kit::autotask_records(&w.sim, "contractserviceadjustments").await[adjustments_before].clone();
    kill_tx.send(()).unwrap();
    dying.join().unwrap();
    kit::faults(&w.sim, json!([])).await;

    // Instance B takes the run over after A's lease and re-reads Autotask before planning.
    let (licence_alerts, alert_tickets) = seatsync_testkit::idle_alerts(&w.pool);
    let parts = seatsync_jobs::JobParts {
        licence_sync: Slot::empty(),
        mapping: w.mapping.clone(),
        contracts: w.contracts.clone(),
        delivery: Delivery::new(w.pool.clone(), ClientSlots::default()),
        licence_alerts,
        alert_tickets,
        billing: seatsync_testkit::idle_billing(&w.pool),
    };
    let b = seatsync_jobs::Jobs::new(w.pool.clone(), parts, job_settings("instance-b")).await.unwrap();
    b.start();
    let ended = b.wait_finished(run, Duration::from_secs(30)).await.unwrap();
    assert_eq!(ended.status, JobStatus::Succeeded, "{ended:?}");
    assert_eq!((ended.attempts, ended.instance.as_deref()), (2, Some("instance-b")));
    let same_service = |a: &serde_json::Value| {
        a["contractID"] == lost["contractID"]
            && a["contractServiceID"] == lost["contractServiceID"]
            && a["serviceID"] == lost["serviceID"]
    };
    let made = kit::autotask_records(&w.sim, "contractserviceadjustments").await;
    assert_eq!(
        made[adjustments_before..].iter().filter(|a| same_service(a)).count(),
        1,
        "the write the dead server made is not made again: {lost}"
    );
    // Everything is in line: a dry run now plans no adjustment, and the contract holds what
    // Partner Center says.
    let dry = w.contracts.run_sync(Trigger::Schedule, Scope::All, true).await.unwrap();
    let planned = seatsync_db::contracts::run_changes(&w.pool, dry).await.unwrap();
    assert!(!planned.iter().any(|c| c.kind.as_str() == "adjust_units"), "{planned:?}");
    w.contracts.reread_tenant_contracts(&tenant, today()).await.unwrap();
    assert_eq!(w.units(created.contract_id).await, expected_units(&w.group(&tenant, &key).await));
}
