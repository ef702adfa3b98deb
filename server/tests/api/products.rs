//! Product names and the seats overview.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_uploaded_csv_names_products_and_a_bad_one_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    app.sync_all(&admin).await;
    let catalog = app.ok(&admin, "products/catalog", &[]).await;
    let spb = catalog["skus"].as_array().unwrap().iter().find(|s| s["part_number"] == "SPB");
    if let Some(spb) = spb {
        assert_eq!(
            (spb["name"].as_str(), spb["source"].as_str()),
            (Some("Microsoft 365 Business Premium"), Some("bundled table"))
        );
    }
    let csv = "\u{feff}Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n\
               \"Microsoft 365 Business Premium, newest\",SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,EXCHANGE_S_STANDARD,9aaf7827-d63c-4b61-89c3-182f06f82e5c,Exchange\r\n\
               \"Microsoft 365 Business Premium, newest\",SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,MCOSTANDARD,0feaeb32-d00e-4d66-bd5a-43b5b83db82c,Teams\r\n\
               Microsoft 365 Business Basic\u{a0},O365_BUSINESS_ESSENTIALS,3b555118-da6a-4418-894f-7df1e2096870,,,\r\n";
    let res = app.call_upload(&admin, "products/upload", "licensing.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap(), 2, "one product per GUID");
    let catalog = app.ok(&admin, "products/catalog", &[]).await;
    assert_eq!(catalog["upload"]["file_name"], "licensing.csv");
    if let Some(spb) = catalog["skus"].as_array().unwrap().iter().find(|s| s["part_number"] == "SPB") {
        assert_eq!(
            (spb["name"].as_str(), spb["source"].as_str()),
            (Some("Microsoft 365 Business Premium, newest"), Some("uploaded CSV"))
        );
    }
    let res = app.call_upload(&admin, "products/upload", "wrong.csv", b"Name,Id\nfoo,bar\n".to_vec()).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let message = res.text().await.unwrap();
    assert!(message.contains("String_Id") && message.contains("GUID"), "names the missing columns: {message}");
    assert_eq!(
        app.ok(&admin, "products/catalog", &[]).await["upload"]["file_name"],
        "licensing.csv",
        "the previous file stays in use"
    );
    // An unknown SKU shows its part number, never a blank.
    let catalog = app.ok(&admin, "products/catalog", &[]).await;
    assert!(catalog["skus"].as_array().unwrap().iter().all(|s| !s["name"].as_str().unwrap().is_empty()));
}

/// Microsoft's file in its real shape, `rows` rows long (about 150 bytes a row).
fn licensing_csv(rows: usize) -> Vec<u8> {
    let mut csv = String::from("Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\r\n");
    for i in 0..rows {
        let guid = format!("{:08x}-0000-4000-8000-{:012x}", i / 20, i / 20);
        csv.push_str(&format!("Product number {},PRODUCT_{},{guid},PLAN_{i},{:08x}-1111-4000-8000-000000000000,Service plan number {i} with a long friendly name\r\n", i / 20, i / 20, i));
    }
    csv.into_bytes()
}

#[tokio::test]
async fn the_licensing_csv_is_uploaded_as_a_file_up_to_sixteen_megabytes() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    // Larger than the 2 MB a form field may carry.
    let big = licensing_csv(22_000);
    assert!(big.len() > 3 * 1024 * 1024, "{}", big.len());
    let res = app.call_upload(&admin, "products/upload", "licensing.csv", big).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let too_big = licensing_csv(120_000);
    assert!(too_big.len() > 16 * 1024 * 1024);
    let res = app.call_upload(&admin, "products/upload", "huge.csv", too_big).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("too large (at most 16 MB)"));
    assert_eq!(
        app.ok(&admin, "products/catalog", &[]).await["upload"]["file_name"],
        "licensing.csv",
        "the file in use stays"
    );
    // Not a file upload at all: a plain 400, never a dropped connection.
    let res = app.call(&admin, "products/upload", &[("csv", "x")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("multipart/form-data"));
}

#[tokio::test]
async fn the_overview_counts_waste_beyond_spare_seats_and_prices_it() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let viewer = app.signed_in("viewer").await;
    app.sync_all(&admin).await;
    let rows = app.ok(&viewer, "overview/tenants", &[]).await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    for pair in rows.windows(2) {
        let key = |r: &Value| (r["waste_cost"].as_f64().unwrap(), r["wasted"].as_i64().unwrap());
        assert!(key(&pair[0]) >= key(&pair[1]), "worst first");
    }
    for r in rows {
        let sum = |f: &str| r["products"].as_array().unwrap().iter().map(|p| p[f].as_i64().unwrap()).sum::<i64>();
        assert_eq!(r["purchased"].as_i64().unwrap(), sum("purchased"));
        // Unused is counted per product: a product with more users than seats adds none.
        let unused: i64 = r["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["purchased"].as_i64().unwrap() - p["assigned"].as_i64().unwrap()).max(0))
            .sum();
        assert_eq!(r["unused"].as_i64().unwrap(), unused);
    }
    // Price a wasted product; its waste gets a monthly cost.
    let worst = rows.iter().find(|r| r["wasted"].as_i64().unwrap() > 0).expect("the seeded MSP wastes seats somewhere");
    let product = worst["products"].as_array().unwrap().iter().find(|p| p["wasted"].as_i64().unwrap() > 0).unwrap();
    app.ok(
        &admin,
        "products/override",
        &[("sku_id", product["sku_id"].as_str().unwrap()), ("name", ""), ("monthly_cost", "$20.00")],
    )
    .await;
    let after = app.ok(&viewer, "overview/tenants", &[]).await;
    let t = after.as_array().unwrap().iter().find(|r| r["tenant_id"] == worst["tenant_id"]).unwrap();
    let p = t["products"].as_array().unwrap().iter().find(|p| p["sku_id"] == product["sku_id"]).unwrap();
    assert_eq!(p["waste_cost"].as_f64(), Some(20.0 * p["wasted"].as_f64().unwrap()));
    // Spare seats the customer may keep are not waste.
    let wasted = p["wasted"].as_i64().unwrap();
    let editor = app.signed_in("editor").await;
    assert_eq!(
        app.call(
            &viewer,
            "overview/spare_seats",
            &[("tenant_id", worst["tenant_id"].as_str().unwrap()), ("spare_seats", "1")]
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    app.ok(
        &editor,
        "overview/spare_seats",
        &[("tenant_id", worst["tenant_id"].as_str().unwrap()), ("spare_seats", "1")],
    )
    .await;
    let after = app.ok(&viewer, "overview/tenants", &[]).await;
    let t = after.as_array().unwrap().iter().find(|r| r["tenant_id"] == worst["tenant_id"]).unwrap();
    let p = t["products"].as_array().unwrap().iter().find(|p| p["sku_id"] == product["sku_id"]).unwrap();
    assert_eq!(p["wasted"].as_i64().unwrap(), wasted - 1);
    let res = app
        .call(
            &editor,
            "overview/spare_seats",
            &[("tenant_id", worst["tenant_id"].as_str().unwrap()), ("spare_seats", "-3")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
