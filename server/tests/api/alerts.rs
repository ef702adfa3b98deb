//! The lists and tables the alert rule reads, set through the server functions: a licence's own
//! spare seats for one customer (Editors) and the Pax8 product table (Admins), with bad input
//! refused in words and nothing stored.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_editor_gives_one_licence_of_one_customer_its_own_spare_seats() {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    let viewer = app.signed_in("viewer").await;
    app.sync_all(&editor).await;
    let tenant = app.sim.sim.msp().customers[0].tenant_id.clone();

    let found = app.ok(&viewer, "alerts/licences_of", &[("tenant", &tenant)]).await;
    let licences = found["licences"].as_array().unwrap();
    assert!(!licences.is_empty(), "{found}");
    assert!(licences.iter().all(|l| l["spare"].is_null()), "none has its own yet: {found}");
    let sku = licences[0]["sku_id"].as_str().unwrap().to_string();
    let name = licences[0]["licence"].as_str().unwrap().to_string();

    // Bad numbers and licences the customer does not have are refused in words.
    for (spare, sku, said) in [
        ("-1", sku.as_str(), "between 0 and 10000"),
        ("10001", sku.as_str(), "between 0 and 10000"),
        ("2", "00000000-0000-0000-0000-00000000beef", "lists no licence"),
    ] {
        let res =
            app.call(&editor, "alerts/set_allowance", &[("tenant", &tenant), ("sku", sku), ("spare", spare)]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains(said));
    }
    assert!(app.ok(&viewer, "alerts/view", &[]).await["allowances"].as_array().unwrap().is_empty(), "nothing stored");

    app.ok(&editor, "alerts/set_allowance", &[("tenant", &tenant), ("sku", &sku), ("spare", "3")]).await;
    let view = app.ok(&viewer, "alerts/view", &[]).await;
    let rows = view["allowances"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{view}");
    assert_eq!(rows[0]["licence"], name.as_str());
    assert_eq!(rows[0]["spare"], 3);
    assert!(rows[0]["set_by"].as_str().is_some_and(|by| !by.is_empty()), "{view}");
    let found = app.ok(&viewer, "alerts/licences_of", &[("tenant", &tenant)]).await;
    assert_eq!(found["licences"][0]["spare"], 3);

    // Changed, then given the customer's default back.
    app.ok(&editor, "alerts/set_allowance", &[("tenant", &tenant), ("sku", &sku), ("spare", "0")]).await;
    assert_eq!(app.ok(&viewer, "alerts/view", &[]).await["allowances"][0]["spare"], 0);
    app.ok(&editor, "alerts/set_allowance", &[("tenant", &tenant), ("sku", &sku)]).await;
    assert!(app.ok(&viewer, "alerts/view", &[]).await["allowances"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_admin_extends_and_corrects_the_pax8_product_table() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let viewer = app.signed_in("viewer").await;
    let table = app.ok(&viewer, "pax8/products", &[]).await;
    let rows = table["rows"].as_array().unwrap();
    let premium = rows.iter().find(|r| r["product_name"] == "Microsoft 365 Business Premium").expect("shipped");
    assert_eq!(premium["part_number"], "SPB");
    assert_eq!(premium["source"], "Shipped");

    let bad = app
        .call(&admin, "pax8/set_product", &[("product_name", "Teams Rooms Pro"), ("part_number", "=HYPERLINK(x)")])
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("is not a SKU part number"));
    let nameless = app.call(&admin, "pax8/set_product", &[("product_name", "  "), ("part_number", "SPB")]).await;
    assert_eq!(nameless.status(), StatusCode::BAD_REQUEST);

    app.ok(
        &admin,
        "pax8/set_product",
        &[("product_name", "Teams Rooms Pro"), ("part_number", " Microsoft_Teams_Rooms_Pro ")],
    )
    .await;
    // A shipped product corrected: the addition wins, and removing it brings the shipped one back.
    app.ok(&admin, "pax8/set_product", &[("product_name", "Microsoft 365 Business Premium"), ("part_number", "SPB_X")])
        .await;
    let rows = app.ok(&viewer, "pax8/products", &[]).await["rows"].as_array().unwrap().clone();
    let rooms = rows.iter().find(|r| r["product_name"] == "Teams Rooms Pro").expect("added");
    assert_eq!(rooms["part_number"], "Microsoft_Teams_Rooms_Pro", "trimmed");
    assert!(rooms["source"]["Added"]["by"].is_string(), "{rooms}");
    let premium: Vec<_> = rows.iter().filter(|r| r["product_name"] == "Microsoft 365 Business Premium").collect();
    assert_eq!(premium.len(), 1, "one row per product");
    assert_eq!(premium[0]["part_number"], "SPB_X");

    app.ok(&admin, "pax8/set_product", &[("product_name", "Microsoft 365 Business Premium")]).await;
    let rows = app.ok(&viewer, "pax8/products", &[]).await["rows"].as_array().unwrap().clone();
    let premium = rows.iter().find(|r| r["product_name"] == "Microsoft 365 Business Premium").unwrap();
    assert_eq!((premium["part_number"].as_str(), premium["source"].as_str()), (Some("SPB"), Some("Shipped")));
}

#[tokio::test]
async fn an_admin_chooses_how_the_alerts_are_e_mailed_and_bad_addresses_are_refused() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let viewer = app.signed_in("viewer").await;
    let view = app.ok(&viewer, "alerts/view", &[]).await;
    assert_eq!((view["email_mode"].as_str(), view["email_to"].as_array().map(Vec::len)), (Some("Off"), Some(0)));

    for (mode, to, said) in [
        ("Digest", "", "at least one address"),
        ("PerCustomer", "billing@northwind-msp.example, not-an-address", "'not-an-address' is not an e-mail address"),
    ] {
        let res = app.call(&admin, "alerts/save_email", &[("mode", mode), ("to", to)]).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains(said));
    }
    app.ok(
        &admin,
        "alerts/save_email",
        &[("mode", "Digest"), ("to", " billing@northwind-msp.example;\nowner@northwind-msp.example ")],
    )
    .await;
    // The notice setting is saved beside it, not over it.
    app.ok(&admin, "alerts/save_settings", &[("renewal_notice_days", "45")]).await;
    let view = app.ok(&viewer, "alerts/view", &[]).await;
    assert_eq!(view["email_mode"], "Digest");
    assert_eq!(view["email_to"], serde_json::json!(["billing@northwind-msp.example", "owner@northwind-msp.example"]));
    assert_eq!(view["renewal_notice_days"], 45);
}

/// Where tickets go: Autotask unless an Admin chooses another PSA that is set up; for
/// ConnectWise, each customer's company from SeatSync's suggestions (accepted all at once) or
/// chosen by hand, only one ConnectWise has, and cleared again.
#[tokio::test]
async fn customers_get_their_connectwise_company_from_suggestions_or_by_hand() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let editor = app.signed_in("editor").await;
    app.sync_all(&admin).await;
    let tenant = app.sim.sim.msp().customers[0].tenant_id.clone();
    let psa = app.ok(&editor, "tickets/psa", &[]).await;
    assert_eq!(psa["chosen"], "autotask");
    assert!(psa["options"].as_array().unwrap().iter().all(|o| o["configured"] == true), "{psa}");
    let refused = app.call(&editor, "tickets/set_company", &[("tenant_id", &tenant), ("company_id", "250")]).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("Customers mapping"));

    assert_eq!(app.ok(&admin, "tickets/save_psa", &[("psa", "connectwise")]).await["chosen"], "connectwise");
    let view = app.ok(&editor, "tickets/companies", &[]).await;
    let rows = view["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), app.sim.sim.msp().customers.len());
    assert!(rows.iter().all(|r| r["company"].is_null()));
    let suggested = rows.iter().filter(|r| !r["suggestion"].is_null()).count();
    assert!(
        suggested * 2 > rows.len(),
        "most customers' companies are suggested by name: {suggested} of {}",
        rows.len()
    );
    assert!(view["read_error"].is_null(), "{view}");

    let unknown = app.call(&editor, "tickets/set_company", &[("tenant_id", &tenant), ("company_id", "999999")]).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let text = unknown.text().await.unwrap();
    assert!(text.contains("ConnectWise Manage has no company #999999"), "{text}");

    let words = app.ok(&editor, "tickets/accept_companies", &[]).await;
    assert!(words.as_str().unwrap().contains(&format!("{suggested} customers")), "{words}");
    let after = app.ok(&editor, "tickets/companies", &[]).await;
    let chosen: Vec<_> = after["rows"].as_array().unwrap().iter().filter(|r| !r["company"].is_null()).collect();
    assert_eq!(chosen.len(), suggested);
    assert!(chosen.iter().all(|r| !r["set_by"].is_null() && !r["set_at"].is_null()));

    // By hand, then cleared.
    let other = after["companies"].as_array().unwrap().last().unwrap().clone();
    let id = other["id"].to_string();
    let said = app.ok(&editor, "tickets/set_company", &[("tenant_id", &tenant), ("company_id", &id)]).await;
    assert!(said.as_str().unwrap().contains(other["name"].as_str().unwrap()), "{said}");
    let row = |view: &serde_json::Value| {
        view["rows"].as_array().unwrap().iter().find(|r| r["tenant_id"] == tenant.as_str()).unwrap().clone()
    };
    assert_eq!(row(&app.ok(&editor, "tickets/companies", &[]).await)["company"]["id"], other["id"]);
    let said = app.ok(&editor, "tickets/set_company", &[("tenant_id", &tenant)]).await;
    assert!(said.as_str().unwrap().contains("any more"), "{said}");
    let cleared = row(&app.ok(&editor, "tickets/companies", &[]).await);
    assert!(cleared["company"].is_null(), "{cleared}");
}
