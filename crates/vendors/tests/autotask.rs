//! The Autotask client against the simulator over HTTP: zone discovery and credentials, paging,
//! `in` batches, picklists, validation errors, throttling, writes whose answer is lost, the
//! hourly budget and the per-endpoint thread limit.

use std::{collections::HashSet, sync::Arc, time::Duration};

use chrono::{Months, Utc};
use seatsync_domain::{CompanyId, ContractId, ServiceId};
use seatsync_sim::{spawn, SimConfig, SimHandle};
use seatsync_vendors::{
    autotask::{
        picklist_value, Autotask, AutotaskSettings, HttpAutotask, NewAdjustment, NewContract, NewContractService,
        NewService,
    },
    http::RetryPolicy,
    VendorError,
};
use serde_json::{json, Value};
use url::Url;

async fn sim_with(config: SimConfig) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn(config, listener).await.unwrap()
}

async fn sim(tenants: usize) -> SimHandle {
    sim_with(SimConfig { tenants, ..SimConfig::default() }).await
}

fn quick_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        request_timeout: Duration::from_millis(1500),
        max_retry_after: Duration::from_secs(5),
    }
}

fn settings(s: &SimHandle) -> AutotaskSettings {
    AutotaskSettings {
        zone_url: Url::parse(&format!("{}/ATServicesRest/V1.0/zoneInformation", s.base_url)).unwrap(),
        username: "seatsync-api@northwind-msp.example".into(),
        secret: "sim-autotask-secret".into(),
        integration_code: "SEATSYNCSIMTRACKING".into(),
        ..AutotaskSettings::default()
    }
}

fn client(s: &SimHandle) -> Arc<HttpAutotask> {
    HttpAutotask::new(settings(s), reqwest::Client::new(), quick_policy())
}

async fn control(s: &SimHandle, path: &str) -> Value {
    reqwest::get(format!("{}/_sim/{path}", s.base_url)).await.unwrap().json().await.unwrap()
}

async fn faults(s: &SimHandle, rules: &[&str]) {
    let rules: Vec<seatsync_sim::FaultRule> = rules.iter().map(|r| r.parse().unwrap()).collect();
    let res = reqwest::Client::new()
        .post(format!("{}/_sim/faults", s.base_url))
        .json(&json!({ "rules": rules }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

/// Calls the simulator served per route, e.g. `POST /atservicesrest/v1.0/contracts`.
async fn calls(s: &SimHandle, route: &str) -> u64 {
    control(s, "calls").await["byRoute"][route].as_u64().unwrap_or(0)
}

fn contract(company_id: CompanyId, name: &str) -> NewContract {
    let start = Utc::now().date_naive();
    NewContract {
        company_id,
        contract_name: name.into(),
        contract_type: 7,
        status: 1,
        start_date: start,
        end_date: start.checked_add_months(Months::new(12)).unwrap().pred_opt().unwrap(),
        contract_period_type: Some(2),
        description: Some("Created by a test".into()),
        time_reporting_requires_start_and_stop_times: false,
    }
}

/// The seeded allocation code for licences.
async fn a_billing_code(s: &SimHandle) -> i64 {
    let codes = control(s, "autotask/BillingCodes").await;
    codes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Microsoft 365 Licensing")
        .and_then(|c| c["id"].as_i64())
        .expect("a seeded allocation code")
}

fn a_company(s: &SimHandle) -> CompanyId {
    CompanyId::new(*s.sim.msp().autotask.company_of_tenant.values().min().unwrap())
}

#[tokio::test]
async fn zone_discovery_and_credentials() {
    let s = sim(5).await;
    let at = client(&s);
    assert_eq!(at.web_url().await.unwrap().as_str(), format!("{}/autotask/", s.base_url));
    let companies = at.companies().await.unwrap();
    assert_eq!(companies.len(), s.sim.msp().autotask.count("Companies"));
    assert!(companies.iter().any(|c| c.id == CompanyId::new(0) && c.company_name == "Northwind MSP"));
    assert_eq!(calls(&s, "GET /atservicesrest/v1.0/zoneinformation").await, 1, "the zone is discovered once");

    let wrong = HttpAutotask::new(
        AutotaskSettings { secret: "wrong".into(), ..settings(&s) },
        reqwest::Client::new(),
        quick_policy(),
    );
    let err = wrong.companies().await.unwrap_err();
    assert!(matches!(err, VendorError::Auth { .. }), "{err}");
    assert!(err.to_string().contains("check the API user, secret and integration code"), "{err}");

    let unknown = HttpAutotask::new(
        AutotaskSettings { username: "nobody@example.com".into(), ..settings(&s) },
        reqwest::Client::new(),
        quick_policy(),
    );
    let err = unknown.companies().await.unwrap_err();
    assert!(matches!(err, VendorError::Auth { .. }) && err.to_string().contains("nobody@example.com"), "{err}");

    let unset = HttpAutotask::new(AutotaskSettings::default(), reqwest::Client::new(), quick_policy());
    assert!(matches!(unset.services().await.unwrap_err(), VendorError::NotConfigured { .. }));
}

#[tokio::test]
async fn pages_and_in_batches_cover_every_record() {
    let s = sim(1200).await;
    let at = client(&s);
    let companies = at.companies().await.unwrap();
    let expected = s.sim.msp().autotask.count("Companies");
    assert!(expected > 1000, "{expected}");
    assert_eq!(companies.len(), expected);
    assert_eq!(companies.iter().map(|c| c.id).collect::<HashSet<_>>().len(), expected, "no company twice");
    assert_eq!(calls(&s, "POST /atservicesrest/v1.0/companies/query").await, 1);
    assert_eq!(calls(&s, "POST /atservicesrest/v1.0/companies/query/next").await, (expected as u64).div_ceil(500) - 1);

    // Every company id plus some that do not exist: more than 500, so several `in` batches.
    let mut ids: Vec<CompanyId> = companies.iter().map(|c| c.id).collect();
    ids.extend([1, 2, 3].map(CompanyId::new));
    let contracts = at.contracts_of(&ids).await.unwrap();
    let seeded: HashSet<ContractId> =
        s.sim.msp().autotask.all("Contracts").map(|c| ContractId::new(c["id"].as_i64().unwrap())).collect();
    assert!(seeded.len() > 300, "{}", seeded.len());
    assert_eq!(contracts.iter().map(|c| c.id).collect::<HashSet<_>>(), seeded);
    assert_eq!(contracts.len(), seeded.len());
    assert_eq!(calls(&s, "POST /atservicesrest/v1.0/contracts/query").await, (ids.len() as u64).div_ceil(500));
    assert!(at.contracts_of(&[]).await.unwrap().is_empty());

    let contract_ids: Vec<ContractId> = contracts.iter().map(|c| c.id).collect();
    let services = at.contract_services(&contract_ids).await.unwrap();
    assert_eq!(services.len(), s.sim.msp().autotask.count("ContractServices"));
    let today = Utc::now().date_naive();
    let units = at.contract_service_units(&contract_ids, today).await.unwrap();
    let current: HashSet<ContractId> =
        contracts.iter().filter(|c| c.start_date <= today && c.end_date >= today).map(|c| c.id).collect();
    assert!(!units.is_empty());
    assert!(units.iter().all(|u| current.contains(&u.contract_id) && u.start_date <= today && u.end_date >= today));
    assert_eq!(units.iter().map(|u| u.contract_id).collect::<HashSet<_>>(), current);
}

#[tokio::test]
async fn picklists_are_read_by_label_and_cached() {
    let s = sim(3).await;
    let at = client(&s);
    let types = at.picklist("Contracts", "contractType").await.unwrap();
    assert_eq!(picklist_value(&types, "Contracts", "contractType", "Recurring Service").unwrap(), 7);
    let before = at.requests_made();
    let periods = at.picklist("contracts", "CONTRACTPERIODTYPE").await.unwrap();
    assert_eq!(at.requests_made(), before, "the entity's fields are cached");
    assert_eq!(picklist_value(&periods, "Contracts", "contractPeriodType", "monthly").unwrap(), 2);
    let service_periods = at.picklist("Services", "periodType").await.unwrap();
    assert_eq!(
        picklist_value(&service_periods, "Services", "periodType", "Monthly").unwrap(),
        3,
        "each entity has its own values"
    );

    let err = picklist_value(&types, "Contracts", "contractType", "Recurring").unwrap_err().to_string();
    assert!(
        err.contains("Contracts.contractType")
            && err.contains("'Recurring'")
            && err.contains("Recurring Service, Per Ticket"),
        "{err}"
    );
    let err = at.picklist("Contracts", "colour").await.unwrap_err();
    assert!(err.to_string().contains("no field colour"), "{err}");
}

#[tokio::test]
async fn validation_errors_are_surfaced_and_not_retried() {
    let s = sim(3).await;
    let at = client(&s);
    // A required field left blank is caught before the request, from Autotask's own definitions.
    let err = at.create_contract(&contract(a_company(&s), "")).await.unwrap_err();
    assert!(
        matches!(&err, VendorError::MissingFields { fields, .. } if fields == &vec!["contractName".to_string()]),
        "{err}"
    );
    assert_eq!(calls(&s, "POST /atservicesrest/v1.0/contracts").await, 0);

    // What only Autotask can know comes back in its words, once.
    let err = at
        .create_contract(&NewContract { contract_period_type: None, ..contract(CompanyId::new(42), "No such company") })
        .await
        .unwrap_err();
    assert!(matches!(err, VendorError::Status { status: 500, .. }), "{err}");
    assert!(
        err.to_string().contains("companyID of type: Company does not exist")
            && err.to_string().contains("contractPeriodType"),
        "{err}"
    );
    assert_eq!(calls(&s, "POST /atservicesrest/v1.0/contracts").await, 1);
}

#[tokio::test]
async fn throttling_is_retried_for_reads_and_refused_writes() {
    let s = sim(3).await;
    let at = client(&s);
    faults(
        &s,
        &[
            "path=/ATServicesRest/V1.0/Companies/query,kind=throttle,retry_after=0.05,times=2",
            "path=/ATServicesRest/V1.0/Services/query,kind=status,status=503,times=1",
        ],
    )
    .await;
    assert!(!at.companies().await.unwrap().is_empty());
    assert_eq!(calls(&s, "POST /atservicesrest/v1.0/companies/query").await, 3);
    assert!(!at.services().await.unwrap().is_empty(), "a 503 on a read is retried");

    // A 429 comes before processing: even a create may go again, and creates exactly once.
    faults(&s, &["path=/ATServicesRest/V1.0/Contracts,method=POST,kind=throttle,retry_after=0.05,times=1"]).await;
    let id = at.create_contract(&contract(a_company(&s), "Throttled once")).await.unwrap();
    let stored = control(&s, "autotask/contracts").await;
    let named: Vec<&Value> =
        stored.as_array().unwrap().iter().filter(|c| c["contractName"] == "Throttled once").collect();
    assert_eq!(named.len(), 1);
    assert_eq!(named[0]["id"], id.get());
}

#[tokio::test]
async fn a_write_whose_answer_is_lost_is_not_sent_again() {
    let s = sim(3).await;
    let at = HttpAutotask::new(
        settings(&s),
        reqwest::Client::new(),
        RetryPolicy { request_timeout: Duration::from_millis(700), ..quick_policy() },
    );
    faults(&s, &["path=/ATServicesRest/V1.0/Contracts,method=POST,kind=lost_response,times=1"]).await;
    let err = at.create_contract(&contract(a_company(&s), "Answer lost")).await.unwrap_err();
    assert!(matches!(err, VendorError::Uncertain { .. }), "{err}");
    assert!(err.to_string().contains("may or may not have been applied"), "{err}");
    assert_eq!(calls(&s, "POST /atservicesrest/v1.0/contracts").await, 1, "exactly one request");
    let stored = control(&s, "autotask/contracts").await;
    assert!(stored.as_array().unwrap().iter().any(|c| c["contractName"] == "Answer lost"), "the write happened");
    // Re-reading tells the caller what happened.
    assert_eq!(at.contracts_named(a_company(&s), "Answer lost").await.unwrap().len(), 1);

    // A server error on a write is uncertain too, and not retried.
    faults(&s, &["path=/ATServicesRest/V1.0/Services,method=POST,kind=status,status=503,times=1"]).await;
    let service = NewService {
        name: "Uncertain service".into(),
        description: None,
        unit_price: 10.0,
        unit_cost: None,
        period_type: 3,
        billing_code_id: Some(a_billing_code(&s).await),
    };
    let err = at.create_service(&service).await.unwrap_err();
    assert!(matches!(err, VendorError::Uncertain { .. }), "{err}");
    assert_eq!(calls(&s, "POST /atservicesrest/v1.0/services").await, 1);
}

#[tokio::test]
async fn the_budget_stops_at_the_share_of_the_hourly_threshold() {
    let s = sim_with(SimConfig { tenants: 2, autotask_hourly_limit: 40, ..SimConfig::default() }).await;
    let at = HttpAutotask::new(
        AutotaskSettings { hourly_share: 0.5, max_budget_wait: Duration::from_millis(50), ..settings(&s) },
        reqwest::Client::new(),
        quick_policy(),
    );
    let mut ok = 0;
    let err = loop {
        match at.services().await {
            Ok(_) => ok += 1,
            Err(e) => break e,
        }
        assert!(ok < 40, "the budget never stopped the client");
    };
    assert!(matches!(err, VendorError::Budget { .. }), "{err}");
    assert!(err.to_string().contains("frees up in"), "{err}");
    assert_eq!(ok, 19, "one request read the threshold, 19 read services");
    let usage = control(&s, "autotask-usage").await;
    assert_eq!(usage["currentTimeframeRequestCount"], 20, "{usage}");
    assert_eq!(usage["refusedThreshold"], 0);
    let mine = at.usage();
    assert_eq!((mine.used_last_hour, mine.allowed_per_hour, mine.database_threshold), (20, 20, Some(40)));
}

#[tokio::test]
async fn concurrent_reads_stay_within_the_thread_limit() {
    let s = sim(10).await;
    let at = client(&s);
    at.threshold().await.unwrap();
    faults(&s, &["path=/ATServicesRest/V1.0/Companies/query,kind=latency,ms=150"]).await;
    let before = at.requests_made();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let at = at.clone();
        tasks.spawn(async move { at.companies().await });
    }
    while let Some(done) = tasks.join_next().await {
        assert!(!done.unwrap().unwrap().is_empty());
    }
    assert_eq!(at.requests_made() - before, 10, "no request was refused and retried");
    assert_eq!(control(&s, "autotask-usage").await["refusedThreadLimit"], 0);

    // The same reads without the client's limit: the simulator refuses some, so the test above
    // would have seen it.
    let unlimited = HttpAutotask::new(
        AutotaskSettings { max_concurrent_per_endpoint: 10, ..settings(&s) },
        reqwest::Client::new(),
        quick_policy(),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let at = unlimited.clone();
        tasks.spawn(async move { at.companies().await });
    }
    while let Some(done) = tasks.join_next().await {
        let _ = done.unwrap();
    }
    assert!(control(&s, "autotask-usage").await["refusedThreadLimit"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn services_contracts_and_units_round_trip() {
    let s = sim(4).await;
    let at = client(&s);
    let monthly =
        picklist_value(&at.picklist("Services", "periodType").await.unwrap(), "Services", "periodType", "Monthly")
            .unwrap();
    let service = NewService {
        name: "Microsoft Teams Premium (P1Y, billed monthly)".into(),
        description: Some("Teams Premium".into()),
        unit_price: 9.6,
        unit_cost: Some(8.0),
        period_type: monthly,
        billing_code_id: Some(a_billing_code(&s).await),
    };
    let service_id = at.create_service(&service).await.unwrap();
    let found = at.services_named("microsoft teams premium (p1y, billed monthly)").await.unwrap();
    assert_eq!(
        found.iter().map(|s| (s.id, s.period_type, s.unit_price)).collect::<Vec<_>>(),
        vec![(service_id, Some(monthly), Some(9.6))]
    );

    let company = a_company(&s);
    let types = at.picklist("Contracts", "contractType").await.unwrap();
    let new = NewContract {
        contract_type: picklist_value(&types, "Contracts", "contractType", "Recurring Service").unwrap(),
        ..contract(company, "Round trip")
    };
    let contract_id = at.create_contract(&new).await.unwrap();
    let named = at.contracts_named(company, "Round trip").await.unwrap();
    assert_eq!(named.len(), 1);
    assert_eq!((named[0].id, named[0].start_date, named[0].end_date), (contract_id, new.start_date, new.end_date));

    let cs = at
        .add_contract_service(
            contract_id,
            &NewContractService {
                service_id,
                unit_price: Some(9.5),
                unit_cost: None,
                invoice_description: Some("Teams".into()),
            },
        )
        .await
        .unwrap();
    let adjust = |change: i64, service_id: ServiceId| NewAdjustment {
        contract_id,
        service_id,
        effective_date: new.start_date,
        unit_change: change,
        adjusted_unit_price: Some(9.5),
        adjusted_unit_cost: None,
    };
    at.adjust_units(&adjust(12, service_id)).await.unwrap();
    at.adjust_units(&adjust(-2, service_id)).await.unwrap();
    let units = at.contract_service_units(&[contract_id], new.start_date).await.unwrap();
    assert_eq!(units.iter().map(|u| (u.contract_service_id, u.units)).collect::<Vec<_>>(), vec![(cs, 10)]);
    let err = at.adjust_units(&adjust(-11, service_id)).await.unwrap_err();
    assert!(err.to_string().contains("negative"), "{err}");

    // An adjustment for a service not on the contract adds it.
    let other = at.services().await.unwrap().into_iter().find(|s| s.id != service_id).unwrap().id;
    at.adjust_units(&adjust(3, other)).await.unwrap();
    let services = at.contract_services(&[contract_id]).await.unwrap();
    assert_eq!(services.iter().map(|s| s.service_id).collect::<HashSet<_>>(), HashSet::from([service_id, other]));
    let units = at.contract_service_units(&[contract_id], new.end_date).await.unwrap();
    assert_eq!(
        units.iter().map(|u| (u.service_id, u.units)).collect::<HashSet<_>>(),
        HashSet::from([(service_id, 10), (other, 3)])
    );
    assert!(at.contract_service_units(&[contract_id], new.end_date.succ_opt().unwrap()).await.unwrap().is_empty());
    let threshold = at.threshold().await.unwrap();
    assert_eq!(threshold.external_request_threshold, 10_000);
    assert!(at.usage().used_last_hour as i64 <= threshold.current_timeframe_request_count);
}

#[tokio::test]
async fn a_create_missing_a_required_field_is_refused_before_it_is_sent() {
    let s = sim(2).await;
    let at = client(&s);
    let monthly =
        picklist_value(&at.picklist("Services", "periodType").await.unwrap(), "Services", "periodType", "Monthly")
            .unwrap();
    let service = NewService {
        name: "No allocation code".into(),
        description: None,
        unit_price: 5.0,
        unit_cost: None,
        period_type: monthly,
        billing_code_id: None,
    };
    let err = at.create_service(&service).await.unwrap_err();
    assert!(
        matches!(&err, VendorError::MissingFields { fields, .. } if fields == &vec!["billingCodeID".to_string()]),
        "{err}"
    );
    assert!(err.to_string().contains("billingCodeID") && err.to_string().contains("nothing was created"), "{err}");
    assert_eq!(calls(&s, "POST /atservicesrest/v1.0/services").await, 0, "nothing was sent");

    // What Autotask requires of a contract is sent: the start-and-stop-times flag included.
    let id = at.create_contract(&contract(a_company(&s), "With time reporting")).await.unwrap();
    let stored = control(&s, "autotask/Contracts").await;
    let record = stored.as_array().unwrap().iter().find(|c| c["id"] == id.get()).unwrap().clone();
    assert_eq!(record["timeReportingRequiresStartAndStopTimes"], 0, "{record}");

    // The allocation codes to choose from, with what each is for; inactive ones left out.
    let codes = at.billing_codes().await.unwrap();
    assert_eq!(codes.len(), 6);
    assert!(codes.iter().all(|c| c.name != "Legacy Licensing"));
    let licensing = codes.iter().find(|c| c.name == "Microsoft 365 Licensing").unwrap();
    assert_eq!(licensing.use_type_label.as_deref(), Some("Recurring Contract Service"));
}
