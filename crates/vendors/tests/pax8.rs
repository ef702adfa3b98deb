//! The Pax8 client, and Partner Center's quantity changes, against the simulator over HTTP:
//! every page read, quantity changes made once, refusals in the vendor's words, lost answers.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use seatsync_domain::{Pax8SubscriptionId, SubscriptionId, TenantId};
use seatsync_sim::{spawn, FaultRule, SimConfig, SimHandle};
use seatsync_vendors::{
    http::RetryPolicy,
    partner_center::{HttpPartnerCenter, PartnerCenter, PartnerCenterSettings},
    pax8::{HttpPax8, Pax8, Pax8Settings},
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

fn pax8_with(s: &SimHandle, requests_per_minute: u32) -> Arc<HttpPax8> {
    let url = Url::parse(&s.base_url).unwrap();
    HttpPax8::new(
        Pax8Settings {
            api_url: url.join("v1").unwrap(),
            token_url: url.join("oauth/token").unwrap(),
            client_id: "sim-pax8-client".into(),
            client_secret: "sim-pax8-secret".into(),
            requests_per_minute,
        },
        reqwest::Client::new(),
        quick_policy(),
    )
}

fn pax8(s: &SimHandle) -> Arc<HttpPax8> {
    pax8_with(s, 60_000)
}

fn partner_center(s: &SimHandle) -> Arc<HttpPartnerCenter> {
    let url = Url::parse(&s.base_url).unwrap();
    HttpPartnerCenter::new(
        PartnerCenterSettings {
            base_url: url.clone(),
            login_url: url,
            partner_tenant_id: s.sim.msp().partner_tenant_id.clone(),
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
            refresh_token: "sim-partner-center-refresh-token".into(),
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

/// A Pax8 subscription tied to an active new-commerce Partner Center subscription whose
/// cancellation window is open (`open`) or closed, with more than two seats.
fn tied(s: &SimHandle, open: bool) -> (Pax8SubscriptionId, TenantId, SubscriptionId, i64) {
    let msp = s.sim.msp();
    for p in &msp.pax8_subscriptions {
        let Some(ms_id) = &p.microsoft_subscription else { continue };
        let customer = msp.customers.iter().find(|c| c.subscriptions.iter().any(|x| &x.id == ms_id)).unwrap();
        let ms = customer.subscriptions.iter().find(|x| &x.id == ms_id).unwrap();
        let window = ms.cancellation_allowed_until.is_some_and(|u| u > Utc::now());
        if ms.nce && ms.status == "active" && ms.quantity > 2 && window == open {
            return (
                Pax8SubscriptionId::new(p.id.clone()),
                TenantId::new(customer.tenant_id.clone()),
                SubscriptionId::new(ms.id.clone()),
                ms.quantity,
            );
        }
    }
    panic!("no such subscription seeded");
}

#[tokio::test]
async fn every_company_and_active_subscription_across_pages() {
    let s = sim(700).await;
    let client = pax8(&s);
    let companies = client.companies().await.unwrap();
    let subs = client.subscriptions().await.unwrap();
    let (seeded_companies, seeded_subs) = {
        let msp = s.sim.msp();
        let active = msp
            .pax8_subscriptions
            .iter()
            .filter(|p| match &p.microsoft_subscription {
                Some(id) => msp.subscription(id).unwrap().status == "active",
                None => p.own_status == "Active",
            })
            .count();
        (msp.pax8_companies.len(), active)
    };
    assert!(seeded_companies > 200, "more than one page of companies: {seeded_companies}");
    assert_eq!(companies.len(), seeded_companies);
    assert!(companies.iter().all(|c| c.website.is_some()));
    assert_eq!(subs.len(), seeded_subs);
    assert!(subs.iter().any(|p| p.vendor_subscription_id.is_some()));
    assert!(subs.iter().any(|p| p.vendor_subscription_id.is_none()));
    assert!(subs.iter().all(|p| p.start_date.is_some()), "Pax8's date shapes parse");
    // 200 a page: the fewest requests the partner-wide list allows.
    let pages = s.sim.requests_matching("GET /v1/subscriptions");
    assert_eq!(pages, seeded_subs.div_ceil(200) as u64);

    let product = client.product(&subs[0].product_id).await.unwrap();
    assert_eq!(Some(product.name), subs[0].product_name);
}

#[tokio::test]
async fn a_quantity_change_in_pax8_shows_in_partner_center() {
    let s = sim(60).await;
    let (id, tenant, ms_id, quantity) = tied(&s, true);
    let updated = pax8(&s).set_quantity(&id, quantity - 1).await.unwrap();
    assert_eq!(updated.quantity, quantity - 1);
    let in_pc = partner_center(&s).subscription(&tenant, &ms_id).await.unwrap();
    assert_eq!(in_pc.quantity, quantity - 1);
}

#[tokio::test]
async fn a_decrease_outside_the_window_is_refused_in_pax8s_words() {
    let s = sim(60).await;
    let (id, _, _, quantity) = tied(&s, false);
    let err = pax8(&s).set_quantity(&id, quantity - 1).await.unwrap_err();
    match err {
        VendorError::Status { status: 422, message, .. } => assert!(message.contains("7 days"), "{message}"),
        other => panic!("expected Pax8's 422, got {other:?}"),
    }
    assert_eq!(pax8(&s).subscription(&id).await.unwrap().quantity, quantity, "nothing changed");
    // An increase is allowed any time.
    assert_eq!(pax8(&s).set_quantity(&id, quantity + 1).await.unwrap().quantity, quantity + 1);
}

#[tokio::test]
async fn a_lost_answer_is_uncertain_and_the_change_is_sent_once() {
    let s = sim(60).await;
    let (id, _, _, quantity) = tied(&s, true);
    faults(&s, &["path=/v1/subscriptions/*,method=PUT,kind=lost_response,times=1"]).await;
    let err = pax8(&s).set_quantity(&id, quantity - 1).await.unwrap_err();
    assert!(matches!(err, VendorError::Uncertain { .. }), "{err:?}");
    assert_eq!(s.sim.requests_matching("PUT /v1/subscriptions"), 1, "never sent again blindly");
    assert_eq!(pax8(&s).subscription(&id).await.unwrap().quantity, quantity - 1, "re-read shows it applied");
}

#[tokio::test]
async fn throttled_reads_wait_and_succeed() {
    let s = sim(60).await;
    faults(&s, &["path=/v1/subscriptions,kind=throttle,retry_after=0.1,times=2"]).await;
    let subs = pax8(&s).subscriptions().await.unwrap();
    assert!(!subs.is_empty());
}

#[tokio::test]
async fn requests_are_spread_under_the_per_minute_setting() {
    let s = sim(5).await;
    let client = pax8_with(&s, 120);
    let started = std::time::Instant::now();
    for _ in 0..4 {
        client.first_companies(1).await.unwrap();
    }
    // 120 a minute is one every half second: four take at least 1.5 s.
    assert!(started.elapsed() >= Duration::from_millis(1450), "{:?}", started.elapsed());
}

#[tokio::test]
async fn partner_center_changes_quantity_now_or_for_the_next_term() {
    let s = sim(60).await;
    let pc = partner_center(&s);
    let (_, tenant, open_id, quantity) = tied(&s, true);
    assert_eq!(pc.set_quantity(&tenant, &open_id, quantity - 1).await.unwrap().quantity, quantity - 1);

    let (_, tenant, closed_id, quantity) = tied(&s, false);
    match pc.set_quantity(&tenant, &closed_id, quantity - 1).await.unwrap_err() {
        VendorError::Status { status: 400, message, .. } => {
            assert!(message.contains("cancellation window"), "{message}")
        }
        other => panic!("expected Partner Center's refusal, got {other:?}"),
    }
    let scheduled = pc.schedule_next_term_quantity(&tenant, &closed_id, quantity - 2).await.unwrap();
    assert_eq!(scheduled.quantity, quantity, "this term keeps its seats");
    assert_eq!(scheduled.scheduled_next_term_instructions.and_then(|i| i.quantity), Some(quantity - 2));
}
