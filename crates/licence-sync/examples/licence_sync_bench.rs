//! Benchmark of the licence sync: a full sync of many tenants against the simulator with added
//! latency on every vendor call, printed as a table.
//!
//! ```text
//! scripts/bench [--tenants 2000] [--latency-ms 50] [--concurrency 100]
//! ```
//!
//! `--concurrency` is the sync's setting (`SEATSYNC_SYNC_CONCURRENCY`): how many vendor requests
//! it keeps in flight at most. The lower bound is what the calls cost if every one of those
//! request slots were busy all the time: `calls x latency / concurrency`. The target is a wall
//! time within 1.5x of it.
//!
//! The simulator runs in this process over real HTTP on loopback, behind a counter of the
//! requests it is serving, so the table also shows how many were in flight at most (never more
//! than the setting) and how long one took on average (the added latency plus the time to serve
//! it).

use seatsync_testkit::bench::{arg, peak_rss_mib};
use std::{
    future::IntoFuture,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use seatsync_licence_sync::{LicenceSync, Scope, Trigger};
use seatsync_sim::{Sim, SimConfig};
use seatsync_vendors::{
    graph::{GraphSettings, HttpGraph},
    http::RetryPolicy,
    partner_center::{HttpPartnerCenter, PartnerCenterSettings},
};
use sqlx::{Connection, Executor};
use url::Url;

/// The target of the issue: wall time at most this many times the lower bound.
const TARGET: f64 = 1.5;

/// Requests the simulator is serving now, the most at once, and the time spent serving them.
#[derive(Default)]
struct InFlight {
    now: AtomicU64,
    peak: AtomicU64,
    served: AtomicU64,
    busy_us: AtomicU64,
}

#[tokio::main]
async fn main() {
    let tenants = arg("--tenants", 2000) as usize;
    let latency_ms = arg("--latency-ms", 50);
    let concurrency = arg("--concurrency", 100).max(1) as usize;

    let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("seatsync_bench_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("PostgreSQL at DATABASE_URL");
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.unwrap();
    let mut url = Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    // The sync writes on one connection and holds its lock on another.
    let pool = seatsync_db::connect(url.as_str(), 4).await.unwrap();
    seatsync_db::migrate(&pool).await.unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let sim = Arc::new(Sim::new(&SimConfig { tenants, latency_ms, ..SimConfig::default() }, base_url.clone()).unwrap());
    let gauge = Arc::new(InFlight::default());
    let counted = gauge.clone();
    let app = seatsync_sim::router(sim.clone()).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let g = counted.clone();
            async move {
                let started = Instant::now();
                let now = g.now.fetch_add(1, Ordering::SeqCst) + 1;
                g.peak.fetch_max(now, Ordering::SeqCst);
                let res = next.run(req).await;
                g.now.fetch_sub(1, Ordering::SeqCst);
                g.served.fetch_add(1, Ordering::Relaxed);
                g.busy_us.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
                res
            }
        },
    ));
    let server = tokio::spawn(axum::serve(listener, app).into_future());

    let subscriptions: usize = sim.msp().customers.iter().map(|c| c.subscriptions.len()).sum();
    let base = Url::parse(&base_url).unwrap();
    let http = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().unwrap();
    let pc = HttpPartnerCenter::new(
        PartnerCenterSettings {
            base_url: base.clone(),
            login_url: base.clone(),
            partner_tenant_id: sim.msp().partner_tenant_id.clone(),
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
            refresh_token: "sim-partner-center-refresh-token".into(),
        },
        http.clone(),
        RetryPolicy::default(),
    );
    let graph = HttpGraph::new(
        GraphSettings {
            base_url: base.clone(),
            login_url: base,
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
        },
        http,
        RetryPolicy::default(),
    );
    let sync: Arc<LicenceSync> = LicenceSync::new(pool.clone(), pc, graph, concurrency);

    let rss_before = peak_rss_mib();
    let calls_before = sim.vendor_calls.load(Ordering::Relaxed);
    let started = Instant::now();
    let run = sync.run(Trigger::Schedule, Scope::All).await.expect("the sync runs");
    let wall = started.elapsed();
    let calls = sim.vendor_calls.load(Ordering::Relaxed) - calls_before;
    let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM subscriptions WHERE removed_at IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    let bound = Duration::from_secs_f64(calls as f64 * latency_ms as f64 / 1000.0 / concurrency as f64);
    let ratio = wall.as_secs_f64() / bound.as_secs_f64();
    let served = gauge.served.load(Ordering::Relaxed).max(1);
    let profile = if cfg!(debug_assertions) {
        "dev (unoptimised: the simulator's CPU time inflates the wall time)"
    } else {
        "release"
    };

    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| build profile | {profile} |");
    println!("| tenants / subscriptions seeded | {tenants} / {subscriptions} |");
    println!("| tenants synced / failed | {} / {} |", r.tenants_done - r.tenants_failed, r.tenants_failed);
    println!("| subscriptions stored | {stored} |");
    println!("| added latency per call | {latency_ms} ms |");
    println!("| concurrency: vendor requests allowed in flight | {concurrency} |");
    println!("| requests in flight at the simulator, at most | {} |", gauge.peak.load(Ordering::SeqCst));
    println!(
        "| time a request spends in the simulator, mean | {:.1} ms |",
        gauge.busy_us.load(Ordering::Relaxed) as f64 / served as f64 / 1000.0
    );
    println!("| vendor calls | {calls} |");
    println!("| calls per tenant | {:.2} |", calls as f64 / tenants as f64);
    println!("| wall time | {:.2} s |", wall.as_secs_f64());
    println!("| lower bound (calls x latency / requests allowed in flight) | {:.2} s |", bound.as_secs_f64());
    println!(
        "| wall time / lower bound | {ratio:.2}x: target at most {TARGET}x {} |",
        if ratio <= TARGET { "met" } else { "NOT met" }
    );
    println!(
        "| peak memory (sync and simulator, one process) | {:.0} MiB ({rss_before:.0} MiB before the sync) |",
        peak_rss_mib()
    );

    server.abort();
    pool.close().await;
    let _ = conn.execute(format!("DROP DATABASE \"{name}\" WITH (FORCE)").as_str()).await;
}
