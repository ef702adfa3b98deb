//! Rendered pages come back from the cache only while nothing has been committed since.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// A page and whether the cache answered.
async fn page(app: &TestApp, client: &Client, path: &str) -> (String, Option<String>) {
    let res = client.get(format!("{}{path}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let outcome = res.headers().get(server::page_cache::CACHE_HEADER).map(|v| v.to_str().unwrap().to_string());
    (res.text().await.unwrap(), outcome)
}

#[tokio::test]
async fn a_change_shows_on_the_very_next_request() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let viewer = app.signed_in("viewer").await;
    app.sync_all(&admin).await;
    let tenant = app.sim.sim.msp().customers[0].clone();
    let path = format!("/subscriptions?tenant={}", tenant.tenant_id);
    let (body, outcome) = page(&app, &viewer, &path).await;
    assert!(body.contains(&tenant.company_name));
    assert_eq!(outcome.as_deref(), Some("miss"), "the first view is rendered");

    // A write by anything else (another instance, a job): no request of this server saw it.
    sqlx::query("UPDATE tenants SET name = 'Renamed Holdings Ltd' WHERE tenant_id = $1")
        .bind(&tenant.tenant_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let (body, outcome) = page(&app, &viewer, &path).await;
    assert!(body.contains("Renamed Holdings Ltd"), "the renamed tenant is shown at once");
    assert_eq!(outcome.as_deref(), Some("miss"));

    // A write through SeatSync: the overview shows the new allowance straight away.
    let (before, _) = page(&app, &admin, "/overview").await;
    assert!(!before.contains(r#"\"spare_seats\":7"#));
    app.ok(&admin, "overview/spare_seats", &[("tenant_id", &tenant.tenant_id), ("spare_seats", "7")]).await;
    let (after, _) = page(&app, &admin, "/overview").await;
    assert!(after.contains(r#"\"spare_seats\":7"#), "the overview shows the new spare-seat allowance");
}

#[tokio::test]
async fn an_unchanged_page_is_served_again_to_the_same_person_only() {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    let viewer = app.signed_in("viewer").await;
    app.sync_all(&editor).await;
    let tenant = app.sim.sim.msp().customers[1].clone();
    let path = format!("/subscriptions?tenant={}", tenant.tenant_id);

    // Other tests commit to their own databases on the same server, and any commit in the
    // cluster makes a kept page stale; quiet moments come within seconds.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (first, hit) = loop {
        let (first, _) = page(&app, &editor, &path).await;
        let (again, outcome) = page(&app, &editor, &path).await;
        if outcome.as_deref() == Some("hit") {
            break (first, again);
        }
        assert!(Instant::now() < deadline, "no request was answered from the cache in 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(first, hit, "the kept page is the page");
    assert!(hit.contains("Sync now"), "an Editor's page offers a sync");

    // The Viewer asks for the same address and gets a page of their own.
    let (viewers, _) = page(&app, &viewer, &path).await;
    assert!(viewers.contains(&tenant.company_name));
    assert!(!viewers.contains("Sync now"), "a Viewer is never shown the Editor's page");
    assert!(viewers.contains("Vera Viewer") && !viewers.contains("Eddie Editor"), "the page names the Viewer");
}

#[tokio::test]
async fn the_cache_can_be_turned_off() {
    let app = spawn_app_with(|pairs| pairs.push(("SEATSYNC_PAGE_CACHE_SECONDS".into(), "0".into()))).await;
    let viewer = app.signed_in("viewer").await;
    for _ in 0..3 {
        let (_, outcome) = page(&app, &viewer, "/overview").await;
        assert_eq!(outcome, None, "with the cache off every page is rendered and says nothing");
    }
}

#[tokio::test]
async fn a_cacheable_page_calls_no_vendor_while_rendering() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    app.sync_all(&admin).await;
    app.ok(&admin, "mapping/refresh", &[]).await;
    let rows = app.ok(&admin, "mapping/customers", &[]).await;
    let row = rows["rows"].as_array().unwrap().iter().find(|r| !r["suggestion"].is_null()).unwrap().clone();
    let tenant = row["tenant_id"].as_str().unwrap();
    let company = row["suggestion"]["company_id"].to_string();
    app.ok(
        &admin,
        "mapping/save_tenant",
        &[("tenant_id", tenant), ("action", "map"), ("company_id", &company), ("version", "0")],
    )
    .await;
    let calls = || async {
        let c: serde_json::Value =
            reqwest::get(format!("{}/_sim/calls", app.sim.base_url)).await.unwrap().json().await.unwrap();
        c["total"].as_u64().unwrap()
    };
    let before = calls().await;
    let page =
        admin.get(format!("{}/subscriptions?tenant={tenant}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Open company in Autotask"), "the link into Autotask is there");
    assert!(page.contains(&format!("AccountID={company}")));
    assert_eq!(calls().await, before, "no vendor was called to render the page");
}
