//! The Datto RMM and Huntress clients against the simulator over HTTP: every page read
//! (Datto's `nextPageUrl`, Huntress's `page_token`), credentials refused in words, throttling
//! waited out, and each account's limit a sliding minute.

use std::{collections::HashMap, sync::Arc, time::Duration};

use seatsync_sim::{
    datto_rmm::{DATTO_API_KEY, DATTO_API_SECRET},
    huntress::{HUNTRESS_API_KEY, HUNTRESS_API_SECRET},
    spawn, FaultRule, SimConfig, SimHandle,
};
use seatsync_vendors::{
    datto_rmm::{DattoRmm, DattoRmmSettings, DeviceKind, HttpDattoRmm},
    http::RetryPolicy,
    huntress::{HttpHuntress, Huntress, HuntressSettings},
    VendorError,
};
use url::Url;

async fn sim(tenants: usize) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn(SimConfig { tenants, ..SimConfig::default() }, listener).await.unwrap()
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

fn datto(s: &SimHandle, secret: &str) -> Arc<HttpDattoRmm> {
    HttpDattoRmm::new(
        DattoRmmSettings {
            api_url: Url::parse(&format!("{}/datto", s.base_url)).unwrap(),
            api_key: DATTO_API_KEY.into(),
            api_secret: secret.into(),
            requests_per_minute: 6_000,
            count_suspended: true,
        },
        reqwest::Client::new(),
        quick_policy(),
    )
}

fn huntress(s: &SimHandle, secret: &str) -> Arc<HttpHuntress> {
    HttpHuntress::new(
        HuntressSettings {
            base_url: Url::parse(&format!("{}/huntress/v1", s.base_url)).unwrap(),
            api_key: HUNTRESS_API_KEY.into(),
            api_secret: secret.into(),
            requests_per_minute: 100_000,
            agents: seatsync_vendors::huntress::AgentCounting::Billable,
        },
        reqwest::Client::new(),
        quick_policy(),
    )
}

async fn faults(s: &SimHandle, rules: &[&str]) {
    let rules: Vec<FaultRule> = rules.iter().map(|r| r.parse().unwrap()).collect();
    reqwest::Client::new()
        .post(format!("{}/_sim/faults", s.base_url))
        .json(&serde_json::json!({ "rules": rules }))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn datto_reads_every_site_and_device_across_pages() {
    let s = sim(60).await;
    let client = datto(&s, DATTO_API_SECRET);
    let sites = client.sites().await.expect("sites");
    let devices = client.devices().await.expect("devices");
    let (site_count, truth): (usize, HashMap<String, (usize, usize)>) = {
        let msp = s.sim.msp();
        let tools = &msp.billing_tools;
        let mut truth: HashMap<String, (usize, usize)> = HashMap::new();
        for d in tools.datto_devices.iter().filter(|d| !d.deleted) {
            let entry = truth.entry(d.site_uid.clone()).or_default();
            match d.category {
                "Desktop" | "Laptop" => entry.0 += 1,
                "Server" => entry.1 += 1,
                _ => {}
            }
        }
        (tools.datto_sites.len(), truth)
    };
    assert_eq!(sites.len(), site_count);
    assert!(sites.iter().filter(|s| s.is_system()).count() == 3, "Managed, OnDemand and Deleted Devices");
    assert!(sites.iter().any(|s| s.autotask_company().is_some()), "Datto's own Autotask links are read");
    assert!(devices.len() > 250, "more than one page: {}", devices.len());
    assert!(devices.iter().all(|d| !d.deleted));
    let mut counted: HashMap<&str, (usize, usize)> = HashMap::new();
    for d in &devices {
        let entry = counted.entry(d.site_uid.as_str()).or_default();
        match d.kind() {
            DeviceKind::Workstation => entry.0 += 1,
            DeviceKind::Server => entry.1 += 1,
            _ => {}
        }
    }
    for (site, expected) in &truth {
        assert_eq!(counted.get(site.as_str()).copied().unwrap_or_default(), *expected, "site {site}");
    }
    // One token for the whole read; the pages followed rather than counted.
    assert_eq!(s.sim.requests_matching("/datto/auth/oauth/token"), 1);
    let pages = s.sim.requests_matching("/datto/api/v2/account/devices");
    assert_eq!(pages as usize, devices.len().div_ceil(250));
    assert_eq!(client.site_count().await.unwrap() as usize, site_count);
}

#[tokio::test]
async fn datto_refuses_a_wrong_secret_in_words_and_waits_out_throttling() {
    let s = sim(5).await;
    let refused = datto(&s, "not-the-secret").sites().await.unwrap_err();
    assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");
    assert!(refused.to_string().contains("Datto RMM"), "{refused}");

    // Datto sends no Retry-After: the client backs off and tries again.
    faults(&s, &["path=/datto/api/v2/account/sites,kind=status,status=429,times=2"]).await;
    let sites = datto(&s, DATTO_API_SECRET).sites().await.expect("read after two 429s");
    assert!(!sites.is_empty());
    faults(&s, &["path=/datto/api/v2/account/sites,kind=status,status=429"]).await;
    let throttled = datto(&s, DATTO_API_SECRET).sites().await.unwrap_err();
    assert!(matches!(throttled, VendorError::Throttled { .. }), "{throttled:?}");
}

#[tokio::test]
async fn huntress_reads_every_organization_across_pages() {
    // More organizations than Huntress's largest page.
    let s = sim(700).await;
    let orgs = huntress(&s, HUNTRESS_API_SECRET).organizations().await.expect("organizations");
    let truth: HashMap<i64, (String, i64)> =
        s.sim.msp().billing_tools.huntress.iter().map(|o| (o.id, (o.name.clone(), o.agents_count))).collect();
    assert!(truth.len() > 500, "{}", truth.len());
    assert_eq!(orgs.len(), truth.len());
    for o in &orgs {
        assert_eq!(truth.get(&o.id), Some(&(o.name.clone(), o.agents_count.unwrap())), "{}", o.name);
    }
    assert_eq!(s.sim.requests_matching("/huntress/v1/organizations"), 2);
    assert!(orgs.iter().any(|o| o.identity_provider_tenant_id.is_some()));
    assert!(orgs.iter().any(|o| !o.recipient_domains().is_empty()));
}

#[tokio::test]
async fn huntress_says_what_it_bills_an_organization_for_and_a_missing_one_is_404() {
    let s = sim(5).await;
    let client = huntress(&s, HUNTRESS_API_SECRET);
    let seeded = s.sim.msp().billing_tools.huntress.clone();
    for o in &seeded {
        let usage = client.usage(o.id).await.expect("usage");
        assert_eq!(usage.billable_agents, Some(o.billable_agents()), "{}", o.name);
        assert_eq!(usage.sat_learners, Some(o.sat_learner_count), "{}", o.name);
        assert_eq!(usage.billable_log_sources, Some(o.logs_sources_count), "{}", o.name);
    }
    assert!(
        seeded.iter().any(|o| o.billable_agents() < o.agents_count),
        "the list counts agents Huntress does not bill"
    );
    assert_eq!(s.sim.requests_matching("/huntress/v1/organizations/"), seeded.len() as u64);
    let missing = client.usage(1).await.unwrap_err();
    assert!(matches!(missing, VendorError::Status { status: 404, .. }), "{missing:?}");
}

#[tokio::test]
async fn huntress_refuses_a_wrong_secret_and_holds_its_account_to_sixty_a_minute() {
    let s = sim(5).await;
    let refused = huntress(&s, "wrong").organizations().await.unwrap_err();
    assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");

    faults(&s, &["path=/huntress/v1/organizations,kind=status,status=429,times=1"]).await;
    let client = huntress(&s, HUNTRESS_API_SECRET);
    assert!(!client.organizations().await.expect("read after a 429").is_empty());
    faults(&s, &[]).await;

    // Huntress counts the whole account's requests in a sliding minute.
    let mut answered = 0;
    let error = loop {
        match client.first_organization().await {
            Ok(_) => answered += 1,
            Err(e) => break e,
        }
        assert!(answered <= 60, "Huntress allows 60 requests a minute");
    };
    assert!(matches!(error, VendorError::Throttled { .. }), "{error:?}");
    assert!(answered >= 55, "{answered}");
}
