//! Benchmark of server-side rendering: the NCE subscriptions page of a tenant with 300
//! subscriptions, requested by many clients at once, printed as a table.
//!
//! ```text
//! scripts/bench ssr [--clients 50] [--requests 2000] [--tenants 40] [--subscriptions 300]
//! ```
//!
//! SeatSync, the simulator and PostgreSQL run on this machine; the clients are tasks in this
//! process, each keeping one request in flight (closed loop), all signed in as a Viewer. It is
//! measured twice: with the page cache as shipped, and on a second server with the cache off,
//! so the cost of rendering every page is on the table too.

use seatsync_testkit::bench::arg;
use std::time::{Duration, Instant};

use seatsync_sim::SimConfig;
use server::{config::Source, Application, Config};
use tokio::net::TcpListener;

/// The allocator the `seatsync` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Run {
    size: usize,
    single_p50: Duration,
    single_p95: Duration,
    requests: usize,
    hits: usize,
    wall: Duration,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
}

/// One request: how long the whole page took, its size, and whether the cache answered.
async fn fetch(c: &reqwest::Client, page: &str, name: &str) -> (Duration, usize, bool) {
    let started = Instant::now();
    let res = c.get(page).send().await.expect("the page answers");
    assert!(res.status().is_success(), "the page answered {}", res.status());
    let hit = res.headers().get(server::page_cache::CACHE_HEADER).is_some_and(|v| v == "hit");
    // The clients share two cores with the server and the database, so they do no more than
    // check that the page is the tenant's: its card, near the top, names it.
    let body = res.bytes().await.unwrap();
    let head = &body[..body.len().min(64 * 1024)];
    assert!(head.windows(name.len()).any(|w| w == name.as_bytes()), "the page shows the tenant");
    (started.elapsed(), body.len(), hit)
}

async fn measure(viewer: &reqwest::Client, page: &str, name: &str, clients: usize, requests: usize) -> Run {
    // Warm up: connections, caches, the product catalogue.
    let mut size = 0;
    for _ in 0..20 {
        size = fetch(viewer, page, name).await.1;
    }
    if let Ok(path) = std::env::var("SSR_BENCH_DUMP") {
        let body = viewer.get(page).send().await.unwrap().text().await.unwrap();
        std::fs::write(path, body).unwrap();
    }
    let mut single = Vec::new();
    for _ in 0..50 {
        single.push(fetch(viewer, page, name).await.0);
    }
    single.sort();

    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (c, page, name, next) = (viewer.clone(), page.to_string(), name.to_string(), next.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < requests {
                    let (took, _, hit) = fetch(&c, &page, &name).await;
                    times.push((took, hit));
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
    let hits = times.iter().filter(|(_, hit)| *hit).count();
    let mut times: Vec<Duration> = times.into_iter().map(|(t, _)| t).collect();
    times.sort();
    Run {
        size,
        single_p50: percentile(&single, 0.5),
        single_p95: percentile(&single, 0.95),
        requests: times.len(),
        hits,
        wall,
        p50: percentile(&times, 0.5),
        p95: percentile(&times, 0.95),
        p99: percentile(&times, 0.99),
        max: *times.last().unwrap(),
    }
}

#[tokio::main]
async fn main() {
    let clients = arg("--clients", 50) as usize;
    let requests = arg("--requests", 2000) as usize;
    let tenants = arg("--tenants", 40) as usize;
    let subscriptions = arg("--subscriptions", 300) as usize;

    let sim = seatsync_testkit::sim(SimConfig {
        tenants,
        first_tenant_subscriptions: Some(subscriptions),
        ..SimConfig::default()
    })
    .await;
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
    let post = |c: &reqwest::Client, endpoint: &str| {
        c.post(format!("{url}/api/{endpoint}")).header("Origin", &url).header("Accept", "application/json").send()
    };
    post(&admin, "licences/sync").await.unwrap();
    loop {
        let s: serde_json::Value = post(&admin, "licences/sync_status").await.unwrap().json().await.unwrap();
        if s["running"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let big = sim.sim.msp().customers[0].clone();
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM subscriptions WHERE tenant_id = $1 AND removed_at IS NULL")
            .bind(&big.tenant_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let (viewer, _) = seatsync_testkit::sign_in(&url, &sim.base_url, "viewer").await.expect("sign-in");
    // The same server, once more, with the page cache off: what rendering every page costs.
    let uncached_url = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uncached_url = format!("http://{}", listener.local_addr().unwrap());
        let mut pairs = seatsync_testkit::sim_env(&sim, &database_url, &uncached_url);
        pairs.push(("SEATSYNC_DATABASE_MAX_CONNECTIONS".into(), "20".into()));
        pairs.push(("SEATSYNC_PAGE_CACHE_SECONDS".into(), "0".into()));
        let config = Config::load(&Source::from_pairs(pairs).unwrap()).expect("valid configuration");
        let app = Application::build_on(config, listener).await.expect("SeatSync starts");
        tokio::spawn(app.run(std::future::pending()));
        uncached_url
    };
    let path = format!("/subscriptions?tenant={}", big.tenant_id);

    let mut rows = Vec::new();
    let mut size = 0;
    let mut all_met = true;
    for (label, base) in [("page cache on (the default)", &url), ("page cache off: every page rendered", &uncached_url)]
    {
        // Sessions live in the database and cookies are per host, so the Viewer's session is
        // valid on both servers.
        let run = measure(&viewer, &format!("{base}{path}"), &big.company_name, clients, requests).await;
        size = run.size;
        all_met &= run.p95 < Duration::from_millis(50);
        rows.push((label, run));
    }

    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| build profile | {} |", if cfg!(debug_assertions) { "debug" } else { "release" });
    println!("| page | /subscriptions?tenant=… (server-rendered, signed in as a Viewer) |");
    println!("| tenants in the database / subscriptions of this tenant | {tenants} / {stored} |");
    println!("| page size | {:.0} KB |", size as f64 / 1024.0);
    println!("| concurrent clients (one request in flight each) | {clients} |");
    for (label, run) in &rows {
        println!("| {label}: one client p50 / p95 | {} / {} |", ms(run.single_p50), ms(run.single_p95));
        println!(
            "| {label}: {clients} clients, {} requests in {:.2} s | {:.0} pages/s, {:.0} % from the cache |",
            run.requests,
            run.wall.as_secs_f64(),
            run.requests as f64 / run.wall.as_secs_f64(),
            run.hits as f64 * 100.0 / run.requests as f64
        );
        println!(
            "| {label}: p50 / p95 / p99 / max | {} / {} / {} / {} |",
            ms(run.p50),
            ms(run.p95),
            ms(run.p99),
            ms(run.max)
        );
    }
    println!(
        "| target: p95 under 50 ms with {clients} clients, with the cache as shipped | {} |",
        if rows[0].1.p95 < Duration::from_millis(50) { "met" } else { "NOT met" }
    );
    if !all_met {
        println!(
            "| without the cache | {} |",
            if rows[1].1.p95 < Duration::from_millis(50) { "met" } else { "not met: see README, Performance" }
        );
    }
    pool.close().await;
}
