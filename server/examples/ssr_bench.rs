//! Benchmark of server-side rendering: the NCE subscriptions page of a tenant with 300
//! subscriptions, requested by many clients at once, printed as a table.
//!
//! ```text
//! scripts/bench ssr [--clients 50] [--requests 2000] [--tenants 40] [--subscriptions 300]
//! ```
//!
//! SeatSync, the simulator and PostgreSQL run on this machine; the clients are tasks in this
//! process, each keeping one request in flight (closed loop), all signed in as a Viewer.

use std::time::{Duration, Instant};

use seatsync_sim::SimConfig;
use server::{config::Source, Application, Config};
use tokio::net::TcpListener;

/// The allocator the `seatsync` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} takes a whole number")))
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let clients = arg("--clients", 50) as usize;
    let requests = arg("--requests", 2000) as usize;
    let tenants = arg("--tenants", 40) as usize;
    let subscriptions = arg("--subscriptions", 300) as usize;

    let sim = seatsync_testkit::sim(SimConfig { tenants, first_tenant_subscriptions: Some(subscriptions), ..SimConfig::default() }).await;
    let database_url = seatsync_testkit::fresh_database_url("seatsync_bench").await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut pairs = seatsync_testkit::sim_env(&sim, &database_url, &url);
    pairs.push(("SEATSYNC_DATABASE_MAX_CONNECTIONS".into(), "20".into()));
    let config = Config::load(&Source::from_pairs(pairs).unwrap()).expect("valid configuration");
    let app = Application::build_on(config, listener).await.expect("SeatSync starts");
    let pool = app.pool.clone();
    tokio::spawn(app.run(std::future::pending()));

    let (admin, _) = seatsync_testkit::sign_in(&url, &sim.base_url, "admin").await.expect("sign-in");
    let post = |c: &reqwest::Client, endpoint: &str| c.post(format!("{url}/api/{endpoint}")).header("Accept", "application/json").send();
    post(&admin, "licences/sync").await.unwrap();
    loop {
        let s: serde_json::Value = post(&admin, "licences/sync_status").await.unwrap().json().await.unwrap();
        if s["running"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let big = sim.sim.msp().customers[0].clone();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM subscriptions WHERE tenant_id = $1 AND removed_at IS NULL")
        .bind(&big.tenant_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let (viewer, _) = seatsync_testkit::sign_in(&url, &sim.base_url, "viewer").await.expect("sign-in");
    let page = format!("{url}/subscriptions?tenant={}", big.tenant_id);
    let fetch = |c: reqwest::Client, page: String, name: String| async move {
        let started = Instant::now();
        let res = c.get(&page).send().await.expect("the page answers");
        assert!(res.status().is_success(), "the page answered {}", res.status());
        // Bytes, checked as UTF-8 without copying: the clients share the machine with the server.
        let bytes = res.bytes().await.unwrap();
        let body = std::str::from_utf8(&bytes).expect("the page is UTF-8");
        assert!(body.contains(&name), "the page shows the tenant");
        (started.elapsed(), body.len())
    };
    // Warm up: connections, caches, the product catalogue.
    let mut size = 0;
    for _ in 0..20 {
        size = fetch(viewer.clone(), page.clone(), big.company_name.clone()).await.1;
    }
    if let Ok(path) = std::env::var("SSR_BENCH_DUMP") {
        let body = viewer.get(&page).send().await.unwrap().text().await.unwrap();
        std::fs::write(path, body).unwrap();
    }
    let single: Vec<Duration> = {
        let mut v = Vec::new();
        for _ in 0..50 {
            v.push(fetch(viewer.clone(), page.clone(), big.company_name.clone()).await.0);
        }
        v.sort();
        v
    };

    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (c, page, name, next) = (viewer.clone(), page.clone(), big.company_name.clone(), next.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                    times.push(fetch(c.clone(), page.clone(), name.clone()).await.0);
                }
                times
            })
        })
        .collect();
    let mut times = Vec::with_capacity(requests);
    for w in workers {
        times.extend(w.await.unwrap());
    }
    let wall = started.elapsed();
    times.sort();
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let p95 = percentile(&times, 0.95);

    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| build profile | {} |", if cfg!(debug_assertions) { "debug" } else { "release" });
    println!("| page | /subscriptions?tenant=… (server-rendered, signed in as a Viewer) |");
    println!("| tenants in the database / subscriptions of this tenant | {tenants} / {stored} |");
    println!("| page size | {:.0} KB |", size as f64 / 1024.0);
    println!("| one client: p50 / p95 | {} / {} |", ms(percentile(&single, 0.5)), ms(percentile(&single, 0.95)));
    println!("| concurrent clients (one request in flight each) | {clients} |");
    println!("| requests | {} in {:.2} s ({:.0} pages/s) |", times.len(), wall.as_secs_f64(), times.len() as f64 / wall.as_secs_f64());
    println!("| p50 / p95 / p99 / max | {} / {} / {} / {} |", ms(percentile(&times, 0.5)), ms(p95), ms(percentile(&times, 0.99)), ms(*times.last().unwrap()));
    println!("| target: p95 under 50 ms | {} |", if p95 < Duration::from_millis(50) { "met" } else { "NOT met" });
    pool.close().await;
}
