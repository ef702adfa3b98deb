//! The simulator's in-memory state.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, MutexGuard,
    },
    time::{Duration, Instant},
};

use axum::{extract::State, Json};
use serde_json::json;
use std::sync::Arc;

use crate::{faults::FaultBook, oidc::SigningKey, seed::Msp, SimConfig};

/// What an issued access token grants.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    /// The API the token is for, e.g. `https://graph.microsoft.com`.
    pub audience: String,
    /// The tenant the token was issued in.
    pub tenant_id: String,
    pub expires: Instant,
}

/// A sign-in the authorize endpoint has approved, waiting for its code to be redeemed.
#[derive(Debug, Clone)]
pub struct PendingCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    pub user_key: String,
    pub issued: Instant,
}

/// The whole simulator.
pub struct Sim {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub latency: Duration,
    pub signing_key: SigningKey,
    pub msp: Mutex<Msp>,
    pub codes: Mutex<HashMap<String, PendingCode>>,
    pub tokens: Mutex<HashMap<String, AccessGrant>>,
    pub faults: FaultBook,
    pub next_token_defect: Mutex<Option<crate::oidc::TokenDefect>>,
    pub vendor_calls: AtomicU64,
    pub calls_by_route: Mutex<HashMap<String, u64>>,
    /// Autotask's hourly threshold and thread counters.
    pub autotask_usage: Mutex<crate::autotask::limits::Usage>,
    /// Messages the SMTP sink received.
    pub mail: Mutex<Vec<crate::smtp::ReceivedMail>>,
    /// What ConnectWise's service desk received.
    pub connectwise: Mutex<crate::vendors::connectwise::ServiceDesk>,
    /// What HaloPSA's service desk received.
    pub halo: Mutex<crate::vendors::halo::HaloDesk>,
    /// Where the SMTP sink listens.
    pub smtp_addr: Mutex<Option<std::net::SocketAddr>>,
    /// Datto RMM's account-wide requests in the sliding minute.
    pub datto_window: Mutex<RateWindow>,
    /// Huntress's account-wide requests in the sliding minute.
    pub huntress_window: Mutex<RateWindow>,
}

/// A vendor's request limit over a sliding window.
pub struct RateWindow {
    limit: usize,
    window: Duration,
    served: std::collections::VecDeque<Instant>,
}

impl RateWindow {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self { limit, window, served: std::collections::VecDeque::new() }
    }

    /// Counts a request if the window has room for it.
    pub fn admit(&mut self) -> bool {
        let now = Instant::now();
        while self.served.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            self.served.pop_front();
        }
        if self.served.len() >= self.limit {
            return false;
        }
        self.served.push_back(now);
        true
    }

    /// Requests counted in the window now.
    pub fn used(&self) -> usize {
        self.served.len()
    }
}

impl Sim {
    pub fn new(config: &SimConfig, base_url: String) -> anyhow::Result<Self> {
        Ok(Self {
            base_url,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            latency: Duration::from_millis(config.latency_ms),
            signing_key: SigningKey::load()?,
            msp: Mutex::new(Msp::generate_with(config.seed, config.tenants, config.first_tenant_subscriptions)),
            codes: Mutex::default(),
            tokens: Mutex::default(),
            faults: FaultBook::new(config.faults.clone()),
            next_token_defect: Mutex::default(),
            vendor_calls: AtomicU64::new(0),
            calls_by_route: Mutex::default(),
            autotask_usage: Mutex::new(crate::autotask::limits::Usage::new(config.autotask_hourly_limit)),
            mail: Mutex::default(),
            connectwise: Mutex::default(),
            halo: Mutex::default(),
            smtp_addr: Mutex::default(),
            datto_window: Mutex::new(RateWindow::new(
                crate::vendors::datto_rmm::ACCOUNT_RATE_LIMIT,
                Duration::from_secs(60),
            )),
            huntress_window: Mutex::new(RateWindow::new(
                crate::vendors::huntress::ACCOUNT_RATE_LIMIT,
                Duration::from_secs(60),
            )),
        })
    }

    /// The issuer of the partner (MSP) tenant: what SeatSync is configured with as authority.
    pub fn authority(&self) -> String {
        format!("{}/{}/v2.0", self.base_url, self.msp().partner_tenant_id)
    }

    pub fn msp(&self) -> MutexGuard<'_, Msp> {
        lock(&self.msp)
    }

    pub fn issue_access_token(&self, audience: &str, tenant_id: &str, lifetime: Duration) -> String {
        let token = crate::oidc::random_token();
        lock(&self.tokens).insert(
            token.clone(),
            AccessGrant {
                audience: audience.to_string(),
                tenant_id: tenant_id.to_string(),
                expires: Instant::now() + lifetime,
            },
        );
        token
    }

    /// The grant behind a bearer token, if it is known and unexpired.
    pub fn grant(&self, token: &str) -> Option<AccessGrant> {
        lock(&self.tokens).get(token).filter(|g| g.expires > Instant::now()).cloned()
    }

    pub fn count_call(&self, route: &str) {
        self.vendor_calls.fetch_add(1, Ordering::Relaxed);
        *lock(&self.calls_by_route).entry(route.to_string()).or_default() += 1;
    }

    /// Requests served so far whose route (method and path, ids as `{id}`) contains `fragment`.
    pub fn requests_matching(&self, fragment: &str) -> u64 {
        lock(&self.calls_by_route).iter().filter(|(route, _)| route.contains(fragment)).map(|(_, n)| n).sum()
    }
}

/// Something a request holds while it is served (an Autotask thread), put in the request's
/// extensions so fault injection can let go of it when it withholds the response on purpose:
/// the vendor finished the work, only the answer is lost.
#[derive(Clone)]
pub struct Held(Arc<Mutex<Option<Box<dyn Send>>>>);

impl Held {
    pub fn new(thing: impl Send + 'static) -> Self {
        Self(Arc::new(Mutex::new(Some(Box::new(thing)))))
    }

    pub fn release(&self) {
        lock(&self.0).take();
    }
}

/// Locks a mutex, recovering the data if a handler panicked while holding it: the simulator
/// should keep serving the other routes.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `GET /_sim/summary`: what the seeded MSP holds.
pub async fn summary(State(sim): State<Arc<Sim>>) -> Json<serde_json::Value> {
    let msp = sim.msp();
    Json(json!({
        "partnerTenantId": msp.partner_tenant_id,
        "customers": msp.customers.len(),
        "subscriptions": msp.customers.iter().map(|c| c.subscriptions.len()).sum::<usize>(),
        "autotaskCompanies": msp.autotask.count("Companies"),
        "autotaskServices": msp.autotask.count("Services"),
        "autotaskContracts": msp.autotask.count("Contracts"),
        "pax8Companies": msp.pax8_companies.len(),
        "smtpPort": lock(&sim.smtp_addr).map(|a| a.port()),
        "demoUsers": msp.demo_users.iter().map(|u| json!({"email": u.email, "name": u.name, "roles": u.roles})).collect::<Vec<_>>(),
        // The seeded cases a client must get right (see `seed::seed_special_cases`).
        "graphAccessDenied": msp.customers.iter().filter(|c| c.graph_access_denied).map(|c| &c.tenant_id).collect::<Vec<_>>(),
        "gracePeriod": msp.customers.iter().filter(|c| c.subscriptions.iter().any(|s| s.status == "expired" && s.commitment_end < chrono::Utc::now())).map(|c| &c.tenant_id).collect::<Vec<_>>(),
    }))
}

/// `GET /_sim/calls`: vendor calls served since start, in total and per route.
pub async fn calls(State(sim): State<Arc<Sim>>) -> Json<serde_json::Value> {
    Json(json!({
        "total": sim.vendor_calls.load(Ordering::Relaxed),
        "byRoute": *lock(&sim.calls_by_route),
    }))
}
