//! The subscriptions page's server functions against the simulator.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_editor_syncs_and_everyone_sees_the_seats() {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    let viewer = app.signed_in("viewer").await;
    assert_eq!(
        app.call(&viewer, "licences/sync", &[]).await.status(),
        StatusCode::FORBIDDEN,
        "a Viewer cannot start a sync"
    );

    let status = app.sync_all(&editor).await;
    assert_eq!(status["status"], "succeeded");
    assert_eq!(status["total"], 5);
    assert_eq!(status["done"], 5);

    let tenants: serde_json::Value = app.call(&viewer, "licences/tenants", &[]).await.json().await.unwrap();
    assert_eq!(tenants.as_array().unwrap().len(), 5);
    let msp = app.sim.sim.msp().clone();
    let customer = &msp.customers[0];
    let detail: serde_json::Value =
        app.call(&viewer, "licences/tenant", &[("tenant_id", &customer.tenant_id)]).await.json().await.unwrap();
    assert_eq!(detail["tenant"]["name"], customer.company_name);
    assert!(detail["tenant"]["last_synced_at"].is_string());
    assert!(detail["partner_center_url"].as_str().unwrap().contains(&customer.tenant_id));
    let rows = detail["rows"].as_array().unwrap();
    assert_eq!(rows.len(), customer.subscriptions.len());
    for row in rows {
        let seeded = customer.subscriptions.iter().find(|s| s.id == row["id"]).unwrap();
        assert_eq!(row["purchased"], seeded.quantity);
        if seeded.status == "active" {
            let consumed = customer.consumed.iter().find(|(sku, _)| sku == seeded.product.sku_id).unwrap().1;
            assert_eq!(row["assigned"], consumed, "assigned users come from Graph");
        }
    }
    let res = app.call(&viewer, "licences/tenant", &[("tenant_id", "no-such-tenant")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Each sync adds one point per product to the seat history.
    app.sync_all(&editor).await;
    let history: serde_json::Value =
        app.call(&viewer, "licences/history", &[("tenant_id", &customer.tenant_id)]).await.json().await.unwrap();
    let series = history.as_array().unwrap();
    assert!(!series.is_empty());
    for s in series {
        assert_eq!(s["points"].as_array().unwrap().len(), 2, "{s}");
        assert!(!s["product"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_failed_tenant_is_shown_stale_with_its_error() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    app.sync_all(&admin).await;
    let victim = app.sim.sim.msp().customers[3].tenant_id.clone();
    reqwest::Client::new()
        .post(format!("{}/_sim/faults", app.sim.base_url))
        .json(&serde_json::json!({"rules": [{"path": "/v1.0/subscribedSkus", "kind": "status", "status": 403}]}))
        .send()
        .await
        .unwrap();
    let res = app.call(&admin, "licences/sync", &[("tenant_id", &victim)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut status = serde_json::Value::Null;
    for _ in 0..100 {
        status = app.call(&admin, "licences/sync_status", &[]).await.json().await.unwrap();
        if status["running"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status["status"], "failed");
    assert!(status["failures"][0][1].as_str().unwrap().contains("Microsoft Graph answered 403"), "{status}");
    let detail: serde_json::Value =
        app.call(&admin, "licences/tenant", &[("tenant_id", &victim)]).await.json().await.unwrap();
    assert!(detail["tenant"]["last_error"].as_str().unwrap().contains("403"));
    assert!(!detail["rows"].as_array().unwrap().is_empty(), "the last good data is still there");
}
