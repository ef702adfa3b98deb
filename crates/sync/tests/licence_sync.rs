//! The licence sync against the simulator over HTTP and a fresh PostgreSQL database.

use std::{sync::Arc, time::Duration};

use seatsync_db::PgPool;
use seatsync_sim::{spawn, SimConfig, SimHandle};
use seatsync_sync::{LicenceSync, Scope, SyncError, Trigger};
use seatsync_vendors::{
    graph::{GraphSettings, HttpGraph},
    http::RetryPolicy,
    partner_center::{HttpPartnerCenter, PartnerCenterSettings},
};
use sqlx::{Connection, Executor};
use url::Url;

async fn fresh_pool() -> PgPool {
    let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("seatsync_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.unwrap();
    let mut url = Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    let pool = seatsync_db::connect(url.as_str(), 10).await.unwrap();
    seatsync_db::migrate(&pool).await.unwrap();
    pool
}

async fn sim(tenants: usize) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn(SimConfig { tenants, ..SimConfig::default() }, listener).await.unwrap()
}

fn job(pool: &PgPool, s: &SimHandle, concurrency: usize) -> Arc<LicenceSync> {
    let url = Url::parse(&s.base_url).unwrap();
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        request_timeout: Duration::from_secs(2),
        max_retry_after: Duration::from_secs(2),
    };
    let pc = HttpPartnerCenter::new(
        PartnerCenterSettings {
            base_url: url.clone(),
            login_url: url.clone(),
            partner_tenant_id: s.sim.msp().partner_tenant_id.clone(),
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
            refresh_token: "sim-partner-center-refresh-token".into(),
        },
        reqwest::Client::new(),
        policy.clone(),
    );
    let graph = HttpGraph::new(
        GraphSettings { base_url: url.clone(), login_url: url, client_id: "seatsync-demo".into(), client_secret: "seatsync-demo-secret".into() },
        reqwest::Client::new(),
        policy,
    );
    LicenceSync::new(pool.clone(), pc, graph, concurrency)
}

async fn faults(s: &SimHandle, rules: serde_json::Value) {
    reqwest::Client::new().post(format!("{}/_sim/faults", s.base_url)).json(&serde_json::json!({ "rules": rules })).send().await.unwrap();
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn a_full_sync_stores_every_tenant_and_its_seats() {
    let (pool, s) = (fresh_pool().await, sim(6).await);
    let run = job(&pool, &s, 4).run(Trigger::Schedule, Scope::All).await.unwrap();
    let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
    assert_eq!((r.status.as_str(), r.tenants_total, r.tenants_done, r.tenants_failed), ("succeeded", 6, 6, 0));
    let msp = s.sim.msp().clone();
    let seeded: usize = msp.customers.iter().map(|c| c.subscriptions.len()).sum();
    assert_eq!(count(&pool, "SELECT count(*) FROM subscriptions").await, seeded as i64);
    assert_eq!(count(&pool, "SELECT count(*) FROM tenants WHERE last_synced_at IS NOT NULL AND last_error IS NULL").await, 6);
    let c = &msp.customers[0];
    let skus = seatsync_db::licences::consumption(&pool, &c.tenant_id).await.unwrap();
    for (sku, consumed) in &c.consumed {
        assert_eq!(skus.iter().find(|k| &k.sku_id == sku).unwrap().consumed, *consumed);
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM subscriptions WHERE sku_id IS NULL").await, 0, "every subscription is tied to its SKU");

    // Idempotent: a second run stores the same, plus one more history point per SKU.
    let points = count(&pool, "SELECT count(*) FROM licence_history").await;
    job(&pool, &s, 4).run(Trigger::Schedule, Scope::All).await.unwrap();
    assert_eq!(count(&pool, "SELECT count(*) FROM subscriptions").await, seeded as i64);
    assert_eq!(count(&pool, "SELECT count(*) FROM licence_history").await, points * 2);
}

#[tokio::test]
async fn a_failing_tenant_keeps_its_data_while_the_others_complete() {
    let (pool, s) = (fresh_pool().await, sim(5).await);
    let sync = job(&pool, &s, 2);
    sync.run(Trigger::Schedule, Scope::All).await.unwrap();
    let victim = s.sim.msp().customers[2].tenant_id.clone();
    let before = seatsync_db::licences::subscriptions(&pool, &victim).await.unwrap();
    faults(
        &s,
        serde_json::json!([
            {"path": "/v1/customers/*", "contains": victim, "kind": "status", "status": 500},
            {"path": "/v1/customers/*", "kind": "throttle", "retry_after": 0.05, "times": 3},
            {"path": "/v1.0/subscribedSkus", "kind": "status", "status": 503, "times": 2},
        ]),
    )
    .await;
    let run = sync.run(Trigger::Schedule, Scope::All).await.unwrap();
    let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
    assert_eq!((r.status.as_str(), r.tenants_done, r.tenants_failed), ("partial", 5, 1));
    let problems = seatsync_db::sync_runs::problems(&pool, run).await.unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].tenant_id, victim);
    assert!(problems[0].error.as_deref().unwrap().contains("Partner Center answered 500"), "{:?}", problems[0].error);
    assert_eq!(seatsync_db::licences::subscriptions(&pool, &victim).await.unwrap(), before, "last good data kept");
    let t = seatsync_db::tenants::find(&pool, &victim).await.unwrap();
    assert!(t.last_error.is_some() && t.last_synced_at.is_some(), "shown as stale with its error");
}

#[tokio::test]
async fn a_malformed_answer_fails_only_that_tenant() {
    let (pool, s) = (fresh_pool().await, sim(3).await);
    let victim = s.sim.msp().customers[1].tenant_id.clone();
    faults(&s, serde_json::json!([{"path": "/v1/customers/*", "contains": victim, "kind": "malformed"}])).await;
    let run = job(&pool, &s, 3).run(Trigger::Schedule, Scope::All).await.unwrap();
    let problems = seatsync_db::sync_runs::problems(&pool, run).await.unwrap();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].error.as_deref().unwrap().contains("malformed subscription list"));
    assert_eq!(count(&pool, "SELECT count(*) FROM tenants WHERE last_error IS NULL").await, 2);
}

#[tokio::test]
async fn one_sync_at_a_time_and_single_tenant_runs() {
    let (pool, s) = (fresh_pool().await, sim(4).await);
    let sync = job(&pool, &s, 2);
    sync.run(Trigger::Schedule, Scope::All).await.unwrap();
    faults(&s, serde_json::json!([{"path": "/v1/customers/*", "kind": "latency", "ms": 300}])).await;
    let first = sync.start(Trigger::Schedule, Scope::All).await.unwrap();
    let second = job(&pool, &s, 2).start(Trigger::Schedule, Scope::All).await;
    assert!(matches!(second, Err(SyncError::AlreadyRunning)), "a second instance must not start a parallel run");
    while seatsync_db::sync_runs::find(&pool, first).await.unwrap().finished_at.is_none() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    faults(&s, serde_json::json!([])).await;
    let tenant = s.sim.msp().customers[0].tenant_id.clone();
    let run = sync.run(Trigger::Schedule, Scope::Tenant(tenant)).await.unwrap();
    let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
    assert_eq!((r.status.as_str(), r.tenants_total), ("succeeded", 1));
    assert!(matches!(sync.run(Trigger::Schedule, Scope::Tenant("nope".into())).await, Err(SyncError::UnknownTenant)));
}
