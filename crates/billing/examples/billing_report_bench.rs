//! Benchmark of the billing count report: every connector of a large MSP read over real HTTP from
//! the simulator with latency added to every tool's call, the report built and stored, and its
//! CSV made; printed as tables.
//!
//! ```text
//! scripts/bench billing [--tenants 2000] [--latency-ms 50]
//! ```
//!
//! PostgreSQL is filled first without added latency (the licence sync, Autotask's companies, the
//! tenants mapped, Pax8 read by the alert run): Microsoft 365 and Pax8 are counted from it. The
//! five tools are then read as a run reads them: one after another, each request in turn, paced
//! at the tool's default setting. A tool's lower bound is the larger of `requests x latency` and
//! `requests / pace`; the report's is their sum.

use std::{
    future::IntoFuture,
    sync::Arc,
    time::{Duration, Instant},
};

use seatsync_billing::{connectors, BillingReports};
use seatsync_integrations::ClientSlots;
use seatsync_licence_alerts::LicenceAlerts;
use seatsync_licence_sync::{Scope, Trigger};
use seatsync_sim::{FaultRule, Sim, SimConfig};
use seatsync_testkit::bench::{arg, peak_rss_mib};
use seatsync_vendors::{
    automate::{Automate, AutomateSettings, HttpAutomate},
    datto_rmm::{DattoRmm, DattoRmmSettings, HttpDattoRmm},
    http::RetryPolicy,
    huntress::{HttpHuntress, Huntress, HuntressSettings},
    ninjaone::{HttpNinjaOne, NinjaOne, NinjaOneSettings},
    pax8::Pax8,
    sentinelone::{CustomerLevel, HttpSentinelOne, SentinelOne, SentinelOneSettings},
    Slot,
};
use sqlx::{Connection, Executor};
use url::Url;

/// A tool as the benchmark reads it: its name in the report, its path in the simulator, and the
/// pace its client keeps by default.
struct Tool {
    name: &'static str,
    prefix: &'static str,
    per_minute: u32,
}

const TOOLS: &[Tool] = &[
    Tool { name: "Datto RMM", prefix: "/datto/", per_minute: 300 },
    Tool {
        name: "NinjaOne",
        prefix: "/ninjaone/",
        per_minute: seatsync_vendors::ninjaone::DEFAULT_REQUESTS_PER_MINUTE,
    },
    Tool { name: "ConnectWise Automate", prefix: "/automate/", per_minute: 120 },
    Tool { name: "Huntress", prefix: "/huntress/", per_minute: 60 },
    Tool {
        name: "SentinelOne",
        prefix: "/sentinelone/",
        per_minute: seatsync_vendors::sentinelone::DEFAULT_REQUESTS_PER_MINUTE,
    },
];

fn pace(tool: &str) -> u32 {
    TOOLS.iter().find(|t| t.name == tool).map(|t| t.per_minute).unwrap_or(60)
}

#[tokio::main]
async fn main() {
    let tenants = arg("--tenants", 2000) as usize;
    let latency_ms = arg("--latency-ms", 50);

    let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("seatsync_billing_bench_{}", std::process::id());
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

    // PostgreSQL as a month's runs leave it: subscriptions, Autotask's companies, the tenants
    // mapped, Pax8 read.
    let prepared = Instant::now();
    let partner = sim.msp().partner_tenant_id.clone();
    seatsync_testkit::licence_sync_at(&pool, &base_url, &partner, 100)
        .run(Trigger::Schedule, Scope::All)
        .await
        .expect("the sync runs");
    let autotask: Arc<dyn seatsync_vendors::autotask::Autotask> =
        seatsync_testkit::autotask_at(&base_url, RetryPolicy::default());
    seatsync_mapping::Mapping::new(pool.clone(), Slot::new(Some(autotask.clone())))
        .refresh_cache("manual", None)
        .await
        .expect("Autotask's companies read");
    let companies: Vec<(String, i64)> =
        sim.msp().autotask.company_of_tenant.iter().map(|(t, c)| (t.clone(), *c)).collect();
    for (tenant, company) in &companies {
        sqlx::query(
            // Only tenants the sync stored (one it could not read is left out, as in a real run).
            "INSERT INTO tenant_mappings (tenant_id, state, company_id, version)
             SELECT $1, 'mapped', $2, 1 WHERE EXISTS (SELECT 1 FROM tenants WHERE tenant_id = $1)
             ON CONFLICT DO NOTHING",
        )
        .bind(tenant)
        .bind(company)
        .execute(&pool)
        .await
        .unwrap();
    }
    let base = Url::parse(&base_url).unwrap();
    let pax8: Arc<dyn Pax8> = seatsync_testkit::pax8_at(&base_url, RetryPolicy::default());
    let catalog = seatsync_licences::Catalog::new(pool.clone());
    LicenceAlerts::new(pool.clone(), Slot::new(Some(pax8.clone())), catalog.clone())
        .run(chrono::Utc::now())
        .await
        .expect("Pax8 read by the alert run");
    let prepared = prepared.elapsed();

    // Every tool's client at its default pace, as an installation builds it.
    let http = reqwest::Client::new();
    let policy = RetryPolicy::default();
    let slots = ClientSlots::default();
    slots.autotask.set(Some(autotask));
    slots.pax8.set(Some(pax8));
    let datto: Arc<dyn DattoRmm> = HttpDattoRmm::new(
        DattoRmmSettings {
            api_url: base.join("datto").unwrap(),
            api_key: seatsync_sim::datto_rmm::DATTO_API_KEY.into(),
            api_secret: seatsync_sim::datto_rmm::DATTO_API_SECRET.into(),
            requests_per_minute: pace("Datto RMM"),
        },
        http.clone(),
        policy.clone(),
    );
    slots.datto_rmm.set(Some(datto));
    let huntress: Arc<dyn Huntress> = HttpHuntress::new(
        HuntressSettings {
            base_url: base.join("huntress/v1").unwrap(),
            api_key: seatsync_sim::huntress::HUNTRESS_API_KEY.into(),
            api_secret: seatsync_sim::huntress::HUNTRESS_API_SECRET.into(),
            requests_per_minute: pace("Huntress"),
        },
        http.clone(),
        policy.clone(),
    );
    slots.huntress.set(Some(huntress));
    let ninjaone: Arc<dyn NinjaOne> = HttpNinjaOne::new(
        NinjaOneSettings {
            base_url: base.join("ninjaone").unwrap(),
            client_id: seatsync_sim::ninjaone::NINJAONE_CLIENT_ID.into(),
            client_secret: seatsync_sim::ninjaone::NINJAONE_CLIENT_SECRET.into(),
            page_size: seatsync_vendors::ninjaone::DEFAULT_PAGE_SIZE,
            psa_company_field: Some(seatsync_sim::ninjaone::NINJAONE_PSA_FIELD.into()),
            requests_per_minute: pace("NinjaOne"),
        },
        http.clone(),
        policy.clone(),
    );
    slots.ninjaone.set(Some(ninjaone));
    let sentinelone: Arc<dyn SentinelOne> = HttpSentinelOne::new(
        SentinelOneSettings {
            base_url: base.join("sentinelone").unwrap(),
            api_token: seatsync_sim::sentinelone::SENTINELONE_API_TOKEN.into(),
            requests_per_minute: pace("SentinelOne"),
            page_size: seatsync_vendors::sentinelone::MAX_PAGE_SIZE,
            customer_level: CustomerLevel::Site,
        },
        http.clone(),
        policy.clone(),
    );
    slots.sentinelone.set(Some(sentinelone));
    let automate: Arc<dyn Automate> = HttpAutomate::new(
        AutomateSettings {
            server_url: base.join("automate").unwrap(),
            client_id: seatsync_sim::automate::AUTOMATE_CLIENT_ID.into(),
            username: seatsync_sim::automate::AUTOMATE_USERNAME.into(),
            password: seatsync_sim::automate::AUTOMATE_PASSWORD.into(),
            requests_per_minute: pace("ConnectWise Automate"),
        },
        http,
        policy,
    );
    slots.automate.set(Some(automate));
    let billing = BillingReports::new(pool.clone(), connectors(&pool, &slots, &catalog));

    // From here on every call to a tool is slowed.
    let rules: Vec<FaultRule> =
        TOOLS.iter().map(|t| format!("path={}*,kind=latency,ms={latency_ms}", t.prefix).parse().unwrap()).collect();
    sim.faults.replace(rules);
    let before: Vec<u64> = TOOLS.iter().map(|t| sim.requests_matching(t.prefix)).collect();
    let rss_before = peak_rss_mib();
    let started = Instant::now();
    let summary = billing.run(None).await.expect("the report");
    let wall = started.elapsed();
    let requests: Vec<u64> = TOOLS.iter().zip(&before).map(|(t, b)| sim.requests_matching(t.prefix) - b).collect();

    let csv_started = Instant::now();
    let newest = billing.newest().await.unwrap();
    let csv = newest[0].report.0.to_csv();
    let csv_time = csv_started.elapsed();

    let profile = if cfg!(debug_assertions) { "dev (unoptimised)" } else { "release" };
    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| build profile | {profile} |");
    println!("| customer tenants seeded / Autotask companies (rows) | {tenants} / {} |", summary.companies);
    println!("| columns | {} |", summary.columns);
    println!("| added latency per tool call | {latency_ms} ms |");
    println!("| wall time of the report run | {:.2} s |", wall.as_secs_f64());
    println!(
        "| peak memory (run and simulator, one process) | {:.0} MiB ({rss_before:.0} MiB before the run) |",
        peak_rss_mib()
    );
    println!(
        "| time to read the stored report and make its CSV | {:.0} ms ({} KiB) |",
        csv_time.as_secs_f64() * 1000.0,
        csv.len() / 1024
    );
    println!(
        "| PostgreSQL filled first (sync, Autotask, Pax8; not measured above) | {:.1} s |",
        prepared.as_secs_f64()
    );
    println!();
    println!("| tool | status | companies | tool customers placed nowhere | requests | pace (a minute) | wall time | lower bound | ratio |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut bound_total = Duration::ZERO;
    for outcome in &summary.tools {
        let index = TOOLS.iter().position(|t| t.name == outcome.tool);
        let (requests, bound) = match index {
            Some(i) => {
                let n = requests[i];
                let slowed = n as f64 * latency_ms as f64 / 1000.0;
                let paced = n.saturating_sub(1) as f64 * 60.0 / f64::from(TOOLS[i].per_minute);
                let bound = Duration::from_secs_f64(slowed.max(paced));
                bound_total += bound;
                (n.to_string(), Some(bound))
            }
            None => ("PostgreSQL only".to_string(), None),
        };
        let took = Duration::from_millis(outcome.milliseconds);
        println!(
            "| {} | {:?} | {} | {} | {requests} | {} | {:.2} s | {} | {} |",
            outcome.tool,
            outcome.status,
            outcome.companies,
            outcome.unplaced.len(),
            index.map(|i| TOOLS[i].per_minute.to_string()).unwrap_or_else(|| "-".into()),
            took.as_secs_f64(),
            bound.map(|b| format!("{:.2} s", b.as_secs_f64())).unwrap_or_else(|| "-".into()),
            bound
                .map(|b| format!("{:.2}x", took.as_secs_f64() / b.as_secs_f64().max(f64::EPSILON)))
                .unwrap_or_else(|| "-".into()),
        );
    }
    println!(
        "| all | | | | {} | | {:.2} s | {:.2} s | {:.2}x |",
        requests.iter().sum::<u64>(),
        wall.as_secs_f64(),
        bound_total.as_secs_f64(),
        wall.as_secs_f64() / bound_total.as_secs_f64().max(f64::EPSILON)
    );

    server.abort();
    pool.close().await;
    let _ = conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await;
}
