//! The NinjaOne client against the simulator over HTTP: every organization and device read in
//! `after` pages (also when the page size asked for is above the server's largest), each
//! organization's counts as the seed has them, the PSA custom field read, credentials refused in
//! words, a token that ends early renewed, throttling waited out with or without `Retry-After`,
//! and the simulator's errors, scopes and device filters as NinjaOne documents them.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use seatsync_sim::{
    ninjaone::{truth, MAX_PAGE_SIZE, NINJAONE_CLIENT_ID, NINJAONE_CLIENT_SECRET, NINJAONE_PSA_FIELD},
    spawn, FaultRule, SimConfig, SimHandle,
};
use seatsync_vendors::{
    http::RetryPolicy,
    ninjaone::{Device, DeviceKind, HttpNinjaOne, NinjaOne, NinjaOneSettings, Organization},
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

fn ninjaone_at(s: &SimHandle, path: &str, secret: &str, page_size: u32) -> Arc<HttpNinjaOne> {
    HttpNinjaOne::new(
        NinjaOneSettings {
            base_url: Url::parse(&format!("{}{path}", s.base_url)).unwrap(),
            client_id: NINJAONE_CLIENT_ID.into(),
            client_secret: secret.into(),
            page_size,
            psa_company_field: Some(NINJAONE_PSA_FIELD.into()),
            requests_per_minute: 100_000,
        },
        reqwest::Client::new(),
        quick_policy(),
    )
}

fn ninjaone(s: &SimHandle, page_size: u32) -> Arc<HttpNinjaOne> {
    ninjaone_at(s, "/ninjaone", NINJAONE_CLIENT_SECRET, page_size)
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

/// What the seed holds for one organization: its name, its PSA company and its counts.
struct Expected {
    name: String,
    psa_company: Option<i64>,
    counts: BTreeMap<String, i64>,
}

fn expected(s: &SimHandle) -> HashMap<i64, Expected> {
    let seeded = truth(&s.sim.msp().billing_tools.ninjaone);
    seeded
        .as_array()
        .expect("a list of organizations")
        .iter()
        .map(|o| {
            let counts =
                o["counts"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_i64().unwrap())).collect();
            let name = o["name"].as_str().unwrap().to_string();
            (o["id"].as_i64().unwrap(), Expected { name, psa_company: o["psaCompanyId"].as_i64(), counts })
        })
        .collect()
}

/// Each organization's counts as the billing connector makes them: approved devices by what they
/// are billed as, workstations and servers shown even when there are none.
fn counted(organizations: &[Organization], devices: &[Device]) -> HashMap<i64, BTreeMap<String, i64>> {
    let mut counted: HashMap<i64, BTreeMap<String, i64>> = HashMap::new();
    for o in organizations {
        let products = counted.entry(o.id).or_default();
        for main in [DeviceKind::Workstation, DeviceKind::Server] {
            products.insert(main.product().to_string(), 0);
        }
    }
    for d in devices.iter().filter(|d| d.is_billable()) {
        let organization = d.organization_id.expect("every device names its organization");
        *counted.entry(organization).or_default().entry(d.kind().product().to_string()).or_default() += 1;
    }
    counted
}

#[tokio::test]
async fn reads_every_organization_and_device_across_pages() {
    let s = sim(200).await;
    let client = ninjaone(&s, 100);
    let organizations = client.organizations().await.expect("organizations");
    let devices = client.devices().await.expect("devices");
    let expected = expected(&s);
    let device_total = s.sim.msp().billing_tools.ninjaone.devices.len();
    assert!(expected.len() > 100, "more organizations than a page: {}", expected.len());
    assert!(device_total > 1000, "{device_total}");

    assert_eq!(organizations.len(), expected.len());
    for o in &organizations {
        let seeded = expected.get(&o.id).expect("an organization of the seed");
        assert_eq!(o.name, seeded.name);
        assert_eq!(o.psa_company(), seeded.psa_company, "{}", o.name);
    }
    assert!(organizations.iter().any(|o| o.psa_company().is_some()), "the PSA custom field is read");
    assert!(organizations.iter().any(|o| o.psa_link.is_some() && o.psa_company().is_none()), "words link nothing");

    assert_eq!(devices.len(), device_total);
    assert_eq!(devices.iter().map(|d| d.id).collect::<HashSet<_>>().len(), device_total, "no device twice");
    assert!(devices.iter().any(|d| !d.is_billable()), "pending devices are listed, and left out of the counts");
    let tallied = counted(&organizations, &devices);
    for (id, seeded) in &expected {
        assert_eq!(tallied.get(id), Some(&seeded.counts), "{}", seeded.name);
    }

    // One token for the whole read; pages of 100 until one comes back short (or empty, when the
    // last page was full).
    assert_eq!(s.sim.requests_matching("/ninjaone/ws/oauth/token"), 1);
    assert_eq!(s.sim.requests_matching("/ninjaone/v2/organizations") as usize, expected.len() / 100 + 1);
    assert_eq!(s.sim.requests_matching("/ninjaone/v2/devices") as usize, device_total / 100 + 1);

    let first = client.first_organization().await.expect("the first organization").expect("one");
    assert_eq!(Some(first.id), expected.keys().min().copied());
}

#[tokio::test]
async fn a_page_size_above_the_servers_largest_still_reads_every_device() {
    let s = sim(200).await;
    let total = s.sim.msp().billing_tools.ninjaone.devices.len();
    assert!(total > MAX_PAGE_SIZE, "{total}");
    let devices = ninjaone(&s, 5_000).devices().await.expect("devices");
    assert_eq!(devices.len(), total);
    assert_eq!(devices.iter().map(|d| d.id).collect::<HashSet<_>>().len(), total);
    // Pages of the server's largest until a short one; the first was short of what was asked.
    assert_eq!(s.sim.requests_matching("/ninjaone/v2/devices") as usize, total / MAX_PAGE_SIZE + 1);
}

#[tokio::test]
async fn wrong_credentials_and_a_wrong_address_are_said_in_words() {
    let s = sim(5).await;
    let refused = ninjaone_at(&s, "/ninjaone", "not-the-secret", 100).organizations().await.unwrap_err();
    assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");
    assert!(refused.to_string().contains("NinjaOne"), "{refused}");
    assert!(refused.to_string().contains("invalid_client"), "{refused}");

    // Neither token path is there: both are tried, and the address is questioned.
    let lost = ninjaone_at(&s, "/elsewhere", NINJAONE_CLIENT_SECRET, 100).first_organization().await.unwrap_err();
    assert!(matches!(lost, VendorError::Auth { .. }), "{lost:?}");
    assert!(lost.to_string().contains("instance address"), "{lost}");
    assert!(lost.to_string().contains("/elsewhere/ws/oauth/token"), "{lost}");
    assert!(lost.to_string().contains("/elsewhere/oauth/token"), "{lost}");
}

#[tokio::test]
async fn a_token_ended_early_is_renewed_and_throttling_is_waited_out() {
    let s = sim(5).await;
    let client = ninjaone(&s, 100);
    assert!(client.first_organization().await.expect("signed in").is_some());

    faults(&s, &["path=/ninjaone/v2/organizations,kind=status,status=401,times=1"]).await;
    assert!(!client.organizations().await.expect("read with a fresh token").is_empty());
    assert_eq!(s.sim.requests_matching("/ninjaone/ws/oauth/token"), 2);

    // NinjaOne may or may not say how long to wait: both are waited out.
    faults(&s, &["path=/ninjaone/v2/devices,kind=status,status=429,times=2"]).await;
    assert!(!client.devices().await.expect("read after two 429s").is_empty());
    faults(&s, &["path=/ninjaone/v2/devices,kind=throttle,retry_after=0.1,times=2"]).await;
    assert!(!client.devices().await.expect("read after two 429s with Retry-After").is_empty());

    faults(&s, &["path=/ninjaone/v2/devices,kind=status,status=429"]).await;
    let throttled = client.devices().await.unwrap_err();
    assert!(matches!(throttled, VendorError::Throttled { .. }), "{throttled:?}");
    faults(&s, &[]).await;
}

async fn token(s: &SimHandle, scope: &str) -> String {
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/ninjaone/ws/oauth/token", s.base_url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", NINJAONE_CLIENT_ID),
            ("client_secret", NINJAONE_CLIENT_SECRET),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["token_type"], "Bearer", "{body}");
    body["access_token"].as_str().expect("a token").to_string()
}

#[tokio::test]
async fn the_simulator_answers_as_ninjaone_documents() {
    let s = sim(20).await;
    let http = reqwest::Client::new();
    let read = token(&s, "monitoring").await;

    // Errors in NinjaOne's shape.
    let res = http.get(format!("{}/ninjaone/v2/devices?pageSize=many", s.base_url)).bearer_auth(&read).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["resultCode"].is_string() && body["errorMessage"].is_string(), "{body}");

    // Reads need a token, and one with the monitoring scope.
    let res = http.get(format!("{}/ninjaone/v2/organizations", s.base_url)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let manage = token(&s, "management").await;
    let res = http.get(format!("{}/ninjaone/v2/organizations", s.base_url)).bearer_auth(&manage).send().await.unwrap();
    assert_eq!(res.status(), 403);

    // A documented device filter, and a bare array with no page metadata.
    let res = http
        .get(format!("{}/ninjaone/v2/devices", s.base_url))
        .query(&[
            ("df", "class in (WINDOWS_SERVER,LINUX_SERVER,MAC_SERVER) AND status eq APPROVED"),
            ("pageSize", "1000"),
        ])
        .bearer_auth(&read)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let servers: Vec<serde_json::Value> = res.json().await.unwrap();
    let seeded = s
        .sim
        .msp()
        .billing_tools
        .ninjaone
        .devices
        .iter()
        .filter(|d| {
            ["WINDOWS_SERVER", "LINUX_SERVER", "MAC_SERVER"].contains(&d.node_class) && d.approval_status == "APPROVED"
        })
        .count();
    assert_eq!(servers.len(), seeded);
    assert!(servers.iter().all(|d| d["approvalStatus"] == "APPROVED"));

    // `after` is the last id of the page before.
    let first: Vec<serde_json::Value> = http
        .get(format!("{}/ninjaone/v2/organizations?pageSize=3", s.base_url))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    let last = first[2]["id"].as_i64().unwrap();
    let next: Vec<serde_json::Value> = http
        .get(format!("{}/ninjaone/v2/organizations?pageSize=3&after={last}", s.base_url))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(next.first().is_some_and(|o| o["id"].as_i64().unwrap() > last), "{next:?}");
}
