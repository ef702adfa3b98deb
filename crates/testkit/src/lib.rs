//! Test and benchmark support: a database of its own on the test server, the vendor simulator on
//! an ephemeral port, and SeatSync's real vendor clients pointed at it.

use std::{sync::Arc, time::Duration};

use seatsync_db::PgPool;
use seatsync_licence_sync::LicenceSync;
use seatsync_sim::{spawn, SimConfig, SimHandle};
use seatsync_vendors::{
    automate::{AutomateSettings, HttpAutomate},
    autotask::{AutotaskSettings, HttpAutotask},
    auvik::{AuvikSettings, Counting, HttpAuvik},
    connectwise::{ConnectWiseSettings, HttpConnectWise},
    datto_rmm::{DattoRmmSettings, HttpDattoRmm},
    duo::{DuoSettings, HttpDuo},
    graph::{GraphSettings, HttpGraph},
    halo::{HaloSettings, HttpHalo},
    http::RetryPolicy,
    huntress::{HttpHuntress, HuntressSettings},
    ninjaone::{HttpNinjaOne, NinjaOneSettings},
    partner_center::{HttpPartnerCenter, PartnerCenterSettings},
    pax8::{HttpPax8, Pax8Settings},
    sentinelone::{CustomerLevel, HttpSentinelOne, SentinelOneSettings},
    smtp::{Mailer, SmtpMailer, SmtpSecurity, SmtpSettings},
};
use sqlx::{Connection, Executor};
use url::Url;

/// The server of `DATABASE_URL` (scripts/test sets it), or the machine's local PostgreSQL.
pub fn admin_database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Creates a database with a random name and returns its URL.
pub async fn fresh_database_url(prefix: &str) -> String {
    let admin = admin_database_url();
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("PostgreSQL must be reachable at DATABASE_URL");
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.expect("create a test database");
    let mut url = Url::parse(&admin).expect("DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A migrated database of its own.
pub async fn fresh_pool(max_connections: u32) -> PgPool {
    let url = fresh_database_url("seatsync_test").await;
    let pool = seatsync_db::connect(&url, max_connections).await.expect("connect to the test database");
    seatsync_db::migrate(&pool).await.expect("migrations run");
    pool
}

/// The simulator with `tenants` customers.
pub async fn sim(config: SimConfig) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind an ephemeral port");
    spawn(config, listener).await.expect("the simulator starts")
}

pub async fn sim_with_tenants(tenants: usize) -> SimHandle {
    sim(SimConfig { tenants, ..SimConfig::default() }).await
}

/// Retries quick enough for tests.
pub fn quick_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        request_timeout: Duration::from_secs(2),
        max_retry_after: Duration::from_secs(2),
    }
}

pub fn partner_center(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpPartnerCenter> {
    let partner_tenant_id = s.sim.msp().partner_tenant_id.clone();
    partner_center_at(&s.base_url, &partner_tenant_id, policy)
}

/// Partner Center at the simulator's address (for a client built away from its handle, on
/// another runtime).
pub fn partner_center_at(base_url: &str, partner_tenant_id: &str, policy: RetryPolicy) -> Arc<HttpPartnerCenter> {
    let url = Url::parse(base_url).expect("the simulator's URL");
    HttpPartnerCenter::new(
        PartnerCenterSettings {
            base_url: url.clone(),
            login_url: url,
            partner_tenant_id: partner_tenant_id.to_string(),
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
            refresh_token: "sim-partner-center-refresh-token".into(),
        },
        reqwest::Client::new(),
        policy,
    )
}

pub fn graph(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpGraph> {
    graph_at(&s.base_url, policy)
}

pub fn graph_at(base_url: &str, policy: RetryPolicy) -> Arc<HttpGraph> {
    let url = Url::parse(base_url).expect("the simulator's URL");
    HttpGraph::new(
        GraphSettings {
            base_url: url.clone(),
            login_url: url,
            client_id: "seatsync-demo".into(),
            client_secret: "seatsync-demo-secret".into(),
        },
        reqwest::Client::new(),
        policy,
    )
}

pub fn autotask_settings(s: &SimHandle) -> AutotaskSettings {
    autotask_settings_at(&s.base_url)
}

pub fn autotask_settings_at(base_url: &str) -> AutotaskSettings {
    AutotaskSettings {
        zone_url: Url::parse(&format!("{base_url}/ATServicesRest/V1.0/zoneInformation")).expect("a URL"),
        username: "seatsync-api@northwind-msp.example".into(),
        secret: "sim-autotask-secret".into(),
        integration_code: "SEATSYNCSIMTRACKING".into(),
        max_budget_wait: Duration::from_secs(5),
        ..AutotaskSettings::default()
    }
}

pub fn autotask(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpAutotask> {
    autotask_at(&s.base_url, policy)
}

/// Autotask at the simulator's address (for a client built on another runtime).
pub fn autotask_at(base_url: &str, policy: RetryPolicy) -> Arc<HttpAutotask> {
    HttpAutotask::new(autotask_settings_at(base_url), reqwest::Client::new(), policy)
}

/// Pax8 at the simulator, with no pacing to speak of (tests measure requests, not minutes).
pub fn pax8(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpPax8> {
    pax8_at(&s.base_url, policy)
}

/// Pax8 at a simulator at `base_url` (a benchmark's, served in its own process).
pub fn pax8_at(base_url: &str, policy: RetryPolicy) -> Arc<HttpPax8> {
    let url = Url::parse(base_url).expect("the simulator's address");
    HttpPax8::new(
        Pax8Settings {
            api_url: url.join("v1").expect("a path"),
            token_url: url.join("oauth/token").expect("a path"),
            client_id: "sim-pax8-client".into(),
            client_secret: "sim-pax8-secret".into(),
            requests_per_minute: 100_000,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// Datto RMM at the simulator (its "API URL" is `/datto` there), paced well under its limit.
pub fn datto_rmm(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpDattoRmm> {
    datto_rmm_counting(s, policy, true)
}

/// Datto RMM at the simulator, counting suspended devices or not.
pub fn datto_rmm_counting(s: &SimHandle, policy: RetryPolicy, count_suspended: bool) -> Arc<HttpDattoRmm> {
    HttpDattoRmm::new(
        DattoRmmSettings {
            api_url: Url::parse(&format!("{}/datto", s.base_url)).expect("an address"),
            api_key: seatsync_sim::datto_rmm::DATTO_API_KEY.into(),
            api_secret: seatsync_sim::datto_rmm::DATTO_API_SECRET.into(),
            requests_per_minute: 6_000,
            count_suspended,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// Huntress at the simulator (`/huntress/v1` there), with no pacing: a test that reads more
/// than the simulator's 60 a minute is throttled, as by Huntress.
pub fn huntress(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpHuntress> {
    HttpHuntress::new(
        HuntressSettings {
            base_url: Url::parse(&format!("{}/huntress/v1", s.base_url)).expect("an address"),
            api_key: seatsync_sim::huntress::HUNTRESS_API_KEY.into(),
            api_secret: seatsync_sim::huntress::HUNTRESS_API_SECRET.into(),
            requests_per_minute: 100_000,
            agents: seatsync_vendors::huntress::AgentCounting::Billable,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// NinjaOne at the simulator (`/ninjaone` there), reading the seeded PSA custom field, unpaced:
/// NinjaOne documents no limit.
pub fn ninjaone(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpNinjaOne> {
    HttpNinjaOne::new(
        NinjaOneSettings {
            base_url: Url::parse(&format!("{}/ninjaone", s.base_url)).expect("an address"),
            client_id: seatsync_sim::ninjaone::NINJAONE_CLIENT_ID.into(),
            client_secret: seatsync_sim::ninjaone::NINJAONE_CLIENT_SECRET.into(),
            page_size: seatsync_vendors::ninjaone::DEFAULT_PAGE_SIZE,
            psa_company_field: Some(seatsync_sim::ninjaone::NINJAONE_PSA_FIELD.into()),
            requests_per_minute: 100_000,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// SentinelOne at the simulator (its console is `/sentinelone` there), paced as by default.
pub fn sentinelone(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpSentinelOne> {
    HttpSentinelOne::new(
        SentinelOneSettings {
            base_url: Url::parse(&format!("{}/sentinelone", s.base_url)).expect("an address"),
            api_token: seatsync_sim::sentinelone::SENTINELONE_API_TOKEN.into(),
            requests_per_minute: seatsync_vendors::sentinelone::DEFAULT_REQUESTS_PER_MINUTE,
            page_size: seatsync_vendors::sentinelone::MAX_PAGE_SIZE,
            customer_level: CustomerLevel::Site,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// ConnectWise Automate at the simulator (its server is `/automate` there), unpaced.
pub fn automate(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpAutomate> {
    HttpAutomate::new(
        AutomateSettings {
            server_url: Url::parse(&format!("{}/automate", s.base_url)).expect("an address"),
            client_id: seatsync_sim::automate::AUTOMATE_CLIENT_ID.into(),
            username: seatsync_sim::automate::AUTOMATE_USERNAME.into(),
            password: seatsync_sim::automate::AUTOMATE_PASSWORD.into(),
            requests_per_minute: 100_000,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// Cisco Duo at the simulator (`/duo` stands for the parent's API hostname; every child account
/// answers on the same host), unpaced: the simulator holds the integration to Duo's limits.
pub fn duo(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpDuo> {
    HttpDuo::new(
        DuoSettings {
            api_url: Url::parse(&format!("{}/duo", s.base_url)).expect("an address"),
            integration_key: seatsync_sim::duo::DUO_INTEGRATION_KEY.into(),
            secret_key: seatsync_sim::duo::DUO_SECRET_KEY.into(),
            requests_per_minute: 100_000,
            users_page_size: seatsync_vendors::duo::DEFAULT_USERS_PAGE_SIZE,
            read_editions: true,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// Auvik at the simulator (its API is `/auvik/v1` there), unpaced: Auvik documents no limit.
pub fn auvik(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpAuvik> {
    HttpAuvik::new(
        AuvikSettings {
            base_url: Url::parse(&format!("{}/auvik/v1", s.base_url)).expect("an address"),
            username: seatsync_sim::auvik::AUVIK_USERNAME.into(),
            api_key: seatsync_sim::auvik::AUVIK_API_KEY.into(),
            page_size: seatsync_vendors::auvik::DEFAULT_PAGE_SIZE,
            requests_per_minute: 100_000,
            counting: Counting::Usage,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// What the simulated billing tools hold, with the tenant each customer truly is
/// (`/_sim/billing-tools`).
pub async fn billing_tools(s: &SimHandle) -> serde_json::Value {
    reqwest::get(format!("{}/_sim/billing-tools", s.base_url))
        .await
        .expect("the simulator answers")
        .json()
        .await
        .expect("JSON")
}

/// ConnectWise Manage at the simulator, with its credentials, and files up to 1 MB.
pub fn connectwise(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpConnectWise> {
    HttpConnectWise::new(
        ConnectWiseSettings {
            base_url: Url::parse(&format!("{}/v4_6_release/apis/3.0", s.base_url)).expect("an address"),
            company_id: "northwind".into(),
            public_key: "simpublickey".into(),
            private_key: "simprivatekey".into(),
            client_id: "9f1f7c1e-0000-4000-8000-00000000c0de".into(),
            max_attachment_bytes: 1_000_000,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// HaloPSA at the simulator, closing tickets with Halo's built-in Closed status, files up to 1 MB.
pub fn halo(s: &SimHandle, policy: RetryPolicy) -> Arc<HttpHalo> {
    HttpHalo::new(
        HaloSettings {
            base_url: Url::parse(&s.base_url).expect("an address"),
            tenant: None,
            client_id: "sim-halo-client".into(),
            client_secret: "sim-halo-secret".into(),
            closed_status_id: 9,
            max_attachment_bytes: 1_000_000,
        },
        reqwest::Client::new(),
        policy,
    )
}

/// What the simulated ConnectWise (`connectwise`) or HaloPSA (`halo`) desk received: `tickets`,
/// `notes` (ConnectWise), `actions` (Halo) or `documents`/`attachments`.
pub async fn desk_records(s: &SimHandle, psa: &str, what: &str) -> Vec<serde_json::Value> {
    let url = format!("{}/_sim/{psa}/{what}", s.base_url);
    reqwest::get(url).await.expect("the simulator answers").json().await.expect("a JSON list")
}

/// An SMTP client for the simulator's mail server, with a short timeout so a lost answer is
/// noticed quickly.
pub fn mailer(s: &SimHandle) -> Arc<dyn Mailer> {
    SmtpMailer::new(SmtpSettings {
        host: s.smtp_addr.ip().to_string(),
        port: s.smtp_addr.port(),
        security: SmtpSecurity::None,
        username: Some(seatsync_sim::smtp::SMTP_USERNAME.into()),
        password: Some(seatsync_sim::smtp::SMTP_PASSWORD.into()),
        from: "seatsync@northwind-msp.example".into(),
        timeout: Duration::from_secs(2),
    })
    .expect("an SMTP client for the simulator")
}

pub fn licence_sync(pool: &PgPool, s: &SimHandle, concurrency: usize) -> Arc<LicenceSync> {
    LicenceSync::new(pool.clone(), partner_center(s, quick_policy()), graph(s, quick_policy()), concurrency)
}

/// The licence sync against the simulator at `base_url` (see [`partner_center_at`]).
pub fn licence_sync_at(pool: &PgPool, base_url: &str, partner_tenant_id: &str, concurrency: usize) -> Arc<LicenceSync> {
    LicenceSync::new(
        pool.clone(),
        partner_center_at(base_url, partner_tenant_id, quick_policy()),
        graph_at(base_url, quick_policy()),
        concurrency,
    )
}

/// Replaces the simulator's fault rules.
pub async fn faults(s: &SimHandle, rules: serde_json::Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/_sim/faults", s.base_url))
        .json(&serde_json::json!({ "rules": rules }))
        .send()
        .await
        .expect("the simulator answers");
    assert!(res.status().is_success(), "the simulator refused the fault rules: {}", res.status());
}

/// Every record of an Autotask entity as the simulator stores it.
pub async fn autotask_records(s: &SimHandle, entity: &str) -> Vec<serde_json::Value> {
    reqwest::get(format!("{}/_sim/autotask/{entity}", s.base_url))
        .await
        .expect("the simulator answers")
        .json()
        .await
        .expect("a JSON array")
}

/// The seeded Autotask allocation code for licences ("Microsoft 365 Licensing", a recurring
/// contract service code): what an Admin chooses for new services under Settings.
pub async fn licensing_allocation_code(s: &SimHandle) -> i64 {
    autotask_records(s, "BillingCodes")
        .await
        .iter()
        .find(|c| c["name"] == "Microsoft 365 Licensing")
        .and_then(|c| c["id"].as_i64())
        .expect("the simulator seeds allocation codes")
}

/// The seeded Autotask company of a customer tenant, if it has one.
pub async fn company_of(s: &SimHandle, tenant_id: &str) -> Option<i64> {
    let res = reqwest::get(format!("{}/_sim/autotask-company-of/{tenant_id}", s.base_url))
        .await
        .expect("the simulator answers");
    if !res.status().is_success() {
        return None;
    }
    let v: serde_json::Value = res.json().await.ok()?;
    v.as_i64().or_else(|| v["companyId"].as_i64()).or_else(|| v["id"].as_i64())
}

/// Maps every tenant the licence sync stored to the Autotask company the simulator gives it, as
/// an Editor would on the Customers page; how many were mapped.
pub async fn map_tenants(pool: &PgPool, s: &SimHandle) -> usize {
    let mut mapped = 0;
    for tenant in seatsync_db::tenants::list(pool).await.expect("the tenants") {
        if let Some(company) = company_of(s, tenant.tenant_id.as_str()).await {
            sqlx::query(
                "INSERT INTO tenant_mappings (tenant_id, state, company_id, version) VALUES ($1, 'mapped', $2, 1)",
            )
            .bind(&tenant.tenant_id)
            .bind(company)
            .execute(pool)
            .await
            .expect("the mapping stored");
            mapped += 1;
        }
    }
    mapped
}

/// Changes a subscription in Partner Center (and Graph's counts follow).
pub async fn set_subscription(s: &SimHandle, subscription_id: &str, body: serde_json::Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/_sim/partner-center/subscriptions/{subscription_id}", s.base_url))
        .json(&body)
        .send()
        .await
        .expect("the simulator answers");
    assert!(res.status().is_success(), "the simulator refused the change: {}", res.status());
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("a client")
}

fn location(res: &reqwest::Response) -> Result<String, String> {
    res.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| format!("expected a redirect, got {}", res.status()))
}

/// Signs in to SeatSync at `app_url` through the simulated Entra ID as the demo user `user_key`
/// (admin, editor, viewer, norole): app, authorize page, account picked, callback, app. Returns
/// the signed-in client and where the callback sent it.
pub async fn sign_in(app_url: &str, sim_url: &str, user_key: &str) -> Result<(reqwest::Client, String), String> {
    let client = browser();
    let landed = sign_in_from(&client, app_url, sim_url, user_key, "/auth/login").await?;
    Ok((client, landed))
}

/// Like [`sign_in`] with `client`, starting at `login` (the sign-in path with its query, e.g.
/// `/auth/login?next=/users`); where the callback finally sent the browser.
pub async fn sign_in_from(
    client: &reqwest::Client,
    app_url: &str,
    sim_url: &str,
    user_key: &str,
    login: &str,
) -> Result<String, String> {
    let res = client.get(format!("{app_url}{login}")).send().await.map_err(|e| e.to_string())?;
    let authorize = Url::parse(&location(&res)?).map_err(|e| e.to_string())?;
    if !authorize.as_str().starts_with(sim_url) {
        return Err(format!("sign-in went to {authorize}, not to the simulator"));
    }
    for p in ["state", "nonce", "code_challenge"] {
        if !authorize.query_pairs().any(|(k, _)| k == p) {
            return Err(format!("the authorize request lacks {p}"));
        }
    }
    if !authorize.query_pairs().any(|(k, v)| k == "code_challenge_method" && v == "S256") {
        return Err("the authorize request does not use PKCE S256".into());
    }
    // The simulated Entra ID page posts the request back with the chosen account.
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("user".into(), user_key.into()));
    let mut page = authorize.clone();
    page.set_query(None);
    let res = client.post(page).form(&form).send().await.map_err(|e| e.to_string())?;
    let callback = location(&res)?;
    if !callback.starts_with(&format!("{app_url}/auth/callback")) {
        return Err(format!("the authority sent the browser to {callback}"));
    }
    let res = client.get(callback).send().await.map_err(|e| e.to_string())?;
    location(&res)
}

/// The key the test servers encrypt integration secrets with (32 bytes, base64).
pub const TEST_SECRETS_KEY: &str = "c2VhdHN5bmMtdGVzdC1rZXktMzItYnl0ZXMtbG9uZyE=";

/// Every configuration key the app needs, pointed at `sim`.
pub fn sim_env(sim: &SimHandle, database_url: &str, public_url: &str) -> Vec<(String, String)> {
    let base = &sim.base_url;
    [
        ("DATABASE_URL", database_url.to_string()),
        ("SEATSYNC_PUBLIC_URL", public_url.to_string()),
        ("SEATSYNC_SESSION_SECRET", "test-session-secret-of-sufficient-length-0123".into()),
        // A fixed key, so a test can restart SeatSync on the same database.
        ("SEATSYNC_SECRETS_KEY", TEST_SECRETS_KEY.into()),
        ("SEATSYNC_OIDC_AUTHORITY", sim.authority()),
        ("SEATSYNC_OIDC_CLIENT_ID", "seatsync-demo".into()),
        ("SEATSYNC_OIDC_CLIENT_SECRET", "seatsync-demo-secret".into()),
        ("SEATSYNC_BOOTSTRAP_ADMIN_EMAIL", "norole-bootstrap@nowhere.example".into()),
        ("SEATSYNC_PARTNER_CENTER_URL", base.clone()),
        ("SEATSYNC_ENTRA_LOGIN_URL", base.clone()),
        ("SEATSYNC_GRAPH_URL", base.clone()),
        ("SEATSYNC_PARTNER_TENANT_ID", sim.sim.msp().partner_tenant_id.clone()),
        ("SEATSYNC_PARTNER_CENTER_CLIENT_ID", "seatsync-demo".into()),
        ("SEATSYNC_PARTNER_CENTER_CLIENT_SECRET", "seatsync-demo-secret".into()),
        ("SEATSYNC_PARTNER_CENTER_REFRESH_TOKEN", "sim-partner-center-refresh-token".into()),
        ("SEATSYNC_GRAPH_CLIENT_ID", "seatsync-demo".into()),
        ("SEATSYNC_GRAPH_CLIENT_SECRET", "seatsync-demo-secret".into()),
        // Tests start their syncs themselves.
        ("SEATSYNC_SYNC_ON_FIRST_START", "false".into()),
        ("SEATSYNC_AUTOTASK_ZONE_URL", format!("{base}/ATServicesRest/V1.0/zoneInformation")),
        ("SEATSYNC_AUTOTASK_USERNAME", "seatsync-api@northwind-msp.example".into()),
        ("SEATSYNC_AUTOTASK_SECRET", "sim-autotask-secret".into()),
        ("SEATSYNC_AUTOTASK_INTEGRATION_CODE", "SEATSYNCSIMTRACKING".into()),
        ("SEATSYNC_PAX8_API_URL", format!("{base}/v1")),
        ("SEATSYNC_PAX8_TOKEN_URL", format!("{base}/oauth/token")),
        ("SEATSYNC_PAX8_CLIENT_ID", "sim-pax8-client".into()),
        ("SEATSYNC_PAX8_CLIENT_SECRET", "sim-pax8-secret".into()),
        ("SEATSYNC_CONNECTWISE_URL", format!("{base}/v4_6_release/apis/3.0")),
        ("SEATSYNC_CONNECTWISE_COMPANY_ID", "northwind".into()),
        ("SEATSYNC_CONNECTWISE_PUBLIC_KEY", "simpublickey".into()),
        ("SEATSYNC_CONNECTWISE_PRIVATE_KEY", "simprivatekey".into()),
        ("SEATSYNC_CONNECTWISE_CLIENT_ID", "9f1f7c1e-0000-4000-8000-00000000c0de".into()),
        ("SEATSYNC_HALO_URL", base.clone()),
        ("SEATSYNC_HALO_CLIENT_ID", "sim-halo-client".into()),
        ("SEATSYNC_HALO_CLIENT_SECRET", "sim-halo-secret".into()),
        ("SEATSYNC_DATTO_RMM_API_URL", format!("{base}/datto")),
        ("SEATSYNC_DATTO_RMM_API_KEY", seatsync_sim::datto_rmm::DATTO_API_KEY.into()),
        ("SEATSYNC_DATTO_RMM_API_SECRET", seatsync_sim::datto_rmm::DATTO_API_SECRET.into()),
        ("SEATSYNC_HUNTRESS_URL", format!("{base}/huntress/v1")),
        ("SEATSYNC_HUNTRESS_API_KEY", seatsync_sim::huntress::HUNTRESS_API_KEY.into()),
        ("SEATSYNC_HUNTRESS_API_SECRET", seatsync_sim::huntress::HUNTRESS_API_SECRET.into()),
        ("SEATSYNC_NINJAONE_URL", format!("{base}/ninjaone")),
        ("SEATSYNC_NINJAONE_CLIENT_ID", seatsync_sim::ninjaone::NINJAONE_CLIENT_ID.into()),
        ("SEATSYNC_NINJAONE_CLIENT_SECRET", seatsync_sim::ninjaone::NINJAONE_CLIENT_SECRET.into()),
        ("SEATSYNC_NINJAONE_PSA_COMPANY_FIELD", seatsync_sim::ninjaone::NINJAONE_PSA_FIELD.into()),
        ("SEATSYNC_SENTINELONE_URL", format!("{base}/sentinelone")),
        ("SEATSYNC_SENTINELONE_API_TOKEN", seatsync_sim::sentinelone::SENTINELONE_API_TOKEN.into()),
        ("SEATSYNC_AUTOMATE_URL", format!("{base}/automate")),
        ("SEATSYNC_AUTOMATE_CLIENT_ID", seatsync_sim::automate::AUTOMATE_CLIENT_ID.into()),
        ("SEATSYNC_AUTOMATE_USERNAME", seatsync_sim::automate::AUTOMATE_USERNAME.into()),
        ("SEATSYNC_AUTOMATE_PASSWORD", seatsync_sim::automate::AUTOMATE_PASSWORD.into()),
        ("SEATSYNC_DUO_API_URL", format!("{base}/duo")),
        ("SEATSYNC_DUO_INTEGRATION_KEY", seatsync_sim::duo::DUO_INTEGRATION_KEY.into()),
        ("SEATSYNC_DUO_SECRET_KEY", seatsync_sim::duo::DUO_SECRET_KEY.into()),
        ("SEATSYNC_AUVIK_URL", format!("{base}/auvik/v1")),
        ("SEATSYNC_AUVIK_USERNAME", seatsync_sim::auvik::AUVIK_USERNAME.into()),
        ("SEATSYNC_AUVIK_API_KEY", seatsync_sim::auvik::AUVIK_API_KEY.into()),
        // The simulator's mail sink speaks plain SMTP on its own port.
        ("SEATSYNC_SMTP_HOST", sim.smtp_addr.ip().to_string()),
        ("SEATSYNC_SMTP_PORT", sim.smtp_addr.port().to_string()),
        ("SEATSYNC_SMTP_SECURITY", "none".into()),
        ("SEATSYNC_SMTP_USERNAME", seatsync_sim::smtp::SMTP_USERNAME.into()),
        ("SEATSYNC_SMTP_PASSWORD", seatsync_sim::smtp::SMTP_PASSWORD.into()),
        ("SEATSYNC_SMTP_FROM", "seatsync@northwind-msp.example".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// What the benchmarks (`scripts/bench`) share: their arguments and the memory they measure.
pub mod bench {
    /// The whole-number value after `name` on the command line, or `default`.
    pub fn arg(name: &str, default: u64) -> u64 {
        let args: Vec<String> = std::env::args().collect();
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} takes a whole number")))
            .unwrap_or(default)
    }

    /// The most memory this process has held so far (`VmHWM`), in MiB; NaN where Linux's
    /// `/proc` is not there.
    pub fn peak_rss_mib() -> f64 {
        status_mib("VmHWM:")
    }

    /// Starts the peak over from the memory held now (Linux's `clear_refs`), so a peak measured
    /// next is the work's alone; returns the memory held now, in MiB.
    pub fn reset_peak_rss() -> f64 {
        // "5" resets the peak resident set size to the current one.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        status_mib("VmRSS:")
    }

    fn status_mib(field: &str) -> f64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(field))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    }
}

/// A user named `name` (the role does not matter to the crates below the pages); their id.
pub async fn person(pool: &PgPool, name: &str) -> uuid::Uuid {
    let id = uuid::Uuid::new_v4();
    sqlx::query("INSERT INTO users (id, subject, email, display_name) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(id.to_string())
        .bind(format!("{id}@example.test"))
        .bind(name)
        .execute(pool)
        .await
        .expect("the user is stored");
    id
}

/// The alert run and its tickets with no Pax8 or PSA configured: the idle parts of a job queue
/// whose test is about other jobs.
pub fn idle_alerts(
    pool: &PgPool,
) -> (Arc<seatsync_licence_alerts::LicenceAlerts>, Arc<seatsync_alert_tickets::AlertTickets>) {
    let catalog = seatsync_licences::Catalog::new(pool.clone());
    let alerts =
        seatsync_licence_alerts::LicenceAlerts::new(pool.clone(), seatsync_vendors::Slot::empty(), catalog.clone());
    let remediation = seatsync_remediation::Remediation::new(
        pool.clone(),
        seatsync_integrations::ClientSlots::default(),
        catalog,
        seatsync_remediation::Signer::from_session_secret(b"tests"),
        seatsync_remediation::DEFAULT_LINK_LIFETIME,
    );
    let delivery = seatsync_delivery::Delivery::new(pool.clone(), seatsync_integrations::ClientSlots::default());
    (alerts, seatsync_alert_tickets::AlertTickets::new(pool.clone(), delivery, remediation, "http://127.0.0.1"))
}

/// The billing report with no tool asked: the idle part of a job queue whose test is about other
/// jobs.
pub fn idle_billing(pool: &PgPool) -> Arc<seatsync_billing::BillingReports> {
    seatsync_billing::BillingReports::new(pool.clone(), Vec::new())
}
