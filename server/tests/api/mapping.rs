//! Customer and service mappings through the server functions, against the simulated Autotask.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

/// Signs in, syncs licences and reads Autotask: what every mapping test starts from.
async fn ready() -> (TestApp, reqwest::Client) {
    let app = spawn_app().await;
    let editor = app.signed_in("editor").await;
    app.sync_all(&editor).await;
    app.ok(&editor, "mapping/refresh", &[]).await;
    (app, editor)
}

fn row<'a>(list: &'a Value, tenant_id: &str) -> &'a Value {
    list["rows"].as_array().unwrap().iter().find(|r| r["tenant_id"] == tenant_id).unwrap()
}

async fn seeded_company(app: &TestApp, tenant_id: &str) -> Option<i64> {
    let res = reqwest::get(format!("{}/_sim/autotask-company-of/{tenant_id}", app.sim.base_url)).await.unwrap();
    if !res.status().is_success() {
        return None;
    }
    res.json::<Value>().await.unwrap()["companyId"].as_i64()
}

#[tokio::test]
async fn suggestions_find_the_right_companies_one_to_one() {
    let (app, editor) = ready().await;
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    let rows = list["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["state"] == "unmapped"));
    let mut suggested = std::collections::HashSet::new();
    let mut right = 0;
    for r in rows {
        if let Some(company) = r["suggestion"]["company_id"].as_i64() {
            assert!(suggested.insert(company), "a company is suggested for one tenant only");
            if seeded_company(&app, r["tenant_id"].as_str().unwrap()).await == Some(company) {
                right += 1;
            }
        }
    }
    assert!(
        right >= 3,
        "most suggestions name the company the MSP typed for that customer ({right} of {})",
        suggested.len()
    );

    // Accept them in bulk; then none is left to suggest.
    let items: Vec<Value> = rows
        .iter()
        .filter_map(|r| {
            r["suggestion"]["company_id"]
                .as_i64()
                .map(|c| serde_json::json!({"tenant_id": r["tenant_id"], "company_id": c, "version": r["version"]}))
        })
        .collect();
    let res = app.call_json(&editor, "mapping/accept_suggestions", serde_json::json!({ "items": items })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let outcomes: Value = res.json().await.unwrap();
    assert!(outcomes.as_array().unwrap().iter().all(|o| o["error"].is_null()), "{outcomes}");
    let after = app.ok(&editor, "mapping/customers", &[]).await;
    let mapped = after["rows"].as_array().unwrap().iter().filter(|r| r["state"] == "mapped").count();
    assert_eq!(mapped, items.len());
    assert!(after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "mapped")
        .all(|r| r["suggestion"].is_null()));
    let history = app
        .ok(&editor, "mapping/history", &[("kind", "tenant"), ("key", items[0]["tenant_id"].as_str().unwrap())])
        .await;
    assert_eq!(history[0]["action"], "accept suggestion");
}

#[tokio::test]
async fn map_change_ignore_undo_and_reset_each_leave_history() {
    let (app, editor) = ready().await;
    let tenant = app.sim.sim.msp().customers[0].tenant_id.clone();
    let companies = app.ok(&editor, "mapping/companies", &[]).await;
    let (a, b) = (companies[1]["id"].to_string(), companies[2]["id"].to_string());
    let save = |action: &'static str, company: Option<String>, version: i64| {
        let (app, editor, tenant) = (&app, &editor, tenant.clone());
        async move {
            let v = version.to_string();
            let mut form = vec![("tenant_id", tenant.as_str()), ("action", action), ("version", v.as_str())];
            if let Some(c) = &company {
                form.push(("company_id", c.as_str()));
            }
            let res = app.call(editor, "mapping/save_tenant", &form).await;
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let (s, r) = save("map", Some(a.clone()), 0).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["state"].as_str(), r["company_id"].to_string()), (Some("mapped"), a.clone()));
    assert!(r["company_url"].as_str().unwrap().contains("OpenAccount"), "a link to the company in Autotask");
    let (_, r) = save("map", Some(b.clone()), 1).await;
    assert_eq!(r["company_id"].to_string(), b);
    let (_, r) = save("ignore", None, 2).await;
    assert_eq!(r["state"], "ignored");
    let (_, r) = save("undo_ignore", None, 3).await;
    assert_eq!(r["state"], "unmapped");
    let (_, r) = save("reset", None, 4).await;
    assert_eq!((r["state"].as_str(), r["version"].as_i64()), (Some("unmapped"), Some(5)));
    // A stale version is refused and nothing is written.
    let (s, r) = save("ignore", None, 2).await;
    assert_eq!(s, StatusCode::CONFLICT, "{r}");
    let history = app.ok(&editor, "mapping/history", &[("kind", "tenant"), ("key", &tenant)]).await;
    let actions: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["reset", "undo ignore", "ignore", "change company", "map"]);
    assert!(history[2]["before"].as_str().unwrap().starts_with("Mapped to"));
    assert_eq!(history[2]["after"], "Ignored");
    assert_eq!(history[2]["by"], "Eddie Editor");
    // Mapping to a company Autotask does not have is explained.
    let (s, r) = save("map", Some("999999999".into()), 5).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{r}");
}

#[tokio::test]
async fn the_second_of_two_editors_gets_a_conflict_not_an_overwrite() {
    let (app, editor) = ready().await;
    let admin = app.signed_in("admin").await;
    let tenant = app.sim.sim.msp().customers[1].tenant_id.clone();
    let list = app.ok(&admin, "mapping/customers", &[]).await;
    let version = row(&list, &tenant)["version"].to_string();
    let companies = app.ok(&editor, "mapping/companies", &[]).await;
    let (a, b) = (companies[1]["id"].to_string(), companies[3]["id"].to_string());
    let first = app
        .call(
            &editor,
            "mapping/save_tenant",
            &[("tenant_id", &tenant), ("action", "map"), ("company_id", &a), ("version", &version)],
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .call(
            &admin,
            "mapping/save_tenant",
            &[("tenant_id", &tenant), ("action", "map"), ("company_id", &b), ("version", &version)],
        )
        .await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let message = second.text().await.unwrap();
    assert!(message.contains("Eddie Editor changed the mapping"), "{message}");
    let list = app.ok(&admin, "mapping/customers", &[]).await;
    assert_eq!(row(&list, &tenant)["company_id"].to_string(), a, "the first save stands");
}

#[tokio::test]
async fn a_dismissed_suggestion_never_comes_back_for_that_tenant() {
    let (app, editor) = ready().await;
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    let r = list["rows"].as_array().unwrap().iter().find(|r| !r["suggestion"].is_null()).unwrap().clone();
    let tenant = r["tenant_id"].as_str().unwrap();
    let company = r["suggestion"]["company_id"].to_string();
    app.ok(&editor, "mapping/dismiss_suggestion", &[("tenant_id", tenant), ("company_id", &company)]).await;
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    assert_ne!(row(&list, tenant)["suggestion"]["company_id"].to_string(), company);
    // A reset forgets the dismissal.
    app.ok(&editor, "mapping/save_tenant", &[("tenant_id", tenant), ("action", "reset"), ("version", "0")]).await;
    let list = app.ok(&editor, "mapping/customers", &[]).await;
    assert_eq!(row(&list, tenant)["suggestion"]["company_id"].to_string(), company);
}

/// An Admin chooses, from Autotask's list, the allocation code new services get.
async fn choose_allocation_code(app: &TestApp) -> i64 {
    let admin = app.signed_in("admin").await;
    let codes = app.ok(&admin, "settings/billing_codes", &[]).await;
    let codes = codes.as_array().unwrap();
    assert_eq!(
        (codes[0]["recurring"].as_bool(), codes[1]["recurring"].as_bool(), codes[2]["recurring"].as_bool()),
        (Some(true), Some(true), Some(false)),
        "recurring-service codes come first: {codes:?}"
    );
    let licensing = codes.iter().find(|c| c["name"] == "Microsoft 365 Licensing").unwrap();
    assert_eq!(licensing["use_type"], "Recurring Contract Service");
    let id = licensing["id"].as_i64().unwrap();
    let form = [
        ("service_name_template", "{product} ({term}, billed {billing})"),
        ("contract_name_template", "{company} - Microsoft {term_label} term from {start}"),
        ("adjustment_date", "today"),
        ("service_billing_code_id", &id.to_string()),
        ("time_reporting_requires_start_stop", "false"),
        ("contract_grouping", "aligned_terms"),
    ];
    app.ok(&admin, "settings/save_mapping", &form).await;
    id
}

#[tokio::test]
async fn a_service_needs_an_allocation_code_and_amounts_read_as_people_write_them() {
    let (app, editor) = ready().await;
    let offers = app.ok(&editor, "mapping/offers", &[]).await;
    let mut target = None;
    for o in offers["rows"].as_array().unwrap() {
        let key = o["offer_key"].as_str().unwrap().to_string();
        let draft = app.ok(&editor, "mapping/service_draft", &[("offer_key", &key)]).await;
        if draft["existing_service_id"].is_null() {
            target = Some((key, draft["name"].as_str().unwrap().to_string()));
            break;
        }
    }
    let (key, name) = target.expect("some offer had no service yet");
    let create = |price: &'static str| {
        let (key, name) = (key.clone(), name.clone());
        let app = &app;
        let editor = &editor;
        async move {
            app.call(
                editor,
                "mapping/create_service",
                &[("offer_key", &key), ("name", &name), ("unit_price", price), ("unit_cost", "€ 7"), ("version", "0")],
            )
            .await
        }
    };
    // Autotask requires an allocation code on every service: refused before anything is sent.
    let res = create("12,50").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("allocation code"));
    let services: Vec<Value> =
        reqwest::get(format!("{}/_sim/autotask/services", app.sim.base_url)).await.unwrap().json().await.unwrap();
    assert!(services.iter().all(|s| s["name"] != name.as_str()), "nothing was created");
    let code = choose_allocation_code(&app).await;
    // An amount that reads two ways is a question, not a guess.
    let res = create("1,250").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("did you mean 1250 or 1.25?"));
    let res = create("12,50").await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let services: Vec<Value> =
        reqwest::get(format!("{}/_sim/autotask/services", app.sim.base_url)).await.unwrap().json().await.unwrap();
    let created = services.iter().find(|s| s["name"] == name.as_str()).unwrap();
    assert_eq!(
        (created["unitPrice"].as_f64(), created["unitCost"].as_f64(), created["billingCodeID"].as_i64()),
        (Some(12.5), Some(7.0), Some(code))
    );
}

#[tokio::test]
async fn a_service_is_created_from_the_template_once_and_mapped() {
    let (app, editor) = ready().await;
    choose_allocation_code(&app).await;
    let offers = app.ok(&editor, "mapping/offers", &[]).await;
    let mut created = None;
    for o in offers["rows"].as_array().unwrap() {
        let key = o["offer_key"].as_str().unwrap();
        let draft = app.ok(&editor, "mapping/service_draft", &[("offer_key", key)]).await;
        if draft["existing_service_id"].is_null() {
            let name = draft["name"].as_str().unwrap().to_string();
            assert!(name.starts_with(o["offer_name"].as_str().unwrap()), "named by the template: {name}");
            assert!(
                name.contains(o["term"].as_str().unwrap()) && name.contains(o["billing"].as_str().unwrap()),
                "{name}"
            );
            let res = app
                .call(
                    &editor,
                    "mapping/create_service",
                    &[
                        ("offer_key", key),
                        ("name", &name),
                        ("unit_price", "13.20"),
                        ("unit_cost", "11"),
                        ("version", "0"),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            let r: Value = res.json().await.unwrap();
            assert_eq!((r["state"].as_str(), r["service_name"].as_str()), (Some("mapped"), Some(name.as_str())));
            created = Some((name, key.to_string()));
            break;
        }
    }
    let (name, created_key) = created.expect("some offer had no service yet");
    let services: Vec<Value> =
        reqwest::get(format!("{}/_sim/autotask/services", app.sim.base_url)).await.unwrap().json().await.unwrap();
    let matching: Vec<&Value> = services.iter().filter(|s| s["name"] == name.as_str()).collect();
    assert_eq!(matching.len(), 1);
    assert_eq!(matching[0]["unitPrice"].as_f64(), Some(13.2));
    // Another offer asking for a service of the same name gets the existing one, not a twin.
    let other = offers["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["state"] == "unmapped" && o["offer_key"] != created_key.as_str())
        .unwrap();
    let key = other["offer_key"].as_str().unwrap();
    let r = app
        .ok(
            &editor,
            "mapping/create_service",
            &[("offer_key", key), ("name", &name), ("unit_price", "1"), ("unit_cost", ""), ("version", "0")],
        )
        .await;
    assert_eq!(r["service_name"], name.as_str());
    let services: Vec<Value> =
        reqwest::get(format!("{}/_sim/autotask/services", app.sim.base_url)).await.unwrap().json().await.unwrap();
    assert_eq!(services.iter().filter(|s| s["name"] == name.as_str()).count(), 1);
    // Bad input is explained.
    let res = app
        .call(
            &editor,
            "mapping/create_service",
            &[("offer_key", key), ("name", "x"), ("unit_price", "twelve"), ("unit_cost", ""), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("is not an amount"));
}
