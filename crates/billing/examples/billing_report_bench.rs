//! Benchmark of the billing count report: every connector of a large MSP read over real HTTP from
//! the simulator, running as a process of its own, with latency added to every tool's call; the
//! report built and stored, and its CSV made; printed as tables.
//!
//! ```text
//! scripts/bench billing [--tenants 2000] [--latency-ms 50]
//! ```
//!
//! PostgreSQL is filled first without added latency (the licence sync, Autotask's companies, the
//! tenants mapped): Microsoft 365 is counted from it. Every tool is then read as a run reads
//! them: all at once, each request of a tool in turn, paced at the tool's default setting.
//! Pax8 included: the report reads it itself. A tool's lower bound is the larger of
//! `requests x latency` and `requests / pace`; the report's is the largest of them. The
//! simulator's own process is left out of the memory measured: only the run's is.

use std::{
    collections::HashMap,
    process::Stdio,
    sync::Arc,
    time::{Duration, Instant},
};

use seatsync_billing::{connectors, BillingReports};
use seatsync_integrations::ClientSlots;
use seatsync_licence_sync::{Scope, Trigger};
use seatsync_testkit::bench::{arg, peak_rss_mib, reset_peak_rss};
use seatsync_vendors::{
    automate::{Automate, AutomateSettings, HttpAutomate},
    auvik::{Auvik, AuvikSettings, Counting, HttpAuvik},
    datto_rmm::{DattoRmm, DattoRmmSettings, HttpDattoRmm},
    duo::{Duo, DuoSettings, HttpDuo},
    http::RetryPolicy,
    huntress::{AgentCounting, HttpHuntress, Huntress, HuntressSettings},
    ninjaone::{HttpNinjaOne, NinjaOne, NinjaOneSettings},
    pax8::{HttpPax8, Pax8, Pax8Settings},
    sentinelone::{CustomerLevel, HttpSentinelOne, SentinelOne, SentinelOneSettings},
    Slot,
};
use serde_json::{json, Value};
use sqlx::{Connection, Executor};
use url::Url;

/// A tool as the benchmark reads it: its name in the report, the simulator's paths that are its
/// API, and the pace its client keeps by default.
struct Tool {
    name: &'static str,
    paths: &'static [&'static str],
    per_minute: u32,
}

const TOOLS: &[Tool] = &[
    Tool { name: "PAX8", paths: &["/v1/companies", "/v1/subscriptions", "/v1/products"], per_minute: 1000 },
    Tool { name: "Datto RMM", paths: &["/datto/"], per_minute: 300 },
    Tool {
        name: "NinjaOne",
        paths: &["/ninjaone/"],
        per_minute: seatsync_vendors::ninjaone::DEFAULT_REQUESTS_PER_MINUTE,
    },
    Tool { name: "ConnectWise Automate", paths: &["/automate/"], per_minute: 120 },
    Tool { name: "Huntress", paths: &["/huntress/"], per_minute: 60 },
    Tool {
        name: "SentinelOne",
        paths: &["/sentinelone/"],
        per_minute: seatsync_vendors::sentinelone::DEFAULT_REQUESTS_PER_MINUTE,
    },
    Tool { name: "Cisco Duo", paths: &["/duo/"], per_minute: seatsync_vendors::duo::DEFAULT_REQUESTS_PER_MINUTE },
    Tool { name: "Auvik", paths: &["/auvik/"], per_minute: seatsync_vendors::auvik::DEFAULT_REQUESTS_PER_MINUTE },
];

fn pace(tool: &str) -> u32 {
    TOOLS.iter().find(|t| t.name == tool).map(|t| t.per_minute).unwrap_or(60)
}

/// The simulator as a child process (killed when dropped), and its address.
struct SimProcess {
    _child: tokio::process::Child,
    base_url: String,
    http: reqwest::Client,
}

impl SimProcess {
    async fn start(tenants: usize) -> Self {
        let binary = std::env::var("SEATSYNC_SIM_BIN").unwrap_or_else(|_| {
            let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
            format!("{}/../../target/{profile}/seatsync-sim", env!("CARGO_MANIFEST_DIR"))
        });
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = tokio::process::Command::new(&binary)
            .args(["--addr", &format!("127.0.0.1:{port}"), "--tenants", &tenants.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("the simulator at {binary} starts ({e}): build it with cargo build -p seatsync-sim")
            });
        let sim = Self { _child: child, base_url: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() };
        let started = Instant::now();
        while sim.http.get(sim.url("/_sim/health")).send().await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(300), "the simulator did not answer in 5 minutes");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        sim
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn get(&self, path: &str) -> Value {
        self.http.get(self.url(path)).send().await.unwrap().json().await.unwrap()
    }

    /// Requests the simulator served whose route contains any of `paths`.
    async fn served(&self, paths: &[&str]) -> u64 {
        let calls = self.get("/_sim/calls").await;
        let by_route: HashMap<String, u64> = serde_json::from_value(calls["byRoute"].clone()).unwrap_or_default();
        by_route.iter().filter(|(route, _)| paths.iter().any(|p| route.contains(p))).map(|(_, n)| n).sum()
    }

    async fn company_of(&self, tenant: &str) -> Option<i64> {
        let res = self.http.get(self.url(&format!("/_sim/autotask-company-of/{tenant}"))).send().await.ok()?;
        let v: Value = res.error_for_status().ok()?.json().await.ok()?;
        v.as_i64().or_else(|| v["companyId"].as_i64()).or_else(|| v["id"].as_i64())
    }
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

    let sim = SimProcess::start(tenants).await;
    let base_url = sim.base_url.clone();

    // PostgreSQL as a month's runs leave it: subscriptions, Autotask's companies, the tenants
    // mapped.
    let prepared = Instant::now();
    let partner = sim.get("/_sim/summary").await["partnerTenantId"].as_str().unwrap().to_string();
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
    // Only tenants the sync stored (one it could not read is left out, as in a real run).
    for tenant in seatsync_db::tenants::list(&pool).await.unwrap() {
        let Some(company) = sim.company_of(tenant.tenant_id.as_str()).await else { continue };
        sqlx::query(
            "INSERT INTO tenant_mappings (tenant_id, state, company_id, version) VALUES ($1, 'mapped', $2, 1)
             ON CONFLICT DO NOTHING",
        )
        .bind(&tenant.tenant_id)
        .bind(company)
        .execute(&pool)
        .await
        .unwrap();
    }
    let prepared = prepared.elapsed();

    // Every tool's client at its default pace, as an installation builds it.
    let base = Url::parse(&base_url).unwrap();
    let http = reqwest::Client::new();
    let policy = RetryPolicy::default();
    let slots = ClientSlots::default();
    slots.autotask.set(Some(autotask));
    let pax8: Arc<dyn Pax8> = HttpPax8::new(
        Pax8Settings {
            api_url: base.join("v1").unwrap(),
            token_url: base.join("oauth/token").unwrap(),
            client_id: "sim-pax8-client".into(),
            client_secret: "sim-pax8-secret".into(),
            requests_per_minute: pace("PAX8"),
        },
        http.clone(),
        policy.clone(),
    );
    slots.pax8.set(Some(pax8));
    let datto: Arc<dyn DattoRmm> = HttpDattoRmm::new(
        DattoRmmSettings {
            api_url: base.join("datto").unwrap(),
            api_key: seatsync_sim::datto_rmm::DATTO_API_KEY.into(),
            api_secret: seatsync_sim::datto_rmm::DATTO_API_SECRET.into(),
            requests_per_minute: pace("Datto RMM"),
            count_suspended: true,
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
            agents: AgentCounting::Billable,
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
        http.clone(),
        policy.clone(),
    );
    slots.automate.set(Some(automate));
    let duo: Arc<dyn Duo> = HttpDuo::new(
        DuoSettings {
            api_url: base.join("duo").unwrap(),
            integration_key: seatsync_sim::duo::DUO_INTEGRATION_KEY.into(),
            secret_key: seatsync_sim::duo::DUO_SECRET_KEY.into(),
            requests_per_minute: pace("Cisco Duo"),
            users_page_size: seatsync_vendors::duo::DEFAULT_USERS_PAGE_SIZE,
            read_editions: true,
        },
        http.clone(),
        policy.clone(),
    );
    slots.duo.set(Some(duo));
    let auvik: Arc<dyn Auvik> = HttpAuvik::new(
        AuvikSettings {
            base_url: base.join("auvik/v1").unwrap(),
            username: seatsync_sim::auvik::AUVIK_USERNAME.into(),
            api_key: seatsync_sim::auvik::AUVIK_API_KEY.into(),
            page_size: seatsync_vendors::auvik::DEFAULT_PAGE_SIZE,
            requests_per_minute: pace("Auvik"),
            counting: Counting::Usage,
        },
        http,
        policy,
    );
    slots.auvik.set(Some(auvik));
    let catalog = seatsync_licences::Catalog::new(pool.clone());
    let billing = BillingReports::new(pool.clone(), connectors(&pool, &slots, &catalog));

    // From here on every call to a tool is slowed.
    let rules: Vec<Value> = TOOLS
        .iter()
        .flat_map(|t| t.paths.iter())
        .map(|p| json!({"path": format!("{}*", p.trim_end_matches('/')), "kind": "latency", "ms": latency_ms}))
        .collect();
    let set = sim.http.post(sim.url("/_sim/faults")).json(&json!({ "rules": rules })).send().await.unwrap();
    assert!(set.status().is_success(), "the simulator took the latency rules");
    let mut before = Vec::new();
    for t in TOOLS {
        before.push(sim.served(t.paths).await);
    }
    let rss_before = reset_peak_rss();
    let started = Instant::now();
    let summary = billing.run(None).await.expect("the report");
    let wall = started.elapsed();
    let peak = peak_rss_mib();
    let mut requests = Vec::new();
    for (t, b) in TOOLS.iter().zip(&before) {
        requests.push(sim.served(t.paths).await - b);
    }

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
    println!("| peak memory of the run (SeatSync's process; the simulator runs apart) | {peak:.0} MiB ({rss_before:.0} MiB when it began) |");
    println!(
        "| time to read the stored report and make its CSV | {:.0} ms ({} KiB) |",
        csv_time.as_secs_f64() * 1000.0,
        csv.len() / 1024
    );
    println!("| PostgreSQL filled first (sync, Autotask; not measured above) | {:.1} s |", prepared.as_secs_f64());
    println!();
    println!("| tool | status | companies | tool customers placed nowhere | requests | pace (a minute) | wall time | lower bound | ratio |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut bound_all = Duration::ZERO;
    for outcome in &summary.tools {
        let index = TOOLS.iter().position(|t| t.name == outcome.tool);
        let (requests, bound) = match index {
            Some(i) => {
                let n = requests[i];
                let slowed = n as f64 * latency_ms as f64 / 1000.0;
                let paced = n.saturating_sub(1) as f64 * 60.0 / f64::from(TOOLS[i].per_minute);
                let bound = Duration::from_secs_f64(slowed.max(paced));
                bound_all = bound_all.max(bound);
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
        "| all, at once | | | | {} | | {:.2} s | {:.2} s (the slowest tool's) | {:.2}x |",
        requests.iter().sum::<u64>(),
        wall.as_secs_f64(),
        bound_all.as_secs_f64(),
        wall.as_secs_f64() / bound_all.as_secs_f64().max(f64::EPSILON)
    );

    pool.close().await;
    let _ = conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await;
}
