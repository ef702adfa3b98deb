//! Benchmark of the contract sync's Autotask economy: a full sync of every mapped tenant of a
//! large MSP against the simulator, printed as a table: Autotask reads per tenant, writes per
//! change, and how long the run would take within SeatSync's share of the hourly budget.
//!
//! ```text
//! scripts/bench contracts [--tenants 2000]
//! ```

use seatsync_db::kinds::{ChangeKind, ChangeOutcome};
use seatsync_testkit::bench::arg;
use std::{sync::Arc, time::Instant};

use seatsync_contracts::{
    job::{Scope, Trigger},
    Contracts,
};
use seatsync_mapping::{Mapping, OfferAction, TenantAction};
use seatsync_sim::SimConfig;
use seatsync_testkit as kit;
use seatsync_vendors::{
    autotask::{Autotask, AutotaskSettings, HttpAutotask},
    Slot,
};

#[tokio::main]
async fn main() {
    let tenants = arg("--tenants", 2000) as usize;
    // The simulator's database allows far more than Autotask's 10,000 an hour, so the run is
    // measured rather than throttled; the budget is applied to the count afterwards.
    let sim = kit::sim(SimConfig { tenants, autotask_hourly_limit: 10_000_000, ..SimConfig::default() }).await;
    let pool = kit::fresh_pool(20).await;
    let setup = Instant::now();
    kit::licence_sync(&pool, &sim, 64)
        .run(seatsync_licence_sync::Trigger::Schedule, seatsync_licence_sync::Scope::All)
        .await
        .expect("licences sync");
    let client = HttpAutotask::new(
        AutotaskSettings { hourly_share: 1.0, ..kit::autotask_settings(&sim) },
        reqwest::Client::new(),
        Default::default(),
    );
    let autotask: Arc<dyn Autotask> = client.clone();
    let mapping = Mapping::new(pool.clone(), Slot::new(Some(autotask.clone())));
    let contracts = Contracts::new(pool.clone(), Slot::new(Some(autotask)));
    let user = seatsync_db::users::record_sign_in(
        &pool,
        seatsync_db::users::SignIn {
            subject: "bench",
            email: "bench@northwind-msp.example",
            display_name: "Benchmark",
            claimed_role: None,
            is_bootstrap_admin: false,
        },
    )
    .await
    .unwrap()
    .id;
    mapping.refresh_cache("manual", Some(user)).await.expect("companies and services read");
    let mut mapped = 0;
    for t in seatsync_db::tenants::list(&pool).await.unwrap() {
        if let Some(company) = kit::company_of(&sim, t.tenant_id.as_str()).await {
            mapping
                .apply_tenant(
                    &t.tenant_id,
                    TenantAction::Map { company_id: seatsync_domain::CompanyId(company) },
                    0,
                    Some(user),
                )
                .await
                .unwrap();
            mapped += 1;
        }
    }
    let suggested: std::collections::HashMap<_, _> = mapping
        .service_suggestions()
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.strength == seatsync_domain::MatchStrength::Exact)
        .map(|s| (s.offer_key, s.service_id))
        .collect();
    for offer in seatsync_db::mappings::offer_rows(&pool).await.unwrap() {
        let draft = mapping.service_draft(&offer.offer_key).await.unwrap();
        match suggested.get(&offer.offer_key).copied().or(draft.existing_service_id) {
            Some(id) => {
                mapping.apply_offer(&offer.offer_key, OfferAction::Map { service_id: id }, 0, Some(user)).await.unwrap()
            }
            None => {
                mapping.create_service_and_map(&offer.offer_key, &draft.name, 12.0, Some(10.0), 0, user).await.unwrap()
            }
        };
    }
    let setup = setup.elapsed();

    // A dry run: reads only.
    let before = client.requests_made();
    let started = Instant::now();
    let dry = contracts.run_sync(Trigger::Schedule, Scope::All, true).await.unwrap();
    let dry_wall = started.elapsed();
    let dry_requests = client.requests_made() - before;
    let planned = seatsync_db::contracts::run_changes(&pool, dry).await.unwrap();
    let planned_writes = planned.iter().filter(|c| c.kind != ChangeKind::FlagEnded).count();

    // The real run: the same reads plus one write per change. Writes are counted where they
    // land: create and update calls the simulated Autotask served.
    let writes_served = || -> u64 {
        let calls = sim.sim.calls_by_route.lock().unwrap_or_else(|p| p.into_inner());
        calls
            .iter()
            .filter(|(route, _)| {
                (route.starts_with("POST ") || route.starts_with("PATCH "))
                    && !route.to_ascii_lowercase().contains("/query")
            })
            .map(|(_, n)| *n)
            .sum()
    };
    let writes_before = writes_served();
    let before = client.requests_made();
    let started = Instant::now();
    let run = contracts.run_sync(Trigger::Schedule, Scope::All, false).await.unwrap();
    let wall = started.elapsed();
    let requests = client.requests_made() - before;
    let changes = seatsync_db::contracts::run_changes(&pool, run).await.unwrap();
    let writes = writes_served() - writes_before;
    let changes_made = changes.iter().filter(|c| c.outcome == ChangeOutcome::Applied).count();
    let flagged = changes.iter().filter(|c| c.outcome == ChangeOutcome::Flagged).count();
    let reads = requests - writes;
    let r = seatsync_db::contracts::run(&pool, run).await.unwrap();
    let contracts_read: i64 =
        sqlx::query_scalar("SELECT count(*) FROM autotask_contracts").fetch_one(&pool).await.unwrap();
    // The dashboard's count of contracts that differ from Partner Center: every mapped tenant's
    // view from PostgreSQL in a fixed number of queries, after the run (so the snapshots are full).
    let shared = seatsync_contracts::view::Shared::load(&pool).await.unwrap();
    let mut dashboard_times = Vec::new();
    let mut differing = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let all = seatsync_contracts::view::mapped_tenant_contracts(&pool, &shared, chrono::Utc::now().date_naive())
            .await
            .unwrap();
        dashboard_times.push(started.elapsed());
        differing = all.iter().flat_map(|t| &t.groups).filter(|g| g.differs()).count();
    }
    dashboard_times.sort();
    let share = 0.5 * 10_000.0;
    let minutes = |n: u64| n as f64 / share * 60.0;

    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| build profile | {} |", if cfg!(debug_assertions) { "debug" } else { "release" });
    println!("| tenants / mapped to a company | {tenants} / {mapped} |");
    println!("| Autotask contracts read | {contracts_read} |");
    println!("| tenants synced / failed | {} / {} |", r.tenants_done - r.tenants_failed, r.tenants_failed);
    println!("| dry run: requests (reads only), changes it would make | {dry_requests}, {planned_writes} writes and {} flags |", planned.len() - planned_writes);
    println!("| real run: changes made / flagged for a person | {changes_made} / {flagged} |");
    println!("| real run: Autotask reads / writes | {reads} / {writes} |");
    println!("| reads per mapped tenant | {:.3} (target at most 3) |", reads as f64 / mapped.max(1) as f64);
    println!("| writes per change | {:.2} (target 1) |", writes as f64 / (changes_made as f64).max(1.0));
    println!("| requests per mapped tenant | {:.3} |", requests as f64 / mapped.max(1) as f64);
    println!(
        "| wall time (no Autotask latency) / dry run | {:.2} s / {:.2} s |",
        wall.as_secs_f64(),
        dry_wall.as_secs_f64()
    );
    println!(
        "| time within 50% of 10,000 requests an hour | {:.1} min for the run ({:.2} min for the dry run) |",
        minutes(requests),
        minutes(dry_requests)
    );
    println!(
        "| dashboard: every mapped tenant's contracts compared (median of 3), differing after the run | {:.0} ms, {differing} |",
        dashboard_times[1].as_secs_f64() * 1000.0
    );
    println!("| set-up (licence sync, mapping, services) | {:.1} s |", setup.as_secs_f64());
    pool.close().await;
}
