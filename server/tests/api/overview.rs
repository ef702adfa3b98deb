//! The overview's CSV export: every tenant, one line each, RFC 4180, and a vendor's name that a
//! spreadsheet would run as a formula arrives as text.

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_export_holds_every_tenant_and_never_a_formula() {
    let app = spawn_app().await;
    let hostile = "=HYPERLINK(\"http://evil.example\",\"Click\")";
    app.sim.sim.msp().customers[0].company_name = hostile.into();
    let viewer = app.signed_in("viewer").await;
    let editor = app.signed_in("editor").await;
    app.sync_all(&editor).await;

    let file = app.ok(&viewer, "overview/export", &[]).await;
    assert!(file["file_name"].as_str().unwrap().starts_with("seatsync-overview-"));
    let text = file["text"].as_str().unwrap();
    let body = text.strip_prefix('\u{feff}').expect("a byte-order mark, so Excel reads UTF-8");
    let mut reader = csv::ReaderBuilder::new().from_reader(body.as_bytes());
    assert_eq!(reader.headers().unwrap().get(0), Some("Tenant"));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let overview = app.ok(&viewer, "overview/tenants", &[]).await;
    let tenants = overview.as_array().unwrap();
    assert_eq!(records.len(), tenants.len(), "one line per tenant");
    for (record, tenant) in records.iter().zip(tenants) {
        let name = tenant["name"].as_str().unwrap();
        if name == hostile {
            assert_eq!(&record[0], format!("'{hostile}"), "the formula is neutralised");
        } else {
            assert_eq!(&record[0], name, "in the overview's order");
        }
        assert_eq!(record[4].parse::<i64>().unwrap(), tenant["unused"].as_i64().unwrap());
    }
    assert!(records.iter().any(|r| r[0].starts_with("'=")), "the hostile tenant is in the file");
    assert!(body.contains("\r\n"), "RFC 4180 line ends");
}
