//! The SeatSync server: builds the axum application from a validated [`Config`].
//!
//! [`Application::build`] binds the port and returns before serving, so tests bind port 0, read
//! the real address and never sleep-wait.

mod assets;
pub mod auth;
mod billing_api;
pub mod config;
mod demo;
pub mod jobs;
pub mod page_cache;
pub mod security;
pub mod telemetry;

use std::{net::SocketAddr, sync::Arc};

use app::{shell, App};
use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Json, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use seatsync_db::PgPool;
use sha2::Digest;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use tower_sessions::{
    cookie::{Key, SameSite},
    Expiry, SessionManagerLayer,
};
use tower_sessions_sqlx_store::PostgresStore;

pub use config::Config;

/// A bound, ready-to-serve SeatSync.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub pool: PgPool,
}

impl Application {
    /// Connects to the database, runs migrations, and binds `config.bind_addr`.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind_addr).await?;
        Self::build_on(config, listener).await
    }

    /// Like [`Application::build`] on an already bound listener (tests bind port 0 first so the
    /// public URL can name the real port).
    pub async fn build_on(config: Config, listener: TcpListener) -> anyhow::Result<Self> {
        let pool = seatsync_db::connect(config.database_url.expose(), config.database_max_connections).await?;
        seatsync_db::migrate(&pool).await?;
        let router = router(&config, pool.clone()).await?;
        Ok(Self { listener, router, pool })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await
    }
}

/// Where the compiled site (WASM, JS, CSS) lives: cargo-leptos sets `LEPTOS_SITE_ROOT` when it
/// runs the server; otherwise the workspace's `target/site`. Its file names carry content hashes
/// when cargo-leptos left the list of them beside this executable (`hash-files` in Cargo.toml).
fn leptos_options() -> LeptosOptions {
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    let hash_file = std::env::var("LEPTOS_HASH_FILE_NAME").unwrap_or_else(|_| "hash.txt".into());
    LeptosOptions::builder()
        .output_name("seatsync")
        .site_root(site_root)
        .site_pkg_dir(std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".into()))
        .hash_files(assets::site_is_hashed(&hash_file))
        .hash_file(std::sync::Arc::<str>::from(hash_file))
        .build()
}

async fn router(config: &Config, pool: PgPool) -> anyhow::Result<Router> {
    let leptos_options = leptos_options();
    jobs::backfill_offer_keys(&pool).await?;
    // A key that cannot read the stored secrets stops the start here, naming the variable.
    let integrations = seatsync_integrations::Integrations::open(
        pool.clone(),
        seatsync_integrations::IntegrationsConfig {
            environment: config.integration_env.0.clone(),
            key: config.secrets_key.clone(),
            previous_key: config.previous_secrets_key.clone(),
            sync_concurrency: config.sync.concurrency,
        },
    )
    .await?;
    // As often as an idle instance looks for jobs to take over.
    integrations.watch(config.sync.job_poll);
    let slots = integrations.slots().clone();
    let mapping = seatsync_mapping::Mapping::new(pool.clone(), slots.autotask.clone());
    let contracts = seatsync_contracts::Contracts::new(pool.clone(), slots.autotask.clone());
    let delivery = seatsync_delivery::Delivery::new(pool.clone(), slots.clone());
    let catalog = seatsync_licences::Catalog::new(pool.clone());
    let licence_alerts = seatsync_licence_alerts::LicenceAlerts::new(pool.clone(), slots.pax8.clone(), catalog.clone());
    let remediation = seatsync_remediation::Remediation::new(
        pool.clone(),
        slots.clone(),
        catalog.clone(),
        seatsync_remediation::Signer::from_session_secret(config.session_secret.expose().as_bytes()),
        config.link_lifetime,
    );
    let alert_tickets = seatsync_alert_tickets::AlertTickets::new(
        pool.clone(),
        delivery.clone(),
        remediation.clone(),
        config.public_url.as_str(),
    );
    let billing =
        seatsync_billing::BillingReports::new(pool.clone(), seatsync_billing::connectors(&pool, &slots, &catalog));
    let parts = seatsync_jobs::JobParts {
        licence_sync: slots.licence_sync.clone(),
        mapping: mapping.clone(),
        contracts: contracts.clone(),
        delivery: delivery.clone(),
        licence_alerts,
        alert_tickets: alert_tickets.clone(),
        billing: billing.clone(),
    };
    let job_queue = jobs::start(config, &pool, parts).await?;
    if config.sync.demo_setup_tenants > 0 && slots.licence_sync.is_set() && mapping.autotask_configured() {
        demo::prepare(pool.clone(), mapping.clone(), config.sync.demo_setup_tenants);
    }
    let services = seatsync_services::Services::new(seatsync_services::ServiceParts {
        pool: pool.clone(),
        integrations,
        jobs: job_queue,
        delivery,
        catalog: catalog.clone(),
        mapping,
        contracts,
        remediation,
        alert_tickets,
        billing,
    });
    let billing_api = billing_api::router(services.clone());
    let provide = move || {
        provide_context(services.clone());
        let parts = use_context::<axum::http::request::Parts>();
        let extension =
            |parts: &axum::http::request::Parts| parts.extensions.get::<app::server::RequestUser>().cloned();
        // The user `auth::guard` read for this request (see `RequestUser`).
        provide_context(parts.as_ref().and_then(extension).unwrap_or_default());
        // The nonce the page's Content-Security-Policy names, for Leptos' scripts.
        if let Some(nonce) = parts.as_ref().and_then(|p| p.extensions.get::<security::PageNonce>()) {
            provide_context(nonce.0.clone());
        }
    };
    let pkg_dir = std::path::Path::new(leptos_options.site_root.as_ref()).join(leptos_options.site_pkg_dir.as_ref());
    let static_files = assets::router(&pkg_dir, leptos_options.hash_files);
    assets::precompress(pkg_dir);
    let routes = generate_route_list(App);
    tracing::debug!(routes = ?routes.iter().map(|r| r.path().to_string()).collect::<Vec<_>>(), "page routes");
    let pages = Router::new()
        .leptos_routes_with_context(&leptos_options, routes, provide.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        // Unknown paths render the app's 404 page, which needs the same context as any page.
        .fallback(leptos_axum::file_and_error_handler_with_context(provide, shell))
        .with_state(leptos_options);

    let redirect_url = config.public_url.join("/auth/callback")?.to_string();
    let auth_state = auth::AuthState {
        oidc: Arc::new(auth::oidc::Oidc::new(config.oidc.clone(), redirect_url)?),
        pool: pool.clone(),
        role_map: Arc::new(config.oidc.role_map.clone()),
        bootstrap_admin_email: config.bootstrap_admin_email.clone(),
        pending: auth::pending::PendingCookie::new(config.session_secret.expose(), config.is_https()),
        public_url: config.public_url.clone(),
    };
    let guard = auth::GuardState {
        pool: pool.clone(),
        max: std::time::Duration::from_secs(config.session_max_hours as u64 * 3600),
    };
    let policy = security::Policy::new(&config.public_url, &config.oidc.authority);

    // Outermost last: headers on every response, the cross-site check before the session is
    // touched, the guard before anything reads the user, the page cache, and inside it the
    // page's Content-Security-Policy (a kept page keeps the policy matching its nonce).
    Ok(Router::new()
        .route("/healthz", get(healthz).with_state(pool.clone()))
        .merge(auth::router(auth_state))
        .merge(billing_api)
        .merge(static_files)
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(policy.clone(), security::content_security_policy))
        .layer(axum::middleware::from_fn(security::refuse_malformed_uploads))
        .layer(axum::middleware::from_fn_with_state(
            page_cache::PageCache::new(pool.clone(), config.page_cache),
            page_cache::serve,
        ))
        .layer(axum::middleware::from_fn_with_state(guard, auth::guard))
        .layer(session_layer(config, pool).await?)
        .layer(axum::middleware::from_fn_with_state(policy.clone(), security::refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(policy, security::security_headers))
        .layer(TraceLayer::new_for_http()))
}

/// Sessions in PostgreSQL; the cookie is signed, HttpOnly, SameSite=Lax, Secure over https, and
/// expires after the configured idle time. The guard renews the expiry at most once a minute and
/// ends a session past its longest life (`auth::guard`).
async fn session_layer(
    config: &Config,
    pool: PgPool,
) -> anyhow::Result<SessionManagerLayer<PostgresStore, tower_sessions::service::SignedCookie>> {
    let store = PostgresStore::new(pool);
    store.migrate().await?;
    tokio::spawn({
        use tower_sessions::ExpiredDeletion;
        let store = store.clone();
        async move {
            if let Err(e) = store.continuously_delete_expired(tokio::time::Duration::from_secs(600)).await {
                tracing::error!(error = %e, "expired-session clean-up stopped");
            }
        }
    });
    // `Key` wants 64 bytes; SHA-512 of the configured secret gives exactly that.
    let key = Key::from(&sha2::Sha512::digest(config.session_secret.expose().as_bytes()));
    Ok(SessionManagerLayer::new(store)
        .with_name("seatsync_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.is_https())
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(config.session_idle_minutes)))
        .with_signed(key))
}

async fn healthz(State(pool): State<PgPool>) -> impl IntoResponse {
    match seatsync_db::ping(&pool).await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ok", "database": "ok"}))),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "database": "unreachable"})),
            )
        }
    }
}
