//! The ConnectWise Automate client against the simulator over HTTP: every client, computer and
//! network device read across pages (page after page until an empty one), the counts equal to
//! the seed's, sign-in refused in words (wrong password, missing ClientID, a two-factor user),
//! a refused token replaced, throttling and server errors waited out; and the simulator's own
//! wire format as the vendor documents it.

use std::{collections::HashMap, sync::Arc, time::Duration};

use seatsync_sim::{
    automate::{truth, AUTOMATE_CLIENT_ID, AUTOMATE_PASSWORD, AUTOMATE_TWO_FACTOR_USERNAME, AUTOMATE_USERNAME},
    spawn, FaultRule, SimConfig, SimHandle,
};
use seatsync_vendors::{
    automate::{AgentKind, Automate, AutomateSettings, HttpAutomate, PAGE_SIZE},
    http::RetryPolicy,
    VendorError,
};
use url::Url;

const API: &str = "/automate/cwa/api/v1";

async fn sim(tenants: usize) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn(SimConfig { tenants, ..SimConfig::default() }, listener).await.unwrap()
}

fn quick_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        request_timeout: Duration::from_millis(3000),
        max_retry_after: Duration::from_secs(5),
    }
}

fn automate_as(s: &SimHandle, client_id: &str, username: &str, password: &str) -> Arc<HttpAutomate> {
    HttpAutomate::new(
        AutomateSettings {
            server_url: Url::parse(&format!("{}/automate", s.base_url)).unwrap(),
            client_id: client_id.into(),
            username: username.into(),
            password: password.into(),
            requests_per_minute: 100_000,
        },
        reqwest::Client::new(),
        quick_policy(),
    )
}

fn automate(s: &SimHandle) -> Arc<HttpAutomate> {
    automate_as(s, AUTOMATE_CLIENT_ID, AUTOMATE_USERNAME, AUTOMATE_PASSWORD)
}

async fn faults(s: &SimHandle, rules: &[String]) {
    let rules: Vec<FaultRule> = rules.iter().map(|r| r.parse().unwrap()).collect();
    reqwest::Client::new()
        .post(format!("{}/_sim/faults", s.base_url))
        .json(&serde_json::json!({ "rules": rules }))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn automate_reads_every_record_across_pages_and_counts_as_the_seed() {
    // Enough customers for more than two pages of computers.
    let s = sim(150).await;
    let client = automate(&s);
    let clients = client.clients().await.expect("clients");
    let computers = client.computers().await.expect("computers");
    let devices = client.network_devices().await.expect("network devices");
    let (expected, data_clients, data_computers, data_devices) = {
        let msp = s.sim.msp();
        let data = &msp.billing_tools.automate;
        (truth(data), data.clients.len(), data.computers.len(), data.network_devices.len())
    };
    assert_eq!(clients.len(), data_clients);
    assert_eq!(computers.len(), data_computers);
    assert_eq!(devices.len(), data_devices);
    assert!(computers.len() > 2 * PAGE_SIZE as usize, "more than two pages: {}", computers.len());

    let mut counted: HashMap<i64, HashMap<&str, i64>> = HashMap::new();
    for c in &computers {
        *counted.entry(c.client_id().expect("a client")).or_default().entry(c.kind().product()).or_default() += 1;
    }
    for d in &devices {
        *counted.entry(d.client_id().expect("a client")).or_default().entry("Network devices").or_default() += 1;
    }
    let truth = expected.as_array().expect("a list");
    assert_eq!(truth.len(), clients.len());
    for t in truth {
        let id = t["id"].as_i64().unwrap();
        let read = clients.iter().find(|c| c.id == id).expect("the client was read");
        assert_eq!(read.display_name(), t["name"].as_str().unwrap());
        assert_eq!(read.psa_company(), t["externalId"].as_i64(), "{}", read.display_name());
        for (product, count) in t["counts"].as_object().unwrap() {
            let got = counted.get(&id).and_then(|c| c.get(product.as_str())).copied().unwrap_or(0);
            assert_eq!(got, count.as_i64().unwrap(), "{} of {}", product, read.display_name());
        }
    }
    assert!(clients.iter().any(|c| c.psa_company().is_some()), "Automate's own PSA links are read");
    assert!(computers.iter().any(|c| c.kind() == AgentKind::Server));
    assert!(computers.iter().any(|c| c.public_domain().is_some()), "public domains for suggestions");

    // One token for the whole read; each list read until its first empty page.
    assert_eq!(s.sim.requests_matching(&format!("{API}/apitoken")), 1);
    let pages = s.sim.requests_matching(&format!("{API}/computers"));
    assert_eq!(pages as usize, computers.len().div_ceil(PAGE_SIZE as usize) + 1);

    let first = client.first_client().await.expect("first client").expect("a client");
    assert_eq!(first.id, clients.iter().map(|c| c.id).min().unwrap());
}

#[tokio::test]
async fn automate_refuses_sign_in_in_words() {
    let s = sim(5).await;
    let wrong = automate_as(&s, AUTOMATE_CLIENT_ID, AUTOMATE_USERNAME, "not-the-password").clients().await.unwrap_err();
    assert!(matches!(wrong, VendorError::Auth { .. }), "{wrong:?}");
    assert!(wrong.to_string().contains("ConnectWise Automate"), "{wrong}");

    let unregistered = automate_as(&s, "00000000-0000-0000-0000-000000000000", AUTOMATE_USERNAME, AUTOMATE_PASSWORD)
        .first_client()
        .await
        .unwrap_err();
    assert!(matches!(unregistered, VendorError::Auth { .. }), "{unregistered:?}");
    assert!(unregistered.to_string().contains("ClientId"), "{unregistered}");

    let two_factor = automate_as(&s, AUTOMATE_CLIENT_ID, AUTOMATE_TWO_FACTOR_USERNAME, AUTOMATE_PASSWORD)
        .first_client()
        .await
        .unwrap_err();
    assert!(matches!(&two_factor, VendorError::Auth { detail, .. } if detail.contains("two-factor")), "{two_factor:?}");
}

#[tokio::test]
async fn automate_signs_in_again_when_its_token_is_refused() {
    let s = sim(5).await;
    let client = automate(&s);
    assert!(client.first_client().await.expect("signed in").is_some());
    faults(&s, &[format!("path={API}/clients,kind=status,status=401,times=1")]).await;
    assert!(!client.clients().await.expect("read with a new token").is_empty());
    assert_eq!(s.sim.requests_matching(&format!("{API}/apitoken")), 2);

    // A token refused twice in a row is a sign-in failure, not a loop.
    faults(&s, &[format!("path={API}/clients,kind=status,status=401")]).await;
    let refused = client.clients().await.unwrap_err();
    assert!(matches!(refused, VendorError::Auth { .. }), "{refused:?}");
}

#[tokio::test]
async fn automate_waits_out_throttling_and_server_errors() {
    let s = sim(5).await;
    // Automate documents no Retry-After: the client backs off and tries again.
    faults(&s, &[format!("path={API}/computers,kind=status,status=429,times=2")]).await;
    assert!(!automate(&s).computers().await.expect("read after two 429s").is_empty());
    // The community clients retry 500s with backoff; so does this one.
    faults(&s, &[format!("path={API}/networkdevices,kind=status,status=500,times=2")]).await;
    automate(&s).network_devices().await.expect("read after two 500s");

    faults(&s, &[format!("path={API}/clients,kind=status,status=429")]).await;
    let throttled = automate(&s).clients().await.unwrap_err();
    assert!(matches!(throttled, VendorError::Throttled { .. }), "{throttled:?}");
}

/// The simulator speaks the documented format, whichever client calls it: lowercase or
/// PascalCase sign-in, PascalCase answers, bare arrays, conditions, its errors and quirks.
#[tokio::test]
async fn the_simulator_speaks_automates_documented_format() {
    let s = sim(10).await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{API}/{path}", s.base_url);

    // The community PowerShell module sends lowercase property names.
    let signed_in: serde_json::Value = http
        .post(url("apitoken"))
        .header("clientId", AUTOMATE_CLIENT_ID)
        .json(&serde_json::json!({"username": AUTOMATE_USERNAME, "password": AUTOMATE_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed_in["AccessToken"].as_str().expect("a PascalCase AccessToken").to_string();
    assert!(signed_in["ExpirationDate"].is_string() && signed_in["IsTwoFactorRequired"] == false);

    let get = |path: &str, query: &[(&str, &str)]| {
        http.get(url(path)).bearer_auth(&token).header("clientId", AUTOMATE_CLIENT_ID).query(query).send()
    };
    let servers: serde_json::Value =
        get("computers", &[("condition", "(Client.Id = 2) and (Type = 'Server')"), ("pageSize", "1000")])
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let servers = servers.as_array().expect("a bare array");
    assert!(servers.iter().all(|c| c["Client"]["Id"] == 2 && c["Type"] == "Server"));
    let past_the_end: serde_json::Value =
        get("clients", &[("page", "99"), ("pageSize", "1000")]).await.unwrap().json().await.unwrap();
    assert_eq!(past_the_end, serde_json::json!([]));
    let small: serde_json::Value = get("computers", &[("pageSize", "3"), ("page", "2"), ("includedFields", "Id,Type")])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(small.as_array().map(Vec::len), Some(3));
    assert!(small[0].as_object().is_some_and(|o| o.len() == 2), "{small}");

    let invalid = get("computers", &[("condition", "LastContact < '2020-01-01'")]).await.unwrap();
    assert_eq!(invalid.status(), 400);
    let body: serde_json::Value = invalid.json().await.unwrap();
    assert!(body["message"].as_str().is_some_and(|m| m.contains("Invalid field")), "{body}");
    let dates = get("computers", &[("condition", "RemoteAgentLastContact < '2020-01-01'")]).await.unwrap();
    assert_eq!(dates.status(), 500);

    let no_client_id = http.get(url("clients")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(no_client_id.status(), 401);
    let body: serde_json::Value = no_client_id.json().await.unwrap();
    assert_eq!(body["code"], "Unauthorized");

    let refreshed: serde_json::Value = http
        .post(url("apitoken/refresh"))
        .header("clientId", AUTOMATE_CLIENT_ID)
        .json(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(refreshed["AccessToken"].as_str().is_some_and(|t| t != token));
}
