//! The vendor simulator.
//!
//! One HTTP server that stands in for everything SeatSync talks to and cannot reach here:
//! Microsoft Entra ID (the sign-in authority and every token endpoint), Partner Center, Microsoft
//! Graph, Autotask, Pax8, ConnectWise Manage, HaloPSA, and a mail server (an SMTP sink on its own
//! port, `smtp.rs`). Each speaks the vendor's documented
//! wire format (shared/docs/vendor-apis.md), serves a deterministic seeded MSP, keeps what the app
//! writes in memory so it can be read back, and can inject faults per route.
//!
//! Everything a test or the demo needs to steer lives under `/_sim/`, a prefix no vendor uses.

pub mod automate_seed;
mod autotask;
pub mod auvik_seed;
pub mod duo_seed;
pub mod faults;
pub mod ninjaone_seed;
pub mod oidc;
pub mod pax8_seed;
pub mod seed;
pub mod sentinelone_seed;
pub mod smtp;
mod state;
mod tokens;
pub mod tools_seed;
mod vendors;

use std::{net::SocketAddr, sync::Arc};

use axum::{routing::get, Json, Router};
use tokio::net::TcpListener;

pub use faults::{FaultKind, FaultRule};
pub use seed::{DemoUser, Msp};
pub use state::Sim;
pub use vendors::{automate, auvik, datto_rmm, duo, huntress, ninjaone, sentinelone};

/// How the simulator is set up at start.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Customer tenants to generate (about 40 for the demo, thousands for benchmarks).
    pub tenants: usize,
    /// Seed of the generator: the same seed gives the same MSP.
    pub seed: u64,
    /// The OIDC client the sign-in flow accepts.
    pub client_id: String,
    pub client_secret: String,
    /// When set, the first customer holds this many subscriptions (a very large tenant).
    pub first_tenant_subscriptions: Option<usize>,
    /// Latency added to every vendor call (not to `/_sim/`), in milliseconds.
    pub latency_ms: u64,
    /// Fault rules active from the start.
    pub faults: Vec<FaultRule>,
    /// The address clients use to reach the simulator, e.g. `http://127.0.0.1:4010`. Used in the
    /// discovery document, `nextPageUrl`s and zone URLs. Filled from the bound address when `None`.
    pub public_url: Option<String>,
    /// Where the SMTP sink listens; an ephemeral port beside the HTTP one when `None`.
    pub smtp_addr: Option<SocketAddr>,
    /// Autotask's request threshold per rolling 60 minutes (the real service allows 10,000 per
    /// database); above it requests are refused with 429, from half of it they slow down.
    pub autotask_hourly_limit: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            tenants: 40,
            seed: 20261123,
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
            first_tenant_subscriptions: None,
            latency_ms: 0,
            faults: Vec::new(),
            public_url: None,
            autotask_hourly_limit: 10_000,
            smtp_addr: None,
        }
    }
}

/// A running simulator.
pub struct SimHandle {
    pub addr: SocketAddr,
    /// The SMTP sink's address.
    pub smtp_addr: SocketAddr,
    pub base_url: String,
    pub sim: Arc<Sim>,
    task: tokio::task::JoinHandle<()>,
    smtp_task: tokio::task::JoinHandle<()>,
}

impl SimHandle {
    /// The sign-in authority (issuer) of the partner tenant, as SeatSync is configured with it.
    pub fn authority(&self) -> String {
        self.sim.authority()
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.task.abort();
        self.smtp_task.abort();
    }
}

/// Binds `listener`, builds the seeded state and serves until the handle is dropped.
pub async fn spawn(config: SimConfig, listener: TcpListener) -> anyhow::Result<SimHandle> {
    let addr = listener.local_addr()?;
    let base_url =
        config.public_url.clone().unwrap_or_else(|| format!("http://{addr}")).trim_end_matches('/').to_string();
    let sim = Arc::new(Sim::new(&config, base_url.clone())?);
    let smtp_listener = TcpListener::bind(config.smtp_addr.unwrap_or(SocketAddr::new(addr.ip(), 0))).await?;
    let smtp_addr = smtp_listener.local_addr()?;
    *state::lock(&sim.smtp_addr) = Some(smtp_addr);
    let smtp_task = smtp::serve(sim.clone(), smtp_listener);
    let app = router(sim.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "simulator stopped");
        }
    });
    Ok(SimHandle { addr, smtp_addr, base_url, sim, task, smtp_task })
}

/// All routes: the identity provider, the vendors (behind fault injection) and `/_sim/`.
///
/// Vendor requests pass, outermost first: the call counter, Autotask's limits (authentication,
/// hourly threshold, threads), fault injection, the handler. Autotask paths are matched
/// case-insensitively, as Autotask does, by lower-casing them before routing.
pub fn router(sim: Arc<Sim>) -> Router {
    use axum::middleware::{from_fn_with_state, map_request};
    let vendors = vendors::router()
        .merge(tokens::router())
        .layer(from_fn_with_state(sim.clone(), faults::inject))
        .layer(from_fn_with_state(sim.clone(), vendors::autotask::limits))
        .layer(from_fn_with_state(sim.clone(), faults::count_calls));
    let app = Router::new().merge(oidc::router()).merge(vendors).merge(control_router()).with_state(sim);
    Router::new().fallback_service(app).layer(map_request(vendors::autotask::normalize_path))
}

fn control_router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_sim/health", get(|| async { Json(serde_json::json!({"status": "ok"})) }))
        .route("/_sim/summary", get(state::summary))
        .route("/_sim/faults", get(faults::list).post(faults::replace).delete(faults::clear))
        .route("/_sim/oidc/next-token", axum::routing::post(oidc::set_next_token_defect))
        .route("/_sim/calls", get(state::calls))
        .route("/_sim/mail", get(smtp::received).delete(smtp::clear))
        .merge(vendors::control_router())
}
