//! The licence sync against the simulator over HTTP and a fresh PostgreSQL database.

use std::{
    future::IntoFuture,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use seatsync_db::PgPool;
use seatsync_domain::TenantId;
use seatsync_licence_sync::{LicenceSync, Scope, SyncError, Trigger};
use seatsync_sim::{spawn, FaultRule, Sim, SimConfig, SimHandle};
use seatsync_vendors::{
    graph::{GraphSettings, HttpGraph},
    http::RetryPolicy,
    partner_center::{HttpPartnerCenter, PartnerCenterSettings},
};
use url::Url;

async fn fresh_pool() -> PgPool {
    seatsync_testkit::fresh_pool(10).await
}

async fn sim(tenants: usize) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn(SimConfig { tenants, ..SimConfig::default() }, listener).await.unwrap()
}

fn job(pool: &PgPool, s: &SimHandle, concurrency: usize) -> Arc<LicenceSync> {
    job_at(pool, &s.base_url, &s.sim, concurrency)
}

fn job_at(pool: &PgPool, base_url: &str, sim: &Sim, concurrency: usize) -> Arc<LicenceSync> {
    let url = Url::parse(base_url).unwrap();
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
            partner_tenant_id: sim.msp().partner_tenant_id.clone(),
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
            refresh_token: "sim-partner-center-refresh-token".into(),
        },
        reqwest::Client::new(),
        policy.clone(),
    );
    let graph = HttpGraph::new(
        GraphSettings {
            base_url: url.clone(),
            login_url: url,
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
        },
        reqwest::Client::new(),
        policy,
    );
    LicenceSync::new(pool.clone(), pc, graph, concurrency)
}

async fn faults(s: &SimHandle, rules: serde_json::Value) {
    reqwest::Client::new()
        .post(format!("{}/_sim/faults", s.base_url))
        .json(&serde_json::json!({ "rules": rules }))
        .send()
        .await
        .unwrap();
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
    assert_eq!(
        count(&pool, "SELECT count(*) FROM tenants WHERE last_synced_at IS NOT NULL AND last_error IS NULL").await,
        6
    );
    let c = &msp.customers[0];
    let skus = seatsync_db::licences::consumption(&pool, &TenantId::new(c.tenant_id.clone())).await.unwrap();
    for (sku, consumed) in &c.consumed {
        assert_eq!(skus.iter().find(|k| &k.sku_id == sku).unwrap().consumed, *consumed);
    }
    assert_eq!(
        count(&pool, "SELECT count(*) FROM subscriptions WHERE sku_id IS NULL").await,
        0,
        "every subscription is tied to its SKU"
    );

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
    let victim = TenantId::new(s.sim.msp().customers[2].tenant_id.clone());
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
    let victim = TenantId::new(s.sim.msp().customers[1].tenant_id.clone());
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
    let first = sync.begin(Trigger::Schedule, Scope::All, None).await.unwrap();
    let second = job(&pool, &s, 2).begin(Trigger::Schedule, Scope::All, None).await;
    assert!(matches!(second, Err(SyncError::AlreadyRunning)), "a second instance must not start a parallel run");
    sync.complete(first).await.unwrap();
    faults(&s, serde_json::json!([])).await;
    let tenant = TenantId::new(s.sim.msp().customers[0].tenant_id.clone());
    let run = sync.run(Trigger::Schedule, Scope::Tenant(tenant)).await.unwrap();
    let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
    assert_eq!((r.status.as_str(), r.tenants_total), ("succeeded", 1));
    assert!(matches!(sync.run(Trigger::Schedule, Scope::Tenant("nope".into())).await, Err(SyncError::UnknownTenant)));
}

#[tokio::test]
async fn a_run_dropped_half_way_does_not_keep_the_lock() {
    let (pool, s) = (fresh_pool().await, sim(4).await);
    let sync = job(&pool, &s, 2);
    faults(&s, serde_json::json!([{"path": "/v1/customers/*", "kind": "latency", "ms": 300}])).await;
    // The caller gives up while the run waits on Partner Center: its future is dropped.
    let cut = tokio::time::timeout(Duration::from_millis(200), sync.run(Trigger::Schedule, Scope::All)).await;
    assert!(cut.is_err(), "the run was still under way when it was dropped");
    faults(&s, serde_json::json!([])).await;
    // Its lock went with its connection (PostgreSQL ends the session a moment later).
    let started = std::time::Instant::now();
    let run = loop {
        match sync.run(Trigger::Schedule, Scope::All).await {
            Err(SyncError::AlreadyRunning) if started.elapsed() < Duration::from_secs(5) => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            other => break other.expect("a new run starts once the dropped one is gone"),
        }
    };
    assert_eq!(seatsync_db::sync_runs::find(&pool, run).await.unwrap().status.as_str(), "succeeded");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM sync_runs WHERE finished_at IS NULL").await,
        0,
        "the dropped run is closed as abandoned"
    );
}

/// A simulator served behind a counter of the requests it is serving at once.
struct CountedSim {
    sim: Arc<Sim>,
    base_url: String,
    in_flight: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CountedSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn counted_sim(config: SimConfig) -> CountedSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let sim = Arc::new(Sim::new(&config, base_url.clone()).unwrap());
    let (in_flight, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (now, most) = (in_flight.clone(), peak.clone());
    let app = seatsync_sim::router(sim.clone()).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let (now, most) = (now.clone(), most.clone());
            async move {
                most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                let res = next.run(req).await;
                now.fetch_sub(1, Ordering::SeqCst);
                res
            }
        },
    ));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).into_future().await;
    });
    CountedSim { sim, base_url, in_flight, peak, task }
}

#[tokio::test]
async fn requests_in_flight_never_exceed_the_concurrency_and_slots_are_refilled() {
    // Every vendor call (token requests included) takes 30 ms more, so requests overlap.
    let latency: FaultRule = "path=/*,kind=latency,ms=30".parse().unwrap();
    let s = counted_sim(SimConfig { tenants: 24, faults: vec![latency], ..SimConfig::default() }).await;
    let pool = fresh_pool().await;
    for concurrency in [1, 3, 7] {
        s.peak.store(0, Ordering::SeqCst);
        let before = s.sim.vendor_calls.load(Ordering::SeqCst);
        let run = job_at(&pool, &s.base_url, &s.sim, concurrency).run(Trigger::Schedule, Scope::All).await.unwrap();
        let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
        assert_eq!((r.status.as_str(), r.tenants_done, r.tenants_failed), ("succeeded", 24, 0));
        let calls = s.sim.vendor_calls.load(Ordering::SeqCst) - before;
        // A new client each run: the partner token, the customer list, then per tenant its
        // subscriptions, a Graph token and its SKUs.
        assert_eq!(calls, 2 + 24 * 3);
        assert_eq!(s.in_flight.load(Ordering::SeqCst), 0);
        // Never more than allowed; and all of it used, since 72 calls of 30 ms each cannot
        // finish without the pipeline filling every slot.
        assert_eq!(
            s.peak.load(Ordering::SeqCst),
            concurrency,
            "most requests in flight at once with concurrency {concurrency}"
        );
    }
}

#[tokio::test]
async fn a_tenant_the_database_refuses_fails_alone() {
    let (pool, s) = (fresh_pool().await, sim(8).await);
    let sync = job(&pool, &s, 4);
    sync.run(Trigger::Schedule, Scope::All).await.unwrap();
    let victim = TenantId::new(s.sim.msp().customers[3].tenant_id.to_ascii_lowercase());
    let subs_before = seatsync_db::licences::subscriptions(&pool, &victim).await.unwrap();
    let skus_before = seatsync_db::licences::consumption(&pool, &victim).await.unwrap();
    let synced_before = seatsync_db::tenants::find(&pool, &victim).await.unwrap().last_synced_at;
    let points = count(&pool, "SELECT count(*) FROM licence_history").await;
    // The database refuses the victim's seat counts; in a batch with others, the whole
    // transaction fails first.
    sqlx::raw_sql(&format!(
        "CREATE FUNCTION refuse_victim() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.tenant_id = '{victim}' THEN RAISE EXCEPTION 'seat counts refused for this test'; END IF; RETURN NEW; END $$;
         CREATE TRIGGER refuse_victim BEFORE INSERT ON sku_consumption FOR EACH ROW EXECUTE FUNCTION refuse_victim();"
    ))
    .execute(&pool)
    .await
    .unwrap();

    let run = sync.run(Trigger::Schedule, Scope::All).await.unwrap();
    let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
    assert_eq!((r.status.as_str(), r.tenants_total, r.tenants_done, r.tenants_failed), ("partial", 8, 8, 1));
    let problems = seatsync_db::sync_runs::problems(&pool, run).await.unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].tenant_id, victim);
    assert!(
        problems[0].error.as_deref().unwrap().contains("seat counts refused for this test"),
        "{:?}",
        problems[0].error
    );
    assert_eq!(seatsync_db::licences::subscriptions(&pool, &victim).await.unwrap(), subs_before, "last good data kept");
    assert_eq!(seatsync_db::licences::consumption(&pool, &victim).await.unwrap(), skus_before, "last good seats kept");
    let t = seatsync_db::tenants::find(&pool, &victim).await.unwrap();
    assert_eq!(t.last_synced_at, synced_before);
    assert!(t.last_error.unwrap().contains("seat counts refused for this test"));
    assert_eq!(count(&pool, "SELECT count(*) FROM tenants WHERE last_error IS NULL").await, 7);
    let victim_points =
        count(&pool, &format!("SELECT count(*) FROM licence_history WHERE tenant_id = '{victim}'")).await;
    assert_eq!(
        count(&pool, "SELECT count(*) FROM licence_history").await,
        points * 2 - victim_points,
        "one more point for every other tenant"
    );
}

#[tokio::test]
async fn a_listing_that_fails_on_a_later_page_fails_the_run_and_stores_nothing() {
    // 501 tenants: two pages of customers; the second one is refused.
    let (pool, s) = (fresh_pool().await, sim(501).await);
    faults(&s, serde_json::json!([{"path": "/v1/customers", "contains": "seekOperation=Next", "kind": "status", "status": 400}])).await;
    let run = job(&pool, &s, 4).run(Trigger::Schedule, Scope::All).await.unwrap();
    let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
    assert_eq!((r.status.as_str(), r.tenants_done), ("failed", 0));
    assert!(r.error.as_deref().unwrap().contains("listing customers failed"), "{:?}", r.error);
    assert_eq!(count(&pool, "SELECT count(*) FROM subscriptions").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM sync_run_tenants").await, 0);
}

#[tokio::test]
async fn a_graph_error_on_the_first_sync_keeps_what_partner_center_returned() {
    // The 30th customer of the seeded MSP has not consented to the app: Graph answers 403 with
    // its documented envelope while Partner Center lists the subscriptions.
    let (pool, s) = (fresh_pool().await, sim(30).await);
    let msp = s.sim.msp().clone();
    let denied =
        msp.customers.iter().find(|c| c.graph_access_denied).expect("the seed has a tenant without Graph consent");
    let tenant = TenantId::new(denied.tenant_id.to_ascii_lowercase());
    let run = job(&pool, &s, 4).run(Trigger::Schedule, Scope::All).await.unwrap();

    let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
    assert_eq!((r.status.as_str(), r.tenants_done, r.tenants_failed), ("partial", 30, 1));
    let problems = seatsync_db::sync_runs::problems(&pool, run).await.unwrap();
    assert_eq!(
        (problems.len(), problems[0].tenant_id.as_str(), problems[0].outcome.as_str()),
        (1, tenant.as_str(), "partial")
    );
    assert_eq!(
        problems[0].subscriptions,
        Some(denied.subscriptions.len() as i32),
        "the subscriptions are counted as stored"
    );

    let stored = seatsync_db::licences::subscriptions(&pool, &tenant).await.unwrap();
    assert_eq!(stored.len(), denied.subscriptions.len(), "Partner Center's subscriptions are stored");
    assert!(stored.iter().all(|s| s.sku_id.is_none()), "no SKU link is invented without Graph");
    assert!(seatsync_db::licences::consumption(&pool, &tenant).await.unwrap().is_empty());
    let t = seatsync_db::tenants::find(&pool, &tenant).await.unwrap();
    assert!(t.subscriptions_synced_at.is_some() && t.subscriptions_error.is_none());
    assert_eq!(t.seats_synced_at, None, "no good seat counts yet");
    let error = t.seats_error.expect("the seat counts are marked failed");
    assert!(error.contains("403") && error.contains("Insufficient privileges"), "{error}");
    assert_eq!(t.last_synced_at, None, "never synced in full");
    assert_eq!(t.last_error.as_deref(), Some(error.as_str()));
}

#[tokio::test]
async fn a_later_failure_of_either_source_keeps_that_sources_last_good_data() {
    let (pool, s) = (fresh_pool().await, sim(4).await);
    let sync = job(&pool, &s, 4);
    sync.run(Trigger::Schedule, Scope::All).await.unwrap();
    let c = s.sim.msp().customers[0].clone();
    let tenant = TenantId::new(c.tenant_id.to_ascii_lowercase());
    let first = seatsync_db::tenants::find(&pool, &tenant).await.unwrap();
    let seats_before = seatsync_db::licences::consumption(&pool, &tenant).await.unwrap();
    let points_before =
        count(&pool, &format!("SELECT count(*) FROM licence_history WHERE tenant_id = '{tenant}'")).await;
    let changed = c.subscriptions.iter().find(|s| s.status.as_str() == "active").unwrap();
    seatsync_testkit::set_subscription(&s, &changed.id, serde_json::json!({"quantity": changed.quantity + 7})).await;

    // Graph fails: the new quantity is stored, the seat counts stay as they were.
    faults(&s, serde_json::json!([{"path": "/v1.0/subscribedSkus", "kind": "status", "status": 503}])).await;
    sync.run(Trigger::Schedule, Scope::All).await.unwrap();
    let subs = seatsync_db::licences::subscriptions(&pool, &tenant).await.unwrap();
    let stored = subs.iter().find(|x| x.id == changed.id.to_ascii_lowercase()).unwrap();
    assert_eq!(stored.quantity, changed.quantity + 7, "Partner Center's answer is stored");
    assert!(stored.sku_id.is_some(), "the SKU link of the last good sync is kept");
    assert_eq!(
        seatsync_db::licences::consumption(&pool, &tenant).await.unwrap(),
        seats_before,
        "last good seat counts kept"
    );
    let points = count(&pool, &format!("SELECT count(*) FROM licence_history WHERE tenant_id = '{tenant}'")).await;
    assert_eq!(points, points_before, "no history point without fresh seat counts");
    let t = seatsync_db::tenants::find(&pool, &tenant).await.unwrap();
    assert_eq!(t.seats_synced_at, first.seats_synced_at, "the time of the last good counts is kept");
    assert!(t.subscriptions_synced_at > first.subscriptions_synced_at);
    assert!(t.seats_error.as_deref().unwrap().contains("503"), "{:?}", t.seats_error);
    assert_eq!(t.last_synced_at, first.last_synced_at);

    // Partner Center fails, Graph answers: the seats move on, the subscriptions stay.
    faults(&s, serde_json::json!([{"path": "/v1/customers/*", "kind": "status", "status": 500}])).await;
    seatsync_testkit::set_subscription(&s, &changed.id, serde_json::json!({"quantity": changed.quantity + 9})).await;
    sync.run(Trigger::Schedule, Scope::All).await.unwrap();
    let subs_after = seatsync_db::licences::subscriptions(&pool, &tenant).await.unwrap();
    assert_eq!(subs_after, subs, "last good subscriptions kept");
    let seats = seatsync_db::licences::consumption(&pool, &tenant).await.unwrap();
    let sku = seats.iter().find(|k| Some(&k.sku_id) == stored.sku_id.as_ref()).unwrap();
    let before = seats_before.iter().find(|k| k.sku_id == sku.sku_id).unwrap();
    assert_eq!(sku.enabled, before.enabled + 9, "Graph's fresh counts are stored");
    let t2 = seatsync_db::tenants::find(&pool, &tenant).await.unwrap();
    assert_eq!(t2.subscriptions_synced_at, t.subscriptions_synced_at);
    assert!(t2.seats_synced_at > t.seats_synced_at && t2.seats_error.is_none());
    assert!(t2.subscriptions_error.as_deref().unwrap().contains("Partner Center answered 500"));

    // Both answer again: the tenant is whole.
    faults(&s, serde_json::json!([])).await;
    sync.run(Trigger::Schedule, Scope::All).await.unwrap();
    let t3 = seatsync_db::tenants::find(&pool, &tenant).await.unwrap();
    assert!(t3.last_error.is_none() && t3.subscriptions_error.is_none() && t3.seats_error.is_none());
    assert!(t3.last_synced_at > first.last_synced_at);
}

#[tokio::test]
async fn units_in_warning_are_not_counted_as_bought() {
    // The 4th seeded customer has an expired subscription in its grace period.
    let (pool, s) = (fresh_pool().await, sim(4).await);
    job(&pool, &s, 4).run(Trigger::Schedule, Scope::All).await.unwrap();
    let tenant = TenantId::new(s.sim.msp().customers[3].tenant_id.to_ascii_lowercase());
    let skus = seatsync_db::licences::consumption(&pool, &tenant).await.unwrap();
    let grace = skus.iter().find(|k| k.warning == 2).expect("a SKU with units in warning");
    assert_eq!((grace.enabled, grace.consumed), (6, 5));
    let units = grace.units();
    assert_eq!((units.purchased(), units.unused(), units.expiring(), units.over_assigned()), (6, 1, 2, 0));
    let over = skus.iter().find(|k| k.warning == 3).expect("a SKU whose users outnumber its paid seats");
    assert_eq!((over.units().purchased(), over.units().unused(), over.units().over_assigned()), (4, 0, 2));

    let names = seatsync_licences::Catalog::new(pool.clone()).names().await.unwrap();
    let products = seatsync_licences::overview::tenant_products(&pool, &names, &tenant, 0).await.unwrap();
    let line = products.iter().find(|p| p.sku_id == grace.sku_id).unwrap();
    assert_eq!((line.purchased, line.assigned, line.unused, line.wasted, line.expiring), (6, 5, 1, 1, 2));
    let overview = seatsync_licences::overview(&pool, &names).await.unwrap();
    let row = overview.iter().find(|t| t.tenant_id == tenant).unwrap();
    assert_eq!(row.products.iter().find(|p| p.sku_id == grace.sku_id), Some(line), "both pages count the same");
    let purchased: i64 = sqlx::query_scalar(&format!(
        "SELECT purchased FROM licence_history WHERE tenant_id = '{tenant}' AND sku_id = '{}'",
        grace.sku_id
    ))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(purchased, 6, "the chart's bought seats are the enabled units");
}

#[tokio::test]
async fn a_run_taken_up_again_skips_the_tenants_it_recorded_and_finishes_as_one_run() {
    let (pool, s) = (fresh_pool().await, sim(6).await);
    let sync = job(&pool, &s, 1);
    // Partner Center slow, so the run is cut while some tenants are recorded and others not.
    faults(
        &s,
        serde_json::json!([{"path": "/v1/customers/*", "contains": "subscriptions", "kind": "latency", "ms": 150}]),
    )
    .await;
    let begun = sync.begin(Trigger::Schedule, Scope::All, None).await.unwrap();
    let run = begun.run;
    let cut = tokio::time::timeout(Duration::from_millis(900), sync.complete(begun)).await;
    assert!(cut.is_err(), "the run was still under way when its instance died");
    let recorded_before = count(&pool, &format!("SELECT count(*) FROM sync_run_tenants WHERE run_id = {run}")).await;
    assert!((1..6).contains(&recorded_before), "some tenants were recorded before the cut: {recorded_before}");
    faults(&s, serde_json::json!([])).await;
    let requests_before = s.sim.requests_matching("/subscriptions");
    let started = std::time::Instant::now();
    let resumed = loop {
        match sync.begin(Trigger::Schedule, Scope::All, Some(run)).await {
            Err(SyncError::AlreadyRunning) if started.elapsed() < Duration::from_secs(5) => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            other => break other.expect("the run is taken up once the dead one's lock is gone"),
        }
    };
    assert_eq!(resumed.run, run, "the same run goes on");
    let finished = sync.complete(resumed).await.unwrap();
    assert_eq!(finished.status.as_str(), "succeeded");
    assert_eq!((finished.tenants_done, finished.tenants_total), (6, 6));
    let fetched_again = s.sim.requests_matching("/subscriptions") - requests_before;
    assert_eq!(fetched_again as i64, 6 - recorded_before, "only the tenants not yet recorded are fetched again");
    assert_eq!(count(&pool, "SELECT count(*) FROM sync_runs").await, 1);
}
