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
    assert!(status["failures"][0]["error"].as_str().unwrap().contains("Microsoft Graph answered 403"), "{status}");
    let detail: serde_json::Value =
        app.call(&admin, "licences/tenant", &[("tenant_id", &victim)]).await.json().await.unwrap();
    assert!(detail["tenant"]["last_error"].as_str().unwrap().contains("403"));
    assert!(!detail["rows"].as_array().unwrap().is_empty(), "the last good data is still there");
}

#[tokio::test]
async fn the_overview_and_the_subscriptions_page_agree_on_every_tenant() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    app.sync_all(&admin).await;
    // A price from the catalogue for one product, spare seats for one tenant.
    let rows = app.ok(&admin, "overview/tenants", &[]).await;
    let first = &rows[0];
    let sku = first["products"][0]["sku_id"].as_str().unwrap().to_string();
    app.ok(&admin, "products/override", &[("sku_id", &sku), ("name", ""), ("monthly_cost", "19,90")]).await;
    app.ok(
        &admin,
        "overview/spare_seats",
        &[("tenant_id", first["tenant_id"].as_str().unwrap()), ("spare_seats", "1")],
    )
    .await;
    // Another product priced by the Autotask service its offer is mapped to.
    app.ok(&admin, "mapping/refresh", &[]).await;
    let offers = app.ok(&admin, "mapping/offers", &[]).await;
    let mut mapped = false;
    for o in offers["rows"].as_array().unwrap() {
        let key = o["offer_key"].as_str().unwrap();
        // The MSP's own service for the offer, as SeatSync suggests it.
        if let Some(service) = o["suggestion"]["service_id"].as_i64().filter(|_| o["suggestion"]["exact"] == true) {
            let form = [("offer_key", key), ("action", "map"), ("service_id", &service.to_string()), ("version", "0")];
            app.ok(&admin, "mapping/save_offer", &form).await;
            mapped = true;
        }
    }
    assert!(mapped, "some offer has a seeded service");

    let overview = app.ok(&admin, "overview/tenants", &[]).await;
    let strip = |products: &serde_json::Value| {
        let mut list = products.as_array().unwrap().clone();
        for p in list.iter_mut() {
            p.as_object_mut().unwrap().remove("expiring_since");
        }
        list.sort_by(|a, b| a["sku_id"].as_str().cmp(&b["sku_id"].as_str()));
        list
    };
    for row in overview.as_array().unwrap() {
        let tenant = row["tenant_id"].as_str().unwrap();
        let detail = app.ok(&admin, "licences/tenant", &[("tenant_id", tenant)]).await;
        assert_eq!(
            strip(&row["products"]),
            strip(&detail["products"]),
            "tenant {tenant}: the same seats, waste and prices on both pages"
        );
    }
    let products: Vec<serde_json::Value> =
        overview.as_array().unwrap().iter().flat_map(|r| r["products"].as_array().unwrap().clone()).collect();
    assert!(
        products.iter().any(|p| p["sku_id"] == sku.as_str() && p["monthly_cost_per_seat"] == 19.9),
        "priced from the catalogue"
    );
    assert!(
        products.iter().any(|p| p["sku_id"] != sku.as_str() && p["monthly_cost_per_seat"].is_number()),
        "priced from a mapped service"
    );
}
