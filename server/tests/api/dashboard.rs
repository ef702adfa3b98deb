//! The dashboard's counts, each checked against what the simulated vendors hold and against the
//! list the tile leads to.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_dashboard_counts_what_needs_doing_and_each_count_is_its_lists_length() {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    {
        // One window closes tomorrow and one the day after next, whatever day the test runs.
        let mut msp = app.sim.sim.msp();
        let subs = &mut msp.customers[0].subscriptions;
        for (s, hours) in subs.iter_mut().zip([24, 72]) {
            s.status = "active".into();
            s.cancellation_allowed_until = Some(Utc::now() + Duration::hours(hours));
        }
    }
    app.sync_all(&editor).await;
    app.ok(&editor, "mapping/refresh", &[]).await;
    let started = Utc::now();
    let summary = app.ok(&editor, "dashboard/summary", &[]).await;
    let finished = Utc::now();

    let (customers, denied, closing) = {
        let msp = app.sim.sim.msp();
        let closing_between = |from: DateTime<Utc>, to: DateTime<Utc>| {
            msp.customers
                .iter()
                .flat_map(|c| &c.subscriptions)
                .filter(|s| s.status == "active")
                .filter(|s| s.cancellation_allowed_until.is_some_and(|u| u > from && u <= to))
                .count()
        };
        (
            msp.customers.len(),
            msp.customers.iter().filter(|c| c.graph_access_denied).count(),
            // What closes within two days of the moment the server counted, give or take the
            // request's own duration.
            (
                closing_between(finished, started + Duration::hours(48)),
                closing_between(started, finished + Duration::hours(48)),
            ),
        )
    };
    let n = |key: &str| summary[key].as_u64().unwrap_or_else(|| panic!("{key} in {summary}")) as usize;
    assert_eq!(n("tenants"), customers);
    assert_eq!(n("tenants_unmapped"), customers, "nothing is mapped yet");
    let offers = app.ok(&editor, "mapping/offers", &[]).await;
    assert_eq!(n("offers"), offers["rows"].as_array().unwrap().len());
    assert_eq!(n("offers_unmapped"), n("offers"));
    assert_eq!(n("licence_sync_failures"), denied, "tenants whose Graph refused the MSP's app");
    assert!((closing.0..=closing.1).contains(&n("windows_closing")), "{closing:?}: {summary}");
    assert!(n("windows_closing") > 0, "tomorrow's window at least");
    assert_eq!(n("window_hours"), 48);
    assert_eq!(n("contracts_differing"), 0, "no tenant is mapped, so no contract is compared");
    assert!(summary["monthly_waste"].as_f64().is_some());
    assert!(summary["last_licence_sync"].is_string());

    let windows = app.ok(&editor, "licences/closing_windows", &[]).await;
    let windows = windows.as_array().unwrap();
    assert_eq!(windows.len(), n("windows_closing"), "the tile's count is the list's length");
    let closes: Vec<DateTime<Utc>> =
        windows.iter().map(|w| serde_json::from_value(w["closes_at"].clone()).unwrap()).collect();
    assert!(closes.windows(2).all(|p| p[0] <= p[1]), "the soonest first");
    assert!(closes.iter().all(|c| *c > started && *c <= Utc::now() + Duration::hours(48)));
    assert!(windows.iter().all(|w| w["tenant_name"].as_str().is_some_and(|t| !t.is_empty())));

    // Mapping a tenant takes it off the count at once.
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    let companies = app.ok(&editor, "mapping/companies", &[]).await;
    let tenant = list["rows"][0]["tenant_id"].as_str().unwrap().to_string();
    let company = companies[0]["id"].to_string();
    app.ok(
        &editor,
        "mapping/save_tenant",
        &[("tenant_id", &tenant), ("action", "map"), ("version", "0"), ("company_id", &company)],
    )
    .await;
    let after: Value = app.ok(&editor, "dashboard/summary", &[]).await;
    assert_eq!(after["tenants_unmapped"].as_u64().unwrap() as usize, customers - 1);
    assert_eq!(
        app.ok(&editor, "contracts/differing", &[]).await.as_array().unwrap().len(),
        after["tenants_differing"].as_u64().unwrap() as usize
    );
}
