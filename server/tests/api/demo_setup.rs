//! The demo's head start (`SEATSYNC_DEMO_SETUP_TENANTS`): on a fresh database SeatSync maps a few
//! tenants and their exactly fitting offers itself once the first sync is done, so prices show
//! and a contract can be created at once; a database someone already mapped in is left alone.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::{restart_with, spawn_app_with, TestApp};

async fn demo_app(tenants: &str) -> TestApp {
    spawn_app_with(|pairs| {
        pairs.retain(|(k, _)| k != "SEATSYNC_SYNC_ON_FIRST_START");
        pairs.push(("SEATSYNC_SYNC_ON_FIRST_START".into(), "true".into()));
        pairs.push(("SEATSYNC_DEMO_SETUP_TENANTS".into(), tenants.into()));
    })
    .await
}

fn mapped(list: &Value) -> Vec<&Value> {
    list["rows"].as_array().unwrap().iter().filter(|r| r["state"] == "mapped").collect()
}

#[tokio::test]
async fn a_fresh_demo_has_tenants_and_offers_mapped_by_seatsync_and_a_contract_to_create() {
    let app = demo_app("2").await;
    let editor = app.signed_in("editor").await;
    let mut offers = Value::Null;
    for _ in 0..300 {
        offers = app.ok(&editor, "mapping/offers", &[]).await;
        if !mapped(&offers).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let customers = app.ok(&editor, "mapping/customers", &[]).await;
    let tenants = mapped(&customers);
    assert_eq!(tenants.len(), 2, "the two surest suggestions are taken");
    assert!(tenants.iter().all(|t| t["changed_by"].is_null()), "made by SeatSync, not a person: {tenants:?}");
    let offers_mapped = mapped(&offers);
    assert!(!offers_mapped.is_empty(), "the mapped tenants' offers are mapped");
    assert!(
        offers_mapped.len() < offers["rows"].as_array().unwrap().len(),
        "other tenants' offers are left to map by hand"
    );
    let history = app
        .ok(&editor, "mapping/history", &[("kind", "tenant"), ("key", tenants[0]["tenant_id"].as_str().unwrap())])
        .await;
    assert_eq!(history[0]["action"], "accept suggestion");

    let mut creatable = 0;
    for t in &tenants {
        let view = app.ok(&editor, "contracts/tenant", &[("tenant_id", t["tenant_id"].as_str().unwrap())]).await;
        creatable += view["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["contract"].is_null() && g["create_blocked"].is_null())
            .count();
    }
    assert!(creatable > 0, "a newcomer can create a contract at once");

    let overview = app.ok(&editor, "overview/tenants", &[]).await;
    let priced = overview
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["products"].as_array().unwrap())
        .filter(|p| p["monthly_cost_per_seat"].as_f64().is_some_and(|c| c > 0.0))
        .count();
    assert!(priced > 0, "the mapped services' costs price seats");

    // Tickets are filed in Autotask's billing queue, so the alert tickets work in the demo.
    let admin = app.signed_in("admin").await;
    let mut queue = Value::Null;
    for _ in 0..100 {
        let defaults = app.ok(&admin, "settings/ticket_defaults", &[]).await;
        queue =
            defaults["fields"].as_array().unwrap().iter().find(|f| f["field"] == "queueID").unwrap()["chosen"].clone();
        if !queue.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let billing = app.ok(&admin, "settings/ticket_defaults", &[]).await["fields"][0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["label"] == "Billing")
        .expect("Autotask lists a Billing queue")["value"]
        .clone();
    assert_eq!(queue, billing, "the billing queue is chosen");
}

#[tokio::test]
async fn a_database_with_mapping_edits_is_left_alone() {
    let app = spawn_app_with(|_| {}).await;
    let editor = app.signed_in("editor").await;
    app.sync_all(&editor).await;
    app.ok(&editor, "mapping/refresh", &[]).await;
    // Someone ignores a tenant: the database now holds a person's work.
    let customers = app.ok(&editor, "mapping/customers", &[]).await;
    let first = &customers["rows"][0];
    let version = first["version"].to_string();
    let form = [("tenant_id", first["tenant_id"].as_str().unwrap()), ("action", "ignore"), ("version", &version)];
    app.ok(&editor, "mapping/save_tenant", &form).await;
    // Restarted with the set-up on, SeatSync finds the data ready and must leave it as it is.
    let again = restart_with(&app, |pairs| pairs.push(("SEATSYNC_DEMO_SETUP_TENANTS".into(), "3".into()))).await;
    let editor = again.signed_in("editor").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let customers = again.ok(&editor, "mapping/customers", &[]).await;
    assert!(mapped(&customers).is_empty(), "no tenant mapped behind the editor's back");
    assert!(mapped(&again.ok(&editor, "mapping/offers", &[]).await).is_empty());
}
