//! The real clients against the simulator over HTTP, including throttling, server errors,
//! malformed bodies, timeouts and bad credentials.

use std::{sync::Arc, time::Duration};

use seatsync_domain::TenantId;
use seatsync_sim::{spawn, FaultRule, SimConfig, SimHandle};
use seatsync_vendors::{
    graph::{Graph, GraphSettings, HttpGraph},
    http::RetryPolicy,
    partner_center::{HttpPartnerCenter, PartnerCenter, PartnerCenterSettings},
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

fn partner_center(s: &SimHandle, secret: &str) -> Arc<HttpPartnerCenter> {
    let url = Url::parse(&s.base_url).unwrap();
    HttpPartnerCenter::new(
        PartnerCenterSettings {
            base_url: url.clone(),
            login_url: url,
            partner_tenant_id: s.sim.msp().partner_tenant_id.clone(),
            client_id: "seatsync-demo".into(),
            client_secret: secret.into(),
            refresh_token: "sim-partner-center-refresh-token".into(),
        },
        reqwest::Client::new(),
        quick_policy(),
    )
}

fn graph(s: &SimHandle) -> Arc<HttpGraph> {
    let url = Url::parse(&s.base_url).unwrap();
    HttpGraph::new(
        GraphSettings {
            base_url: url.clone(),
            login_url: url,
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
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
async fn every_customer_across_continuation_pages() {
    let s = sim(1100).await;
    let customers = partner_center(&s, "seatsync-demo-secret").customers().await.unwrap();
    assert_eq!(customers.len(), 1100);
    let expected = s.sim.msp().customers.iter().map(|c| c.tenant_id.clone()).collect::<Vec<_>>();
    assert_eq!(customers.iter().map(|c| c.tenant_id().to_string()).collect::<Vec<_>>(), expected);
    assert!(customers[0].company_profile.company_name.is_some());
}

#[tokio::test]
async fn subscriptions_parse_with_their_nce_fields() {
    let s = sim(3).await;
    let tenant = TenantId::new(s.sim.msp().customers[0].tenant_id.clone());
    let seeded = s.sim.msp().customers[0].subscriptions.clone();
    let subs = partner_center(&s, "seatsync-demo-secret").subscriptions(&tenant).await.unwrap();
    assert_eq!(subs.len(), seeded.len());
    for (got, want) in subs.iter().zip(&seeded) {
        assert_eq!(got.id, want.id);
        assert_eq!(got.quantity, want.quantity);
        assert_eq!(got.term_duration.as_deref(), Some(want.term_duration.as_str()));
        assert_eq!(got.effective_start_date, Some(want.effective_start));
        assert_eq!(got.commitment_end_date, Some(want.commitment_end));
        assert_eq!(got.is_nce(), want.nce);
    }
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried() {
    let s = sim(2).await;
    let tenant = TenantId::new(s.sim.msp().customers[1].tenant_id.clone());
    faults(
        &s,
        &[
            "path=/v1/customers/*,kind=throttle,retry_after=0.25,times=2",
            "path=/v1/customers/*,kind=status,status=503,times=1",
        ],
    )
    .await;
    let started = std::time::Instant::now();
    let subs = partner_center(&s, "seatsync-demo-secret").subscriptions(&tenant).await.unwrap();
    assert!(!subs.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(500), "the fractional Retry-After was honoured twice");
}

#[tokio::test]
async fn failures_are_reported_in_words() {
    let s = sim(2).await;
    let pc = partner_center(&s, "seatsync-demo-secret");
    let tenant = TenantId::new(s.sim.msp().customers[0].tenant_id.clone());

    faults(&s, &["path=/v1/customers/*,kind=malformed"]).await;
    let err = pc.subscriptions(&tenant).await.unwrap_err();
    assert!(matches!(err, VendorError::Malformed { .. }), "{err}");
    assert!(err.to_string().contains("malformed subscription list"), "{err}");

    faults(&s, &["path=/v1/customers/*,kind=throttle,retry_after=0.01"]).await;
    let err = pc.subscriptions(&tenant).await.unwrap_err();
    assert!(matches!(err, VendorError::Throttled { attempts: 4, .. }), "{err}");

    faults(&s, &["path=/v1/customers/*,kind=timeout"]).await;
    let err = pc.subscriptions(&tenant).await.unwrap_err();
    assert!(matches!(err, VendorError::Timeout { .. }), "{err}");

    faults(&s, &[]).await;
    let err = pc.subscriptions(&TenantId::new("00000000-0000-0000-0000-000000000000")).await.unwrap_err();
    assert!(err.to_string().contains("404") && err.to_string().contains("was not found"), "{err}");

    let err = partner_center(&s, "wrong-secret").customers().await.unwrap_err();
    assert!(matches!(err, VendorError::Auth { .. }), "{err}");
    assert!(err.to_string().contains("Invalid client secret"), "{err}");
}

#[tokio::test]
async fn graph_reads_assigned_seats_per_tenant() {
    let s = sim(3).await;
    let g = graph(&s);
    let customers = s.sim.msp().customers.clone();
    for c in customers {
        let skus = g.subscribed_skus(&TenantId::new(c.tenant_id.clone())).await.unwrap();
        for (sku_id, consumed) in &c.consumed {
            let sku = skus.iter().find(|k| &k.sku_id == sku_id).expect("every consumed SKU is listed");
            assert_eq!(sku.consumed_units, *consumed);
        }
    }
    let err = g.subscribed_skus(&TenantId::new("11111111-2222-3333-4444-555555555555")).await.unwrap_err();
    assert!(matches!(err, VendorError::Auth { .. }), "an unknown tenant cannot sign in: {err}");
}
