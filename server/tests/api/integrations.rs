//! "Test connection" on the Settings page: one harmless call per integration, said in words.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_admin_tests_each_connection_and_hears_what_happened_in_words() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let integrations = app.ok(&admin, "settings/integrations", &[]).await;
    let testable: Vec<&str> = integrations
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["testable"] == true)
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(testable, ["partner_center", "graph", "autotask"]);

    let pc = app.ok(&admin, "settings/test_connection", &[("key", "partner_center")]).await;
    assert_eq!(pc["ok"], true, "{pc}");
    assert!(pc["message"].as_str().unwrap().contains("read the customer list"), "{pc}");
    let autotask = app.ok(&admin, "settings/test_connection", &[("key", "autotask")]).await;
    assert_eq!(autotask["ok"], true, "{autotask}");

    // Graph works inside customer tenants: none is known before the first sync.
    let before = app.call(&admin, "settings/test_connection", &[("key", "graph")]).await;
    assert_eq!(before.status(), StatusCode::CONFLICT);
    assert!(before.text().await.unwrap().contains("run the licence sync"));
    app.sync_all(&admin).await;
    let graph = app.ok(&admin, "settings/test_connection", &[("key", "graph")]).await;
    assert_eq!(graph["ok"], true, "{graph}");
    assert!(graph["message"].as_str().unwrap().contains("licence(s)"), "{graph}");

    // A refusal is reported, not thrown: Autotask's words, the page stays usable.
    seatsync_testkit::faults(
        &app.sim,
        json!([{"path": "/ATServicesRest/V1.0/Companies/query", "kind": "status", "status": 401}]),
    )
    .await;
    let refused = app.ok(&admin, "settings/test_connection", &[("key", "autotask")]).await;
    assert_eq!(refused["ok"], false, "{refused}");
    assert!(refused["message"].as_str().unwrap().starts_with("Autotask PSA answered:"), "{refused}");

    // Not a client SeatSync has, or not an integration at all.
    let pax8 = app.call(&admin, "settings/test_connection", &[("key", "pax8")]).await;
    assert_eq!(pax8.status(), StatusCode::BAD_REQUEST);
    let unknown = app.call(&admin, "settings/test_connection", &[("key", "nope")]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
