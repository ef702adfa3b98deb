//! The Auvik client against the simulator over HTTP: every tenant read, named from the details;
//! every device read across `links.next` pages; each customer's billable devices as the seed has
//! them, from the usage (in batches of tenants) and from the inventory; credentials refused in
//! words; throttling waited out with or without `Retry-After`; an account in another region
//! found through its 308, whether the HTTP client follows redirects or not; and the simulator's
//! checks, errors and links as Auvik documents them.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use chrono::Utc;
use seatsync_sim::{
    auvik::{truth, API_ROOT, AUVIK_API_KEY, AUVIK_USERNAME, OTHER_REGION_ROOT},
    spawn, FaultRule, SimConfig, SimHandle,
};
use seatsync_vendors::{
    auvik::{main_accounts, previous_month, Auvik, AuvikSettings, Counting, HttpAuvik, TENANTS_PER_REQUEST},
    http::RetryPolicy,
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

fn auvik_at(base_url: &str, api_key: &str, page_size: u32, http: reqwest::Client) -> Arc<HttpAuvik> {
    HttpAuvik::new(
        AuvikSettings {
            base_url: Url::parse(base_url).unwrap(),
            username: AUVIK_USERNAME.into(),
            api_key: api_key.into(),
            page_size,
            requests_per_minute: 100_000,
            counting: Counting::Usage,
        },
        http,
        quick_policy(),
    )
}

fn auvik(s: &SimHandle, page_size: u32) -> Arc<HttpAuvik> {
    auvik_at(&format!("{}{API_ROOT}", s.base_url), AUVIK_API_KEY, page_size, reqwest::Client::new())
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

/// Each customer tenant of the seed: its display name and its billable network devices.
fn expected(s: &SimHandle) -> HashMap<String, (String, i64)> {
    let seeded = truth(&s.sim.msp().billing_tools.auvik);
    seeded
        .as_array()
        .expect("a list of tenants")
        .iter()
        .map(|t| {
            let name = t["displayName"].as_str().unwrap().to_string();
            let devices = t["counts"]["Network devices"].as_i64().unwrap();
            (t["id"].as_str().unwrap().to_string(), (name, devices))
        })
        .collect()
}

#[tokio::test]
async fn reads_every_tenant_and_device_across_pages() {
    let s = sim(60).await;
    let client = auvik(&s, 50);
    let expected = expected(&s);
    let (tenant_total, main_prefix, device_total) = {
        let msp = s.sim.msp();
        let data = &msp.billing_tools.auvik;
        (data.tenants.len(), data.main_prefix.clone(), data.devices.len())
    };

    let tenants = client.tenants().await.expect("tenants");
    assert_eq!(tenants.len(), tenant_total);
    let customers: Vec<String> = tenants.iter().filter(|t| t.is_customer()).map(|t| t.id.clone()).collect();
    assert_eq!(customers.iter().cloned().collect::<HashSet<_>>(), expected.keys().cloned().collect::<HashSet<_>>());
    assert!(tenants.iter().all(|t| t.id.len() == 18), "ids keep their 18 digits");
    let main: Vec<&str> = main_accounts(&tenants).iter().map(|t| t.domain_prefix.as_str()).collect();
    assert_eq!(main, [main_prefix.as_str()]);

    // The details name every tenant of the account, those under its western group too.
    let details = client.tenant_details(&main_prefix).await.expect("details");
    assert_eq!(details.len(), tenant_total);
    for t in details.iter().filter(|t| t.is_customer()) {
        assert_eq!(Some(t.name()), expected.get(&t.id).map(|(name, _)| name.as_str()), "{}", t.id);
    }

    // Every device, across pages of 50, with whether it is managed.
    assert!(customers.len() <= TENANTS_PER_REQUEST, "one batch of tenants");
    let devices = client.devices(&customers).await.expect("devices");
    assert_eq!(devices.len(), device_total);
    assert!(device_total > 500, "{device_total}");
    assert_eq!(s.sim.requests_matching("/auvik/v1/inventory/device/info") as usize, device_total.div_ceil(50));
    assert!(devices.iter().all(|d| d.managed.is_some()), "each device's detail came with it");
    assert!(devices.iter().any(|d| d.managed == Some(false)));
    let mut counted: HashMap<&str, i64> = HashMap::new();
    for d in devices.iter().filter(|d| d.is_billable()) {
        *counted.entry(d.tenant_id.as_deref().expect("each device names its tenant")).or_default() += 1;
    }
    for (id, (name, devices)) in &expected {
        assert_eq!(counted.get(id.as_str()).copied().unwrap_or(0), *devices, "{name}: inventory");
    }

    // The last whole month's usage bills each billable device every day.
    let (from, thru) = previous_month(Utc::now().date_naive());
    let usage = client.client_usage(&customers, from, thru).await.expect("usage");
    assert_eq!(usage.len(), customers.len());
    for u in &usage {
        let (name, devices) = expected.get(&u.tenant_id).expect("a customer of the seed");
        assert_eq!(u.network_devices(), *devices, "{name}: usage");
        assert_eq!(u.length_in_days, Some(thru.signed_duration_since(from).num_days() as f64 + 1.0));
    }
    assert_eq!(s.sim.requests_matching("/auvik/v1/billing/usage/client"), 1);

    let summary = client.summary().await.expect("summary");
    assert_eq!((summary.tenants, summary.customers), (tenant_total, expected.len()));
    assert_eq!(summary.main_prefixes, [main_prefix]);
    assert_eq!(summary.moved_to, None);
    assert!(summary.first_customer.as_ref().is_some_and(|id| expected.contains_key(id)));
    assert_eq!(client.counting(), Counting::Usage);
    assert!(client.requests_sent() > 10);
}

#[tokio::test]
async fn many_tenants_are_asked_for_in_batches() {
    let s = sim(300).await;
    let client = auvik(&s, 1000);
    let expected = expected(&s);
    let customers: Vec<String> =
        client.tenants().await.expect("tenants").into_iter().filter(|t| t.is_customer()).map(|t| t.id).collect();
    assert!(customers.len() > 2 * TENANTS_PER_REQUEST, "{}", customers.len());
    let batches = customers.len().div_ceil(TENANTS_PER_REQUEST);

    let (from, thru) = previous_month(Utc::now().date_naive());
    let usage = client.client_usage(&customers, from, thru).await.expect("usage");
    assert_eq!(usage.len(), customers.len());
    assert!(usage.iter().all(|u| expected[&u.tenant_id].1 == u.network_devices()));
    assert_eq!(s.sim.requests_matching("/auvik/v1/billing/usage/client") as usize, batches);

    let devices = client.devices(&customers).await.expect("devices");
    assert_eq!(devices.len(), s.sim.msp().billing_tools.auvik.devices.len());
    let ids: HashSet<&str> = devices.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), devices.len(), "no device read twice");
    assert!(s.sim.requests_matching("/auvik/v1/inventory/device/info") as usize >= batches);
}

#[tokio::test]
async fn wrong_credentials_are_refused_in_words() {
    let s = sim(5).await;
    let client = auvik_at(&format!("{}{API_ROOT}", s.base_url), "not-the-key", 100, reqwest::Client::new());
    let refused = client.tenants().await.unwrap_err();
    assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");
    let said = refused.to_string();
    assert!(said.contains("Auvik") && said.contains("API key"), "{said}");
    let probe = client.summary().await.unwrap_err();
    assert!(matches!(probe, VendorError::Auth { .. }), "{probe:?}");
}

#[tokio::test]
async fn throttling_is_waited_out_with_or_without_retry_after() {
    let s = sim(5).await;
    // Auvik's 429 may come without Retry-After: the client backs off and tries again.
    faults(&s, &["path=/auvik/v1/tenants,kind=status,status=429,times=2"]).await;
    let tenants = auvik(&s, 100).tenants().await.expect("read after two 429s");
    assert!(!tenants.is_empty());

    faults(&s, &["path=/auvik/v1/billing/usage/client,kind=throttle,retry_after=0.1,times=2"]).await;
    let client = auvik(&s, 100);
    let customers: Vec<String> = tenants.iter().filter(|t| t.is_customer()).map(|t| t.id.clone()).collect();
    let (from, thru) = previous_month(Utc::now().date_naive());
    let usage = client.client_usage(&customers, from, thru).await.expect("read after Retry-After twice");
    assert_eq!(usage.len(), customers.len());

    faults(&s, &["path=/auvik/v1/tenants,kind=status,status=429"]).await;
    let throttled = auvik(&s, 100).tenants().await.unwrap_err();
    assert!(matches!(throttled, VendorError::Throttled { .. }), "{throttled:?}");
}

#[tokio::test]
async fn an_account_in_another_region_is_found_through_its_redirect() {
    let s = sim(10).await;
    let own_region = Url::parse(&format!("{}{API_ROOT}", s.base_url)).unwrap();

    // A client that does not follow redirects reads the 308's Location.
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let client = auvik_at(&format!("{}{OTHER_REGION_ROOT}", s.base_url), AUVIK_API_KEY, 100, no_redirects);
    let summary = client.summary().await.expect("the account in its own region");
    assert_eq!(summary.moved_to.as_ref(), Some(&own_region));
    assert!(summary.customers > 0);
    let customers: Vec<String> =
        client.tenants().await.unwrap().into_iter().filter(|t| t.is_customer()).map(|t| t.id).collect();
    client.devices(&customers).await.expect("devices from the account's region");
    assert_eq!(s.sim.requests_matching("/auvik/other-region"), 1, "only the first request went to the old address");

    // One that follows drops the credentials on the way to another host; where it ended up
    // tells the client where the account is. (`localhost` here, the simulator's 127.0.0.1 there.)
    let elsewhere = format!("http://localhost:{}{OTHER_REGION_ROOT}", s.addr.port());
    let following = auvik_at(&elsewhere, AUVIK_API_KEY, 100, reqwest::Client::new());
    let summary = following.summary().await.expect("the account after the redirect");
    assert_eq!(summary.moved_to.as_ref(), Some(&own_region));
    assert!(!following.tenants().await.unwrap().is_empty());
}

/// A GET of the simulator's Auvik with the right credentials.
async fn get(s: &SimHandle, path_and_query: &str) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .get(format!("{}{path_and_query}", s.base_url))
        .basic_auth(AUVIK_USERNAME, Some(AUVIK_API_KEY))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn the_simulator_speaks_as_auvik_documents() {
    let s = sim(20).await;
    let main_prefix = s.sim.msp().billing_tools.auvik.main_prefix.clone();

    let anonymous = reqwest::get(format!("{}{API_ROOT}/tenants", s.base_url)).await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], "401", "JSON:API errors: {body}");

    // The details need the main account's prefix, under either name.
    let (status, body) = get(&s, "/auvik/v1/tenants/detail").await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errors"][0]["detail"].as_str().unwrap().contains("tenantDomainPrefix"));
    let (status, body) =
        get(&s, &format!("/auvik/v1/tenants/detail?filter%5BtenantDomainPrefix%5D={main_prefix}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["type"], "tenants");
    assert_eq!(get(&s, "/auvik/v1/tenants/detail?tenantDomainPrefix=nobody").await.0, 404);

    // Usage needs both dates, as YYYY-MM-DD, at most 90 days apart.
    assert_eq!(get(&s, "/auvik/v1/billing/usage/client?filter%5BfromDate%5D=2026-11-01").await.0, 400);
    let wrong_shape = "/auvik/v1/billing/usage/client?filter%5BfromDate%5D=2026-11-1&filter%5BthruDate%5D=2026-11-30";
    assert_eq!(get(&s, wrong_shape).await.0, 400);
    let too_long = "/auvik/v1/billing/usage/client?filter%5BfromDate%5D=2026-01-01&filter%5BthruDate%5D=2026-06-30";
    assert_eq!(get(&s, too_long).await.0, 400);
    let whole = "/auvik/v1/billing/usage/client?filter%5BfromDate%5D=2026-11-01&filter%5BthruDate%5D=2026-11-30";
    let (status, body) = get(&s, whole).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"].as_array().unwrap().len(), 1, "the account's own tenant when none is named");
    assert_eq!(body["data"][0]["attributes"]["usagePeriod"]["lengthInDays"], 30);
    assert_eq!(get(&s, &format!("{whole}&tenants=123")).await.0, 403);

    // Device pages: absolute links on this host that keep the filters, forward and backward.
    let (status, first) = get(&s, "/auvik/v1/inventory/device/info?page%5Bfirst%5D=5&unknown=1").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["data"].as_array().unwrap().len(), 5);
    assert!(first["links"]["prev"].is_null());
    let next = first["links"]["next"].as_str().expect("a next page");
    assert!(next.starts_with(&format!("{}{API_ROOT}/inventory/device/info?", s.base_url)), "{next}");
    assert!(next.contains("page%5Bafter%5D=") && next.contains("unknown=1"), "{next}");
    let second: serde_json::Value = reqwest::Client::new()
        .get(next)
        .basic_auth(AUVIK_USERNAME, Some(AUVIK_API_KEY))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["data"].as_array().unwrap().len(), 5);
    assert_ne!(second["data"][0]["id"], first["data"][0]["id"]);
    assert!(second["links"]["prev"].is_string());
    let (_, last) = get(&s, "/auvik/v1/inventory/device/info?page%5Blast%5D=3").await;
    let all = s.sim.msp().billing_tools.auvik.devices.len();
    assert_eq!(last["data"].as_array().unwrap().len(), 3);
    assert!(last["links"]["next"].is_null());
    assert_eq!(last["meta"]["totalPages"], all.div_ceil(3));
    assert_eq!(get(&s, "/auvik/v1/inventory/device/info?filter%5BdeviceType%5D=toaster").await.0, 400);
    let managed_switches = "/auvik/v1/inventory/device/info?filter%5BdeviceType%5D=switch\
                            &include=deviceDetail&fields%5BdeviceDetail%5D=manageStatus";
    let (status, switches) = get(&s, managed_switches).await;
    assert_eq!(status, 200);
    assert!(switches["data"].as_array().unwrap().iter().all(|d| d["attributes"]["deviceType"] == "switch"));
    assert!(switches["included"][0]["attributes"]["manageStatus"].is_boolean());
    assert!(switches["included"][0]["attributes"].get("discoveryStatus").is_none(), "only the fields asked for");

    // Another region's address redirects, keeping the path and query.
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let moved = no_redirects.get(format!("{}{OTHER_REGION_ROOT}/tenants?x=1", s.base_url)).send().await.unwrap();
    assert_eq!(moved.status().as_u16(), 308);
    let location = moved.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("{}{API_ROOT}/tenants?x=1", s.base_url));
}
