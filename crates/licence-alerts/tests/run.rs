//! The alert run against PostgreSQL and the simulator over HTTP: Pax8 read and matched to
//! Partner Center, the findings checked against what the simulator knows to be true.

use std::{collections::HashMap, sync::Arc};

use chrono::Utc;
use seatsync_db::{kinds::Pax8LinkState, licence_alerts as db, pax8, PgPool};
use seatsync_domain::{kinds::FindingChannel, TenantId};
use seatsync_licence_alerts::LicenceAlerts;
use seatsync_licence_sync::{Scope, Trigger};
use seatsync_sim::SimHandle;
use seatsync_testkit as kit;
use seatsync_vendors::{pax8::Pax8, Slot};
use uuid::Uuid;

struct World {
    pool: PgPool,
    sim: SimHandle,
    alerts: Arc<LicenceAlerts>,
}

async fn world(tenants: usize) -> World {
    let pool = kit::fresh_pool(8).await;
    let sim = kit::sim_with_tenants(tenants).await;
    kit::licence_sync(&pool, &sim, 8).run(Trigger::Schedule, Scope::All).await.expect("licence sync");
    let pax8: Arc<dyn Pax8> = kit::pax8(&sim, kit::quick_policy());
    let alerts = LicenceAlerts::new(pool.clone(), Slot::new(Some(pax8)), seatsync_licences::Catalog::new(pool.clone()));
    World { pool, sim, alerts }
}

async fn user(pool: &PgPool) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO users (id, subject, email, display_name) VALUES ($1, $2, $3, 'Eddie Editor')")
        .bind(id)
        .bind(id.to_string())
        .bind(format!("{id}@example.test"))
        .execute(pool)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn findings_follow_pax8_and_partner_center_and_never_go_below_what_is_used() {
    let w = world(40).await;
    let summary = w.alerts.run(Utc::now()).await.unwrap();
    assert_eq!(summary.pax8_error, None);
    assert_eq!(summary.tenants, 40);
    assert!(summary.alerted_tenants > 0 && summary.reducible_seats > 0, "{summary:?}");

    // Companies: matched where Pax8 points at Partner Center, suggested (rightly) otherwise.
    let links = pax8::links(&w.pool).await.unwrap();
    let truth: HashMap<String, String> =
        w.sim.sim.msp().pax8_companies.iter().map(|c| (c.id.clone(), c.tenant_id.clone())).collect();
    assert!(links.iter().any(|l| l.state == Pax8LinkState::Matched));
    for l in &links {
        assert_eq!(l.tenant_id.as_ref().map(|t| t.to_string()), truth.get(l.company_id.as_str()).cloned(), "{l:?}");
    }

    let findings = db::findings(&w.pool).await.unwrap();
    assert!(findings.iter().any(|f| f.channel == FindingChannel::Pax8));
    assert!(findings.iter().any(|f| f.channel == FindingChannel::PartnerCenter));
    let msp = w.sim.sim.msp().clone();
    for f in &findings {
        assert!(f.target >= 1 && f.sku_purchased >= f.purchased, "{f:?}");
        // A Pax8 finding names the Pax8 subscription of that very Microsoft subscription.
        if let Some(p) = &f.pax8_subscription_id {
            let sub = msp.pax8_subscriptions.iter().find(|s| s.id == p.as_str()).unwrap();
            assert_eq!(sub.microsoft_subscription.as_deref(), Some(f.subscription_id.as_str()));
        }
    }
    // Per tenant and SKU: what stays after every reduction covers every assigned seat.
    let mut cut: HashMap<(TenantId, String), i64> = HashMap::new();
    for f in &findings {
        *cut.entry((f.tenant_id.clone(), f.sku_id.to_string())).or_default() += f.reducible;
    }
    for ((tenant, sku), reduced) in cut {
        let customer = msp.customer(tenant.as_str()).unwrap();
        let renewing: i64 = customer
            .subscriptions
            .iter()
            .filter(|s| s.product.sku_id == sku && s.status == "active" && !s.is_trial && s.auto_renew)
            .map(|s| s.quantity)
            .sum();
        let assigned = customer.consumed.iter().find(|(s, _)| *s == sku).map(|(_, n)| *n).unwrap_or(0);
        assert!(renewing - reduced >= assigned, "{tenant} {sku}: {renewing} - {reduced} < {assigned}");
    }
    // The tenant without Graph consent: nothing is safe to reduce.
    let denied = TenantId::new(msp.customers[29].tenant_id.clone());
    assert!(findings.iter().all(|f| f.tenant_id != denied));
    let passed = db::passed_over(&w.pool).await.unwrap();
    assert!(passed.iter().any(|p| p.tenant_id == denied && p.reason == "assigned_unknown"));
}

#[tokio::test]
async fn a_failed_pax8_read_keeps_the_last_good_one_and_says_so() {
    let w = world(20).await;
    w.alerts.run(Utc::now()).await.unwrap();
    let before = pax8::subscriptions(&w.pool).await.unwrap().len();
    let pax8_findings = |f: &Vec<db::Finding>| f.iter().filter(|f| f.channel == FindingChannel::Pax8).count();
    let found_before = pax8_findings(&db::findings(&w.pool).await.unwrap());
    assert!(before > 0);

    kit::faults(&w.sim, serde_json::json!([{"path": "/v1/subscriptions", "kind": "status", "status": 500}])).await;
    let summary = w.alerts.run(Utc::now()).await.unwrap();
    let error = summary.pax8_error.expect("the failed read is said");
    assert!(error.contains("Pax8"), "{error}");
    assert_eq!(pax8::subscriptions(&w.pool).await.unwrap().len(), before, "the last good read stays");
    assert_eq!(pax8_findings(&db::findings(&w.pool).await.unwrap()), found_before);
    let run = db::last_run(&w.pool).await.unwrap().unwrap();
    assert_eq!(run.pax8_error.as_deref(), Some(error.as_str()));
}

#[tokio::test]
async fn excluded_tenants_ignored_skus_and_allowances_are_respected() {
    let w = world(20).await;
    w.alerts.run(Utc::now()).await.unwrap();
    let findings = db::findings(&w.pool).await.unwrap();
    let excluded = findings[0].tenant_id.clone();
    let other = findings.iter().find(|f| f.tenant_id != excluded).expect("two tenants with findings").clone();
    let by = user(&w.pool).await;
    db::set_tenant_excluded(&w.pool, &excluded, true, Some("non-profit grant"), by).await.unwrap();
    let part: String =
        sqlx::query_scalar("SELECT sku_part_number FROM sku_consumption WHERE tenant_id = $1 AND sku_id = $2")
            .bind(&other.tenant_id)
            .bind(&other.sku_id)
            .fetch_one(&w.pool)
            .await
            .unwrap();
    sqlx::query("INSERT INTO ignored_skus (part_number, category, added_by) VALUES ($1, 'other', $2)")
        .bind(part.to_lowercase())
        .bind(by)
        .execute(&w.pool)
        .await
        .unwrap();

    w.alerts.run(Utc::now()).await.unwrap();
    let after = db::findings(&w.pool).await.unwrap();
    assert!(after.iter().all(|f| f.tenant_id != excluded), "an excluded tenant is never alerted");
    assert!(after.iter().all(|f| f.sku_id != other.sku_id), "an ignored SKU is never alerted, in any tenant");
    let passed = db::passed_over(&w.pool).await.unwrap();
    assert!(passed.iter().any(|p| p.tenant_id == excluded && p.reason == "tenant_excluded"));
    assert!(passed.iter().any(|p| p.tenant_id == other.tenant_id && p.reason == "ignored_sku"));

    // A spare allowance as large as the seats bought leaves nothing to give back.
    sqlx::query("UPDATE tenants SET spare_seats = 10000").execute(&w.pool).await.unwrap();
    let summary = w.alerts.run(Utc::now()).await.unwrap();
    assert_eq!(summary.reducible_seats, 0);
    assert!(db::findings(&w.pool).await.unwrap().is_empty());
    assert_eq!(db::history(&w.pool).await.unwrap().len(), 3, "one chart point per run");
}

#[tokio::test]
async fn pax8_is_read_within_its_request_budget() {
    let w = world(60).await;
    w.alerts.run(Utc::now()).await.unwrap();
    let (companies, subscriptions, products) = {
        let msp = w.sim.sim.msp();
        let products: std::collections::HashSet<&String> =
            msp.pax8_subscriptions.iter().map(|s| &s.product_id).collect();
        (msp.pax8_companies.len(), msp.pax8_subscriptions.len(), products.len())
    };
    let pages = |n: usize| n.div_ceil(200).max(1) as u64;
    assert_eq!(w.sim.sim.requests_matching("GET /v1/companies"), pages(companies));
    assert_eq!(w.sim.sim.requests_matching("GET /v1/subscriptions"), pages(subscriptions));
    assert!(w.sim.sim.requests_matching("GET /v1/products/") <= products as u64);
    // A second run reads no product again.
    let read = w.sim.sim.requests_matching("GET /v1/products/");
    w.alerts.run(Utc::now()).await.unwrap();
    assert_eq!(w.sim.sim.requests_matching("GET /v1/products/"), read, "each product is read once");
}

#[tokio::test]
async fn the_admins_notice_period_moves_longer_terms_between_alerted_and_at_renewal() {
    let w = world(40).await;
    let at_renewal = |findings: &[db::Finding]| findings.iter().filter(|f| !f.alert).count();
    w.alerts.run(Utc::now()).await.unwrap();
    let default = db::findings(&w.pool).await.unwrap();
    assert!(at_renewal(&default) > 0, "some annual terms renew more than 30 days from now");

    // A year's notice: every annual term that can be reduced at renewal is alerted now.
    let admin = user(&w.pool).await;
    let year = seatsync_licence_alerts::settings::AlertSettings { renewal_notice_days: 365, ..Default::default() };
    seatsync_db::settings::set(&w.pool, seatsync_licence_alerts::settings::SETTINGS_KEY, &year, admin).await.unwrap();
    w.alerts.run(Utc::now()).await.unwrap();
    let long = db::findings(&w.pool).await.unwrap();
    assert_eq!(long.len(), default.len(), "the same seats, only when they are alerted moves");
    assert!(at_renewal(&long) < at_renewal(&default), "{} vs {}", at_renewal(&long), at_renewal(&default));
}
