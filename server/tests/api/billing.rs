//! The billing report through the server functions: an Editor runs it on the job queue, everyone
//! reads it and downloads its CSV, a Viewer cannot run it.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_editor_runs_the_billing_report_and_a_viewer_reads_and_downloads_it() {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    let viewer = app.signed_in("viewer").await;
    app.sync_all(&editor).await;
    app.ok(&editor, "mapping/refresh", &[]).await;
    // The customers mapped to their suggested Autotask companies, so Microsoft 365 has columns.
    let customers = app.ok(&editor, "mapping/customers", &[]).await;
    let items: Vec<serde_json::Value> = customers["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            r["suggestion"]["company_id"]
                .as_i64()
                .map(|c| serde_json::json!({"tenant_id": r["tenant_id"], "company_id": c, "version": r["version"]}))
        })
        .collect();
    assert!(!items.is_empty());
    let accepted = app.call_json(&editor, "mapping/accept_suggestions", serde_json::json!({ "items": items })).await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let before = app.ok(&viewer, "billing/view", &[]).await;
    assert!(before["report"].is_null(), "{before}");
    let missing = app.call(&viewer, "billing/csv", &[]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let refused = app.call(&viewer, "jobs/run", &[("kind", "billing_report")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    app.ok(&editor, "jobs/run", &[("kind", "billing_report")]).await;
    let mut view = serde_json::Value::Null;
    for _ in 0..200 {
        view = app.ok(&viewer, "billing/view", &[]).await;
        if !view["report"].is_null() && view["running"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let report = &view["report"];
    assert!(!report.is_null(), "the run made a report: {view}");
    let tools: Vec<&str> = report["tools"].as_array().unwrap().iter().map(|t| t["tool"].as_str().unwrap()).collect();
    assert_eq!(tools, ["Microsoft 365", "PAX8"]);
    assert!(!report["rows"].as_array().unwrap().is_empty(), "a row per Autotask company");
    assert!(report["changes"].is_null(), "the first report has nothing to compare with");

    let csv = app.ok(&viewer, "billing/csv", &[]).await;
    assert!(csv["file_name"].as_str().unwrap().starts_with("billing-report-"));
    let text = csv["text"].as_str().unwrap();
    assert!(text.starts_with("Company"), "{text}");
    assert_eq!(text.lines().count(), report["rows"].as_array().unwrap().len() + 1);
    assert_eq!(view["history"].as_array().unwrap().len(), 1);
    let columns = report["columns"].as_array().unwrap();
    assert!(columns.iter().any(|c| c.as_str().unwrap().starts_with("Microsoft 365 · ")), "{columns:?}");
    let totals = view["history"][0]["totals"].as_object().unwrap();
    assert_eq!(totals.len(), columns.len(), "a total per column");
    assert!(totals.values().any(|t| t.as_i64().unwrap() > 0), "{totals:?}");
    let unknown = app.call(&viewer, "billing/view", &[("report_id", "999999")]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
