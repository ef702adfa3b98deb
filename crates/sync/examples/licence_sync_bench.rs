//! Benchmark of the licence sync: a full sync of many tenants against the simulator with added
//! latency on every vendor call, printed as a table.
//!
//! ```text
//! scripts/bench [--tenants 2000] [--latency-ms 50] [--concurrency 50]
//! ```
//!
//! The lower bound is what the calls cost if every allowed request slot were always busy:
//! `calls x latency / concurrent requests`, where each tenant in flight has two requests open
//! (Partner Center and Graph at once).

use std::{sync::Arc, time::{Duration, Instant}};

use seatsync_sim::{spawn, SimConfig};
use seatsync_sync::{LicenceSync, Scope, Trigger};
use seatsync_vendors::{
    graph::{GraphSettings, HttpGraph},
    http::RetryPolicy,
    partner_center::{HttpPartnerCenter, PartnerCenterSettings},
};
use sqlx::{Connection, Executor};
use url::Url;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} takes a whole number")))
        .unwrap_or(default)
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() {
    let tenants = arg("--tenants", 2000) as usize;
    let latency_ms = arg("--latency-ms", 50);
    let concurrency = arg("--concurrency", 50) as usize;

    let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("seatsync_bench_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("PostgreSQL at DATABASE_URL");
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.unwrap();
    let mut url = Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    let pool = seatsync_db::connect(url.as_str(), (concurrency as u32 + 4).min(90)).await.unwrap();
    seatsync_db::migrate(&pool).await.unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = spawn(SimConfig { tenants, latency_ms, ..SimConfig::default() }, listener).await.unwrap();
    let subscriptions: usize = sim.sim.msp().customers.iter().map(|c| c.subscriptions.len()).sum();
    let base = Url::parse(&sim.base_url).unwrap();
    let http = reqwest::Client::builder().pool_max_idle_per_host(concurrency * 2).build().unwrap();
    let pc = HttpPartnerCenter::new(
        PartnerCenterSettings {
            base_url: base.clone(),
            login_url: base.clone(),
            partner_tenant_id: sim.sim.msp().partner_tenant_id.clone(),
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
            refresh_token: "sim-partner-center-refresh-token".into(),
        },
        http.clone(),
        RetryPolicy::default(),
    );
    let graph = HttpGraph::new(
        GraphSettings { base_url: base.clone(), login_url: base, client_id: "seatsync-demo".into(), client_secret: "seatsync-demo-secret".into() },
        http,
        RetryPolicy::default(),
    );
    let sync: Arc<LicenceSync> = LicenceSync::new(pool.clone(), pc, graph, concurrency);

    let calls_before = sim.sim.vendor_calls.load(std::sync::atomic::Ordering::Relaxed);
    let started = Instant::now();
    let run = sync.run(Trigger::Schedule, Scope::All).await.expect("the sync runs");
    let wall = started.elapsed();
    let calls = sim.sim.vendor_calls.load(std::sync::atomic::Ordering::Relaxed) - calls_before;
    let r = seatsync_db::sync_runs::find(&pool, run).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM subscriptions").fetch_one(&pool).await.unwrap();
    let slots = (concurrency * 2) as f64;
    let bound = Duration::from_secs_f64(calls as f64 * latency_ms as f64 / 1000.0 / slots);

    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| tenants / subscriptions seeded | {tenants} / {subscriptions} |");
    println!("| tenants synced / failed | {} / {} |", r.tenants_done - r.tenants_failed, r.tenants_failed);
    println!("| subscriptions stored | {stored} |");
    println!("| added latency per call | {latency_ms} ms |");
    println!("| concurrency (tenants / requests) | {concurrency} / {} |", concurrency * 2);
    println!("| vendor calls | {calls} |");
    println!("| calls per tenant | {:.2} |", calls as f64 / tenants as f64);
    println!("| wall time | {:.2} s |", wall.as_secs_f64());
    println!("| lower bound (calls x latency / requests) | {:.2} s |", bound.as_secs_f64());
    println!("| wall time / lower bound | {:.2}x (target at most 1.5x) |", wall.as_secs_f64() / bound.as_secs_f64());
    println!("| peak memory (sync and simulator, one process) | {:.0} MiB |", peak_rss_mib());

    pool.close().await;
    let _ = conn.execute(format!("DROP DATABASE \"{name}\" WITH (FORCE)").as_str()).await;
}
