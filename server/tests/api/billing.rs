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
    for _ in 0..600 {
        view = app.ok(&viewer, "billing/view", &[]).await;
        // While it runs, the page says how far it has got.
        assert_eq!(view["running"].as_bool(), Some(view["progress"].is_string()), "{view}");
        if !view["report"].is_null() && view["running"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let report = &view["report"];
    assert!(!report.is_null(), "the run made a report: {view}");
    // The Jobs page shows the run's tools read of all.
    let jobs = app.ok(&viewer, "jobs/list", &[]).await;
    let billing = jobs["jobs"].as_array().unwrap().iter().find(|j| j["kind"] == "billing_report").unwrap();
    let last = &billing["recent"][0];
    assert_eq!((last["done"].as_i64(), last["total"].as_i64()), (Some(9), Some(9)), "{last}");
    let tools: Vec<&str> = report["tools"].as_array().unwrap().iter().map(|t| t["tool"].as_str().unwrap()).collect();
    assert_eq!(
        tools,
        [
            "Microsoft 365",
            "PAX8",
            "Datto RMM",
            "NinjaOne",
            "ConnectWise Automate",
            "Huntress",
            "SentinelOne",
            "Cisco Duo",
            "Auvik"
        ]
    );
    // Every tool is set up against the simulator; Pax8 is read by the alert run, which has not run.
    for tool in report["tools"].as_array().unwrap().iter().filter(|t| t["tool"] != "PAX8") {
        assert_eq!(tool["status"], "counted", "{tool}");
    }
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

/// Runs the billing report as an Editor would and waits for it.
async fn run_report(app: &crate::helpers::TestApp, editor: &reqwest::Client) {
    app.ok(editor, "jobs/run", &[("kind", "billing_report")]).await;
    for _ in 0..600 {
        let view = app.ok(editor, "billing/view", &[]).await;
        if !view["report"].is_null() && view["running"] == false {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the billing report did not finish");
}

#[tokio::test]
async fn an_editor_places_a_tools_customers_and_a_viewer_only_reads_them() {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    let viewer = app.signed_in("viewer").await;
    app.ok(&editor, "mapping/refresh", &[]).await;
    let before = app.ok(&viewer, "billing/tool_customers", &[("tool", "datto_rmm")]).await;
    assert!(before["last_read"].is_null() && before["customers"].as_array().unwrap().is_empty(), "{before}");
    run_report(&app, &editor).await;

    let view = app.ok(&viewer, "billing/tool_customers", &[("tool", "datto_rmm")]).await;
    assert_eq!(view["configured"], true);
    let customers = view["customers"].as_array().unwrap().clone();
    let sites = app.sim.sim.msp().billing_tools.datto_sites.len();
    assert_eq!(customers.len(), sites - 3, "every site but Datto's three system sites");
    assert!(customers.iter().any(|c| c["placed_by"] == "linked in Datto RMM"), "Datto's own links place sites");
    let suggested: Vec<&serde_json::Value> =
        customers.iter().filter(|c| c["company"].is_null() && !c["suggestion"].is_null()).collect();
    assert!(!suggested.is_empty(), "renamed sites get suggestions");
    let key = suggested[0]["key"].as_str().unwrap().to_string();

    let refused = app.call(&viewer, "billing/place_tool_customer", &[("tool", "datto_rmm"), ("key", &key)]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = app.call(&viewer, "billing/accept_tool_customers", &[("tool", "datto_rmm")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let unknown = app
        .call(&editor, "billing/place_tool_customer", &[("tool", "datto_rmm"), ("key", &key), ("company_id", "999999")])
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let nobody =
        app.call(&editor, "billing/ignore_tool_customer", &[("tool", "datto_rmm"), ("key", "no-such-site")]).await;
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);

    let said = app.ok(&editor, "billing/accept_tool_customers", &[("tool", "datto_rmm")]).await;
    assert_eq!(said, format!("{} Datto RMM sites were placed from the suggestions.", suggested.len()));
    let after = app.ok(&viewer, "billing/tool_customers", &[("tool", "datto_rmm")]).await;
    let placed = after["customers"].as_array().unwrap().iter().find(|c| c["key"] == key.as_str()).unwrap().clone();
    assert_eq!(placed["company"], suggested[0]["suggestion"]["company"]);
    assert_eq!(placed["placed_by"], "chosen by a person");
    assert_eq!(placed["decided"], true);

    // The MSP's own site is left out, then the decision withdrawn; both are in the history.
    let internal = customers.iter().find(|c| c["name"] == "Northwind MSP (internal)").unwrap();
    let internal_key = internal["key"].as_str().unwrap();
    app.ok(&editor, "billing/ignore_tool_customer", &[("tool", "datto_rmm"), ("key", internal_key)]).await;
    let ignored = app.ok(&viewer, "billing/tool_customers", &[("tool", "datto_rmm")]).await;
    let line = ignored["customers"].as_array().unwrap().iter().find(|c| c["key"] == internal_key).unwrap().clone();
    assert_eq!(line["ignored"], true);
    app.ok(&editor, "billing/place_tool_customer", &[("tool", "datto_rmm"), ("key", internal_key)]).await;
    let withdrawn = app.ok(&viewer, "billing/tool_customers", &[("tool", "datto_rmm")]).await;
    let line = withdrawn["customers"].as_array().unwrap().iter().find(|c| c["key"] == internal_key).unwrap().clone();
    assert_eq!((line["ignored"].clone(), line["decided"].clone()), (false.into(), false.into()));
    let history: Vec<&str> =
        withdrawn["history"].as_array().unwrap().iter().map(|h| h["what"].as_str().unwrap()).take(2).collect();
    assert_eq!(history, ["decision withdrawn", "left out as not billed"]);

    // Huntress's organizations are read by the same run.
    let huntress = app.ok(&viewer, "billing/tool_customers", &[("tool", "huntress")]).await;
    assert!(!huntress["customers"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_admins_token_reads_reports_over_http_until_it_is_revoked_and_nothing_else_gets_in() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let editor = app.signed_in("editor").await;
    let plain = reqwest::Client::new();
    let latest_csv = format!("{}/api/v1/billing/reports/latest.csv", app.url);
    let refused = plain.get(&latest_csv).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"));

    let made = app.ok(&admin, "api_tokens/create", &[("name", "Finance workflow")]).await;
    let token = made["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("seatsync_") && token.len() > 40, "{token}");
    // Kept only as a hash: neither the table nor the list holds the token.
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM api_tokens WHERE token_hash = $1::bytea OR token_prefix = $2 OR name = $2",
    )
    .bind(token.as_bytes())
    .bind(&token)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, 0);
    let list = app.ok(&admin, "api_tokens/list", &[]).await;
    assert!(!list.to_string().contains(&token));
    assert_eq!(list[0]["last_used_at"], serde_json::Value::Null);
    let nameless = app.call(&admin, "api_tokens/create", &[("name", "  ")]).await;
    assert_eq!(nameless.status(), StatusCode::BAD_REQUEST);

    let get = |url: String, bearer: Option<String>| {
        let req = plain.get(url);
        let req = match bearer {
            Some(b) => req.bearer_auth(b),
            None => req,
        };
        async move { req.send().await.unwrap() }
    };
    // No report yet.
    let none = get(latest_csv.clone(), Some(token.clone())).await;
    assert_eq!(none.status(), StatusCode::NOT_FOUND);

    app.ok(&editor, "mapping/refresh", &[]).await;
    run_report(&app, &editor).await;
    let csv = get(latest_csv.clone(), Some(token.clone())).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let view = app.ok(&editor, "billing/view", &[]).await;
    assert!(text.starts_with("Company,"), "{text}");
    assert_eq!(text.lines().count(), view["report"]["rows"].as_array().unwrap().len() + 1);
    let json: serde_json::Value =
        get(format!("{}/api/v1/billing/reports/latest.json", app.url), Some(token.clone())).await.json().await.unwrap();
    assert_eq!(json["columns"], view["report"]["columns"]);
    assert_eq!(json["rows"].as_array().unwrap().len(), view["report"]["rows"].as_array().unwrap().len());
    assert!(json["tools"].as_array().unwrap().iter().any(|t| t["tool"] == "Datto RMM"));
    let refs: serde_json::Value =
        get(format!("{}/api/v1/billing/reports", app.url), Some(token.clone())).await.json().await.unwrap();
    let id = refs[0]["id"].as_i64().unwrap();
    let by_id = get(format!("{}/api/v1/billing/reports/{id}.json", app.url), Some(token.clone())).await;
    assert_eq!(by_id.json::<serde_json::Value>().await.unwrap()["id"], id);
    let missing = get(format!("{}/api/v1/billing/reports/999999.json", app.url), Some(token.clone())).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let used = app.ok(&admin, "api_tokens/list", &[]).await;
    assert!(!used[0]["last_used_at"].is_null());

    // A wrong token, a session without a token, and the token on a server function all fail.
    let wrong = get(latest_csv.clone(), Some(format!("{token}x"))).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let session_only = editor.get(&latest_csv).send().await.unwrap();
    assert_eq!(session_only.status(), StatusCode::UNAUTHORIZED);
    let server_fn = plain
        .post(format!("{}/api/billing/view", app.url))
        .header("origin", &app.url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(server_fn.status(), StatusCode::UNAUTHORIZED, "a token is no session");

    // Revoked: refused from the next request.
    let token_id = used[0]["id"].as_i64().unwrap().to_string();
    let said = app.ok(&admin, "api_tokens/revoke", &[("id", &token_id)]).await;
    assert!(said.as_str().unwrap().starts_with("The token was revoked"), "{said}");
    let after = get(latest_csv, Some(token)).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let again = app.ok(&admin, "api_tokens/revoke", &[("id", &token_id)]).await;
    assert_eq!(again, "The token was already revoked.");
}

#[tokio::test]
async fn an_admin_schedules_the_report_and_sends_it_by_email_and_a_viewer_only_reads_that() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin").await;
    let viewer = app.signed_in("viewer").await;
    app.ok(&admin, "mapping/refresh", &[]).await;
    let before = app.ok(&viewer, "billing/settings", &[]).await;
    assert_eq!(before["schedule_words"], "Every month on the 1st at 07:00 UTC");
    assert_eq!(before["from_app"], false);
    assert!(before["delivery_words"].as_str().unwrap().contains("not sent anywhere"));

    let form = |email: &'static str, day: &'static str| {
        vec![
            ("frequency", "weekly"),
            ("weekday", "5"),
            ("day", day),
            ("hour", "18"),
            ("ticket_company", ""),
            ("email_to", email),
        ]
    };
    let refused = app.call(&viewer, "billing/save_settings", &form("billing@northwind-msp.example", "1")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let bad = app.call(&admin, "billing/save_settings", &form("not an address", "1")).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let said = app.ok(&admin, "billing/save_settings", &form("billing@northwind-msp.example", "1")).await;
    assert!(said.as_str().unwrap().starts_with("Every Friday at 18:00 UTC."), "{said}");
    let after = app.ok(&viewer, "billing/settings", &[]).await;
    assert_eq!(after["schedule_words"], "Every Friday at 18:00 UTC");
    assert_eq!(after["from_app"], true);
    let next: chrono::DateTime<chrono::Utc> = serde_json::from_value(after["next_run"].clone()).unwrap();
    assert_eq!(chrono::Datelike::weekday(&next), chrono::Weekday::Fri);
    let jobs = app.ok(&viewer, "jobs/list", &[]).await;
    let billing = jobs["jobs"].as_array().unwrap().iter().find(|j| j["kind"] == "billing_report").unwrap().clone();
    assert_eq!(billing["cron"], "0 0 18 * * Fri", "the Jobs page shows the schedule in force");

    // A report made now is e-mailed, with its CSV, and the page says so.
    let editor = app.signed_in("editor").await;
    run_report(&app, &editor).await;
    let mut sent = serde_json::Value::Null;
    for _ in 0..100 {
        sent = app.ok(&viewer, "billing/view", &[]).await["report"]["sent"].clone();
        if sent.as_array().is_some_and(|s| !s.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(sent[0]["what"], "An e-mail to billing@northwind-msp.example", "{sent}");
    assert_eq!(sent[0]["ok"], true, "{sent}");
    let mail = app.sim.sim.mail.lock().unwrap().clone();
    assert!(mail.iter().any(|m| m.data.contains("Billing Reconciliation week of ")), "{mail:?}");
}
