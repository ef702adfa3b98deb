//! Benchmark of the unused-licence alert run: every tenant of a large MSP weighed, with Pax8
//! read over real HTTP from the simulator with latency added to every Pax8 call; printed as a
//! table.
//!
//! ```text
//! scripts/bench alerts [--tenants 2000] [--latency-ms 50] [--pax8-per-minute 1000]
//! ```
//!
//! The licence sync fills PostgreSQL first (without added latency; it is measured by its own
//! benchmark). The run then reads Pax8 (companies and subscriptions 200 a page, each product
//! once) and weighs every tenant from PostgreSQL: Graph is not called, its seats were stored by
//! the sync. Pax8's pages are read one after another and spread under the per-minute setting,
//! so the lower bound is the larger of `requests x latency` and `requests / rate`.
//!
//! Then the tickets: every tenant the simulated Autotask has a company for is mapped to it, and
//! the ticket pass runs twice, as on the first day (a ticket per tenant with seats to give back)
//! and the next (nothing changed: every open ticket's state read, nothing sent). Autotask's
//! budget is 10,000 requests an hour for the whole database, so its requests are counted.

use seatsync_testkit::bench::{arg, peak_rss_mib};
use std::{
    future::IntoFuture,
    sync::{atomic::Ordering, Arc},
    time::{Duration, Instant},
};

use seatsync_alert_tickets::AlertTickets;
use seatsync_licence_alerts::LicenceAlerts;
use seatsync_licence_sync::{Scope, Trigger};
use seatsync_sim::{FaultRule, Sim, SimConfig};
use seatsync_vendors::{
    http::RetryPolicy,
    pax8::{HttpPax8, Pax8, Pax8Settings},
    Slot,
};
use sqlx::{Connection, Executor};
use url::Url;

#[tokio::main]
async fn main() {
    let tenants = arg("--tenants", 2000) as usize;
    let latency_ms = arg("--latency-ms", 50);
    let per_minute = arg("--pax8-per-minute", 1000).max(1) as u32;

    let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("seatsync_alerts_bench_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("PostgreSQL at DATABASE_URL");
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.unwrap();
    let mut url = Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    let pool = seatsync_db::connect(url.as_str(), 8).await.unwrap();
    seatsync_db::migrate(&pool).await.unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let sim = Arc::new(Sim::new(&SimConfig { tenants, ..SimConfig::default() }, base_url.clone()).unwrap());
    let server = tokio::spawn(axum::serve(listener, seatsync_sim::router(sim.clone())).into_future());
    let base = Url::parse(&base_url).unwrap();
    let http = reqwest::Client::new();

    // PostgreSQL filled by the licence sync, as a daily run finds it.
    let partner = sim.msp().partner_tenant_id.clone();
    let sync_started = Instant::now();
    seatsync_testkit::licence_sync_at(&pool, &base_url, &partner, 100)
        .run(Trigger::Schedule, Scope::All)
        .await
        .expect("the sync runs");
    let sync_time = sync_started.elapsed();

    // From here on every call under /v1 (Pax8's, and Partner Center's were it called) is slowed.
    let rule: FaultRule = format!("path=/v1/*,kind=latency,ms={latency_ms}").parse().unwrap();
    sim.faults.replace(vec![rule]);
    let pax8: Arc<dyn Pax8> = HttpPax8::new(
        Pax8Settings {
            api_url: base.join("v1").unwrap(),
            token_url: base.join("oauth/token").unwrap(),
            client_id: "sim-pax8-client".into(),
            client_secret: "sim-pax8-secret".into(),
            requests_per_minute: per_minute,
        },
        http,
        RetryPolicy::default(),
    );
    let alerts = LicenceAlerts::new(pool.clone(), Slot::new(Some(pax8)), seatsync_licences::Catalog::new(pool.clone()));

    let count = |fragment: &str| sim.requests_matching(fragment);
    let before = (
        count("GET /v1/companies"),
        count("GET /v1/subscriptions"),
        count("GET /v1/products"),
        count("subscribedSkus"),
        count("POST /oauth/token"),
        sim.vendor_calls.load(Ordering::Relaxed),
    );
    let rss_before = peak_rss_mib();
    let started = Instant::now();
    let summary = alerts.run(chrono::Utc::now()).await.expect("the alert run");
    let wall = started.elapsed();
    let companies = count("GET /v1/companies") - before.0;
    let pages = count("GET /v1/subscriptions") - before.1;
    let products = count("GET /v1/products") - before.2;
    let graph_calls = count("subscribedSkus") - before.3;
    let tokens = count("POST /oauth/token") - before.4;
    let all_calls = sim.vendor_calls.load(Ordering::Relaxed) - before.5;
    let pax8_calls = companies + pages + products + tokens;
    let (pax8_companies, pax8_subscriptions) = {
        let msp = sim.msp();
        (msp.pax8_companies.len(), msp.pax8_subscriptions.len())
    };
    // One request at a time, each at least the latency, and no faster than the pace allows.
    let slowed = (companies + pages + products) as f64;
    let paced = pax8_calls.saturating_sub(1) as f64 * 60.0 / f64::from(per_minute);
    let bound = Duration::from_secs_f64((slowed * latency_ms as f64 / 1000.0).max(paced));
    let ratio = wall.as_secs_f64() / bound.as_secs_f64().max(f64::EPSILON);
    let profile = if cfg!(debug_assertions) { "dev (unoptimised)" } else { "release" };

    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| build profile | {profile} |");
    println!("| tenants weighed / with seats to give back now | {} / {} |", summary.tenants, summary.alerted_tenants);
    println!("| reducible seats / saving a month | {} / ${:.2} |", summary.reducible_seats, summary.monthly_saving);
    println!("| Pax8 companies / subscriptions seeded | {pax8_companies} / {pax8_subscriptions} |");
    println!("| added latency per Pax8 call | {latency_ms} ms |");
    println!("| Pax8 pace (requests a minute) | {per_minute} |");
    println!("| Pax8 requests: token / company pages / subscription pages / products | {tokens} / {companies} / {pages} / {products} |");
    println!("| Pax8 requests in all / per tenant | {pax8_calls} / {:.3} |", pax8_calls as f64 / tenants as f64);
    println!("| Graph requests in all / per tenant | {graph_calls} / {:.3} |", graph_calls as f64 / tenants as f64);
    println!("| vendor requests of any kind during the run | {all_calls} |");
    println!("| wall time | {:.2} s |", wall.as_secs_f64());
    println!(
        "| lower bound (one Pax8 request at a time: requests x latency, or requests / pace) | {:.2} s |",
        bound.as_secs_f64()
    );
    println!("| wall time / lower bound | {ratio:.2}x |");
    println!(
        "| peak memory (run and simulator, one process) | {:.0} MiB ({rss_before:.0} MiB before the run) |",
        peak_rss_mib()
    );
    println!("| licence sync that filled PostgreSQL first (not measured above) | {:.1} s |", sync_time.as_secs_f64());

    // The tickets, without added latency: Autotask's cost is counted in requests.
    sim.faults.replace(vec![]);
    let companies: Vec<(String, i64)> =
        sim.msp().autotask.company_of_tenant.iter().map(|(t, c)| (t.clone(), *c)).collect();
    for (tenant, company) in &companies {
        sqlx::query(
            "INSERT INTO tenant_mappings (tenant_id, state, company_id, version) VALUES ($1, 'mapped', $2, 1)
             ON CONFLICT DO NOTHING",
        )
        .bind(tenant)
        .bind(company)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO app_settings (key, value) VALUES ($1, '{\"queue_id\": 29683478}')")
        .bind(seatsync_delivery::TICKET_DEFAULTS_KEY)
        .execute(&pool)
        .await
        .unwrap();
    let slots = seatsync_integrations::ClientSlots::default();
    let autotask: Arc<dyn seatsync_vendors::autotask::Autotask> =
        seatsync_testkit::autotask_at(&base_url, RetryPolicy::default());
    slots.autotask.set(Some(autotask));
    let catalog = seatsync_licences::Catalog::new(pool.clone());
    let remediation = seatsync_remediation::Remediation::new(
        pool.clone(),
        slots.clone(),
        catalog,
        seatsync_remediation::Signer::from_session_secret(b"the benchmark's session secret"),
        seatsync_remediation::DEFAULT_LINK_LIFETIME,
    );
    let delivery = seatsync_delivery::Delivery::new(pool.clone(), slots);
    let tickets = AlertTickets::new(pool.clone(), delivery, remediation, "https://seatsync.msp.example");
    // The zone is read at /ATServicesRest, the entities at the lower-case address it returns.
    let autotask_calls = || sim.requests_matching("/ATServicesRest/") + sim.requests_matching("/atservicesrest/");
    let mut passes = Vec::new();
    for pass in ["first day: tickets opened", "next day: nothing changed"] {
        let before = autotask_calls();
        let started = Instant::now();
        let done = tickets.send_after(summary.run_id).await.expect("the ticket pass");
        let wall = started.elapsed();
        let open = seatsync_db::alert_tickets::open(&pool).await.unwrap().len();
        passes.push((pass, done, autotask_calls() - before, wall, open));
    }
    println!();
    println!(
        "| ticket pass ({} tenants mapped to an Autotask company) | opened / noted / closed / failed | open tickets | Autotask requests (per open ticket) | wall time |",
        companies.len()
    );
    println!("| --- | --- | --- | --- | --- |");
    for (pass, done, requests, wall, open) in passes {
        println!(
            "| {pass} | {} / {} / {} / {} | {open} | {requests} ({:.2}) | {:.2} s |",
            done.opened,
            done.noted,
            done.closed,
            done.failed.len(),
            requests as f64 / open.max(1) as f64,
            wall.as_secs_f64()
        );
    }

    server.abort();
    pool.close().await;
    let _ = conn.execute(format!("DROP DATABASE \"{name}\" WITH (FORCE)").as_str()).await;
}
