//! `spawn_app()`: a database of its own, the simulator, and SeatSync wired to both.

use reqwest::{header::LOCATION, Client, Response, StatusCode};
use seatsync_sim::{SimConfig, SimHandle};
use server::{config::Source, Application, Config};
use tokio::net::TcpListener;

pub struct TestApp {
    pub url: String,
    /// Shared with a restarted server ([`restart_with`]).
    pub sim: std::sync::Arc<SimHandle>,
    pub pool: sqlx::PgPool,
    pub database_url: String,
}

pub use seatsync_testkit::sim_env;

/// A fresh database with a random name on the test server.
pub async fn fresh_database() -> String {
    seatsync_testkit::fresh_database_url("seatsync_test").await
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], letting the test adjust the configuration pairs first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Vec<(String, String)>)) -> TestApp {
    let sim = seatsync_sim::spawn(
        SimConfig { tenants: 5, ..SimConfig::default() },
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
    )
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
    TestApp { url, sim: std::sync::Arc::new(sim), pool, database_url }
}

/// A second SeatSync on `app`'s database and simulator, as after a restart.
pub async fn restart_with(app: &TestApp, adjust: impl FnOnce(&mut Vec<(String, String)>)) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut pairs = sim_env(&app.sim, &app.database_url, &url);
    adjust(&mut pairs);
    let config = Config::load(&Source::from_pairs(pairs).unwrap()).expect("test configuration is valid");
    let second = Application::build_on(config, listener).await.expect("app builds");
    let pool = second.pool.clone();
    tokio::spawn(second.run(std::future::pending()));
    TestApp { url, sim: app.sim.clone(), pool, database_url: app.database_url.clone() }
}

pub use seatsync_testkit::browser;

pub fn location(res: &Response) -> String {
    res.headers().get(LOCATION).expect("a redirect").to_str().unwrap().to_string()
}

impl TestApp {
    /// Runs the whole sign-in: app → authorize page → pick `user_key` → callback → app.
    /// Returns the client and where the callback finally sent the browser.
    pub async fn sign_in_as(&self, user_key: &str) -> (Client, String) {
        seatsync_testkit::sign_in(&self.url, &self.sim.base_url, user_key)
            .await
            .unwrap_or_else(|e| panic!("sign-in of {user_key}: {e}"))
    }

    /// Signs in and asserts it worked.
    pub async fn signed_in(&self, user_key: &str) -> Client {
        let (client, landed) = self.sign_in_as(user_key).await;
        assert_eq!(landed, "/", "sign-in of {user_key} should land on the dashboard, got {landed}");
        client
    }

    /// A POST as one of SeatSync's own pages sends it: with its `Origin`.
    pub fn post(&self, client: &Client, path: &str) -> reqwest::RequestBuilder {
        client.post(format!("{}{path}", self.url)).header("Origin", &self.url).header("Accept", "application/json")
    }

    /// Calls a server function the way the browser does (form-encoded POST).
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.post(client, &format!("/api/{endpoint}")).form(form).send().await.unwrap()
    }

    /// Calls a server function that takes JSON.
    pub async fn call_json(&self, client: &Client, endpoint: &str, body: serde_json::Value) -> Response {
        self.post(client, &format!("/api/{endpoint}")).json(&body).send().await.unwrap()
    }

    /// Calls a server function that takes a file upload (multipart form data).
    pub async fn call_upload(&self, client: &Client, endpoint: &str, file_name: &str, bytes: Vec<u8>) -> Response {
        let part =
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()).mime_str("text/csv").unwrap();
        self.post(client, &format!("/api/{endpoint}"))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function and reads its JSON answer, failing the test on an error status.
    pub async fn ok(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> serde_json::Value {
        let res = self.call(client, endpoint, form).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{endpoint} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
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
