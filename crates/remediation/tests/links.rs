//! Reduction links against PostgreSQL and the simulator over HTTP: the live re-read, the change
//! made once in Pax8 or Partner Center, and every way a link can be refused.

use std::sync::Arc;

use chrono::{Duration, Utc};
use seatsync_db::{licence_alerts, PgPool};
use seatsync_domain::{
    kinds::{FindingChannel, FindingTiming, QuantityChange, QuantityChangeStatus},
    SubscriptionId, TenantId,
};
use seatsync_integrations::ClientSlots;
use seatsync_licence_alerts::LicenceAlerts;
use seatsync_licence_sync::{Scope, Trigger};
use seatsync_remediation::{LinkError, LinkItem, Remediation, RemediationError, Signer, Step};
use seatsync_sim::SimHandle;
use seatsync_testkit as kit;
use seatsync_vendors::pax8::Pax8;

const SECRET: &[u8] = b"the session secret of this test installation, long enough";

struct World {
    pool: PgPool,
    sim: SimHandle,
    slots: ClientSlots,
}

async fn world(tenants: usize) -> World {
    let pool = kit::fresh_pool(8).await;
    let sim = kit::sim_with_tenants(tenants).await;
    let sync = kit::licence_sync(&pool, &sim, 8);
    sync.run(Trigger::Schedule, Scope::All).await.expect("licence sync");
    let pax8: Arc<dyn Pax8> = kit::pax8(&sim, kit::quick_policy());
    let slots = ClientSlots::default();
    slots.licence_sync.set(Some(sync));
    slots.pax8.set(Some(pax8));
    let alerts = LicenceAlerts::new(pool.clone(), slots.pax8.clone(), seatsync_licences::Catalog::new(pool.clone()));
    alerts.run(Utc::now()).await.expect("alert run");
    World { pool, sim, slots }
}

fn remediation(w: &World, lifetime: Duration) -> Arc<Remediation> {
    Remediation::new(
        w.pool.clone(),
        w.slots.clone(),
        seatsync_licences::Catalog::new(w.pool.clone()),
        Signer::from_session_secret(SECRET),
        lifetime,
    )
}

/// An alerted finding reducible now, through `channel`.
async fn finding(w: &World, channel: FindingChannel) -> licence_alerts::Finding {
    licence_alerts::findings(&w.pool)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.alert && f.channel == channel && f.timing == FindingTiming::Now)
        .unwrap_or_else(|| panic!("the seeded MSP has a {channel:?} finding reducible now"))
}

fn quantity_in_sim(w: &World, subscription: &SubscriptionId) -> i64 {
    w.sim.sim.msp().subscription(subscription.as_str()).unwrap().quantity
}

fn item(f: &licence_alerts::Finding) -> LinkItem {
    LinkItem { subscription_id: f.subscription_id.clone(), target: f.target }
}

#[tokio::test]
async fn a_link_reduces_in_pax8_once_and_partner_center_sees_it() {
    let w = world(40).await;
    let r = remediation(&w, Duration::days(7));
    let f = finding(&w, FindingChannel::Pax8).await;
    let link = r.issue(&f.tenant_id, &[item(&f)], None, None).await.unwrap();

    let plan = r.inspect(&link.token).await.unwrap();
    assert_eq!(plan.items.len(), 1);
    assert_eq!(plan.items[0].step, Step::Reduce { target: f.target, kind: QuantityChange::Now, raised_from: None });

    let editor = kit::person(&w.pool, "Eddie Editor").await;
    let done = r.confirm(&link.token, editor).await.unwrap().changes;
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].status, QuantityChangeStatus::Done);
    assert_eq!(done[0].after, Some(f.target));
    assert_eq!(quantity_in_sim(&w, &f.subscription_id), f.target, "Pax8's change shows in Partner Center");
    let left = licence_alerts::findings(&w.pool).await.unwrap();
    assert!(left.iter().all(|x| x.subscription_id != f.subscription_id), "the page stops offering it");
    let stored: i64 = sqlx::query_scalar("SELECT quantity FROM subscriptions WHERE id = $1")
        .bind(&f.subscription_id)
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(stored, f.target, "what is stored agrees with the vendor until the next sync");
    assert_eq!(w.sim.sim.requests_matching("PUT /v1/subscriptions"), 1);

    // Used once: a second confirm and a second look both say so, and nothing is sent.
    match r.confirm(&link.token, editor).await.unwrap_err() {
        RemediationError::Link(LinkError::Used { by, .. }) => assert_eq!(by.as_deref(), Some("Eddie Editor")),
        other => panic!("expected a used link, got {other:?}"),
    }
    assert!(matches!(r.inspect(&link.token).await, Err(RemediationError::Link(LinkError::Used { .. }))));
    assert_eq!(w.sim.sim.requests_matching("PUT /v1/subscriptions"), 1, "never sent twice");
    let recorded = r.outcomes_of(link.id).await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].requested_by_name.as_deref(), Some("Eddie Editor"));
}

#[tokio::test]
async fn a_closed_window_schedules_the_partner_center_change_for_the_next_term() {
    let w = world(40).await;
    let r = remediation(&w, Duration::days(7));
    // A new-commerce subscription whose cancellation window is open.
    let f = licence_alerts::findings(&w.pool)
        .await
        .unwrap()
        .into_iter()
        .find(|f| {
            f.alert
                && f.channel == FindingChannel::PartnerCenter
                && f.timing_date.is_some()
                && f.timing == FindingTiming::Now
        })
        .expect("the seeded MSP has one");
    let link = r.issue(&f.tenant_id, &[item(&f)], None, None).await.unwrap();
    // The window closes between the alert and the click; the live re-read sees it.
    {
        let mut msp = w.sim.sim.msp();
        let (_, s) = msp.subscription_mut(f.subscription_id.as_str()).unwrap();
        s.cancellation_allowed_until = Some(Utc::now() - Duration::hours(1));
    }
    let editor = kit::person(&w.pool, "Eddie Editor").await;
    let done = r.confirm(&link.token, editor).await.unwrap().changes;
    assert_eq!(done[0].kind, QuantityChange::NextTerm);
    assert_eq!(done[0].status, QuantityChangeStatus::Done, "{:?}", done[0]);
    let s = w.sim.sim.msp().subscription(f.subscription_id.as_str()).unwrap().clone();
    assert_eq!(s.next_term_quantity, Some(f.target));
    assert_eq!(s.quantity, f.purchased, "this term keeps its seats");
    let stored = || async {
        sqlx::query_scalar::<_, Option<i64>>("SELECT next_term_quantity FROM subscriptions WHERE id = $1")
            .bind(&f.subscription_id)
            .fetch_one(&w.pool)
            .await
            .unwrap()
    };
    assert_eq!(stored().await, Some(f.target), "stored at once, before the next sync");

    // The next sync reads the scheduled quantity back, and the next run does not ask again.
    let sync = w.slots.licence_sync.get().unwrap();
    sync.run(Trigger::Schedule, Scope::All).await.expect("licence sync");
    assert_eq!(stored().await, Some(f.target), "read from scheduledNextTermInstructions");
    let alerts =
        LicenceAlerts::new(w.pool.clone(), w.slots.pax8.clone(), seatsync_licences::Catalog::new(w.pool.clone()));
    alerts.run(Utc::now()).await.expect("alert run");
    let again = licence_alerts::findings(&w.pool).await.unwrap();
    assert!(again.iter().all(|x| x.subscription_id != f.subscription_id), "not alerted again: {again:?}");
    let passed = licence_alerts::passed_over(&w.pool).await.unwrap();
    let why = passed.iter().find(|p| p.subscription_id.as_ref() == Some(&f.subscription_id)).expect("said why");
    assert_eq!(why.reason, "already_scheduled");
    assert!(why.words.contains(&format!("already scheduled down to {}", f.target)), "{}", why.words);
}

#[tokio::test]
async fn a_refusal_is_kept_in_the_vendors_words() {
    let w = world(40).await;
    let r = remediation(&w, Duration::days(7));
    let f = finding(&w, FindingChannel::Pax8).await;
    let link = r.issue(&f.tenant_id, &[item(&f)], None, None).await.unwrap();
    kit::faults(
        &w.sim,
        serde_json::json!([{"path": "/v1/subscriptions/*", "method": "PUT", "kind": "status", "status": 422}]),
    )
    .await;
    let editor = kit::person(&w.pool, "Eddie Editor").await;
    let done = r.confirm(&link.token, editor).await.unwrap().changes;
    assert_eq!(done[0].status, QuantityChangeStatus::Refused);
    assert!(done[0].detail.as_deref().is_some_and(|d| !d.is_empty()));
    assert_eq!(quantity_in_sim(&w, &f.subscription_id), f.purchased, "nothing changed");
    let recorded = r.outcomes_of(link.id).await.unwrap();
    assert_eq!(recorded[0].status, QuantityChangeStatus::Refused);
}

#[tokio::test]
async fn more_seats_used_now_raise_the_target_and_none_left_means_no_change() {
    let w = world(40).await;
    let r = remediation(&w, Duration::days(7));
    let f = finding(&w, FindingChannel::Pax8).await;
    let link = r.issue(&f.tenant_id, &[item(&f)], None, None).await.unwrap();
    let set_assigned = |consumed: i64| {
        let url = format!("{}/_sim/graph/{}/assigned", w.sim.base_url, f.tenant_id);
        let body = serde_json::json!({"skuId": f.sku_id.as_str(), "consumed": consumed});
        async move { reqwest::Client::new().post(url).json(&body).send().await.unwrap().error_for_status().unwrap() }
    };
    // One more user than before: the target goes up by one.
    set_assigned(f.assigned + 1).await;
    let plan = r.inspect(&link.token).await.unwrap();
    match &plan.items[0].step {
        Step::Reduce { target, raised_from, .. } => {
            assert_eq!(*target, f.target + 1);
            assert_eq!(*raised_from, Some(f.target));
        }
        other => panic!("{other:?}"),
    }
    // Every seat used: nothing to do, nothing changed, the link stays unused.
    set_assigned(f.sku_purchased + 5).await;
    let plan = r.inspect(&link.token).await.unwrap();
    assert!(matches!(plan.items[0].step, Step::Nothing { .. }), "{:?}", plan.items[0].step);
    let editor = kit::person(&w.pool, "Eddie Editor").await;
    assert!(matches!(r.confirm(&link.token, editor).await, Err(RemediationError::Invalid(_))));
    assert_eq!(w.sim.sim.requests_matching("PUT /v1/subscriptions"), 0);
    assert!(r.inspect(&link.token).await.is_ok(), "still usable later");
}

#[tokio::test]
async fn forged_changed_expired_and_foreign_links_change_nothing() {
    let w = world(20).await;
    let r = remediation(&w, Duration::days(7));
    let f = finding(&w, FindingChannel::Pax8).await;
    let link = r.issue(&f.tenant_id, &[item(&f)], None, None).await.unwrap();

    // Another target in the payload: the signature no longer matches.
    let signer = Signer::from_session_secret(SECRET);
    let mut claims = signer.verify(&link.token).unwrap();
    claims.items[0].1 = 1;
    let parts: Vec<&str> = link.token.split('.').collect();
    let payload = signer.sign(&claims).split('.').nth(1).unwrap().to_string();
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
    assert!(matches!(r.inspect(&tampered).await, Err(RemediationError::Link(LinkError::NotOurs))));
    // Signed by another installation.
    let foreign = Signer::from_session_secret(b"another installation's session secret, also long").sign(&claims);
    assert!(matches!(r.inspect(&foreign).await, Err(RemediationError::Link(LinkError::NotOurs))));
    // Signed with our key but not what was recorded (another tenant).
    let mut other = signer.verify(&link.token).unwrap();
    other.tid = TenantId::new("00000000-0000-0000-0000-000000000000").to_string();
    assert!(matches!(r.inspect(&signer.sign(&other)).await, Err(RemediationError::Link(LinkError::Mismatch))));
    // Expired.
    let short = remediation(&w, Duration::seconds(-1));
    let expired = short.issue(&f.tenant_id, &[item(&f)], None, None).await.unwrap();
    assert!(matches!(r.inspect(&expired.token).await, Err(RemediationError::Link(LinkError::Expired(_)))));
    let editor = kit::person(&w.pool, "Eddie Editor").await;
    assert!(r.confirm(&expired.token, editor).await.is_err());
    assert!(r.confirm(&tampered, editor).await.is_err());
    assert_eq!(w.sim.sim.requests_matching("PUT /v1/subscriptions"), 0, "nothing reached Pax8");
    assert_eq!(quantity_in_sim(&w, &f.subscription_id), f.purchased);
}

#[tokio::test]
async fn a_lost_answer_is_settled_by_reading_back_never_by_sending_again() {
    let w = world(40).await;
    let r = remediation(&w, Duration::days(7));
    let f = finding(&w, FindingChannel::Pax8).await;
    let link = r.issue(&f.tenant_id, &[item(&f)], None, None).await.unwrap();
    kit::faults(
        &w.sim,
        serde_json::json!([{"path": "/v1/subscriptions/*", "method": "PUT", "kind": "lost_response", "times": 1}]),
    )
    .await;
    let editor = kit::person(&w.pool, "Eddie Editor").await;
    let done = r.confirm(&link.token, editor).await.unwrap().changes;
    assert_eq!(done[0].status, QuantityChangeStatus::Done, "{:?}", done[0]);
    assert_eq!(w.sim.sim.requests_matching("PUT /v1/subscriptions"), 1);
    assert_eq!(quantity_in_sim(&w, &f.subscription_id), f.target);
}
