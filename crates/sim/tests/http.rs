//! The simulator over real HTTP: token grants, Partner Center continuation paging, and fault
//! injection switched at run time.

use seatsync_sim::{spawn, SimConfig, SimHandle};
use serde_json::{json, Value};

async fn sim(tenants: usize) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn(SimConfig { tenants, ..SimConfig::default() }, listener).await.unwrap()
}

async fn partner_center_token(s: &SimHandle) -> String {
    let tenant = s.sim.msp().partner_tenant_id.clone();
    let res = reqwest::Client::new()
        .post(format!("{}/{tenant}/oauth2/token", s.base_url))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "sim-partner-center-refresh-token"),
            ("client_id", "seatsync-demo"),
            ("client_secret", "seatsync-demo-secret"),
            ("resource", "https://api.partnercenter.microsoft.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["expires_in"], "3600", "v1 sends numbers as strings");
    body["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn customers_page_with_a_continuation_header() {
    let s = sim(23).await;
    let token = partner_center_token(&s).await;
    let http = reqwest::Client::new();
    let mut url = format!("{}/v1/customers?size=10", s.base_url);
    let mut header: Option<(String, String)> = None;
    let mut seen = Vec::new();
    loop {
        let mut req = http.get(&url).bearer_auth(&token).header("MS-RequestId", "r-1");
        if let Some((k, v)) = &header {
            req = req.header(k.as_str(), v.as_str());
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["MS-RequestId"], "r-1", "request id echoed");
        let body: Value = res.json().await.unwrap();
        for item in body["items"].as_array().unwrap() {
            seen.push(item["companyProfile"]["tenantId"].as_str().unwrap().to_string());
        }
        match body["links"].get("next") {
            Some(next) => {
                url = format!("{}{}", s.base_url, next["uri"].as_str().unwrap());
                let h = &next["headers"][0];
                header = Some((h["key"].as_str().unwrap().into(), h["value"].as_str().unwrap().into()));
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 23);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 23, "no customer twice");

    // A continuation without its header is refused, as is a call without a token.
    let res = http
        .get(format!("{}/v1/customers?size=10&seekOperation=Next", s.base_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = http.get(format!("{}/v1/customers?size=10", s.base_url)).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn faults_are_injected_per_route_and_cleared() {
    let s = sim(3).await;
    let token = partner_center_token(&s).await;
    let http = reqwest::Client::new();
    let rules = json!({"rules": [
        {"path": "/v1/customers", "kind": "throttle", "retry_after": 1.5, "times": 1},
        {"path": "/v1/customers", "kind": "status", "status": 503, "times": 1},
        {"path": "/v1/customers", "kind": "malformed", "times": 1},
    ]});
    assert_eq!(http.post(format!("{}/_sim/faults", s.base_url)).json(&rules).send().await.unwrap().status(), 204);
    let get = || http.get(format!("{}/v1/customers?size=5", s.base_url)).bearer_auth(&token).send();
    let res = get().await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["Retry-After"], "1.5");
    assert_eq!(get().await.unwrap().status(), 503);
    let res = get().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.is_err(), "malformed JSON");
    assert_eq!(get().await.unwrap().status(), 200, "every rule has fired its times");

    let rules = json!({"rules": [{"path": "/v1/customers*", "kind": "timeout"}]});
    http.post(format!("{}/_sim/faults", s.base_url)).json(&rules).send().await.unwrap();
    let slow = http
        .get(format!("{}/v1/customers?size=5", s.base_url))
        .bearer_auth(&token)
        .timeout(std::time::Duration::from_millis(300))
        .send()
        .await;
    assert!(slow.unwrap_err().is_timeout());
    http.delete(format!("{}/_sim/faults", s.base_url)).send().await.unwrap();
    assert_eq!(get().await.unwrap().status(), 200);
}

#[tokio::test]
async fn graph_serves_assigned_seats_per_customer_tenant() {
    let s = sim(2).await;
    let tenant = s.sim.msp().customers[0].tenant_id.clone();
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/{tenant}/oauth2/v2.0/token", s.base_url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "seatsync-demo"),
            ("client_secret", "seatsync-demo-secret"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    let body: Value = http
        .get(format!("{}/v1.0/subscribedSkus", s.base_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let skus = body["value"].as_array().unwrap();
    assert!(!skus.is_empty());
    for sku in skus {
        assert!(
            sku["consumedUnits"].as_i64().unwrap()
                <= sku["prepaidUnits"]["enabled"].as_i64().unwrap()
                    + sku["prepaidUnits"]["suspended"].as_i64().unwrap()
        );
        assert_eq!(sku["id"], format!("{tenant}_{}", sku["skuId"].as_str().unwrap()));
    }
    let res = http
        .post(format!("{}/{tenant}/oauth2/v2.0/token", s.base_url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "seatsync-demo"),
            ("client_secret", "wrong"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
}
