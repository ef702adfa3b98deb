//! The SentinelOne client against the simulator over HTTP: every site and agent read across pages
//! by `nextCursor`, the counts the console's own, a refused token in words, 429s waited out with
//! SentinelOne's `Retry-After`, paging checked as documented, and each path's token bucket held.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use seatsync_sim::{
    sentinelone::{truth, SENTINELONE_API_TOKEN},
    spawn, FaultRule, SimConfig, SimHandle,
};
use seatsync_vendors::{
    http::RetryPolicy,
    sentinelone::{
        CustomerLevel, HttpSentinelOne, SentinelOne, SentinelOneSettings, DEFAULT_REQUESTS_PER_MINUTE, MAX_PAGE_SIZE,
    },
    VendorError,
};
use serde_json::Value;
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

/// The client at the simulator, paced as it is by default (under `/agents`' 25 a second).
fn client(s: &SimHandle, token: &str, page_size: u32) -> Arc<HttpSentinelOne> {
    HttpSentinelOne::new(
        SentinelOneSettings {
            base_url: Url::parse(&format!("{}/sentinelone", s.base_url)).unwrap(),
            api_token: token.into(),
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            page_size,
            customer_level: CustomerLevel::Site,
        },
        reqwest::Client::new(),
        quick_policy(),
    )
}

fn api(s: &SimHandle, path_and_query: &str) -> String {
    format!("{}/sentinelone/web/api/v2.1/{path_and_query}", s.base_url)
}

/// One request as it is written, with its status, `Retry-After` and body.
async fn raw(s: &SimHandle, path_and_query: &str, authorization: &str) -> (u16, Option<String>, Value) {
    let res =
        reqwest::Client::new().get(api(s, path_and_query)).header("Authorization", authorization).send().await.unwrap();
    let status = res.status().as_u16();
    let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = res.json().await.unwrap_or(Value::Null);
    (status, retry_after, body)
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
async fn reads_every_site_and_agent_across_pages_with_the_consoles_counts() {
    let s = sim(120).await;
    let c = client(&s, SENTINELONE_API_TOKEN, 50);
    let sites = c.sites().await.expect("sites");
    let agents = c.agents().await.expect("agents");
    let (expected, decommissioned) = {
        let msp = s.sim.msp();
        let data = &msp.billing_tools.sentinelone;
        (truth(data), data.agents.iter().filter(|a| a.is_decommissioned).count())
    };
    let expected = expected.as_array().expect("a list").clone();
    assert!(sites.len() > 50, "more than one page of sites: {}", sites.len());
    assert_eq!(sites.len(), expected.len(), "every active site and no other");
    assert!(decommissioned > 0 && agents.iter().all(|a| !a.is_decommissioned));

    // Counted as the connector counts: licences in use under the tier, agents by machine type.
    let mut counted: HashMap<&str, BTreeMap<String, i64>> = HashMap::new();
    for site in &sites {
        let entry = counted.entry(site.id.as_str()).or_default();
        entry.insert(site.licences_product(), site.active_licenses.unwrap_or(0));
        entry.insert("Workstations".into(), 0);
        entry.insert("Servers".into(), 0);
    }
    for agent in &agents {
        if let Some(entry) = agent.site_id.as_deref().and_then(|id| counted.get_mut(id)) {
            *entry.entry(agent.kind().product().to_string()).or_default() += 1;
        }
    }
    for record in &expected {
        let id = record["id"].as_str().expect("an id");
        let want: BTreeMap<String, i64> = serde_json::from_value(record["counts"].clone()).expect("counts");
        assert_eq!(counted.get(id), Some(&want), "site {}", record["name"]);
    }

    // The MSP's PSA ids in externalId link; free text that is no id does not.
    assert!(sites.iter().any(|s| s.psa_company().is_some()));
    assert!(sites
        .iter()
        .any(|s| s.external_id.as_deref().is_some_and(|e| e.starts_with("AT-")) && s.psa_company().is_none()));

    // Cursors followed page by page (a 429 now and then may add a request).
    let site_requests = s.sim.requests_matching("/sentinelone/web/api/v2.1/sites") as usize;
    let agent_requests = s.sim.requests_matching("/sentinelone/web/api/v2.1/agents") as usize;
    assert!((sites.len().div_ceil(50)..=sites.len().div_ceil(50) + 3).contains(&site_requests), "{site_requests}");
    assert!((agents.len().div_ceil(50)..=agents.len().div_ceil(50) + 3).contains(&agent_requests), "{agent_requests}");

    let summary = c.summary().await.expect("the connection check");
    assert_eq!(summary.sites as usize, expected.len());
    assert_eq!(summary.active_licenses, Some(sites.iter().map(|s| s.active_licenses.unwrap_or(0)).sum::<i64>()));
}

#[tokio::test]
async fn refuses_a_wrong_token_in_words_and_pages_as_documented() {
    let s = sim(5).await;
    let refused = client(&s, "not-the-token", MAX_PAGE_SIZE).sites().await.unwrap_err();
    assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");
    let words = refused.to_string();
    assert!(words.contains("SentinelOne") && words.contains("Authentication Failed"), "{words}");

    // The prefix is `ApiToken `, exactly: Bearer and other casings are refused.
    for authorization in [format!("Bearer {SENTINELONE_API_TOKEN}"), format!("apitoken {SENTINELONE_API_TOKEN}")] {
        let (status, _, body) = raw(&s, "sites", &authorization).await;
        assert_eq!(status, 401, "{authorization}");
        assert_eq!(body["errors"][0]["code"], 4010010);
    }

    let token = format!("ApiToken {SENTINELONE_API_TOKEN}");
    let (status, _, body) = raw(&s, "sites?limit=1001", &token).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["title"], "Validation Error");
    let (status, _, _) = raw(&s, "sites?limit=5&skip=5&cursor=c2l0ZV9vZmZzZXQ6NQ%3D%3D", &token).await;
    assert_eq!(status, 400, "cursor and skip are never mixed");
    let (status, _, body) = raw(&s, "sites?limit=1&unknownParameter=1", &token).await;
    assert_eq!(status, 200, "unknown parameters are ignored");
    assert_eq!(body["data"]["sites"].as_array().map(Vec::len), Some(1));
    assert!(body["pagination"]["nextCursor"].is_string());
    assert!(
        body["data"]["allSites"]["activeLicenses"].as_i64().unwrap()
            >= body["data"]["sites"][0]["activeLicenses"].as_i64().unwrap()
    );
}

#[tokio::test]
async fn waits_out_throttling_with_sentinelones_retry_after() {
    let s = sim(5).await;
    faults(&s, &["path=/sentinelone/web/api/v2.1/sites,kind=throttle,retry_after=0.1,times=2"]).await;
    let sites = client(&s, SENTINELONE_API_TOKEN, MAX_PAGE_SIZE).sites().await.expect("read after two 429s");
    assert!(!sites.is_empty());
    faults(&s, &["path=/sentinelone/web/api/v2.1/sites,kind=throttle,retry_after=0.1"]).await;
    let throttled = client(&s, SENTINELONE_API_TOKEN, MAX_PAGE_SIZE).sites().await.unwrap_err();
    assert!(matches!(throttled, VendorError::Throttled { .. }), "{throttled:?}");
}

#[tokio::test]
async fn each_path_holds_its_token_bucket() {
    let s = sim(5).await;
    // `/agents` allows 25 a second with no burst: thirty at once are mostly refused.
    let mut requests = Vec::new();
    for _ in 0..30 {
        let url = api(&s, "agents/count");
        requests.push(tokio::spawn(async move {
            let res = reqwest::Client::new()
                .get(url)
                .header("Authorization", format!("ApiToken {SENTINELONE_API_TOKEN}"))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (status, retry_after, body)
        }));
    }
    let (mut admitted, mut refused) = (0, 0);
    for request in requests {
        let (status, retry_after, body) = request.await.unwrap();
        match status {
            200 => {
                admitted += 1;
                assert!(body["data"]["total"].as_i64().is_some_and(|n| n > 0), "{body}");
            }
            429 => {
                refused += 1;
                let seconds: u64 = retry_after.expect("Retry-After").parse().expect("whole seconds");
                assert!(seconds >= 1);
                assert_eq!(body["errors"][0]["code"], 4290010);
            }
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert!(admitted >= 1, "{admitted}");
    assert!(refused >= 10, "{refused} of 30 refused");

    // The client paces itself under the bucket and waits out any refusal it meets.
    let agents = client(&s, SENTINELONE_API_TOKEN, MAX_PAGE_SIZE).agents().await.expect("agents after the burst");
    assert!(!agents.is_empty());
}
