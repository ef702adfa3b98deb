//! `spawn_app()`: a database of its own, the simulator, and SeatSync wired to both.

use reqwest::{header::LOCATION, redirect::Policy, Client, Response, StatusCode};
use seatsync_sim::{SimConfig, SimHandle};
use server::{config::Source, Application, Config};
use sqlx::{Connection, Executor, PgConnection};
use tokio::net::TcpListener;
use url::Url;

/// The server of `DATABASE_URL` (scripts/test sets it), or the machine's local PostgreSQL.
pub fn admin_database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct TestApp {
    pub url: String,
    pub sim: SimHandle,
    pub pool: sqlx::PgPool,
}

/// Every configuration key the app needs, pointed at `sim`.
pub fn sim_env(sim: &SimHandle, database_url: &str, public_url: &str) -> Vec<(String, String)> {
    let base = &sim.base_url;
    [
        ("DATABASE_URL", database_url.to_string()),
        ("SEATSYNC_PUBLIC_URL", public_url.to_string()),
        ("SEATSYNC_SESSION_SECRET", "test-session-secret-of-sufficient-length-0123".into()),
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
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// A fresh database with a random name on the test server.
pub async fn fresh_database() -> String {
    let admin = admin_database_url();
    let name = format!("seatsync_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(&admin).await.expect("PostgreSQL must be reachable at DATABASE_URL");
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.expect("create test database");
    let mut url = Url::parse(&admin).expect("DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], letting the test adjust the configuration pairs first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Vec<(String, String)>)) -> TestApp {
    let sim = seatsync_sim::spawn(SimConfig { tenants: 5, ..SimConfig::default() }, TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .expect("simulator starts");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let database_url = fresh_database().await;
    let mut pairs = sim_env(&sim, &database_url, &url);
    adjust(&mut pairs);
    let config = Config::load(&Source::from_pairs(pairs).unwrap()).expect("test configuration is valid");
    let app = Application::build_on(config, listener).await.expect("app builds");
    let pool = app.pool.clone();
    tokio::spawn(app.run(std::future::pending()));
    TestApp { url, sim, pool }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests follow them).
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

pub fn location(res: &Response) -> String {
    res.headers().get(LOCATION).expect("a redirect").to_str().unwrap().to_string()
}

impl TestApp {
    /// Runs the whole sign-in: app → authorize page → pick `user_key` → callback → app.
    /// Returns the client and where the callback finally sent the browser.
    pub async fn sign_in_as(&self, user_key: &str) -> (Client, String) {
        let client = browser();
        let res = client.get(format!("{}/auth/login", self.url)).send().await.unwrap();
        assert!(res.status().is_redirection(), "login redirects to the authority, got {}", res.status());
        let authorize = Url::parse(&location(&res)).unwrap();
        assert!(authorize.as_str().starts_with(&self.sim.base_url), "{authorize}");
        let params: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
        for p in ["state", "nonce", "code_challenge"] {
            assert!(params.iter().any(|(k, _)| k == p), "the authorize request carries {p}");
        }
        assert!(params.iter().any(|(k, v)| k == "code_challenge_method" && v == "S256"));
        // The simulated Entra ID page posts the request back with the chosen account.
        let mut form = params.clone();
        form.push(("user".into(), user_key.into()));
        let mut page_url = authorize.clone();
        page_url.set_query(None);
        let res = client.post(page_url).form(&form).send().await.unwrap();
        assert!(res.status().is_redirection(), "the authority redirects back, got {}", res.status());
        let callback = location(&res);
        assert!(callback.starts_with(&format!("{}/auth/callback", self.url)), "{callback}");
        let res = client.get(callback).send().await.unwrap();
        assert!(res.status().is_redirection());
        (client, location(&res))
    }

    /// Signs in and asserts it worked.
    pub async fn signed_in(&self, user_key: &str) -> Client {
        let (client, landed) = self.sign_in_as(user_key).await;
        assert_eq!(landed, "/", "sign-in of {user_key} should land on the dashboard, got {landed}");
        client
    }

    /// Calls a server function the way the browser does (form-encoded POST).
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(format!("{}/api/{endpoint}", self.url))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Starts a licence sync of every tenant as `client` and waits for it to finish.
    pub async fn sync_all(&self, client: &Client) -> serde_json::Value {
        let res = self.call(client, "licences/sync", &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap_or_default());
        for _ in 0..200 {
            let status: serde_json::Value = self.call(client, "licences/sync_status", &[]).await.json().await.unwrap();
            if status["running"] == false {
                return status;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the licence sync did not finish");
    }

    pub async fn signed_in_user(&self, client: &Client) -> Option<serde_json::Value> {
        let res = self.call(client, "me", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let v: serde_json::Value = res.json().await.unwrap();
        (!v.is_null()).then_some(v)
    }
}
