use crate::helpers::{browser, spawn_app};

#[tokio::test]
async fn healthz_checks_the_database() {
    let app = spawn_app().await;
    let res = browser().get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "ok");

    app.pool.close().await;
    let res = browser().get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 503, "a closed pool is an unhealthy database");
}

#[tokio::test]
async fn pages_send_signed_out_visitors_to_sign_in() {
    let app = spawn_app().await;
    let res = browser().get(format!("{}/users?tab=x", app.url)).send().await.unwrap();
    assert!(res.status().is_redirection());
    assert_eq!(crate::helpers::location(&res), "/signin?next=%2Fusers%3Ftab%3Dx");
    let res = browser().get(format!("{}/signin", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Sign in with Microsoft"));
}
